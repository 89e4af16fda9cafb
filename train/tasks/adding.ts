/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le, Jaitly & Hinton 2015):
 * each of T steps is (value ~ U(0, 1), marker ∈ {0, 1}); exactly one marker is set in the first
 * half of the sequence and one in the second; the target is the sum of the two marked values.
 * Predicting the mean (1) gives MSE = 2·Var(U) = 1/6 ≈ 0.167; solved means MSE < 0.01 on
 * held-out sequences. The two marked steps can be ~T apart: a test of long-term memory.
 */
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import type { TaskData, Split } from './series';

export interface AddingOptions {
  /** Sequence length T (≥ 2). */
  readonly length: number;
  readonly seed?: number;
  /** Sizes of train / validation / test (default 10 000 / 1000 / 1000). */
  readonly sizes?: readonly [number, number, number];
}

/** `count` adding sequences: x [count, T, 2] (value, marker), y [count, 1]. */
export function addingSequences(count: number, length: number, rng: Random): Split {
  if (!Number.isInteger(length) || length < 2) throw new Error(`adding: --length must be an integer ≥ 2, got ${length}`);
  const x = new Float32Array(count * length * 2);
  const y = new Float32Array(count);
  const half = Math.floor(length / 2);
  for (let n = 0; n < count; n++) {
    const base = n * length * 2;
    for (let t = 0; t < length; t++) x[base + 2 * t] = rng.next();
    const first = rng.int(half); // a step in [0, T/2)
    const second = half + rng.int(length - half); // a step in [T/2, T)
    x[base + 2 * first + 1] = 1;
    x[base + 2 * second + 1] = 1;
    // The target is the sum of the float32 values the model actually sees.
    y[n] = x[base + 2 * first] + x[base + 2 * second];
  }
  return { x: new Tensor(x, [count, length, 2]), y: new Tensor(y, [count, 1]) };
}

/** The adding task: three independent sets drawn from one seeded generator. */
export function addingTask(options: AddingOptions): TaskData {
  const rng = new Random(options.seed ?? 42);
  const [nTrain, nValid, nTest] = options.sizes ?? [10000, 1000, 1000];
  return {
    train: addingSequences(nTrain, options.length, rng),
    valid: addingSequences(nValid, options.length, rng),
    test: addingSequences(nTest, options.length, rng),
  };
}
