/**
 * The gradient-check table of ops: one row per op and variant, float64 inputs from a generator
 * seeded by the row's name (the same numbers on every run). `rnngrad gradcheck` prints these
 * rows and the jest suite (spec/engine/ops.test.ts) asserts each passes at SUITE_TOLERANCE.
 *
 * Central differences are only valid where the function is smooth within ±ε of the input, so
 * inputs keep clear of the kinks: relu and clip thresholds, hardSigmoid's ±2.5, ties of max.
 */
import { Tensor } from './tensor';
import { Shape } from './shape';
import { Random } from './random';
import { tensor } from './creation';
import type { GradcheckCase } from './gradcheck-suite';
import {
  add, sub, mul, div, neg, pow, sumTo, broadcastTo, exp, log, tanh, sigmoid, hardSigmoid, relu, square, sqrt, clip, where,
  matmul, reshape, transpose, slice, split, concat, stack, unstack, sum, mean, max, layerNorm, softmax, logSoftmax, mse,
  softmaxCrossEntropy,
} from './ops';

/** A float64 tensor of `shape` whose values are drawn one by one from `draw`. */
function drawn(shape: Shape, rng: Random, draw: (rng: Random) => number): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return tensor(data, shape, { requiresGrad: true });
}
const normal = (shape: Shape) => (rng: Random) => drawn(shape, rng, (r) => r.normal());
/** Values in [0.5, 2): safe for log, sqrt, fractional powers and divisors. */
const positive = (shape: Shape) => (rng: Random) => drawn(shape, rng, (r) => r.uniform(0.5, 2));
/** Values in [lo, hi) at least `gap` away from every kink. */
const awayFrom = (shape: Shape, kinks: readonly number[], lo: number, hi: number, gap = 0.1) => (rng: Random) =>
  drawn(shape, rng, (r) => {
    for (;;) {
      const v = r.uniform(lo, hi);
      if (kinks.every((k) => Math.abs(v - k) >= gap)) return v;
    }
  });
/** A constant (not checked) tensor of probabilities: rows that sum to 1. */
function probabilities(rows: number, cols: number, seed: number): Tensor {
  const rng = new Random(seed);
  const p = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let c = 0; c < cols; c++) total += p[r * cols + c] = rng.uniform(0.1, 1);
    for (let c = 0; c < cols; c++) p[r * cols + c] /= total;
  }
  return tensor(p, [rows, cols]);
}

/** The seed of a row: a hash of its name, so adding a row never changes another row's inputs. */
function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

type Maker = (rng: Random) => Tensor;
/** One row: its name, how to make each input, the function, and the inputs' names. */
function row(name: string, makers: readonly Maker[], fn: GradcheckCase['fn'], names?: readonly string[]): GradcheckCase {
  return {
    name,
    kind: 'op',
    inputs: () => {
      const rng = new Random(seedOf(name));
      return makers.map((make) => make(rng));
    },
    fn,
    names: names ?? makers.map((_, i) => (makers.length === 1 ? 'x' : String.fromCharCode(97 + i))),
  };
}

/** Binary arithmetic: equal shapes, and broadcasting with size-1 dims on both sides. */
function arithmetic(op: string, f: (a: Tensor, b: Tensor) => Tensor, b: (shape: Shape) => Maker): GradcheckCase[] {
  return [
    row(op, [normal([2, 3]), b([2, 3])], f),
    row(`${op}-broadcast`, [normal([2, 1, 3]), b([4, 1])], f),
    row(`${op}-size1`, [normal([3, 1]), b([1])], f),
  ];
}

// The condition of `where` is data, not a checked input.
const whereCondition = tensor([[1, 0, 1], [0, 0, 1]], { dtype: 'float64' });
const crossEntropyLabels = probabilities(3, 4, 7);

