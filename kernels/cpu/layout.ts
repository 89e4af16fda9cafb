/**
 * CPU kernels that move data without arithmetic (permute, slice) and the reductions
 * (sum down to a broadcast shape, sum or max over one axis).
 */
import { Shape, stridesOf } from '../../engine/shape';
import type { Storage } from '../kernel';
import { broadcastStrides, isTrailing } from './elementwise';

/** Visit every multi-index of `shape`, calling visit(outIndex, inOffset) with inOffset = Σ index·inStrides. */
function walk(shape: Shape, inStrides: readonly number[], visit: (outIndex: number, inOffset: number) => void): void {
  const rank = shape.length;
  const total = shape.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  if (rank === 0) {
    visit(0, 0);
    return;
  }
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let o = 0; o < total; o++) {
    visit(o, offset);
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      offset += inStrides[ax];
      if (counter[ax] < shape[ax]) break;
      offset -= inStrides[ax] * shape[ax];
      counter[ax] = 0;
    }
  }
}

export function sumTo(x: Storage, xShape: Shape, out: Storage, outShape: Shape): void {
  out.fill(0);
  // Fast path, the gradient of a bias: out repeats row after row of x, so sum the rows.
  if (isTrailing(outShape, xShape)) {
    const m = out.length;
    for (let r = 0; r < x.length; r += m) for (let j = 0; j < m; j++) out[j] += x[r + j];
    return;
  }
  // Walk x; its offset in out uses out's broadcast strides (0 on summed axes).
  const so = broadcastStrides(outShape, xShape);
  walk(xShape, so, (i, o) => {
    out[o] += x[i];
  });
}

export function broadcastTo(x: Storage, xShape: Shape, out: Storage, outShape: Shape): void {
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  // Fast path: x repeats row after row of out (a bias over a batch).
  if (isTrailing(xShape, outShape)) {
    for (let r = 0; r < out.length; r += x.length) out.set(x, r);
    return;
  }
  const sx = broadcastStrides(xShape, outShape);
  walk(outShape, sx, (o, i) => {
    out[o] = x[i];
  });
}

export function reduce(op: 'sum' | 'max', x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  // Row by row of the reduced axis, so that every loop walks memory contiguously.
  out.fill(op === 'sum' ? 0 : -Infinity);
  for (let a = 0; a < outer; a++) {
    const o = a * inner;
    for (let k = 0; k < n; k++) {
      const row = (a * n + k) * inner;
      if (op === 'sum') for (let c = 0; c < inner; c++) out[o + c] += x[row + c];
      else for (let c = 0; c < inner; c++) out[o + c] = Math.max(out[o + c], x[row + c]);
    }
  }
}

export function permute(x: Storage, shape: Shape, perm: readonly number[], out: Storage): void {
  // Fast path: a matrix transpose.
  if (shape.length === 2 && perm[0] === 1) {
    const [rows, cols] = shape;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
    return;
  }
  const strides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const inStrides = perm.map((p) => strides[p]);
  walk(outShape, inStrides, (o, i) => {
    out[o] = x[i];
  });
}

export function slice(x: Storage, shape: Shape, begin: readonly number[], out: Storage, outShape: Shape): void {
  const strides = stridesOf(shape);
  let base = 0;
  for (let i = 0; i < begin.length; i++) base += begin[i] * strides[i];
  const rank = shape.length;
  // Copy contiguous innermost runs.
  const runLen = rank === 0 ? 1 : outShape[rank - 1];
  const rowsShape = outShape.slice(0, Math.max(0, rank - 1));
  const rowStrides = strides.slice(0, Math.max(0, rank - 1));
  let r = 0;
  walk(rowsShape, rowStrides, (_o, off) => {
    out.set(x.subarray(base + off, base + off + runLen), r);
    r += runLen;
  });
}

export function writeSlice(part: Storage, partShape: Shape, begin: readonly number[], out: Storage, shape: Shape): void {
  const strides = stridesOf(shape);
  let base = 0;
  for (let i = 0; i < begin.length; i++) base += begin[i] * strides[i];
  const rank = shape.length;
  const runLen = rank === 0 ? 1 : partShape[rank - 1];
  const rowsShape = partShape.slice(0, Math.max(0, rank - 1));
  const rowStrides = strides.slice(0, Math.max(0, rank - 1));
  let r = 0;
  walk(rowsShape, rowStrides, (_o, off) => {
    out.set(part.subarray(r, r + runLen), base + off);
    r += runLen;
  });
}
