/**
 * gpu.js element-wise kernels against the float64 js kernels: every unary formula and its
 * derivative, every binary op over the broadcasting layouts the engine produces, and addInto.
 * Sizes include 1 element and more than one 4096-texel texture row.
 */
import { Random } from '../../engine/random';
import type { Shape } from '../../engine/shape';
import { sizeOf, broadcastShapes } from '../../engine/shape';
import { cpuKernels } from '../../kernels/cpu';
import { unaryFormulas, binaryFormulas, UnaryOp, BinaryOp } from '../../kernels/scalar';
import { collapseBroadcast } from '../../kernels/gpu/elementwise';
import { gpuKernels, randomData, relativeError, KERNEL_TOLERANCE } from './helpers';

const gpu = gpuKernels();
const unaryOps = Object.keys(unaryFormulas) as UnaryOp[];
const binaryOps = Object.keys(binaryFormulas) as BinaryOp[];
/** log and sqrt need x > 0; the others get normal draws with a wide spread (tanh/σ saturate). */
const domain = (op: UnaryOp) => (op === 'log' || op === 'sqrt' ? { scale: 1, shift: 0 } : { scale: 3, shift: 0 });
const positive = (x: Float64Array): Float64Array => x.map((v) => Math.abs(v) + 0.1);

describe(`gpu.js element-wise kernels (${gpu.name}) vs js float64`, () => {
  const sizes = [1, 37, 5001, 40000]; // 40 000 > the 16 384-texel maximum texture width of llvmpipe
  test.each(unaryOps.flatMap((op) => sizes.map((n) => ({ op, n }))))('unary $op on $n elements, and its backward', ({ op, n }) => {
    const rng = new Random(n);
    const { scale, shift } = domain(op);
    const raw = randomData(rng, n, scale, shift);
    const x = op === 'log' || op === 'sqrt' ? positive(raw) : raw;
    const dy = randomData(rng, n);
    const expected = new Float64Array(n);
    const actual = new Float64Array(n);
    cpuKernels.unary(op, x, expected);
    gpu.unary(op, x, actual);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    const dExpected = new Float64Array(n);
    const dActual = new Float64Array(n);
    cpuKernels.unaryBackward(op, x, expected, dy, dExpected);
    gpu.unaryBackward(op, x, expected, dy, dActual);
    expect(relativeError(dActual, dExpected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
  });

  test('tanh and σ stay finite for large |x| (GLSL tanh is NaN past 44 without the clamp)', () => {
    const x = new Float64Array([-200, -60, -45, 45, 60, 200]);
    for (const op of ['tanh', 'sigmoid'] as const) {
      const expected = new Float64Array(6);
      const actual = new Float64Array(6);
      cpuKernels.unary(op, x, expected);
      gpu.unary(op, x, actual);
      expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    }
  });

  /** [aShape, bShape]: equal, scalar each side, bias row, column, middle-axis broadcast, both sides broadcast, wide. */
  const layouts: ReadonlyArray<readonly [Shape, Shape]> = [
    [[7, 13], [7, 13]],
    [[5, 3], [1]],
    [[], [4, 6]],
    [[7, 13], [13]],
    [[7, 1], [7, 13]],
    [[3, 4, 5], [3, 1, 5]],
    [[3, 1, 5], [1, 4, 5]],
    [[1, 6], [9, 1]],
    [[3, 4500], [4500]],
    [[2, 3, 4, 5], [4, 5]], // collapses to [6, 20]
    [[2, 3, 4, 5], [2, 1, 1, 5]], // collapses to [2, 12, 5]
  ];
  test.each(binaryOps.flatMap((op) => layouts.map(([aShape, bShape]) => ({ op, aShape, bShape }))))(
    'binary $op of $aShape and $bShape', ({ op, aShape, bShape }) => {
      const rng = new Random(sizeOf(aShape) + 7 * sizeOf(bShape));
      const outShape = broadcastShapes(op, aShape, bShape);
      const a = randomData(rng, sizeOf(aShape));
      const b = op === 'div' ? positive(randomData(rng, sizeOf(bShape))) : randomData(rng, sizeOf(bShape));
      const expected = new Float64Array(sizeOf(outShape));
      const actual = new Float64Array(sizeOf(outShape));
      cpuKernels.binary(op, a, aShape, b, bShape, expected, outShape);
      const jsBefore = gpu.stats.jsCalls.binary ?? 0;
      gpu.binary(op, a, aShape, b, bShape, actual, outShape);
      expect(gpu.stats.jsCalls.binary ?? 0).toBe(jsBefore); // ran on gpu.js
      expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    });

  test('a layout that needs 4 axes after collapsing goes to the js kernel, counted', () => {
    const [aShape, bShape, outShape] = [[2, 1, 3, 1], [1, 4, 1, 5], [2, 4, 3, 5]];
    expect(collapseBroadcast(aShape, bShape, outShape)).toBeNull();
    const rng = new Random(3);
    const a = randomData(rng, 6);
    const b = randomData(rng, 20);
    const expected = new Float64Array(120);
    const actual = new Float64Array(120);
    cpuKernels.binary('mul', a, aShape, b, bShape, expected, outShape);
    const before = gpu.stats.jsCalls.binary ?? 0;
    gpu.binary('mul', a, aShape, b, bShape, actual, outShape);
    expect(gpu.stats.jsCalls.binary).toBe(before + 1);
    expect(relativeError(actual, expected)).toBe(0);
  });

  test.each([1, 80, 4097])('addInto on %i elements', (n) => {
    const rng = new Random(n);
    const target = randomData(rng, n);
    const g = randomData(rng, n);
    const expected = target.slice();
    cpuKernels.addInto(expected, g);
    gpu.addInto(target, g);
    expect(relativeError(target, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
  });
});
