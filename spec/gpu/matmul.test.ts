/**
 * gpu.js matmul against the float64 js kernel: every transpose variant, batched with a batch of
 * B matrices or one shared B, on odd, non-square, 1×N, N×1 and wider-than-a-texture-row shapes.
 */
import { Random } from '../../engine/random';
import { cpuKernels } from '../../kernels/cpu';
import type { MatmulDims } from '../../kernels/kernel';
import { gpuKernels, randomData, relativeError, KERNEL_TOLERANCE } from './helpers';

const gpu = gpuKernels();

/** [batch, m, n, k] */
const shapes: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 1, 1, 1],
  [1, 7, 5, 3], // odd, non-square
  [1, 1, 33, 17], // 1×N output
  [1, 29, 1, 9], // N×1 output
  [1, 13, 11, 1], // outer product (k = 1)
  [1, 2, 4500, 3], // output rows wider than one 4096-texel texture row
  [1, 3, 2, 5000], // long inner dimension
  [1, 64, 80, 21], // an RNN step: [batch, features+units] · [.., 4·units]
  [3, 5, 6, 4], // batched
  [2, 17, 9, 31],
];
const variants = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
];

describe(`gpu.js matmul (${gpu.name}) vs js float64`, () => {
  const cases = shapes.flatMap(([batch, m, n, k]) =>
    variants.flatMap((v) => [true, false].filter((batchB) => batchB || batch > 1).map((batchB) => ({ batch, m, n, k, ...v, batchB }))));
  test.each(cases)('batch $batch, $m×$k · $k×$n, transA $transA, transB $transB, batchB $batchB', (d: MatmulDims) => {
    const rng = new Random(d.batch * 1000 + d.m * 100 + d.n * 10 + d.k);
    const a = randomData(rng, d.batch * d.m * d.k);
    const b = randomData(rng, (d.batchB ? d.batch : 1) * d.k * d.n);
    const expected = new Float64Array(d.batch * d.m * d.n);
    const actual = new Float64Array(d.batch * d.m * d.n);
    cpuKernels.matmul(a, b, expected, d);
    gpu.matmul(a, b, actual, d);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
  });

  test('every call ran on gpu.js, in the mode the probe found, each shape compiled once', () => {
    expect(gpu.stats.jsCalls.matmul ?? 0).toBe(0);
    expect(gpu.stats.degraded).toEqual([]);
    const calls = gpu.stats.gpuCalls.matmul;
    const before = gpu.stats.builds;
    const d: MatmulDims = { batch: 1, m: 7, n: 5, k: 3, transA: false, transB: false, batchB: true };
    gpu.matmul(new Float32Array(21), new Float32Array(15), new Float32Array(35), d);
    expect(gpu.stats.builds).toBe(before); // the 7×3·3×5 kernel was built by the table above
    expect(gpu.stats.gpuCalls.matmul).toBe(calls + 1);
  });

  test('float32 storage in and out', () => {
    const rng = new Random(5);
    const d: MatmulDims = { batch: 1, m: 9, n: 6, k: 4, transA: false, transB: true, batchB: true };
    const a = Float32Array.from(randomData(rng, 36));
    const b = Float32Array.from(randomData(rng, 24));
    const expected = new Float32Array(54);
    const actual = new Float32Array(54);
    cpuKernels.matmul(a, b, expected, d);
    gpu.matmul(a, b, actual, d);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
  });
});
