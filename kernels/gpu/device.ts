/**
 * The device half of the gpu.js kernels: the same math as the host kernels beside it, but each
 * result stays on the device — a gpu.js pipeline texture on GL (`immutable`, so every call makes
 * a new one) — wrapped as a `GpuArray` that the next kernel takes as an argument. Nothing comes
 * back to the host until someone reads a tensor's `data` (`GpuArray.read`, the readback).
 *
 * Every kernel here writes a flat 1-D output, one thread per element (`this.thread.x` = t), and
 * finds its coordinates by integer division. Flat outputs make every device array the same kind
 * of argument whatever shape its tensor has (gpu.js compiles a kernel for the sizes of its
 * arguments), and indices stay exact while arrays stay under 2²⁴ elements (float32 integers);
 * larger calls are declined and run on the host kernels.
 *
 * On webasm and cpu there is no device: a "texture" is a Float32Array, and a readback a copy.
 * The code path is the same, so the suite exercises it on any machine.
 *
 * Layer norm, softmax and the LSTM gate parts are in device-nn.ts; the shader-source helpers
 * (coordinates of a thread's flat index) in shader.ts.
 */
import { Texture, KernelOutput } from 'gpu.js';
import type { Shape } from '../../engine/shape';
import type { DType } from '../../engine/tensor';
import type { DeviceArray, DeviceKernels, MatmulDims, Storage } from '../kernel';
import type { UnaryOp, BinaryOp } from '../scalar';
import { broadcastStrides } from '../cpu/elementwise';
import { GpuContext, f32 } from './context';
import { collapseBroadcast } from './elementwise';
import { matmulIndices } from './matmul';
import { coordinates, dot, rowMajorStrides } from './shader';
import { nnDeviceKernels } from './device-nn';
import { sumToRuns, CHUNK, TWO_STAGE_MIN_N, TWO_STAGE_MAX_OUTPUTS } from './reduce'; // long reductions with few outputs: two stages

/** Arrays at or above this many elements are not kept on the device (indices must stay exact in float32). */
const MAX_ELEMENTS = 1 << 24;
/** The most device arrays one concat kernel reads (GL texture units are limited); more are joined in rounds. */
const CONCAT_FAN_IN = 8;

/** Textures are freed when their GpuArray is garbage-collected (device arrays are shared by views, never written). */
const textures = new FinalizationRegistry<{ texture: Texture; ctx: GpuContext }>(({ texture, ctx }) => {
  texture.delete();
  ctx.stats.liveTextures--;
});

/** Values on the device: a texture (GL) or a Float32Array (webasm, cpu), flat, `length` long. */
export class GpuArray implements DeviceArray {
  released = false;

  constructor(
    readonly owner: DeviceKernels,
    private readonly ctx: GpuContext,
    /** What the next kernel takes as its argument. */
    readonly value: Texture | Float32Array,
    readonly length: number,
    readonly dtype: DType,
  ) {
    if (value instanceof Texture) {
      ctx.stats.liveTextures++;
      textures.register(this, { texture: value, ctx }, this);
    }
  }

  /** What a kernel takes as its argument. */
  argument(): Texture | Float32Array {
    if (this.released) throw new Error(RELEASED);
    return this.value;
  }

  /** The readback: a new host array (the caller may write it; this array stays as it is). */
  read(): Storage {
    if (this.released) throw new Error(RELEASED);
    this.ctx.stats.readbacks++;
    const v = this.value instanceof Texture ? (this.value.toArray() as Float32Array) : this.value;
    if (this.dtype === 'float64') return Float64Array.from(v);
    // a texture's toArray() is fresh memory but may sit in a larger buffer; own it exactly
    return v === this.value || v.length !== v.buffer.byteLength / 4 ? v.slice() : v;
  }

  /** Free the device memory now (the end of a tidy scope); the finalizer then has nothing to do. */
  free(): void {
    if (this.released) return;
    this.released = true;
    if (this.value instanceof Texture) {
      textures.unregister(this);
      this.value.delete();
      this.ctx.stats.liveTextures--;
    }
  }
}

const RELEASED = 'rnngrad: this tensor\'s values were on the device and were freed at the end of a tidy() scope ' +
  '(trainOnBatch and predict run in one): read them inside it (.data, .item()), or return the tensor from tidy()';

