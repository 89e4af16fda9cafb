/**
 * Arithmetic with NumPy broadcasting. A broadcast operand's gradient is summed back down
 * to its own shape (`sumTo`), the rule every broadcasting op shares.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { broadcastShapes, sameShape, Shape, OpError, fmt } from '../shape';
import { getKernels } from '../../kernels/registry';
import type { BinaryOp } from '../../kernels/scalar';
import { empty, asTensor, sameDtype, compute, dev } from './util';

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  sameDtype(op, a, b);
  // Equal shapes (the common case) need no broadcasting and can share the shape array.
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  return compute(shape, a.dtype,
    (d) => d.binary(op, dev(a, d), a.shape, dev(b, d), b.shape, shape),
    (k, out) => k.binary(op, a.data, a.shape, b.data, b.shape, out, shape));
}

/** sumTo(x, shape): the sum of x over the axes along which `shape` was broadcast to x.shape; d/dx: broadcast back. */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  if (!sameShape(broadcastShapes('sumTo', shape, x.shape), x.shape)) {
    throw new OpError('sumTo', `${fmt(x.shape)} is not a broadcast of ${fmt(shape)}`);
  }
  const outShape = shape.slice(); // a copy: the caller's array may change later
  const out = compute(outShape, x.dtype,
    (d) => d.sumTo(dev(x, d), x.shape, outShape),
    (k, o) => k.sumTo(x.data, x.shape, o, outShape));
  return record('sumTo', [x], out, (dOut) => [broadcastTo(dOut, x.shape)]);
}

/** broadcastTo(x, shape): x repeated along broadcast axes; d/dx: sumTo(dOut, x.shape). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new OpError('broadcastTo', `cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}: dimensions must be integers ≥ 0`);
  }
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(target, shape)) throw new OpError('broadcastTo', `cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  const out = compute(target, x.dtype,
    (d) => d.broadcastTo(dev(x, d), x.shape, target),
    (k, y) => k.broadcastTo(x.data, x.shape, y, target));
  return record('broadcastTo', [x], out, (dOut) => [sumTo(dOut, x.shape)]);
}

// #region add-mul
/** a + b;  ∂/∂a = 1, ∂/∂b = 1. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor('add', b, a);
  const out = binaryForward('add', a, bt);
  return record('add', [a, bt], out, (dOut) => [sumTo(dOut, a.shape), sumTo(dOut, bt.shape)]);
}

/** a − b;  ∂/∂a = 1, ∂/∂b = −1. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor('sub', b, a);
  const out = binaryForward('sub', a, bt);
  return record('sub', [a, bt], out, (dOut) => [sumTo(dOut, a.shape), sumTo(neg(dOut), bt.shape)]);
}

/** a ⊙ b;  ∂/∂a = b, ∂/∂b = a. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor('mul', b, a);
  const out = binaryForward('mul', a, bt);
  return record('mul', [a, bt], out, (dOut) => [
    a.requiresGrad ? sumTo(mul(dOut, bt), a.shape) : null,
    bt.requiresGrad ? sumTo(mul(dOut, a), bt.shape) : null,
  ]);
}
// #endregion add-mul

/** a / b;  ∂/∂a = 1/b, ∂/∂b = −a/b². */
export function div(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor('div', b, a);
  const out = binaryForward('div', a, bt);
  return record('div', [a, bt], out, (dOut) => [
    a.requiresGrad ? sumTo(div(dOut, bt), a.shape) : null,
    bt.requiresGrad ? sumTo(neg(mul(dOut, div(out, bt))), bt.shape) : null,
  ]);
}

/** −x;  d/dx = −1. */
export function neg(x: Tensor): Tensor {
  const out = compute(x.shape, x.dtype, (d) => d.unary('neg', dev(x, d)), (k, o) => k.unary('neg', x.data, o));
  return record('neg', [x], out, (dOut) => [neg(dOut)]);
}

/** x^p for a constant p;  d/dx = p·x^(p−1). */
export function pow(x: Tensor, p: number): Tensor {
  const out = empty(x.shape, x.dtype);
  getKernels().powScalar(x.data, p, out.data);
  // p = 0: the derivative is 0 everywhere; p·x^(p−1) would give 0·∞ = NaN at x = 0.
  return record('pow', [x], out, (dOut) => [p === 0 ? mul(dOut, 0) : mul(dOut, mul(pow(x, p - 1), p))]);
}
