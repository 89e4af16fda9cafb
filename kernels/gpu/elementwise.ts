/**
 * gpu.js element-wise kernels: unary maps and their backward, and binary ops with NumPy
 * broadcasting. The formula inside each kernel is the kernels/scalar.ts function itself,
 * called by name (the GpuContext registered all of them with gpu.js).
 *
 * Broadcasting: the output shape and both operands' broadcast strides are collapsed to at most
 * three axes (adjacent axes merge when both operands walk them contiguously, size-1 axes drop),
 * so one 3-D gpu.js kernel covers every layout the engine produces: equal shapes, a scalar,
 * a bias row [n] over [m, n], a column [m, 1], [B, 1, U] over [B, T, U]. Layouts that need
 * four or more axes after collapsing return false and the caller runs the js kernel.
 */
import type { Shape } from '../../engine/shape';
import type { Storage } from '../kernel';
import type { UnaryOp, BinaryOp } from '../scalar';
import { broadcastStrides } from '../cpu/elementwise';
import { GpuContext, f32, readInto, outputOf } from './context';

/** out = f(x): one thread per element. */
export function unary(ctx: GpuContext, op: UnaryOp, x: Storage, out: Storage): void {
  const n = out.length;
  const result = ctx.run('unary', `unary:${op}:${n}`, () => ({
    source: `function(x) { return ${op}F(x[this.thread.x]); }`,
    output: [n],
  }), [f32(x)]);
  readInto(result, out);
}

/** out = dy ⊙ f'(x, y): one thread per element. */
export function unaryBackward(ctx: GpuContext, op: UnaryOp, x: Storage, y: Storage, dy: Storage, out: Storage): void {
  const n = out.length;
  const result = ctx.run('unaryBackward', `unaryBackward:${op}:${n}`, () => ({
    source: `function(x, y, dy) { const i = this.thread.x; return dy[i] * ${op}D(x[i], y[i]); }`,
    output: [n],
  }), [f32(x), f32(y), f32(dy)]);
  readInto(result, out);
}

/** A broadcast collapsed to three axes [d0, d1, d2] and each operand's stride along them. */
export interface Collapsed {
  readonly dims: [number, number, number];
  readonly sa: [number, number, number];
  readonly sb: [number, number, number];
}

/**
 * Collapse outShape and the broadcast strides of a and b to ≤ 3 axes, or null if more remain.
 * Axes i and i+1 merge when, for both operands, stride[i] = stride[i+1]·dim[i+1] (this includes
 * both strides being 0: an axis broadcast on both sides of the merge).
 */
export function collapseBroadcast(aShape: Shape, bShape: Shape, outShape: Shape): Collapsed | null {
  const sa0 = broadcastStrides(aShape, outShape);
  const sb0 = broadcastStrides(bShape, outShape);
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === sa0[i] * outShape[i] && sb[last] === sb0[i] * outShape[i]) {
      dims[last] *= outShape[i];
      sa[last] = sa0[i];
      sb[last] = sb0[i];
    } else {
      dims.push(outShape[i]);
      sa.push(sa0[i]);
      sb.push(sb0[i]);
    }
  }
  if (dims.length > 3) return null;
  while (dims.length < 3) {
    dims.unshift(1);
    sa.unshift(0);
    sb.unshift(0);
  }
  return { dims: [dims[0], dims[1], dims[2]], sa: [sa[0], sa[1], sa[2]], sb: [sb[0], sb[1], sb[2]] };
}

/**
 * out = a ∘ b with broadcasting; false when the layout does not collapse to three axes.
 * Strides are written into the shader source as literals (the kernel is per shape anyway).
 */
export function binary(ctx: GpuContext, op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage,
  outShape: Shape): boolean {
  const c = collapseBroadcast(aShape, bShape, outShape);
  if (!c) return false;
  const [d0, d1, d2] = c.dims;
  const index = (s: readonly number[]): string =>
    `this.thread.z * ${s[0]} + this.thread.y * ${s[1]} + this.thread.x * ${s[2]}`;
  const key = `binary:${op}:${c.dims.join('x')}:${c.sa.join(',')}:${c.sb.join(',')}`;
  const result = ctx.run('binary', key, () => ({
    source: `function(a, b) { return ${op}F(a[${index(c.sa)}], b[${index(c.sb)}]); }`,
    output: outputOf(d0, d1, d2),
  }), [f32(a), f32(b)]);
  readInto(result, out);
  return true;
}

/** target += g, the tape's gradient accumulation, as the binary add of equal shapes. */
export function addInto(ctx: GpuContext, target: Storage, g: Storage): void {
  const n = target.length;
  const result = ctx.run('addInto', `addInto:${n}`, () => ({
    source: 'function(a, b) { return addF(a[this.thread.x], b[this.thread.x]); }',
    output: [n],
  }), [f32(target), f32(g)]);
  readInto(result, target);
}
