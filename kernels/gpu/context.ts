/**
 * The gpu.js side of the GPU kernels: one `GPU` instance, the scalar formulas registered with it,
 * the per-shape kernel cache, and an honest answer to "which gpu.js mode is running?".
 *
 * Mode detection never trusts `gpu.mode` (under Xvfb it reads "gpu", a request, not a backend):
 * a probe kernel is built and run, and the class of the kernel that actually ran names the mode.
 * Every cached kernel is checked the same way after its first run, so a kernel that gpu.js
 * quietly degrades to its cpu backend (it does that for features webasm lacks) is counted and
 * reported on stderr instead of passing as "GPU".
 */
import { GPU, IKernelRunShortcut, KernelOutput, Texture } from 'gpu.js';
import type { Storage } from '../kernel';
import * as scalar from '../scalar';
import { platform } from '../../platform';

/** The gpu.js backends, named as gpu.js names its `mode` setting. */
export type GpuMode = 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm' | 'cpu';

/** Map the class of the kernel that ran to its mode (GL classes all say `mode = 'gpu'`). */
const modeByClass: Record<string, GpuMode> = {
  HeadlessGLKernel: 'headlessgl',
  WebGL2Kernel: 'webgl2',
  WebGLKernel: 'webgl',
  WebGPUKernel: 'webgpu',
  WebAssemblyKernel: 'webasm',
  CPUKernel: 'cpu',
};

/** The mode a kernel shortcut is running on now (after a fallback, the replacement's mode). */
export function modeOf(kernel: IKernelRunShortcut): GpuMode | 'unknown' {
  return modeByClass[kernel.kernel.constructor.name] ?? 'unknown';
}

/**
 * Clamped tanh for the GL backends: gpu.js's GLSL ES 1.0 prelude computes tanh(x) as
 * (e^{2x} − 1)/(e^{2x} + 1), which is ∞/∞ = NaN for x > 44. tanh(±15) is ±1 in float32
 * (1 − tanh 15 ≈ 2e−13), so clamping first changes no float32 result and removes the NaN.
 * It still calls Math.tanh: the formulas keep their one definition in kernels/scalar.ts, and
 * only the primitive they call is routed through this guard when compiled for gpu.js.
 */
function clampedTanh(x: number): number {
  return Math.tanh(Math.min(Math.max(x, -15), 15));
}

/**
 * ⌊a / b⌋ for integers a ≥ 0, b > 0, exactly: GLSL's float division may land just below an
 * integer quotient, so the floor is corrected by one multiplication each way (exact below 2²⁴).
 */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q = q - 1;
  if ((q + 1) * b <= a) q = q + 1;
  return q;
}

/**
 * A function's source under the name the shaders call it by. A bundler may rename a function to
 * avoid a clash with another library's (esbuild made `floorDiv` `floorDiv4` next to TF.js), so the
 * name in `fn.toString()` is not to be trusted: it is set here.
 */
