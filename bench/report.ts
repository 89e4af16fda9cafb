/**
 * The markdown report: one table of every measurement with its ratio to TF.js cpu, TF.js
 * wasm and PyTorch (the better of its 1- and 2-thread figures) on the same row (same workload,
 * model, op and size), a matmul GFLOP/s table, the heap check, peak memory and the machine record.
 *
 * Ratio = peer median / this median: 3.0× means three times as fast as that peer.
 */
import type { Result } from './harness';
import type { HeapCheck } from './heap';
import type { MemoryRow } from './memory';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly kernels: string;
  readonly wasmMatmul: boolean;
  readonly tfjs: string;
  readonly tfjsWasmSimd: boolean;
  readonly tfjsWasmThreads: boolean;
  readonly gpuMode: string | null;
  /** "torch version on BLAS", or null when no PyTorch ran. */
  readonly pytorch: string | null;
  readonly quick: boolean;
  readonly date: string;
}

const key = (r: Result): string => `${r.workload}|${r.model}|${r.op}|${r.size ?? ''}`;

/** The TF.js row that `r` is compared against, on one backend. */
export function peer(results: readonly Result[], r: Result, backend: 'cpu' | 'wasm'): Result | undefined {
  // W4's cells do not exist in TF.js: compare with TF.js's closest model on the same workload.
  const model = r.workload === 'W4' ? (r.model === 'peephole' ? 'lstm' : r.model === 'ln-simple' ? 'simple' : r.model) : r.model;
  return results.find((t) => t.engine === 'tfjs' && t.backend === backend && key(t) === key({ ...r, model }));
}

/** "3.1×", or "–" when there is no TF.js figure to compare with. */
export function ratio(results: readonly Result[], r: Result, backend: 'cpu' | 'wasm'): string {
  const p = peer(results, r, backend);
  return p ? `${(p.medianMs / r.medianMs).toFixed(2)}×` : '–';
}

/** PyTorch's row for `r`: the faster of its thread counts. */
export function pytorchPeer(results: readonly Result[], r: Result): Result | undefined {
  const rows = results.filter((t) => t.engine === 'pytorch' && key(t) === key(r));
  return rows.reduce<Result | undefined>((best, t) => (!best || t.medianMs < best.medianMs ? t : best), undefined);
}

/** "0.8× (1T)": PyTorch's better time / this time, and the threads that got it; "–" without PyTorch. */
export function pytorchRatio(results: readonly Result[], r: Result): string {
  const p = pytorchPeer(results, r);
  return p ? `${(p.medianMs / r.medianMs).toFixed(2)}× (${p.threads}T)` : '–';
}

const isPeer = (r: Result): boolean => r.engine === 'tfjs' || r.engine === 'pytorch';

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

export function markdownReport(machine: Machine, results: readonly Result[], heap: HeapCheck | null, extra: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(`# rnngrad vs TensorFlow.js ${machine.tfjs}${machine.pytorch ? ' and PyTorch' : ''}${machine.quick ? ' (quick run)' : ''}`, '');
  lines.push(`${machine.date} · ${machine.cpu}, ${machine.cores} cores · Node ${machine.node} (${machine.platform})`);
  lines.push(`rnngrad kernels: ${machine.kernels} (float32 matmul on the wasm SIMD kernel: ${machine.wasmMatmul ? 'yes' : 'no'})` +
    (machine.gpuMode ? ` · gpu.js mode: ${machine.gpuMode}` : ''));
  lines.push(`TF.js backends: cpu, wasm (SIMD: ${machine.tfjsWasmSimd ? 'yes' : 'no'}, threads: ${machine.tfjsWasmThreads ? 'yes' : 'no'})`);
  lines.push(machine.pytorch
    ? `PyTorch ${machine.pytorch} (bench/pytorch_peer.py): CPU, 1 and 2 threads (torch.set_num_threads and the BLAS pool)`
    : 'PyTorch: not run (no Python with torch; see bench/pytorch.ts)');
  lines.push('', 'Both engines train the same model on the same data from the same initial weights with Adam (lr 0.001) and MSE; ' +
    "TF.js's LSTM uses `recurrentActivation: 'sigmoid'` like rnngrad (its default is the hard sigmoid). " +
    'W4: TF.js has no peephole LSTM or LN-SimpleRNN, so those rows are compared with its LSTM and SimpleRNN (the same W1 shape, its own initial weights). ' +
    'brain.js 2.0 rows (W1, model `lstm-timestep`, only when brain.js is installed): its LSTMTimeStep with hidden layers [20, 20] on the same 32 sequences — ' +
    'next value per step, its own initial weights and update rule, one `train` = one pass over the 32 sequences; a comparable model, not the same one, so no ratio. ' +
    'PyTorch rows (W1–W3): the same model from the same data and initial weights (nn.LSTM / nn.RNN with the Keras weights transposed, ' +
    'Adam with ε = 1e-7), its first-step loss checked against rnngrad\'s to 1e-4; timed by bench/pytorch_peer.py with its own clock, ' +
    'warm-up calls for 0.25 s and a full GC, then samples, as here. threads = the threads the engine computes on (rnngrad: 2 = its wasm helper thread is on). ' +
    'Medians of Benchmark.js samples; rme = relative margin of error (95 %); ratio = peer time / this time (higher is better); ' +
    'vs PyTorch = against the faster of its 1- and 2-thread rows.', '');
  lines.push('| workload | model | op | engine | backend | threads | median ms | rme % | vs TF.js cpu | vs TF.js wasm | vs PyTorch |');
  lines.push('|---|---|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results.filter((x) => x.workload !== 'matmul')) {
    lines.push(`| ${r.workload} | ${r.model} | ${r.op} | ${r.engine} | ${r.backend} | ${r.threads} | ${ms(r.medianMs)} | ${r.rme.toFixed(1)} | ` +
      (isPeer(r) ? ' |  |  |' : `${ratio(results, r, 'cpu')} | ${ratio(results, r, 'wasm')} | ${pytorchRatio(results, r)} |`));
  }
  const mm = results.filter((x) => x.workload === 'matmul');
  if (mm.length > 0) {
    lines.push('', '## matmul (float32, square n; GFLOP/s = 2n³ / median time)', '');
    lines.push('| product | n | engine | backend | threads | median ms | rme % | GFLOP/s | vs TF.js cpu | vs TF.js wasm |');
    lines.push('|---|---:|---|---|---:|---:|---:|---:|---:|---:|');
    for (const r of mm) {
      lines.push(`| ${r.model} | ${r.size} | ${r.engine} | ${r.backend} | ${r.threads} | ${ms(r.medianMs)} | ${r.rme.toFixed(1)} | ${(r.gflops ?? 0).toFixed(2)} | ` +
        `${r.engine === 'tfjs' ? '' : ratio(results, r, 'cpu')} | ${r.engine === 'tfjs' ? '' : ratio(results, r, 'wasm')} |`);
    }
  }
  lines.push(...extra);
  if (heap) {
    lines.push('', `## Steady-state heap (${heap.workload} training, ${heap.steps} steps, after a forced GC)`, '');
    lines.push('| step | heapUsed MiB | arrayBuffers MiB |', '|---:|---:|---:|');
    for (const s of heap.samples) lines.push(`| ${s.step} | ${(s.heapUsed / 2 ** 20).toFixed(2)} | ${(s.arrayBuffers / 2 ** 20).toFixed(2)} |`);
    lines.push('', `Growth of the floor (the lowest sample of the last third minus the lowest of the first third after step ` +
      `${heap.samples[0].step}, bench/heap.ts): heap ${(heap.heapGrowth / 2 ** 10).toFixed(0)} KiB, ` +
      `array buffers ${(heap.arrayBufferGrowth / 2 ** 10).toFixed(0)} KiB → ` +
      `${heap.steady ? 'steady (under 1 MiB over the run)' : 'GROWING'}.`);
  }
  return lines.join('\n') + '\n';
}