export const opCases: GradcheckCase[] = [
  ...arithmetic('add', add, normal),
  ...arithmetic('sub', sub, normal),
  ...arithmetic('mul', mul, normal),
  ...arithmetic('div', div, positive),
  row('add-number', [normal([2, 3])], (x) => mul(add(x, 0.5), 3)),
  row('neg', [normal([2, 3])], neg),
  row('sumTo', [normal([2, 3, 4])], (x) => sumTo(x, [3, 1])),
  row('broadcastTo', [normal([3, 1])], (x) => broadcastTo(x, [2, 3, 4])),

  row('matmul', [normal([3, 4]), normal([4, 2])], (a, b) => matmul(a, b)),
  row('matmul-transA', [normal([4, 3]), normal([4, 2])], (a, b) => matmul(a, b, { transA: true })),
  row('matmul-transB', [normal([3, 4]), normal([2, 4])], (a, b) => matmul(a, b, { transB: true })),
  row('matmul-transAB', [normal([4, 3]), normal([2, 4])], (a, b) => matmul(a, b, { transA: true, transB: true })),
  row('matmul-batched', [normal([2, 3, 4]), normal([2, 4, 2])], (a, b) => matmul(a, b)),
  row('matmul-batched-transA', [normal([2, 4, 3]), normal([2, 4, 2])], (a, b) => matmul(a, b, { transA: true })),
  row('matmul-batched-transB', [normal([2, 3, 4]), normal([2, 2, 4])], (a, b) => matmul(a, b, { transB: true })),
  row('matmul-batched-transAB', [normal([2, 4, 3]), normal([2, 2, 4])], (a, b) => matmul(a, b, { transA: true, transB: true })),
  row('matmul-sequence', [normal([2, 3, 4]), normal([4, 5])], (a, b) => matmul(a, b)),
  row('matmul-sequence-transB', [normal([2, 3, 4]), normal([5, 4])], (a, b) => matmul(a, b, { transB: true })),

  row('transpose', [normal([2, 3, 4])], (x) => transpose(x)),
  row('transpose-perm', [normal([2, 3, 4])], (x) => transpose(x, [1, 0, 2])),
  row('reshape', [normal([2, 6])], (x) => reshape(x, [3, -1, 2])),
  row('slice', [normal([3, 4, 2])], (x) => slice(x, [1, 0, 1], [2, -1, 1])),
  row('split', [normal([2, 5])], (x) => split(x, [1, 3, 1], 1)),
  row('concat', [normal([2, 1, 3]), normal([2, 2, 3]), normal([2, 3, 3])], (a, b, c) => concat([a, b, c], 1)),
  row('stack', [normal([2, 3]), normal([2, 3])], (a, b) => stack([a, b], 1)),
  row('unstack', [normal([2, 3, 2])], (x) => unstack(x, 1)),

  row('sum', [normal([2, 3, 4])], (x) => sum(x)),
  row('sum-axis', [normal([2, 3, 4])], (x) => sum(x, 1)),
  row('sum-keepDims', [normal([2, 3, 4])], (x) => sum(x, -1, true)),
  row('mean', [normal([2, 3, 4])], (x) => mean(x)),
  row('mean-axis', [normal([2, 3, 4])], (x) => mean(x, 0)),
  row('mean-keepDims', [normal([2, 3, 4])], (x) => mean(x, 1, true)),
  row('max', [normal([2, 3, 4])], (x) => max(x)),
  row('max-axis', [normal([2, 3, 4])], (x) => max(x, 1)),
  row('max-keepDims', [normal([2, 3, 4])], (x) => max(x, -1, true)),

  row('exp', [normal([2, 3])], exp),
  row('log', [positive([2, 3])], log),
  row('tanh', [normal([2, 3])], tanh),
  row('sigmoid', [normal([2, 3])], sigmoid),
  row('hardSigmoid', [awayFrom([3, 4], [-2.5, 2.5], -4, 4)], hardSigmoid),
  row('relu', [awayFrom([2, 3], [0], -2, 2)], relu),
  row('square', [normal([2, 3])], square),
  row('sqrt', [positive([2, 3])], sqrt),
  row('pow', [normal([2, 3])], (x) => pow(x, 3)),
  row('pow-fractional', [positive([2, 3])], (x) => pow(x, 1.5)),
  row('clip', [awayFrom([3, 4], [-0.5, 0.5], -1.5, 1.5)], (x) => clip(x, -0.5, 0.5)),
  row('where', [normal([2, 3]), normal([3])], (a, b) => where(whereCondition, a, b)),

  row('layerNorm', [normal([3, 4]), normal([4]), normal([4])], (x, g, b) => layerNorm(x, g, b), ['x', 'gamma', 'beta']),
  row('layerNorm-plain', [normal([2, 3, 4])], (x) => layerNorm(x)),
  row('softmax', [normal([3, 4])], softmax),
  row('logSoftmax', [normal([3, 4])], logSoftmax),
  row('mse', [normal([3, 4]), normal([3, 4])], mse, ['pred', 'target']),
  row('softmaxCrossEntropy', [normal([3, 4])], (z) => softmaxCrossEntropy(z, crossEntropyLabels), ['logits']),
];
