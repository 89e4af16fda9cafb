/**
 * The kernel interface implemented a second time, with gpu.js. Reported as "gpu.js/<mode>",
 * where <mode> is the gpu.js backend that really runs: `headlessgl` (GL through the `gl`
 * package — needs a display; under Xvfb it is Mesa's llvmpipe, i.e. software), `webgl2`/`webgl`
 * (browsers), `webasm` (WebAssembly with f32x4 SIMD, gpu.js's choice when no GL context exists),
 * `cpu` (gpu.js's transpiled JavaScript). `webgpu` is asynchronous-only in gpu.js and cannot
 * serve this synchronous interface, so it is never chosen here.
 *
 * What runs where:
 * - gpu.js kernels: matmul (all four transpose variants, batched, shared B), unary,
 *   unaryBackward, binary (broadcasting collapsed to ≤ 3 axes), addInto, reduce (sum, max),
 *   sumTo (patterns kept·summed·kept and summed·kept·summed), lstmGates, lstmGatesBackward.
 * - rnngrad's js kernels (reused on purpose, and counted in `stats.jsCalls`): data movement —
 *   permute, slice, writeSlice, broadcastTo, select — which is a copy either way and would only
 *   add an upload and a readback; powScalar and clip (GLSL's pow is undefined for a negative
 *   base, and the ops are rare); layerNorm and softmax with their backward (row reductions that
 *   rnngrad's RNN layers use on small rows); and any call below `minSize` (see below) or with a
 *   broadcast / sumTo layout the gpu.js kernels don't cover.
 *
 * Two halves. This file is the host half — the `Kernels` interface over host typed arrays: every
 * call uploads its inputs (a Float64Array rounded to float32 once) and reads its result back
 * before returning (inside one call the data stays on the device: a two-stage reduction passes
 * its partial sums on as a pipeline texture, the LSTM gate kernels produce all their outputs in
 * one readback). The device half (device.ts, the `device` member) leaves every result on the
 * device for the next op; the engine uses it whenever it can, and then a tensor's values reach the
 * host only when the host reads `Tensor.data` (kernels/gpu/README.md lists where that happens).
 *
 * Small calls: each gpu.js call pays a fixed cost (upload, draw, readback: 0.12–0.3 ms on
 * llvmpipe, 4–7 µs on webasm, against 0.2 µs for the js kernel; kernels/gpu/measure.ts) that a
 * small loop in JS does not. Calls whose work is below `minElements` (output elements of an
 * element-wise kernel) or `minMatmulWork` (batch·m·n·k) run on the js kernels. The thresholds
 * are options (default 0: everything on gpu.js), stated in the backend's notice line and by
 * describeGpuKernels(); the calls they divert are counted per kernel family in `stats.jsCalls`.
 */
import type { Kernels, Storage, MatmulDims, LstmGateBuffers, DeviceKernels } from '../kernel';
import type { Shape } from '../../engine/shape';
import type { UnaryOp, BinaryOp } from '../scalar';
import { cpuKernels } from '../cpu';
import { fixedRightByMatmul } from '../cpu/matmul';
import { GpuContext, GpuMode, GpuStats } from './context';
import * as ew from './elementwise';
import * as mm from './matmul';
import * as red from './reduce';
import * as lstm from './lstm';
import { createDeviceKernels } from './device';

export type { GpuMode, GpuStats } from './context';

export interface GpuKernelOptions {
  /** Ask gpu.js for one mode (default: gpu.js's own order, headlessgl → webgl2 → webgl → webasm → cpu). */
  readonly mode?: GpuMode;
  /** Element-wise calls with fewer output elements than this run on the js kernels (default 0: none). */
  readonly minElements?: number;
  /** Matmuls with m·n·k (per batch entry, times batch) below this run on the js kernels (default 0: none). */
  readonly minMatmulWork?: number;
}

/** The gpu.js kernels plus what a reader of the backend needs to know about them. */
export interface GpuKernels extends Kernels {
  readonly mode: GpuMode;
  readonly minElements: number;
  readonly minMatmulWork: number;
  readonly stats: GpuStats;
  /** The kernels whose results stay on the device (kernels/gpu/device.ts). */
  readonly device: DeviceKernels;
}