/** The peak-RSS table of W2 training (one child process per engine); nothing when it did not run. */
export function memoryMarkdown(rows: readonly MemoryRow[]): string[] {
  if (rows.length === 0) return [];
  const mib = (kib: number): string => (kib / 1024).toFixed(0);
  const lines = ['', `## Peak resident memory, W2 training (${rows[0].steps} steps, one child process per engine)`, '',
    'Peak resident memory of the whole child process (Linux VmHWM; see bench/memory.ts): "before the model" is the high-water mark after loading the ' +
    'engine and the data, so the difference is what training added.', '',
    '| engine | backend | threads | peak RSS MiB | before the model MiB | training added MiB |', '|---|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.engine} | ${r.backend} | ${r.threads} | ${mib(r.peakRssKiB)} | ${mib(r.baseRssKiB)} | ${mib(r.peakRssKiB - r.baseRssKiB)} |`);
  }
  return lines;
}

/** One of PyTorch's checks that it trains the same model: its first two losses against rnngrad's. */
export interface FirstLoss {
  readonly workload: string;
  readonly threads: number;
  readonly pytorch: number;
  readonly rnngrad: number;
  readonly pytorchSecond: number;
  readonly rnngradSecond: number;
  readonly ok: boolean;
}

/** The first- and second-step losses of both engines; nothing when PyTorch did not run. */
export function firstLossMarkdown(rows: readonly FirstLoss[]): string[] {
  if (rows.length === 0) return [];
  const lines = ['', '## PyTorch trains the same model', '',
    'Training losses from the shared initial weights: the first step (the forward pass) and the second (after one Adam update); ' +
    'they must agree to 1e-4.', '',
    '| workload | threads | first step: PyTorch | rnngrad | \|Δ\| | second step: PyTorch | rnngrad | \|Δ\| | same |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    lines.push(`| ${r.workload} | ${r.threads} | ${r.pytorch.toFixed(7)} | ${r.rnngrad.toFixed(7)} | ${Math.abs(r.pytorch - r.rnngrad).toExponential(1)} | ` +
      `${r.pytorchSecond.toFixed(7)} | ${r.rnngradSecond.toFixed(7)} | ${Math.abs(r.pytorchSecond - r.rnngradSecond).toExponential(1)} | ${r.ok ? 'yes' : '**no**'} |`);
  }
  return lines;
}

/** A few lines for stdout: the headline ratios. */
export function summary(results: readonly Result[]): string {
  const lines: string[] = [];
  for (const r of results.filter((x) => x.engine === 'rnngrad' && x.workload !== 'matmul')) {
    lines.push(`${r.workload} ${r.model} ${r.op}: ${ms(r.medianMs)} ms — ${ratio(results, r, 'cpu')} TF.js cpu, ${ratio(results, r, 'wasm')} TF.js wasm, ` +
      `${pytorchRatio(results, r)} PyTorch`);
  }
  for (const r of results.filter((x) => x.workload === 'matmul' && x.engine === 'rnngrad' && x.backend === 'js')) {
    const w = peer(results, r, 'wasm');
    lines.push(`matmul ${r.model} n=${r.size}: ${(r.gflops ?? 0).toFixed(1)} GFLOP/s (TF.js wasm ${(w?.gflops ?? NaN).toFixed(1)})`);
  }
  return lines.join('\n');
}
