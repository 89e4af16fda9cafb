/**
 * Shared by the gpu.js specs: one gpu.js kernel set per test file (every call goes to gpu.js:
 * no size threshold), random float64 inputs, and the parity measure max|gpu − cpu| / max|cpu|.
 */
import { Random } from '../../engine/random';
import { createGpuKernels, GpuKernels, GpuMode } from '../../kernels/gpu';

/** The tolerance of every kernel comparison (gpu.js computes in float32, the reference in float64). */
export const KERNEL_TOLERANCE = 1e-4;

let shared: GpuKernels | null = null;
/**
 * The gpu.js kernels, all calls on gpu.js. The mode is whatever this process can get, or the one
 * named by GPUJS_MODE (e.g. `GPUJS_MODE=cpu npx jest spec/gpu` runs the specs on gpu.js's cpu mode).
 */
export function gpuKernels(): GpuKernels {
  if (!shared) {
    const mode = process.env.GPUJS_MODE as GpuMode | undefined;
    shared = createGpuKernels({ mode: mode || undefined, minElements: 0, minMatmulWork: 0 });
    // the mode that ran, in the test output (not only in test names)
    process.stdout.write(`gpu.js kernels running as ${shared.name}\n`);
  }
  return shared;
}

/**
 * n normal(0, 1) draws as float64, as x · scale + shift. Box–Muller over mulberry32 seeded from
 * `rng`: the engine's generator costs ~3 µs a draw under jest, too slow for million-element cases.
 */
export function randomData(rng: Random, n: number, scale = 1, shift = 0): Float64Array {
  let state = rng.nextUint32();
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * scale + shift;
  return out;
}

/** max|actual − expected| / max|expected| (the denominator 1 when expected is all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity; // NaN on one side only
      continue;
    }
    maxDiff = Math.max(maxDiff, Math.abs(a - e));
    maxRef = Math.max(maxRef, Math.abs(e));
  }
  return maxDiff / (maxRef || 1);
}
