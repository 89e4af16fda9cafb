/**
 * gpu.js reductions against the float64 js kernels: reduce(sum | max) over the middle axis of
 * [outer, n, inner] (one stage, and two stages with a pipeline texture between them), and sumTo
 * for the unbroadcast layouts gradients need (bias gradient, column sums, to a scalar).
 */
import { Random } from '../../engine/random';
import { Shape, sizeOf } from '../../engine/shape';
import { cpuKernels } from '../../kernels/cpu';
import { gpuKernels, randomData, relativeError, KERNEL_TOLERANCE } from './helpers';

const gpu = gpuKernels();

describe(`gpu.js reductions (${gpu.name}) vs js float64`, () => {
  /** [outer, n, inner]: n ≥ 256 with ≤ 4096 outputs takes the two-stage path. */
  const views: ReadonlyArray<readonly [number, number, number]> = [
    [1, 1, 1],
    [1, 37, 1],
    [5, 1, 3],
    [3, 7, 11],
    [1, 1000, 3], // two stages, the last chunk partial
    [2, 640, 1], // two stages, chunks exact
    [1, 300, 4500], // one stage (too many outputs), wider than a texture row
    [1, 9000, 1], // two stages, long
  ];
  test.each((['sum', 'max'] as const).flatMap((op) => views.map(([outer, n, inner]) => ({ op, outer, n, inner }))))(
    'reduce $op over [$outer, $n, $inner]', ({ op, outer, n, inner }) => {
      const rng = new Random(outer * 31 + n * 7 + inner);
      const x = randomData(rng, outer * n * inner);
      const expected = new Float64Array(outer * inner);
      const actual = new Float64Array(outer * inner);
      cpuKernels.reduce(op, x, outer, n, inner, expected);
      gpu.reduce(op, x, outer, n, inner, actual);
      expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    });

  /** [xShape, outShape] */
  const unbroadcasts: ReadonlyArray<readonly [Shape, Shape]> = [
    [[7, 13], [13]], // bias gradient: Σ over rows
    [[7, 13], [1, 13]],
    [[7, 13], [7, 1]], // Σ over columns
    [[2, 300, 20], [20]], // [B, T, U] → [U], two stages
    [[3, 5, 4], [5, 1]], // summed · kept · summed
    [[3, 5, 4], [1, 5, 1]],
    [[30, 5, 400], [5, 1]], // summed · kept · summed, the first sum in two stages: three kernels, one readback
    [[4, 3, 5], [4, 1, 5]], // kept · summed · kept
    [[5, 6], []], // to a scalar
    [[6, 1], [6, 1]], // nothing to sum
    [[2, 4500], [4500]], // wide
  ];
  test.each(unbroadcasts.map(([xShape, outShape]) => ({ xShape, outShape })))('sumTo $xShape → $outShape', ({ xShape, outShape }) => {
    const rng = new Random(sizeOf(xShape));
    const x = randomData(rng, sizeOf(xShape));
    const expected = new Float64Array(sizeOf(outShape));
    const actual = new Float64Array(sizeOf(outShape));
    cpuKernels.sumTo(x, xShape, expected, outShape);
    const jsBefore = gpu.stats.jsCalls.sumTo ?? 0;
    gpu.sumTo(x, xShape, actual, outShape);
    expect(gpu.stats.jsCalls.sumTo ?? 0).toBe(jsBefore); // ran on gpu.js
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
  });

  test('sumTo with a longer kept/summed alternation goes to the js kernel, counted', () => {
    const xShape = [2, 3, 4, 5];
    const outShape = [3, 1, 5];
    const x = randomData(new Random(9), 120);
    const expected = new Float64Array(15);
    const actual = new Float64Array(15);
    cpuKernels.sumTo(x, xShape, expected, outShape);
    const before = gpu.stats.jsCalls.sumTo ?? 0;
    gpu.sumTo(x, xShape, actual, outShape);
    expect(gpu.stats.jsCalls.sumTo).toBe(before + 1);
    expect(relativeError(actual, expected)).toBe(0);
  });
});