/** The device kernels on one GpuContext; `minElements` / `minMatmulWork` as in createGpuKernels. */
export function createDeviceKernels(ctx: GpuContext, minElements: number, minMatmulWork: number): DeviceKernels {
  /**
   * Does the device take a call with n outputs on these operands? Not empty, not under the size
   * threshold, and every index in range: outputs and operands under MAX_ELEMENTS (an array too
   * large to upload stays a host copy that every kernel declines).
   */
  const keeps = (n: number, ...operands: DeviceArray[]): boolean =>
    n > 0 && n >= minElements && n < MAX_ELEMENTS && operands.every((o) => o.length < MAX_ELEMENTS);
  const arg = (x: DeviceArray): Texture | Float32Array => (x as GpuArray).argument();
  /** The open tidy scopes, innermost last: the arrays each has made. */
  const scopes: GpuArray[][] = [];
  const made = (a: GpuArray): GpuArray => {
    if (scopes.length > 0) scopes[scopes.length - 1].push(a);
    return a;
  };

  /** Run a flat kernel of n threads and keep its result on the device. */
  const run = (family: string, key: string, n: number, dtype: DType, source: string, args: readonly DeviceArray[],
    loop = 1): GpuArray => {
    const result = ctx.run(family, `dev:${key}`, () => ({ source, output: [n], loop, pipeline: true, immutable: true }),
      args.map(arg));
    return made(new GpuArray(device, ctx, asFlat(result), n, dtype));
  };

  /** Sum or max over the middle axis of [outer, n, inner]; long axes with few outputs in two stages. */
  const reduce = (op: 'sum' | 'max', x: DeviceArray, outer: number, n: number, inner: number): GpuArray => {
    const staged = n >= TWO_STAGE_MIN_N && outer * inner <= TWO_STAGE_MAX_OUTPUTS;
    const chunk = staged ? CHUNK : n;
    const chunks = Math.ceil(n / chunk);
    const combine = op === 'sum' ? 'acc += v;' : 'acc = Math.max(acc, v);';
    const source = `function(x) {
    const t = this.thread.x;
    ${coordinates([outer, chunks, inner], 'c')}
    let acc = ${op === 'sum' ? '0' : '-3.4028234663852886e38'};
    const base = c0 * ${n * inner} + c1 * ${chunk * inner} + c2;
    for (let p = 0; p < ${chunk}; p++) {
      if (c1 * ${chunk} + p < ${n}) {
        const v = x[base + p * ${inner}];
        ${combine}
      }
    }
    return acc;
  }`;
    const partial = run('reduce', `reduce:${op}:${outer}x${n}x${inner}:${chunk}`, outer * chunks * inner, x.dtype, source, [x], chunk);
    return staged ? reduce(op, partial, outer, chunks, inner) : partial;
  };

  const device: DeviceKernels = {
    upload(x: Storage): GpuArray {
      const n = x.length;
      const dtype: DType = x instanceof Float64Array ? 'float64' : 'float32';
      // nothing to copy (gpu.js cannot make an empty output), or too large for exact indices:
      // a host copy, which every kernel declines (keeps), so the op runs on the host kernels
      if (n === 0 || n >= MAX_ELEMENTS) return new GpuArray(device, ctx, Float32Array.from(x), n, dtype);
      ctx.stats.uploads++;
      const result = ctx.run('upload', `dev:upload:${n}`, () => ({
        source: 'function(a) { return a[this.thread.x]; }', output: [n], pipeline: true, immutable: true,
      }), [f32(x)]);
      return made(new GpuArray(device, ctx, asFlat(result), n, dtype));
    },

    beginScope(): void {
      scopes.push([]);
    },

    endScope(keep: readonly DeviceArray[]): void {
      const arrays = scopes.pop();
      if (!arrays) throw new Error('rnngrad: endScope without beginScope');
      const kept = new Set(keep);
      const parent = scopes[scopes.length - 1];
      for (const a of arrays) {
        if (!kept.has(a)) a.free();
        else if (parent) parent.push(a);
      }
    },

    unary(op: UnaryOp, x: DeviceArray) {
      if (!keeps(x.length, x)) return null;
      return run('unary', `unary:${op}:${x.length}`, x.length, x.dtype,
        `function(x) { return ${op}F(x[this.thread.x]); }`, [x]);
    },

    unaryBackward(op: UnaryOp, x: DeviceArray, y: DeviceArray, dy: DeviceArray) {
      if (!keeps(x.length, x, y, dy)) return null;
      return run('unaryBackward', `unaryBackward:${op}:${x.length}`, x.length, x.dtype,
        `function(x, y, dy) { const t = this.thread.x; return dy[t] * ${op}D(x[t], y[t]); }`, [x, y, dy]);
    },

    binary(op: BinaryOp, a: DeviceArray, aShape: Shape, b: DeviceArray, bShape: Shape, outShape: Shape) {
      const n = outShape.reduce((p, d) => p * d, 1);
      if (!keeps(n, a, b)) return null;
      const c = collapseBroadcast(aShape, bShape, outShape);
      if (!c) return null;
      const source = `function(a, b) {
    const t = this.thread.x;
    ${coordinates(c.dims, 'i')}
    return ${op}F(a[${dot('i', c.sa)}], b[${dot('i', c.sb)}]);
  }`;
      return run('binary', `binary:${op}:${c.dims.join('x')}:${c.sa.join(',')}:${c.sb.join(',')}`, n, a.dtype, source, [a, b]);
    },

    reduce(op: 'sum' | 'max', x: DeviceArray, outer: number, n: number, inner: number) {
      if (!keeps(x.length, x) || outer * inner === 0) return null;
      return reduce(op, x, outer, n, inner);
    },

    sumTo(x: DeviceArray, xShape: Shape, outShape: Shape) {
      if (!keeps(x.length, x)) return null;
      const runs = sumToRuns(xShape, outShape); // kept, summed, kept, … (as the host sumTo in reduce.ts)
      if (runs.length === 0 || (runs.length === 1 && runs[0].kept)) return x; // nothing summed: the same values
      if (runs.length === 3) return reduce('sum', x, runs[0].size, runs[1].size, runs[2].size);
      if (runs.length === 5 && runs[0].size === 1 && runs[4].size === 1) {
        const [s1, k, s2] = [runs[1].size, runs[2].size, runs[3].size];
        return reduce('sum', reduce('sum', x, s1 * k, s2, 1), 1, s1, k);
      }
      return null;
    },

    broadcastTo(x: DeviceArray, xShape: Shape, outShape: Shape) {
      const n = outShape.reduce((p, d) => p * d, 1);
      if (!keeps(n, x)) return null;
      const source = `function(x) {
    const t = this.thread.x;
    ${coordinates(outShape, 'i')}
    return x[${dot('i', broadcastStrides(xShape, outShape))}];
  }`;
      return run('broadcastTo', `broadcastTo:${xShape.join('x')}:${outShape.join('x')}`, n, x.dtype, source, [x]);
    },

    select(cond: DeviceArray, a: DeviceArray | null, b: DeviceArray | null) {
      if (!keeps(cond.length, cond, ...(a ? [a] : []), ...(b ? [b] : []))) return null;
      const operands = [cond, ...(a ? [a] : []), ...(b ? [b] : [])];
      const source = `function(${['cond', ...(a ? ['a'] : []), ...(b ? ['b'] : [])].join(', ')}) {
    const t = this.thread.x;
    if (cond[t] !== 0) return ${a ? 'a[t]' : '0'};
    return ${b ? 'b[t]' : '0'};
  }`;
      const dtype = (a ?? b ?? cond).dtype;
      return run('select', `select:${a ? 'a' : '0'}${b ? 'b' : '0'}:${cond.length}`, cond.length, dtype, source, operands);
    },

    matmul(a: DeviceArray, b: DeviceArray, d: MatmulDims) {
      const n = d.batch * d.m * d.n;
      if (!keeps(n, a, b) || d.k === 0 || d.batch * d.m * d.n * d.k < minMatmulWork) return null;
      const { aIdx, bIdx } = matmulIndices(d, 'c0', 'c1', 'c2');
      const source = `function(a, b) {
    const t = this.thread.x;
    ${coordinates([d.batch, d.m, d.n], 'c')}
    let sum = 0;
    for (let p = 0; p < ${d.k}; p++) {
      sum += a[${aIdx}] * b[${bIdx}];
    }
    return sum;
  }`;
      const key = `matmul:${d.batch}x${d.m}x${d.n}x${d.k}:${d.transA ? 'T' : 'N'}${d.transB ? 'T' : 'N'}:${d.batchB ? 'batchB' : 'sharedB'}`;
      return run('matmul', key, n, a.dtype, source, [a, b], d.k);
    },

    permute(x: DeviceArray, shape: Shape, perm: readonly number[]) {
      if (!keeps(x.length, x)) return null;
      const inStrides = rowMajorStrides(shape);
      const outShape = perm.map((p) => shape[p]);
      const source = `function(x) {
    const t = this.thread.x;
    ${coordinates(outShape, 'i')}
    return x[${dot('i', perm.map((p) => inStrides[p]))}];
  }`;
      return run('permute', `permute:${shape.join('x')}:${perm.join(',')}`, x.length, x.dtype, source, [x]);
    },

    slice(x: DeviceArray, shape: Shape, begin: readonly number[], outShape: Shape) {
      const n = outShape.reduce((p, d) => p * d, 1);
      if (!keeps(n, x)) return null;
      const source = `function(x) {
    const t = this.thread.x;
    ${coordinates(outShape, 'i')}
    return x[${dot('i', rowMajorStrides(shape), begin)}];
  }`;
      return run('slice', `slice:${shape.join('x')}:${begin.join(',')}:${outShape.join('x')}`, n, x.dtype, source, [x]);
    },

    pad(part: DeviceArray, partShape: Shape, begin: readonly number[], shape: Shape) {
      const n = shape.reduce((p, d) => p * d, 1);
      if (!keeps(n, part)) return null;
      const outside = shape.map((_, i) => `i${i} < ${begin[i]} || i${i} >= ${begin[i] + partShape[i]}`).join(' || ');
      const source = `function(part) {
    const t = this.thread.x;
    ${coordinates(shape, 'i')}
    if (${outside || 'false'}) return 0;
    return part[${dot('i', rowMajorStrides(partShape), begin.map((b) => -b))}];
  }`;
      return run('pad', `pad:${partShape.join('x')}:${begin.join(',')}:${shape.join('x')}`, n, part.dtype, source, [part]);
    },

    concat(parts: readonly DeviceArray[], outer: number, lengths: readonly number[], inner: number) {
      const total = lengths.reduce((a, b) => a + b, 0);
      if (!keeps(outer * total * inner, ...parts) || lengths.some((l) => l === 0)) return null;
      return concatRounds(parts, lengths);

      /** Join at most CONCAT_FAN_IN parts per kernel; more are joined in groups, then the groups. */
      function concatRounds(ps: readonly DeviceArray[], ls: readonly number[]): DeviceArray {
        if (ps.length === 1) return ps[0];
        if (ps.length > CONCAT_FAN_IN) {
          const groups: DeviceArray[] = [];
          const groupLengths: number[] = [];
          for (let s = 0; s < ps.length; s += CONCAT_FAN_IN) {
            groups.push(concatRounds(ps.slice(s, s + CONCAT_FAN_IN), ls.slice(s, s + CONCAT_FAN_IN)));
            groupLengths.push(ls.slice(s, s + CONCAT_FAN_IN).reduce((a, b) => a + b, 0));
          }
          return concatRounds(groups, groupLengths);
        }
        const len = ls.reduce((a, b) => a + b, 0);
        const names = ps.map((_, k) => `p${k}`);
        let start = 0;
        const picks = ls.map((l, k) => {
          const line = `if (i1 < ${start + l}) return p${k}[(i0 * ${l} + i1 - ${start}) * ${inner} + i2];`;
          start += l;
          return line;
        });
        const source = `function(${names.join(', ')}) {
    const t = this.thread.x;
    ${coordinates([outer, len, inner], 'i')}
    ${picks.join('\n    ')}
    return 0;
  }`;
        return run('concat', `concat:${outer}x[${ls.join(',')}]x${inner}`, outer * len * inner, ps[0].dtype, source, ps);
      }
    },

    ...nnDeviceKernels(run, keeps),
  };
  return device;
}

/** A 1-D pipeline result: a Texture on GL, a Float32Array elsewhere. */
function asFlat(result: KernelOutput | Texture): Texture | Float32Array {
  if (result instanceof Texture || result instanceof Float32Array) return result;
  throw new Error(`gpu.js: a 1-D pipeline kernel returned ${Object.prototype.toString.call(result)}`);
}
