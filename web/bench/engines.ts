/**
 * The benchmark's engines and timed work: rnngrad on a kernel set, TF.js on a backend, each
 * switched on by `start()`; a workload's forward and training step, and a square matmul, timed
 * the same way for all (one warm-up call, then the median of the samples).
 */
import type * as TfModule from './tfjs-entry';
import { Tensor } from '../../engine/tensor';
import { noGrad } from '../../engine/tape';
import { matmul } from '../../engine/ops';
import { setBackend, kernelsName } from '../../kernels/backend';
import { SPECS, buildRnngradModel, ModelSpec, Batch } from '../../bench/models';
import type { Sequential } from '../../train/model';

// TF.js comes from its own bundle (see tfjs-entry.ts); the URL is not a literal, so esbuild leaves the import alone.
let tf: typeof TfModule;
export async function loadTf(): Promise<typeof TfModule> {
  tf = (await import(new URL('./tfjs.js', import.meta.url).href)) as typeof TfModule;
  return tf;
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

/** How long each row samples: until `sampleMs` has passed (at least 3 samples, at most `maxSamples`). */
export interface Timing {
  readonly sampleMs: number;
  readonly maxSamples: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One warm-up call (kernel compiles, first uploads), then samples until the time budget or the count is reached. */
async function time(fn: () => unknown, timing: Timing): Promise<{ medianMs: number; samples: number }> {
  await fn();
  const samples: number[] = [];
  const until = performance.now() + timing.sampleMs;
  while (samples.length < 3 || (performance.now() < until && samples.length < timing.maxSamples)) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), samples: samples.length };
}

/** The workloads at the size this run uses (quick: shorter sequences, smaller W2 batch). */
export function benchSpecs(quick: boolean): ModelSpec[] {
  const wanted = SPECS.filter((s) => s.workload !== 'W4');
  if (!quick) return wanted;
  return wanted.map((s) => ({ ...s, time: 10, batch: s.workload === 'W2' ? 16 : s.batch }));
}

export const shapeOf = (s: ModelSpec): string => `B${s.batch} T${s.time} F${s.features} ${s.cell === 'simple' ? 'SimpleRNN' : 'LSTM'}(${s.units.join(',')})`;

export interface Engine {
  readonly engine: 'rnngrad' | 'tfjs';
  readonly backend: string;
  /** Switch to it; returns a note when it cannot run here (then its rows are skipped). */
  start(): Promise<string | null>;
}

/** What rnngrad's GPU engine really ran (kernelsName()), for the report. */
export let rnngradKernels = 'js';

export function rnngradEngine(label: string, mode: 'js' | 'webgl2' | 'webgpu'): Engine {
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

export function tfEngine(backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu'): Engine {
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

/** Forward and training step of one workload on one engine: two rows. */
export async function runWorkload(engine: Engine, spec: ModelSpec, batch: Batch, timing: Timing, addRow: (row: BenchRow) => void): Promise<void> {
  const base = { workload: spec.workload, engine: engine.engine, backend: engine.backend, shape: shapeOf(spec) } as const;
  const key = `${spec.workload}`;
  if (engine.engine === 'rnngrad') {
    const model = buildRnngradModel(spec);
    const x = new Tensor(batch.x, batch.xShape);
    const y = new Tensor(batch.y, batch.yShape);
    const out = Float32Array.from(model.predict(x).data);
    if (!reference.has(key)) reference.set(key, out);
    const fwd = await time(() => model.predict(x).data, timing);
    addRow({ ...base, op: 'forward', ...fwd, maxAbsDiff: maxAbsDiff(out, reference.get(key) as Float32Array) });
    const train = await time(() => model.trainOnBatch(x, y), timing);
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
    }, timing);
    const ref = reference.get(key);
    addRow({ ...base, op: 'forward', ...fwd, ...(ref ? { maxAbsDiff: maxAbsDiff(out, ref) } : {}) });
    const train = await time(() => model.trainOnBatch(x, y), timing);
    addRow({ ...base, op: 'train', ...train });
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

/** A square float32 matmul, read back: one row. */
export async function runMatmul(engine: Engine, n: number, timing: Timing, addRow: (row: BenchRow) => void): Promise<void> {
  const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
  const b = new Float32Array(n * n).map((_, i) => Math.cos(i));
  const base = { workload: 'matmul', engine: engine.engine, backend: engine.backend, op: 'matmul', shape: `n=${n}` } as const;
  let t: { medianMs: number; samples: number };
  if (engine.engine === 'rnngrad') {
    const A = new Tensor(a, [n, n]);
    const B = new Tensor(b, [n, n]);
    t = await time(() => noGrad(() => matmul(A, B)).data, timing);
  } else {
    const A = tf.tensor2d(a, [n, n]);
    const B = tf.tensor2d(b, [n, n]);
    t = await time(async () => {
      const c = tf.matMul(A, B);
      await c.data();
      c.dispose();
    }, timing);
    A.dispose();
    B.dispose();
  }
  addRow({ ...base, ...t, gflops: (2 * n ** 3) / (t.medianMs * 1e6) });
}
