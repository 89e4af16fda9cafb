/**
 * The browser benchmark page: W1–W3 (bench/models.ts) and square matmuls, timed in this page,
 * rnngrad (js kernels, gpu.js webgl2, gpu.js webgpu where rnngrad can drive it) against TF.js
 * (cpu, wasm with its .wasm files served from web/dist/tfjs-wasm/, webgl, webgpu if it loads),
 * on the same data and the same initial weights, in one page load. A table, a chart and a JSON
 * download; `npm run bench:browser` (bench/browser/run.ts) drives it in headless Chromium.
 *
 *   ?quick=1   the sizes a software GL device finishes in minutes: T = 10 for every workload,
 *              W2 at batch 16, matmul n = 128 and 256, about one second of samples a row
 *   (no quick) the workloads' own sizes (T = 50, W2 batch 64), matmul up to 1024
 */
import type * as TfModule from './tfjs-entry';
import { Tensor } from '../../engine/tensor';
import { noGrad } from '../../engine/tape';
import { matmul } from '../../engine/ops';
import { setBackend, kernelsName } from '../../kernels/backend';
import { SPECS, makeBatch, buildRnngradModel, ModelSpec, Batch } from '../../bench/models';
import type { Sequential } from '../../train/model';
import { drawBars } from './bars';

// TF.js comes from its own bundle (see tfjs-entry.ts); the URL is not a literal, so esbuild leaves the import alone.
let tf: typeof TfModule;
async function loadTf(): Promise<void> {
  tf = (await import(new URL('./tfjs.js', import.meta.url).href)) as typeof TfModule;
}

export interface BenchRow {
  readonly workload: string;
  readonly engine: 'rnngrad' | 'tfjs';
  readonly backend: string;
  readonly op: 'train' | 'forward' | 'matmul';
  readonly shape: string;
  readonly medianMs: number | null;
  readonly samples: number;
  readonly gflops?: number;
  /** forward: max |output − rnngrad js output| on the same weights and data. */
  readonly maxAbsDiff?: number;
  readonly note?: string;
}

export interface BenchReport {
  readonly quick: boolean;
  readonly userAgent: string;
  readonly webglRenderer: string;
  readonly webgpuAdapter: string;
  readonly crossOriginIsolated: boolean;
  readonly tfjsVersion: string;
  readonly started: string;
  readonly seconds: number;
  readonly rows: BenchRow[];
  readonly errors: string[];
}

const params = new URLSearchParams(location.search);
const quick = params.get('quick') === '1';
const only = params.get('only')?.split(',') ?? null;
const sampleMs = quick ? 800 : 2000;
const maxSamples = quick ? 20 : 50;

const statusEl = document.getElementById('status') as HTMLElement;
const tableBody = document.querySelector('#results tbody') as HTMLElement;
const rows: BenchRow[] = [];
const errors: string[] = [];