/** Build the gpu.js kernels (one GPU instance, kernels compiled lazily per shape and cached). */
export function createGpuKernels(options: GpuKernelOptions = {}): GpuKernels {
  const ctx = new GpuContext(options.mode);
  const minElements = options.minElements ?? 0;
  const minMatmulWork = options.minMatmulWork ?? 0;
  /**
   * Run on gpu.js when the call is big enough; otherwise (or when gpuRun declines) on js.
   * Empty calls (size 0: an empty slice, a matmul with k = 0) always go to js — gpu.js cannot
   * create a kernel with an empty output, and there is nothing to compute.
   */
  const route = (family: string, size: number, min: number, gpuRun: () => boolean | void, jsRun: () => void): void => {
    if (size > 0 && size >= min && gpuRun() !== false) return;
    ctx.countJs(family);
    jsRun();
  };
  const js = cpuKernels;
  const matmul = (a: Storage, b: Storage, out: Storage, d: MatmulDims): void =>
    route('matmul', d.batch * d.m * d.n * d.k, minMatmulWork, () => mm.matmul(ctx, a, b, out, d),
      () => js.matmul(a, b, out, d));
  return {
    name: `gpu.js/${ctx.mode}`,
    mode: ctx.mode,
    minElements,
    minMatmulWork,
    stats: ctx.stats,
    device: createDeviceKernels(ctx, minElements, minMatmulWork),
    unary: (op: UnaryOp, x: Storage, out: Storage) =>
      route('unary', out.length, minElements, () => ew.unary(ctx, op, x, out), () => js.unary(op, x, out)),
    unaryBackward: (op: UnaryOp, x: Storage, y: Storage, dy: Storage, out: Storage) =>
      route('unaryBackward', out.length, minElements, () => ew.unaryBackward(ctx, op, x, y, dy, out),
        () => js.unaryBackward(op, x, y, dy, out)),
    binary: (op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape) =>
      route('binary', out.length, minElements, () => ew.binary(ctx, op, a, aShape, b, bShape, out, outShape),
        () => js.binary(op, a, aShape, b, bShape, out, outShape)),
    addInto: (target: Storage, g: Storage) =>
      route('addInto', target.length, minElements, () => ew.addInto(ctx, target, g), () => js.addInto(target, g)),
    powScalar: js.powScalar,
    clip: js.clip,
    select: js.select,
    sumTo: (x: Storage, xShape: Shape, out: Storage, outShape: Shape) =>
      route('sumTo', x.length, minElements, () => red.sumTo(ctx, x, xShape, out, outShape),
        () => js.sumTo(x, xShape, out, outShape)),
    broadcastTo: js.broadcastTo,
    reduce: (op: 'sum' | 'max', x: Storage, outer: number, n: number, inner: number, out: Storage) =>
      route('reduce', x.length, minElements, () => red.reduce(ctx, op, x, outer, n, inner, out),
        () => js.reduce(op, x, outer, n, inner, out)),
    matmul,
    matmulFixedRight: (b: Storage, k: number, n: number, transB: boolean) => fixedRightByMatmul(matmul, b, k, n, transB),
    permute: js.permute,
    slice: js.slice,
    writeSlice: js.writeSlice,
    layerNorm: js.layerNorm,
    layerNormBackward: js.layerNormBackward,
    softmax: js.softmax,
    softmaxBackward: js.softmaxBackward,
    lstmGates: (z: Storage, cPrev: Storage, batch: number, units: number, hard: boolean, saved: LstmGateBuffers) =>
      route('lstmGates', batch * units, minElements, () => lstm.lstmGates(ctx, z, cPrev, batch, units, hard, saved),
        () => js.lstmGates(z, cPrev, batch, units, hard, saved)),
    lstmGatesBackward: (z: Storage, cPrev: Storage, saved: LstmGateBuffers, dh: Storage, dc: Storage, batch: number,
      units: number, hard: boolean, dz: Storage, dcPrev: Storage) =>
      route('lstmGatesBackward', batch * units, minElements,
        () => lstm.lstmGatesBackward(ctx, z, cPrev, saved, dh, dc, batch, units, hard, dz, dcPrev),
        () => js.lstmGatesBackward(z, cPrev, saved, dh, dc, batch, units, hard, dz, dcPrev)),
  } satisfies GpuKernels;
}

/** One line for stderr / logs: the mode that runs and what the size thresholds send to js. */
export function describeGpuKernels(k: GpuKernels): string {
  const small = k.minElements > 0 || k.minMatmulWork > 0
    ? `; calls under ${k.minElements} elements (matmul under ${k.minMatmulWork} multiply-adds) run on the js kernels`
    : '';
  return `kernels ${k.name}${small}`;
}