function sourceNamed(fn: (...xs: number[]) => number, name: string): string {
  return fn.toString().replace(/^function\s*[\w$]*\s*\(/, `function ${name}(`);
}

/** Every formula in kernels/scalar.ts, by function name, compiled into each kernel that needs it. */
const formulaSources: ReadonlyArray<{ name: string; source: string; arity: number }> = Object.entries(scalar)
  .filter((entry): entry is [string, (...xs: number[]) => number] => typeof entry[1] === 'function')
  .map(([name, fn]) => ({ name, source: sourceNamed(fn, name).replace(/Math\.tanh\(/g, 'clampedTanh('), arity: fn.length }));

/** Argument names of a function's source, for gpu.js's argumentTypes. */
function parameterNames(source: string): string[] {
  const open = source.indexOf('(');
  const close = source.indexOf(')', open);
  return source.slice(open + 1, close).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Kernel settings every rnngrad kernel uses: float32 textures and highp arithmetic. */
export interface KernelSpec {
  readonly source: string;
  /** [x] or [x, y] or [x, y, z] — x is the fastest-varying index (gpu.js's convention). */
  readonly output: readonly number[];
  /** The longest loop inside the kernel (gpu.js needs an upper bound). */
  readonly loop?: number;
  /** Keep the output on the device as a texture (GL) for the next kernel of the chain. */
  readonly pipeline?: boolean;
  /** With pipeline: a new texture per call (a device array that outlives the next call), not one reused. */
  readonly immutable?: boolean;
}

/** Calls counted per kernel family: where they ran and how many kernels were compiled. */
export interface GpuStats {
  /** Calls that ran a gpu.js kernel, by kernel family. */
  readonly gpuCalls: Record<string, number>;
  /** Calls answered by rnngrad's js kernels (under the size threshold, or a layout gpu.js kernels don't cover). */
  readonly jsCalls: Record<string, number>;
  /** Kernels compiled (one per family, shape and variant). */
  builds: number;
  /** Kernels gpu.js moved to a different backend than the probe's (each is also reported on stderr). */
  readonly degraded: string[];
  /** Host arrays copied to the device to stay there (device kernels; kernels/gpu/device.ts). */
  uploads: number;
  /** Device arrays read back to the host (`Tensor.data` of a tensor on the device). */
  readbacks: number;
  /** Textures made by device kernels and not yet freed (freed when their array is garbage-collected). */
  liveTextures: number;
}

export class GpuContext {
  readonly gpu: GPU;
  /** The mode the probe kernel actually ran on. */
  readonly mode: GpuMode;
  readonly stats: GpuStats = { gpuCalls: {}, jsCalls: {}, builds: 0, degraded: [], uploads: 0, readbacks: 0, liveTextures: 0 };
  private readonly cache = new Map<string, IKernelRunShortcut>();
  private readonly checked = new Set<string>();

  constructor(mode?: GpuMode) {
    this.gpu = new GPU(mode ? { mode } : {});
    this.gpu.addFunction(sourceNamed(clampedTanh, 'clampedTanh') as unknown as () => number, { argumentTypes: { x: 'Number' }, returnType: 'Number' });
    this.gpu.addFunction(sourceNamed(floorDiv, 'floorDiv') as unknown as () => number, { argumentTypes: { a: 'Number', b: 'Number' }, returnType: 'Number' });
    for (const f of formulaSources) {
      const argumentTypes: Record<string, 'Number'> = {};
      for (const p of parameterNames(f.source)) argumentTypes[p] = 'Number';
      this.gpu.addFunction(f.source as unknown as () => number, { argumentTypes, returnType: 'Number' });
    }
    const probe = this.build({ source: 'function(a) { return a[this.thread.x] + 1; }', output: [1] });
    const probed: unknown = probe(new Float32Array([1]));
    const ran = modeOf(probe);
    if (ran === 'unknown') throw new Error(`gpu.js: unrecognised kernel class ${probe.kernel.constructor.name}`);
    // gpu.js's webgpu kernels return promises; every rnngrad kernel reads its result at once
    // (the Kernels interface is synchronous). kernels/gpu/README.md: what async would take.
    if (typeof (probed as { then?: unknown } | null)?.then === 'function') {
      throw new Error(`gpu.js ${ran} mode returns promises (asynchronous readback), and rnngrad's kernels are synchronous; see kernels/gpu/README.md`);
    }
    this.mode = ran;
  }

  /** The cached kernel for `key`, compiled from spec() on first use (never per call). */
  kernel(key: string, spec: () => KernelSpec): IKernelRunShortcut {
    let k = this.cache.get(key);
    if (!k) {
      k = this.build(spec());
      this.cache.set(key, k);
      this.stats.builds++;
    }
    return k;
  }

  /** Run a cached kernel, count the call, and check once that it ran where the probe ran. */
  run(family: string, key: string, spec: () => KernelSpec, args: ReadonlyArray<Float32Array | Texture>): KernelOutput {
    const k = this.kernel(key, spec);
    const result = k(...(args as Float32Array[]));
    this.stats.gpuCalls[family] = (this.stats.gpuCalls[family] ?? 0) + 1;
    if (!this.checked.has(key)) {
      this.checked.add(key);
      const ran = modeOf(k);
      if (ran !== this.mode) {
        this.stats.degraded.push(`${key}: ${ran}`);
        platform().notice(`rnngrad: gpu.js ran kernel ${key} on ${ran}, not ${this.mode}` +
          `${k.kernel.fallbackReason ? ` (${k.kernel.fallbackReason})` : ''}`);
      }
    }
    return result;
  }

  /** Count a call answered by the js kernels. */
  countJs(family: string): void {
    this.stats.jsCalls[family] = (this.stats.jsCalls[family] ?? 0) + 1;
  }

  private build(spec: KernelSpec): IKernelRunShortcut {
    return this.gpu.createKernel(spec.source, {
      output: [...spec.output],
      precision: 'single',
      tactic: 'precision',
      pipeline: spec.pipeline ?? false,
      immutable: spec.immutable ?? false,
    }).setLoopMaxIterations(Math.max(1, spec.loop ?? 1));
  }
}

/** Storage as float32 for upload: a Float32Array passes through, a Float64Array is rounded once. */
export function f32(x: Storage): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

/**
 * Copy a kernel's result (a Float32Array, or gpu.js's array of rows for 2-D and 3-D outputs,
 * or a pipeline texture) into `out` starting at `offset`. This is the readback.
 */
export function readInto(result: KernelOutput | Texture, out: Storage, offset = 0): number {
  if (result instanceof Texture) return readInto(result.toArray() as KernelOutput, out, offset);
  if (result instanceof Float32Array) {
    out.set(result, offset);
    return offset + result.length;
  }
  if (Array.isArray(result)) {
    let o = offset;
    for (const row of result) o = readInto(row as KernelOutput, out, o);
    return o;
  }
  throw new Error(`gpu.js: unexpected kernel result ${Object.prototype.toString.call(result)}`);
}

/** gpu.js output dimensions for a [d0, d1, d2] block (d2 fastest), without leading 1s. */
export function outputOf(d0: number, d1: number, d2: number): number[] {
  if (d0 === 1 && d1 === 1) return [d2];
  if (d0 === 1) return [d2, d1];
  return [d2, d1, d0];
}
