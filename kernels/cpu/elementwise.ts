/**
 * CPU element-wise kernels: unary maps, broadcasting binary ops, and the small helpers
 * the tape and optimizers need. Plain loops over typed arrays; nothing is allocated per element.
 */
import type { Shape } from '../../engine/shape';
import type { Storage } from '../kernel';
import { unaryFormulas, binaryFormulas, UnaryOp, BinaryOp } from '../scalar';

export function unary(op: UnaryOp, x: Storage, out: Storage): void {
  const f = unaryFormulas[op].f;
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
}

export function unaryBackward(op: UnaryOp, x: Storage, y: Storage, dy: Storage, out: Storage): void {
  const df = unaryFormulas[op].df;
  for (let i = 0; i < x.length; i++) out[i] = dy[i] * df(x[i], y[i]);
}

/** Broadcast strides: the stride of each output axis in the input, 0 where the input is broadcast. */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const o = i + rank - inShape.length;
    strides[o] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i];
  }
  return strides;
}

export function binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const f = binaryFormulas[op];
  const n = out.length;
  // Fast paths: equal sizes, a scalar on either side, or b a trailing row (bias add).
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], s);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = f(s, b[i]);
    return;
  }
  if (a.length === n && isTrailing(bShape, outShape)) {
    const m = b.length;
    for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = f(a[i + j], b[j]);
    return;
  }
  // General case: walk the output with a multi-index, innermost axis in a tight loop.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = rank - 1;
  const inner = outShape[last];
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o += inner) {
    const saL = sa[last];
    const sbL = sb[last];
    for (let j = 0; j < inner; j++) out[o + j] = f(a[ia + j * saL], b[ib + j * sbL]);
    // advance the multi-index over the outer axes
    for (let ax = last - 1; ax >= 0; ax--) {
      counter[ax]++;
      ia += sa[ax];
      ib += sb[ax];
      if (counter[ax] < outShape[ax]) break;
      ia -= sa[ax] * outShape[ax];
      ib -= sb[ax] * outShape[ax];
      counter[ax] = 0;
    }
  }
}

/**
 * Is `shape`, without its leading 1s, a suffix of `outShape`? Then its data repeats row after
 * row of the output (a bias over a batch), and a plain loop over rows replaces index arithmetic.
 */
export function isTrailing(shape: Shape, outShape: Shape): boolean {
  let start = 0;
  while (start < shape.length - 1 && shape[start] === 1) start++;
  const len = shape.length - start;
  if (len > outShape.length) return false;
  const off = outShape.length - len;
  for (let i = 0; i < len; i++) if (shape[start + i] !== outShape[off + i]) return false;
  return true;
}

export function addInto(target: Storage, g: Storage): void {
  for (let i = 0; i < target.length; i++) target[i] += g[i];
}

export function powScalar(x: Storage, p: number, out: Storage): void {
  if (p === 2) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = Math.pow(x[i], p);
}

export function clip(x: Storage, lo: number, hi: number, out: Storage): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

export function select(cond: Storage, a: Storage, b: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
