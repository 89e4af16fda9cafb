/**
 * `npm run bench` — rnngrad against TF.js 4.22 (cpu and wasm backends) and PyTorch (CPU, 1 and 2
 * threads, when a Python with torch is found: bench/pytorch.ts), same machine, same run, same
 * models, data, initial weights and optimizer. Workloads and output: issues 6 and 13; the
 * options are in USAGE below.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brainjsSteps } from './brainjs';
import { findTorchPython, pytorchRuns, runPytorch, type PytorchRun } from './pytorch';
import { peakRssW2, type MemoryRow } from './memory';
import { measure, log, type Result, type TimingOptions } from './harness';
import { SPECS, makeBatch, buildRnngradModel, rnngradSteps, type ModelSpec } from './models';
import { useTfBackend, tfInfo, buildTfModel, tfSteps, type TfBackend } from './tfjs';
import { runMatmul, wasmThreadsOn } from './matmul';
import { heapCheck, type HeapCheck } from './heap';
import { markdownReport, memoryMarkdown, firstLossMarkdown, summary, type Machine } from './report';
import { chartSvg } from './svg';
import { getKernels } from '../kernels/registry';
import { runGpuLstm, gpuLstmMarkdown, GpuLstmResult } from './gpu-lstm';
import { useWasmMatmul } from '../kernels/cpu/matmul';

const USAGE = `usage: node dist/bench/run.js [options]   (npm run bench -- [options])

  --quick            W1, W2 and matmul n ≤ 512, fewer samples and variants
  --json             exactly one JSON object on stdout ({machine, results, heap, memory, pytorch, gpuLstm});
                     everything else on stderr
  --gpu              also time the gpu.js kernels: matmul, and an LSTM training step on js / gpu.js (device) /
                     gpu.js host kernels across sizes, with uploads and readbacks per step (bench/gpu-lstm.ts)
  --only=W1,matmul   run only these workloads (W1, W2, W3, W4, matmul)
  --engines=rnngrad  only these engines (rnngrad, tfjs, brainjs, pytorch), e.g. for node --cpu-prof
  --no-heap          skip the 1 000-step heap check
  --no-memory        skip the peak-RSS check of W2 training (one child process per engine)
  --help             this text

PyTorch rows need a Python with torch: RNNGRAD_PYTHON, else python3 on the PATH, else /usr/bin/python3
(Debian: apt-get install python3-torch libopenblas0-pthread). Without one the bench runs without them.
Writes bench/results/report.md, chart.svg and results.json (suffixed -quick and/or -<only>).
`;

interface Args {
  readonly help: boolean;
  readonly quick: boolean;
  readonly json: boolean;
  readonly gpu: boolean;
  readonly heap: boolean;
  readonly memory: boolean;
  readonly only: readonly string[] | null;
  readonly engines: readonly string[] | null;
}

/** A mistake on the command line: reported with the usage, without a stack trace. */
class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const list = (name: string): string[] | null => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    return a ? a.slice(name.length + 3).split(',').filter((s) => s.length > 0) : null;
  };
  const known = ['--help', '-h', '--quick', '--json', '--gpu', '--no-heap', '--no-memory'];
  for (const a of argv) {
    if (!known.includes(a) && !a.startsWith('--only=') && !a.startsWith('--engines=')) throw new UsageError(`unknown argument '${a}'`);
  }
  return {
    help: argv.includes('--help') || argv.includes('-h'),
    quick: argv.includes('--quick'),
    json: argv.includes('--json'),
    gpu: argv.includes('--gpu'),
    heap: !argv.includes('--no-heap'),
    memory: !argv.includes('--no-memory'),
    only: list('only'),
    engines: list('engines'),
  };
}

/** Seconds are scarce on the slowest peer (TF.js cpu on W2 takes ~10 s a step): fewer samples there. */
function timingFor(args: Args, slow: boolean): TimingOptions {
  if (args.quick) return { maxTime: slow ? 0.1 : 0.5, minSamples: slow ? 2 : 5 };
  return { maxTime: slow ? 1 : 3, minSamples: slow ? 5 : 10 };
}

/** The peers that run beside rnngrad: TF.js's wasm threads, and the Python with torch (null: none). */
interface Peers {
  readonly tfjsWasmThreads: number;
  readonly python: string | null;
}

