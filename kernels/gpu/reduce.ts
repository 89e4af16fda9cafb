/**
 * gpu.js reductions: reduce(sum | max) over the middle axis of an [outer, n, inner] view, and
 * sumTo (a gradient's unbroadcast, e.g. the bias gradient Σ_rows dZ) built on it.
 *
 * A long reduction with few outputs (a bias gradient: 3 200 rows summed into 80 columns) would
 * leave most of a GPU idle with one thread per output, so it runs in two stages: stage 1 sums
 * chunks of CHUNK rows into [outer, chunks, inner] partial sums, stage 2 sums the partials.
 * Stage 1 runs in gpu.js pipeline mode: its output stays a texture on the device and stage 2
 * reads it there — the one readback is stage 2's result. sumTo's [summed, kept, summed] chains two
 * reductions the same way. (On webasm and cpu, "pipeline" output is a plain typed array, so a
 * chain costs a copy instead.)
 */
import type { Shape } from '../../engine/shape';
import type { Storage } from '../kernel';
import { broadcastStrides } from '../cpu/elementwise';
import { GpuContext, f32, readInto, outputOf } from './context';
import { KernelOutput, Texture } from 'gpu.js';

/** Rows summed per thread in stage 1 of a two-stage reduction. */
export const CHUNK = 64;
/** Two stages pay off when the reduced axis is long and there are few outputs to spread it over. */
export const TWO_STAGE_MIN_N = 4 * CHUNK;
export const TWO_STAGE_MAX_OUTPUTS = 4096;

/**
 * Source of a sum or max over the middle axis of [outer, n, inner]: each thread reduces `chunk`
 * consecutive rows. Staged (stage 1): threads are (x = column, y = chunk, z = outer row);
 * unstaged: (x = column, y = outer row) and chunk = n.
 */
function reduceSource(op: 'sum' | 'max', n: number, inner: number, chunk: number, staged: boolean): string {
  const outerRow = staged ? 'this.thread.z' : 'this.thread.y';
  const chunkIndex = staged ? 'this.thread.y' : '0';
  const combine = op === 'sum' ? 'acc += v;' : 'acc = Math.max(acc, v);';
  return `function(x) {
    let acc = ${op === 'sum' ? '0' : '-3.4028234663852886e38'};
    const base = ${outerRow} * ${n * inner} + ${chunkIndex} * ${chunk * inner} + this.thread.x;
    for (let p = 0; p < ${chunk}; p++) {
      if (${chunkIndex} * ${chunk} + p < ${n}) {
        const v = x[base + p * ${inner}];
        ${combine}
      }
    }
    return acc;
  }`;
}

/** out[a, c] = reduce_k x[a, k, c]. */
export function reduce(ctx: GpuContext, op: 'sum' | 'max', x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  readInto(reduceOnDevice(ctx, op, f32(x), outer, n, inner, false), out);
}

/** What a kernel of a chain takes: host data, or the previous kernel's output left on the device. */
type DeviceInput = Float32Array | Texture;

/**
 * The reduction as a link of a chain: takes host data or a texture, and with `keep` leaves its
 * result on the device (a pipeline texture on GL) for the next kernel instead of reading it back.
 * The input's kind is part of the kernel's cache key (gpu.js compiles texture and array
 * arguments differently).
 */
function reduceOnDevice(ctx: GpuContext, op: 'sum' | 'max', input: DeviceInput, outer: number, n: number, inner: number,
  keep: boolean): KernelOutput | Texture {
  const tag = `${input instanceof Texture ? 'tex' : 'arr'}${keep ? ':keep' : ''}`;
  if (n >= TWO_STAGE_MIN_N && outer * inner <= TWO_STAGE_MAX_OUTPUTS) {
    const chunks = Math.ceil(n / CHUNK);
    const partial = ctx.run('reduce', `reduce1:${op}:${outer}x${n}x${inner}:${tag}`, () => ({
      source: reduceSource(op, n, inner, CHUNK, true),
      output: outputOf(outer, chunks, inner),
      loop: CHUNK,
      pipeline: true,
    }), [input]);
    return reduceOnDevice(ctx, op, asArgument(partial), outer, chunks, inner, keep);
  }
  // one stage: thread (x = column, y = outer row) walks the whole axis
  return ctx.run('reduce', `reduce:${op}:${outer}x${n}x${inner}:${tag}`, () => ({
    source: reduceSource(op, n, inner, n, false),
    output: outputOf(1, outer, inner),
    loop: n,
    pipeline: keep,
  }), [input]);
}

/** A pipeline result is a Texture on GL and a typed array elsewhere; both go back in as arguments. */
function asArgument(result: KernelOutput | Texture): Float32Array | Texture {
  if (result instanceof Float32Array) return result;
  if (Array.isArray(result)) {
    const flat = new Float32Array(countOf(result));
    readInto(result, flat);
    return flat;
  }
  return result as Texture;
}

function countOf(result: KernelOutput): number {
  if (result instanceof Float32Array) return result.length;
  if (Array.isArray(result)) return result.reduce((s: number, r) => s + countOf(r as KernelOutput), 0);
  return 0;
}

/** A run of adjacent axes of x that sumTo keeps (or sums) alike. */
export interface AxisRun {
  kept: boolean;
  size: number;
}

/**
 * x's axes (size-1 axes dropped) merged into runs that are all kept or all summed by sumTo,
 * framed to read kept, summed, kept, …, kept (a kept run of size 1 at either end if needed).
 */
export function sumToRuns(xShape: Shape, outShape: Shape): AxisRun[] {
  const keep = broadcastStrides(outShape, xShape).map((s, i) => s !== 0 || xShape[i] === 1);
  const runs: AxisRun[] = [];
  xShape.forEach((d, i) => {
    if (d === 1) return;
    const last = runs[runs.length - 1];
    if (last && last.kept === keep[i]) last.size *= d;
    else runs.push({ kept: keep[i], size: d });
  });
  if (runs.length > 0 && !runs[0].kept) runs.unshift({ kept: true, size: 1 });
  if (runs.length > 0 && !runs[runs.length - 1].kept) runs.push({ kept: true, size: 1 });
  return runs;
}

/**
 * sumTo as reductions: collapse x's axes into runs that are all kept or all summed, then
 * [summed, kept] → reduce(outer 1), [kept, summed] → reduce(inner 1), [kept, summed, kept] →
 * one reduce, [summed, kept, summed] → two, the first's result left on the device as the
 * second's input.
 * Returns false for longer alternations (the js kernel runs them).
 */
export function sumTo(ctx: GpuContext, x: Storage, xShape: Shape, out: Storage, outShape: Shape): boolean {
  const runs = sumToRuns(xShape, outShape);
  if (runs.length === 0 || (runs.length === 1 && runs[0].kept)) {
    out.set(x);
    return true;
  }
  if (runs.length === 3) {
    reduce(ctx, 'sum', x, runs[0].size, runs[1].size, runs[2].size, out);
    return true;
  }
  if (runs.length === 5 && runs[0].size === 1 && runs[4].size === 1) {
    // [summed s1, kept k, summed s2]: sum s2 first (inner 1), then s1 (outer 1)
    // the first sum's result stays on the device as the second's input
    const [s1, k, s2] = [runs[1].size, runs[2].size, runs[3].size];
    const partial = reduceOnDevice(ctx, 'sum', f32(x), s1 * k, s2, 1, true);
    readInto(reduceOnDevice(ctx, 'sum', asArgument(partial), 1, s1, k, false), out);
    return true;
  }
  return false;
}
