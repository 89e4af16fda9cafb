/**
 * Element-wise functions. Their formulas and derivatives live once in kernels/scalar.ts;
 * each op here runs the forward kernel and records the backward that applies f'.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { broadcastShapes, OpError } from '../shape';
import { getKernels } from '../../kernels/registry';
import type { UnaryOp } from '../../kernels/scalar';
import { empty, sameDtype, compute, dev } from './util';
import { broadcastTo } from './arith';

// #region unary-op
function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  const out = compute(x.shape, x.dtype,
    (d) => d.unary(op, dev(x, d)),
    (k, y) => k.unary(op, x.data, y));
  return record(op, [x], out, (dOut) => [
    compute(x.shape, x.dtype,
      (d) => d.unaryBackward(op, dev(x, d), dev(out, d), dev(dOut, d)),
      (k, dx) => k.unaryBackward(op, x.data, out.data, dOut.data, dx)),
  ]);
}
// #endregion unary-op

/** eˣ;  d/dx = eˣ (the saved output). */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** ln x;  d/dx = 1/x. */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** tanh x;  d/dx = 1 − tanh²x (from the saved output). */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** σ(x) = 1/(1 + e⁻ˣ);  d/dx = σ(x)(1 − σ(x)) (from the saved output). */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** clip(0.2x + 0.5, 0, 1) (TF.js's hard sigmoid);  d/dx = 0.2 inside (−2.5, 2.5), else 0. */
export const hardSigmoid = (x: Tensor): Tensor => unaryOp('hardSigmoid', x);
/** max(x, 0);  d/dx = 1 for x > 0, else 0. */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** x²;  d/dx = 2x. */
export const square = (x: Tensor): Tensor => unaryOp('square', x);
/** √x;  d/dx = 1/(2√x). */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);

/** min(max(x, lo), hi);  d/dx = 1 where lo ≤ x ≤ hi, else 0. */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new OpError('clip', `lower bound ${lo} is greater than upper bound ${hi}`);
  const out = empty(x.shape, x.dtype);
  getKernels().clip(x.data, lo, hi, out.data);
  return record('clip', [x], out, (dOut) => {
    // x − clip(x) is exactly 0 where x was inside [lo, hi] (bounds included) and non-zero where it
    // was clipped, so it serves as the mask that chooses between 0 and dOut.
    const kernels = getKernels();
    const outside = empty(x.shape, x.dtype);
    kernels.binary('sub', x.data, x.shape, out.data, out.shape, outside.data, x.shape);
    const dx = empty(x.shape, x.dtype);
    kernels.select(outside.data, empty(x.shape, x.dtype).data, dOut.data, dx.data);
    return [dx];
  });
}

/**
 * where(cond, a, b) = a where cond ≠ 0, else b (broadcasting all three);
 * the gradient goes to a where cond holds and to b elsewhere; cond gets none.
 */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  sameDtype('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const c = broadcastTo(cond.detach(), shape);
  const ab = broadcastTo(a, shape);
  const bb = broadcastTo(b, shape);
  const out = compute(shape, a.dtype,
    (d) => d.select(dev(c, d), dev(ab, d), dev(bb, d)),
    (k, y) => k.select(c.data, ab.data, bb.data, y));
  return record('where', [ab, bb], out, (dOut) => [
    compute(shape, a.dtype, (d) => d.select(dev(c, d), dev(dOut, d), null), // dOut where cond holds, else 0
      (k, da) => k.select(c.data, dOut.data, empty(shape, a.dtype).data, da)),
    compute(shape, a.dtype, (d) => d.select(dev(c, d), null, dev(dOut, d)), // 0 where cond holds, else dOut
      (k, db) => k.select(c.data, empty(shape, a.dtype).data, dOut.data, db)),
  ]);
}