async function runWorkload(spec: ModelSpec, args: Args, wants: (engine: string) => boolean, peers: Peers):
  Promise<{ results: Result[]; pytorch: PytorchRun | null }> {
  const results: Result[] = [];
  const batch = makeBatch(spec);
  const row = { workload: spec.workload, model: spec.cell };
  log(`${spec.workload} ${spec.cell}: B${spec.batch} T${spec.time} F${spec.features}, ${spec.units.join('→')} → Dense(${spec.denseUnits})`);
  if (wants('rnngrad')) {
    const steps = rnngradSteps(buildRnngradModel(spec), batch);
    const ours = { ...row, engine: 'rnngrad' as const, backend: getKernels().name, threads: rnngradThreads() };
    results.push(await measure({ ...ours, op: 'train' }, steps.train, timingFor(args, false)));
    results.push(await measure({ ...ours, op: 'forward' }, steps.forward, timingFor(args, false)));
  }
  if (wants('tfjs')) {
    for (const backend of ['cpu', 'wasm'] as TfBackend[]) {
      await useTfBackend(backend);
      // A fresh rnngrad model with the same seed gives the initial weights again.
      const { model, sameWeights } = buildTfModel(spec, buildRnngradModel(spec));
      if (!sameWeights) log(`  (TF.js has no '${spec.cell}' cell: timing its ${spec.tfjsCell} with its own initial weights)`);
      const steps = tfSteps(model, batch);
      const slow = backend === 'cpu' && spec.workload === 'W2';
      const tfRow = { ...row, model: spec.tfjsCell, engine: 'tfjs' as const, backend, threads: backend === 'wasm' ? peers.tfjsWasmThreads : 1 };
      // W4 maps two rnngrad cells onto the same TF.js models: time each TF.js model once.
      if (!results.some((r) => r.engine === 'tfjs' && r.model === tfRow.model && r.backend === backend)) {
        results.push(await measure({ ...tfRow, op: 'train' }, steps.train, timingFor(args, slow)));
        results.push(await measure({ ...tfRow, op: 'forward' }, steps.forward, timingFor(args, slow)));
      }
      steps.dispose();
    }
  }
  if (wants('brainjs') && spec.workload === 'W1' && spec.cell === 'lstm') {
    const steps = brainjsSteps(spec, batch);
    if (!steps) log('  (brain.js is not installed: skipping it)');
    else {
      log('  brain.js LSTMTimeStep([20, 20]): next value per step, its own update rule — comparable, not identical');
      const brainRow = { ...row, model: 'lstm-timestep', engine: 'brainjs' as const, backend: 'cpu', threads: 1 };
      results.push(await measure({ ...brainRow, op: 'train' }, steps.train, timingFor(args, false)));
      results.push(await measure({ ...brainRow, op: 'forward' }, steps.forward, timingFor(args, false)));
    }
  }
  let pytorch: PytorchRun | null = null;
  if (wants('pytorch') && peers.python && pytorchRuns(spec)) {
    pytorch = runPytorch(peers.python, spec, timingFor(args, false));
    if (pytorch) results.push(...pytorch.results);
  }
  return { results, pytorch };
}

