/**
 * The course's time series (Géron, *Hands-On Machine Learning* 2nd ed., ch. 15):
 *
 *   s(t) = 0.5·sin((t − o1)(10·f1 + 10)) + 0.2·sin((t − o2)(20·f2 + 20)) + 0.1·(U − 0.5)
 *
 * over t = linspace(0, 1, n_steps + ahead), with o1, o2, f1, f2 ~ U(0, 1) once per series and
 * U ~ U(0, 1) drawn afresh at every step. 10 000 series of 50 steps, split 7000 / 2000 / 1000.
 * The draws follow NumPy's order in `generate_time_series` (all f1, all f2, all o1, all o2, then
 * the noise row by row), from rnngrad's seeded generator.
 */
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';

/** Inputs and targets of one split. */
export interface Split {
  readonly x: Tensor;
  readonly y: Tensor;
}
export interface TaskData {
  readonly train: Split;
  readonly valid: Split;
  readonly test: Split;
}

/** next: y [N, 1] = s(50); ahead10: y [N, 10] = s(50 … 59); seq2seq: y [N, 50, 10], Y[n, t, k] = s(t + k + 1). */
export type SeriesTarget = 'next' | 'ahead10' | 'seq2seq';

export interface SeriesOptions {
  readonly target?: SeriesTarget;
  readonly seed?: number;
  /** Time steps the model sees (default 50). */
  readonly steps?: number;
  /** Sizes of the splits (default 7000 / 2000 / 1000). */
  readonly sizes?: readonly [number, number, number];
}

/**
 * `count` series of `length` steps, [count, length] float64 (Géron's generate_time_series).
 */
export function generateTimeSeries(count: number, length: number, rng: Random): Float64Array {
  const draw = () => Float64Array.from({ length: count }, () => rng.next());
  const freq1 = draw();
  const freq2 = draw();
  const offsets1 = draw();
  const offsets2 = draw();
  const series = new Float64Array(count * length);
  for (let n = 0; n < count; n++) {
    for (let j = 0; j < length; j++) {
      // np.linspace(0, 1, length)
      const t = length === 1 ? 0 : j / (length - 1);
      const wave1 = 0.5 * Math.sin((t - offsets1[n]) * (freq1[n] * 10 + 10));
      const wave2 = 0.2 * Math.sin((t - offsets2[n]) * (freq2[n] * 20 + 20));
      series[n * length + j] = wave1 + wave2;
    }
  }
  for (let i = 0; i < series.length; i++) series[i] += 0.1 * (rng.next() - 0.5); // + noise
  return series;
}

/**
 * The series task: x [N, steps, 1] and the target for `target`, split train/valid/test
 * in the order generated (Géron: series[:7000], series[7000:9000], series[9000:]).
 */
export function seriesTask(options: SeriesOptions = {}): TaskData {
  const target = options.target ?? 'next';
  const steps = options.steps ?? 50;
  const [nTrain, nValid, nTest] = options.sizes ?? [7000, 2000, 1000];
  const count = nTrain + nValid + nTest;
  const ahead = target === 'next' ? 1 : 10;
  const length = steps + ahead;
  const series = generateTimeSeries(count, length, new Random(options.seed ?? 42));

  const x = new Float32Array(count * steps);
  for (let n = 0; n < count; n++) for (let t = 0; t < steps; t++) x[n * steps + t] = series[n * length + t];
  let y: Float32Array;
  let yShape: (n: number) => number[];
  if (target === 'seq2seq') {
    // Y[..., k − 1] = series[..., k : k + steps] for k = 1 … 10: at every step, the next 10 values.
    y = new Float32Array(count * steps * 10);
    for (let n = 0; n < count; n++) {
      for (let t = 0; t < steps; t++) {
        for (let k = 1; k <= 10; k++) y[(n * steps + t) * 10 + k - 1] = series[n * length + t + k];
      }
    }
    yShape = (n) => [n, steps, 10];
  } else {
    y = new Float32Array(count * ahead);
    for (let n = 0; n < count; n++) for (let k = 0; k < ahead; k++) y[n * ahead + k] = series[n * length + steps + k];
    yShape = (n) => [n, ahead];
  }
  const perY = y.length / count;
  const part = (from: number, to: number): Split => ({
    x: new Tensor(x.slice(from * steps, to * steps), [to - from, steps, 1]),
    y: new Tensor(y.slice(from * perY, to * perY), yShape(to - from)),
  });
  return { train: part(0, nTrain), valid: part(nTrain, nTrain + nValid), test: part(nTrain + nValid, count) };
}

/**
 * Géron's seq2seq metric: the MSE of the last time step's predictions,
 * mean((Ŷ[:, −1] − Y[:, −1])²), for pred and target of shape [N, T, k].
 */
export function lastStepMse(pred: Tensor, target: Tensor): number {
  if (pred.rank !== 3 || pred.shape.some((d, i) => d !== target.shape[i]) || target.rank !== 3) {
    throw new Error(`lastStepMse: expected two tensors of one shape [N, T, k], got [${pred.shape}] and [${target.shape}]`);
  }
  const [n, t, k] = pred.shape;
  let total = 0;
  for (let b = 0; b < n; b++) {
    const base = (b * t + t - 1) * k;
    for (let j = 0; j < k; j++) {
      const d = pred.data[base + j] - target.data[base + j];
      total += d * d;
    }
  }
  return total / (n * k);
}

/** Mean squared error over every element, accumulated in float64 (the metric, not the op). */
export function meanSquaredError(pred: Tensor, target: Tensor): number {
  if (pred.size !== target.size) throw new Error(`meanSquaredError: ${pred.size} predictions for ${target.size} targets`);
  let total = 0;
  for (let i = 0; i < pred.size; i++) {
    const d = pred.data[i] - target.data[i];
    total += d * d;
  }
  return total / pred.size;
}