function say(line: string): void {
  statusEl.textContent = line;
  console.log(`bench: ${line}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One warm-up call (kernel compiles, first uploads), then samples until the time budget or the count is reached. */
async function time(fn: () => unknown): Promise<{ medianMs: number; samples: number }> {
  await fn();
  const samples: number[] = [];
  const until = performance.now() + sampleMs;
  while (samples.length < 3 || (performance.now() < until && samples.length < maxSamples)) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), samples: samples.length };
}

function addRow(row: BenchRow): void {
  rows.push(row);
  const tr = document.createElement('tr');
  const cells = [row.workload, row.shape, row.op, `${row.engine} ${row.backend}`, row.medianMs === null ? '—' : row.medianMs.toPrecision(3),
    row.gflops !== undefined ? row.gflops.toPrecision(3) : '', row.maxAbsDiff !== undefined ? row.maxAbsDiff.toExponential(1) : '', row.note ?? ''];
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  tableBody.append(tr);
}

/** The workloads at the size this run uses (quick: shorter sequences, smaller W2 batch). */
function specs(): ModelSpec[] {
  const wanted = SPECS.filter((s) => s.workload !== 'W4');
  if (!quick) return wanted;
  return wanted.map((s) => ({ ...s, time: 10, batch: s.workload === 'W2' ? 16 : s.batch }));
}

const shapeOf = (s: ModelSpec): string => `B${s.batch} T${s.time} F${s.features} ${s.cell === 'simple' ? 'SimpleRNN' : 'LSTM'}(${s.units.join(',')})`;

// ---------------------------------------------------------------- engines and their backends

interface Engine {
  readonly engine: 'rnngrad' | 'tfjs';
  readonly backend: string;
  /** Switch to it; returns a note when it cannot run here (then its rows are skipped). */
  start(): Promise<string | null>;
}

let rnngradKernels = 'js';

function rnngradEngine(label: string, mode: 'js' | 'webgl2' | 'webgpu'): Engine {
  return {
    engine: 'rnngrad',
    backend: label,
    async start() {
      if (mode === 'js') {
        setBackend('cpu');
      } else {
        let notice = '';
        setBackend('gpu', { gpu: { mode }, log: (line) => (notice = line) });
        if (kernelsName() !== `gpu.js/${mode}`) return `rnngrad runs ${kernelsName()} when asked for gpu.js ${mode} (${notice})`;
        // A probe: a kernel that answers with a promise (gpu.js webgpu) is not one rnngrad can drive.
        const n = 64;
        const eye = new Float32Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0));
        const probe = noGrad(() => matmul(new Tensor(new Float32Array(n * n).map((_, i) => i), [n, n]), new Tensor(eye, [n, n])));
        const d = probe.data;
        if (!(d[n * n - 1] === n * n - 1)) return `gpu.js ${mode} gave a wrong ${n}×${n} matmul`;
      }
      rnngradKernels = kernelsName();
      return null;
    },
  };
}

function tfEngine(backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu'): Engine {
  return {
    engine: 'tfjs',
    backend,
    async start() {
      if (backend === 'webgpu') {
        try {
          await tf.loadWebgpu();
        } catch (e) {
          return `@tensorflow/tfjs-backend-webgpu did not load (${(e as Error).message})`;
        }
      }
      const ok = await tf.setBackend(backend).catch(() => false);
      if (!ok) return `TF.js could not start its ${backend} backend here`;
      await tf.ready();
      return null;
    },
  };
}

// ---------------------------------------------------------------- the workloads

function tfModel(spec: ModelSpec, weightsFrom: Sequential): TfModule.Sequential {
  const model = tf.sequential();
  spec.units.forEach((units, i) => {
    // Zeros to start: rnngrad's weights replace them (TF.js's orthogonal initializer is slow at 256 units).
    const common = {
      units, returnSequences: i < spec.units.length - 1 || spec.returnSequences, kernelInitializer: 'zeros', recurrentInitializer: 'zeros',
      ...(i === 0 ? { inputShape: [spec.time, spec.features] } : {}),
    } as const;
    model.add(spec.tfjsCell === 'lstm' ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' }) : tf.layers.simpleRNN(common));
  });
  model.add(tf.layers.dense({ units: spec.denseUnits }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  model.setWeights(weightsFrom.weights().map((w) => tf.tensor(Float32Array.from(w.tensor.data), [...w.tensor.shape])));
  return model;
}

const reference = new Map<string, Float32Array>();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function runWorkload(engine: Engine, spec: ModelSpec, batch: Batch): Promise<void> {
  const base = { workload: spec.workload, engine: engine.engine, backend: engine.backend, shape: shapeOf(spec) } as const;
  const key = `${spec.workload}`;
  if (engine.engine === 'rnngrad') {
    const model = buildRnngradModel(spec);
    const x = new Tensor(batch.x, batch.xShape);
    const y = new Tensor(batch.y, batch.yShape);
    const out = Float32Array.from(model.predict(x).data);
    if (!reference.has(key)) reference.set(key, out);
    const fwd = await time(() => model.predict(x).data);
    addRow({ ...base, op: 'forward', ...fwd, maxAbsDiff: maxAbsDiff(out, reference.get(key) as Float32Array) });
    const train = await time(() => model.trainOnBatch(x, y));
    addRow({ ...base, op: 'train', ...train });
    return;
  }
  const ours = buildRnngradModel(spec);
  const model = tfModel(spec, ours);
  const x = tf.tensor(batch.x, [...batch.xShape]);
  const y = tf.tensor(batch.y, [...batch.yShape]);
  try {
    const first = model.predict(x) as TfModule.Tensor;
    const out = await first.data();
    first.dispose();
    const fwd = await time(async () => {
      const o = model.predict(x) as TfModule.Tensor;
      await o.data();
      o.dispose();
    });
    const ref = reference.get(key);
    addRow({ ...base, op: 'forward', ...fwd, ...(ref ? { maxAbsDiff: maxAbsDiff(out, ref) } : {}) });
    const train = await time(() => model.trainOnBatch(x, y));
    addRow({ ...base, op: 'train', ...train });
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

async function runMatmul(engine: Engine, n: number): Promise<void> {
  const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
  const b = new Float32Array(n * n).map((_, i) => Math.cos(i));
  const base = { workload: 'matmul', engine: engine.engine, backend: engine.backend, op: 'matmul', shape: `n=${n}` } as const;
  let t: { medianMs: number; samples: number };
  if (engine.engine === 'rnngrad') {
    const A = new Tensor(a, [n, n]);
    const B = new Tensor(b, [n, n]);
    t = await time(() => noGrad(() => matmul(A, B)).data);
  } else {
    const A = tf.tensor2d(a, [n, n]);
    const B = tf.tensor2d(b, [n, n]);
    t = await time(async () => {
      const c = tf.matMul(A, B);
      await c.data();
      c.dispose();
    });
    A.dispose();
    B.dispose();
  }
  addRow({ ...base, ...t, gflops: (2 * n ** 3) / (t.medianMs * 1e6) });
}

function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
}

async function webgpuAdapter(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (!gpu) return 'no WebGPU (navigator.gpu absent)';
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return 'no WebGPU adapter';
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'a WebGPU adapter (no info)';
}

async function main(): Promise<void> {
  const started = performance.now();
  await loadTf();
  tf.setWasmPaths(new URL('./tfjs-wasm/', import.meta.url).href);
  const engines: Engine[] = [
    rnngradEngine('js', 'js'),
    rnngradEngine('gpu.js webgl2', 'webgl2'),
    rnngradEngine('gpu.js webgpu', 'webgpu'),
    tfEngine('cpu'),
    tfEngine('wasm'),
    tfEngine('webgl'),
    tfEngine('webgpu'),
  ].filter((e) => !only || only.includes(`${e.engine}:${e.backend}`));
  const workloads = specs();
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  for (const engine of engines) {
    say(`${engine.engine} ${engine.backend}: starting`);
    let why: string | null;
    try {
      why = await engine.start();
    } catch (e) {
      why = (e as Error).message;
    }
    if (why) {
      errors.push(`${engine.engine} ${engine.backend}: ${why}`);
      addRow({ workload: '—', engine: engine.engine, backend: engine.backend, op: 'forward', shape: '—', medianMs: null, samples: 0, note: `not run: ${why}` });
      continue;
    }
    for (const spec of workloads) {
      say(`${engine.engine} ${engine.backend}: ${spec.workload}`);
      try {
        await runWorkload(engine, spec, makeBatch(spec));
      } catch (e) {
        errors.push(`${engine.engine} ${engine.backend} ${spec.workload}: ${(e as Error).message}`);
        addRow({ workload: spec.workload, engine: engine.engine, backend: engine.backend, op: 'train', shape: shapeOf(spec), medianMs: null, samples: 0, note: `failed: ${(e as Error).message}` });
      }
    }
    for (const n of sizes) {
      say(`${engine.engine} ${engine.backend}: matmul n=${n}`);
      try {
        await runMatmul(engine, n);
      } catch (e) {
        errors.push(`${engine.engine} ${engine.backend} matmul ${n}: ${(e as Error).message}`);
      }
    }
  }
  setBackend('cpu');
  const report: BenchReport = {
    quick,
    userAgent: navigator.userAgent,
    webglRenderer: webglRenderer(),
    webgpuAdapter: await webgpuAdapter(),
    crossOriginIsolated: self.crossOriginIsolated,
    tfjsVersion: tf.version.tfjs,
    started: new Date(Date.now() - (performance.now() - started)).toISOString(),
    seconds: (performance.now() - started) / 1000,
    rows,
    errors,
  };
  const software = /swiftshader|llvmpipe|software/i.test(`${report.webglRenderer} ${report.webgpuAdapter}`);
  const note = `median ms, log scale${report.quick ? ', quick sizes' : ''}; GL/WebGPU: ${software ? 'SwiftShader, software — not GPU figures' : report.webglRenderer.slice(0, 70)}`;
  drawBars(document.getElementById('chart') as HTMLElement, rows, note);
  const download = document.getElementById('download') as HTMLAnchorElement;
  download.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  download.hidden = false;
  (document.getElementById('device') as HTMLElement).textContent = `WebGL: ${report.webglRenderer}; WebGPU: ${report.webgpuAdapter}; rnngrad gpu kernels: ${rnngradKernels}`;
  say(`done in ${report.seconds.toFixed(0)} s (${rows.length} rows${errors.length ? `, ${errors.length} not run or failed` : ''})`);
  (window as unknown as { benchReport: BenchReport }).benchReport = report;
}

const startButton = document.getElementById('run') as HTMLButtonElement;
startButton.addEventListener('click', () => {
  startButton.disabled = true;
  main().catch((e: Error) => {
    say(`the benchmark stopped: ${e.message}`);
    (window as unknown as { benchError: string }).benchError = e.message;
  });
});
// auto=1: start once the page has loaded (a run blocks the main thread between its awaits).
if (params.get('auto') === '1') window.addEventListener('load', () => setTimeout(() => startButton.click(), 100));