/** rnngrad's threads: 2 when its wasm matmul may split a product with its helper thread (≥ 2²¹ multiply-adds). */
function rnngradThreads(): number {
  return getKernels().name === 'js' && wasmThreadsOn() ? 2 : 1;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  // TF.js greets on console.log; in --json mode stdout must carry only the JSON object.
  if (args.json) console.log = console.info = console.warn = (...xs: unknown[]) => log(xs.map(String).join(' '));
  const wantsWorkload = (w: string): boolean => (args.only ? args.only.includes(w) : !args.quick || ['W1', 'W2', 'matmul'].includes(w));
  const wants = (engine: string): boolean => !args.engines || args.engines.includes(engine);

  const tf = wants('tfjs') ? await tfInfo() : { version: '–', wasmSimd: false, wasmThreads: false };
  let python: string | null = null;
  if (wants('pytorch')) {
    const found = findTorchPython();
    if ('missing' in found) log(found.missing);
    else python = found.python;
  }
  const peers: Peers = { tfjsWasmThreads: tf.wasmThreads ? os.cpus().length : 1, python };
  const results: Result[] = [];
  const torchRuns: PytorchRun[] = [];
  const seen = new Set<string>();
  for (const spec of SPECS) {
    if (!wantsWorkload(spec.workload)) continue;
    const { results: rows, pytorch } = await runWorkload(spec, args, wants, peers);
    if (pytorch) torchRuns.push(pytorch);
    // W4's second cell shares the TF.js rows already timed for the first.
    for (const r of rows) {
      const k = `${r.workload}|${r.model}|${r.engine}|${r.backend}|${r.threads}|${r.op}`;
      if (!seen.has(k)) results.push(r);
      seen.add(k);
    }
  }
  let gpuMode: string | null = null;
  if (wantsWorkload('matmul')) {
    const sizes = args.quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024];
    // --quick keeps under 5 minutes: the transposed variants at 256 only, the TS loops to 256.
    const plan = {
      sizes,
      variantSizes: args.quick ? [256] : [256, 512],
      loopsMaxN: args.quick ? 256 : 1024,
      gpuMaxN: args.gpu ? 512 : 0,
    };
    const mm = await runMatmul(plan, timingFor(args, false));
    results.push(...mm.results.filter((r) => wants(r.engine)));
    gpuMode = mm.gpuMode;
  }
  // --gpu: an LSTM training step on js, gpu.js (device) and gpu.js (host kernels only), across sizes
  let gpuLstm: GpuLstmResult[] = [];
  if (args.gpu && wants('rnngrad')) {
    const g = await runGpuLstm(args.quick ? [16, 64] : [16, 64, 128], timingFor(args, true));
    gpuLstm = g.results;
    gpuMode = gpuMode ?? g.mode;
  }
  let heap: HeapCheck | null = null;
  if (args.heap && wants('rnngrad')) {
    const spec = SPECS[0];
    log(`heap check: ${spec.workload} rnngrad training, 1000 steps`);
    const steps = rnngradSteps(buildRnngradModel(spec), makeBatch(spec));
    heap = await heapCheck(spec.workload, () => { steps.train(); }, 1000, 100);
    log(`  heap growth ${(heap.heapGrowth / 1024).toFixed(0)} KiB, array buffers ${(heap.arrayBufferGrowth / 1024).toFixed(0)} KiB: ${heap.steady ? 'steady' : 'GROWING'}`);
  }

  let memory: MemoryRow[] = [];
  if (args.memory && wantsWorkload('W2')) {
    log('peak resident memory: W2 training, one child process per engine');
    memory = peakRssW2({ steps: args.quick ? 2 : 3, python: wants('pytorch') ? python : null, rnngradThreads: rnngradThreads(),
      tfjs: wants('tfjs'), rnngrad: wants('rnngrad') });
  }

  const machine: Machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.versions.node,
    platform: `${os.platform()} ${os.arch()}`,
    kernels: getKernels().name,
    wasmMatmul: useWasmMatmul(true),
    tfjs: tf.version,
    tfjsWasmSimd: tf.wasmSimd,
    tfjsWasmThreads: tf.wasmThreads,
    gpuMode,
    pytorch: torchRuns[0] ? `${torchRuns[0].torch} on ${torchRuns[0].blas}` : null,
    quick: args.quick,
    date: new Date().toISOString(),
  };
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  // A partial run (--only) must not overwrite the full report.
  const suffix = (args.quick ? '-quick' : '') + (args.only ? `-${args.only.join('-')}` : '');
  fs.writeFileSync(path.join(dir, `report${suffix}.md`), markdownReport(machine, results, heap,
    [...firstLossMarkdown(torchRuns.flatMap((r) => r.firstLoss)), ...memoryMarkdown(memory), ...gpuLstmMarkdown(gpuLstm)]));
  fs.writeFileSync(path.join(dir, `chart${suffix}.svg`), chartSvg(results, `rnngrad vs TF.js ${tf.version}${python ? ' and PyTorch' : ''} — ${machine.cpu}, Node ${machine.node}`));
  const pytorch = { python, firstLoss: torchRuns.flatMap((r) => r.firstLoss) };
  const json = JSON.stringify({ machine, results, heap, memory, pytorch, gpuLstm });
  fs.writeFileSync(path.join(dir, `results${suffix}.json`), json + '\n');
  log(`wrote ${path.relative(process.cwd(), dir)}/report${suffix}.md, chart${suffix}.svg, results${suffix}.json`);
  if (args.json) process.stdout.write(json + '\n');
  else process.stdout.write(summary(results) + '\n');
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`bench: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
