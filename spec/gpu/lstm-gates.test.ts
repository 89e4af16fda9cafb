/**
 * The fused LSTM gate kernels on gpu.js against the float64 js kernels, forward (i, f, g, o,
 * c, tanh c, h) and backward (dz, dc_{t−1}), sigmoid and hard-sigmoid recurrent activation.
 */
import { Random } from '../../engine/random';
import { cpuKernels } from '../../kernels/cpu';
import type { LstmGateBuffers } from '../../kernels/kernel';
import { gpuKernels, randomData, relativeError, KERNEL_TOLERANCE } from './helpers';

const gpu = gpuKernels();

function buffers(n: number): LstmGateBuffers {
  const b = () => new Float64Array(n);
  return { i: b(), f: b(), g: b(), o: b(), c: b(), tanhC: b(), h: b() };
}
const names = ['i', 'f', 'g', 'o', 'c', 'tanhC', 'h'] as const;

describe(`gpu.js fused LSTM gates (${gpu.name}) vs js float64`, () => {
  /** [batch, units]: 4·1100 = 4400 pre-activations per row, wider than a texture row. */
  const shapes = [[1, 1], [3, 7], [32, 20], [5, 1100]] as const;
  test.each(shapes.flatMap(([batch, units]) => [false, true].map((hard) => ({ batch, units, hard }))))(
    'batch $batch, units $units, hard sigmoid $hard', ({ batch, units, hard }) => {
      const rng = new Random(batch * 100 + units + (hard ? 1 : 0));
      const n = batch * units;
      const z = randomData(rng, 4 * n, 2);
      const cPrev = randomData(rng, n);
      const expected = buffers(n);
      const actual = buffers(n);
      cpuKernels.lstmGates(z, cPrev, batch, units, hard, expected);
      gpu.lstmGates(z, cPrev, batch, units, hard, actual);
      // every saved buffer, named in a failure's diff
      const worst = names.filter((name) => !(relativeError(actual[name], expected[name]) <= KERNEL_TOLERANCE));
      expect(worst).toEqual([]);

      const dh = randomData(rng, n);
      const dc = randomData(rng, n);
      const dzExpected = new Float64Array(4 * n);
      const dzActual = new Float64Array(4 * n);
      const dcPrevExpected = new Float64Array(n);
      const dcPrevActual = new Float64Array(n);
      cpuKernels.lstmGatesBackward(z, cPrev, expected, dh, dc, batch, units, hard, dzExpected, dcPrevExpected);
      gpu.lstmGatesBackward(z, cPrev, expected, dh, dc, batch, units, hard, dzActual, dcPrevActual);
      expect(relativeError(dzActual, dzExpected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
      expect(relativeError(dcPrevActual, dcPrevExpected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
    });

  test('ran on gpu.js, in the probed mode', () => {
    expect(gpu.stats.gpuCalls.lstmGates).toBe(8);
    expect(gpu.stats.gpuCalls.lstmGatesBackward).toBe(8);
    expect(gpu.stats.degraded).toEqual([]);
  });
});
