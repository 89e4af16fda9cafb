/**
 * Ops that rearrange elements without arithmetic. Their backward rules move the gradient
 * back to where each element came from.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { OpError, fmt, normAxis, sizeOf } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype } from './util';

/** reshape(x, shape) — same data, new shape (one −1 is inferred);  d/dx: reshape back. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (!shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new OpError('reshape', `${fmt(x.shape)} → ${fmt(shape)}: dimensions must be integers ≥ 0, or one −1`);
  }
  const unknown = shape.filter((d) => d === -1).length;
  let resolved = shape.slice();
  if (unknown > 1) throw new OpError('reshape', `${fmt(x.shape)} → ${fmt(shape)}: at most one −1`);
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw new OpError('reshape', `${fmt(x.shape)} → ${fmt(shape)}: cannot infer the −1`);
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(resolved) !== x.size) {
    throw new OpError('reshape', `${fmt(x.shape)} → ${fmt(shape)}: ${x.size} elements cannot fill ${sizeOf(resolved)}`);
  }
  const out = new Tensor(x.data, resolved);
  return record('reshape', [x], out, (dOut) => [reshape(dOut, x.shape)]);
}

/** transpose(x, perm) — axes permuted (default: reversed);  d/dx: the inverse permutation. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((u, v) => u - v).some((v, i) => v !== i)) {
    throw new OpError('transpose', `${fmt(p)} is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  const out = empty(p.map((i) => x.shape[i]), x.dtype);
  getKernels().permute(x.data, x.shape, p, out.data);
  const inverse = new Array<number>(p.length);
  p.forEach((axis, i) => (inverse[axis] = i));
  return record('transpose', [x], out, (dOut) => [transpose(dOut, inverse)]);
}

/**
 * slice(x, begin, size) — the block starting at `begin` (size −1: to the end of that axis);
 * d/dx: the gradient written back into that block of zeros.
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  if (begin.length !== x.rank || size.length !== x.rank) {
    throw new OpError('slice', `begin ${fmt(begin)} and size ${fmt(size)} must each have ${x.rank} entries for ${fmt(x.shape)}`);
  }
  const outShape = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < x.rank; i++) {
    if (!Number.isInteger(begin[i]) || !Number.isInteger(outShape[i]) || begin[i] < 0 || outShape[i] < 0 || begin[i] + outShape[i] > x.shape[i]) {
      throw new OpError('slice', `begin ${fmt(begin)} size ${fmt(size)} is outside ${fmt(x.shape)} on axis ${i}`);
    }
  }
  const out = empty(outShape, x.dtype);
  getKernels().slice(x.data, x.shape, begin, out.data, outShape);
  return record('slice', [x], out, (dOut) => {
    const dx = empty(x.shape, x.dtype);
    getKernels().writeSlice(dOut.data, outShape, begin, dx.data, x.shape);
    return [dx];
  });
}

/** split(x, sizes | count, axis) — consecutive slices along one axis. */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis('split', axis, x.rank);
  const n = x.shape[ax];
  let sizes: number[];
  if (typeof sizesOrCount === 'number') {
    if (!Number.isInteger(sizesOrCount) || sizesOrCount <= 0 || n % sizesOrCount !== 0) {
      throw new OpError('split', `axis ${ax} of ${fmt(x.shape)} (length ${n}) cannot be split into ${sizesOrCount} equal parts`);
    }
    sizes = new Array<number>(sizesOrCount).fill(n / sizesOrCount);
  } else {
    sizes = sizesOrCount.slice();
    if (sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new OpError('split', `sizes ${fmt(sizes)} do not add up to ${n}, the length of axis ${ax} of ${fmt(x.shape)}`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === ax ? start : 0));
    const size = x.shape.map((d, i) => (i === ax ? s : d));
    start += s;
    return slice(x, begin, size);
  });
}

/** concat(tensors, axis) — joined along an axis;  each input's gradient is its slice of dOut. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new OpError('concat', 'needs at least one tensor');
  const first = tensors[0];
  const ax = normAxis('concat', axis, first.rank);
  sameDtype('concat', ...tensors);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new OpError('concat', `shapes ${tensors.map((u) => fmt(u.shape)).join(', ')} differ outside axis ${ax}`);
    }
  }
  const outShape = first.shape.slice();
  outShape[ax] = tensors.reduce((acc, t) => acc + t.shape[ax], 0);
  const out = empty(outShape, first.dtype);
  const begins: number[][] = [];
  let start = 0;
  for (const t of tensors) {
    const begin = outShape.map((_, i) => (i === ax ? start : 0));
    getKernels().writeSlice(t.data, t.shape, begin, out.data, outShape);
    begins.push(begin);
    start += t.shape[ax];
  }
  return record('concat', tensors, out, (dOut) =>
    tensors.map((t, k) => {
      if (!t.requiresGrad) return null;
      const part = empty(t.shape, t.dtype);
      getKernels().slice(dOut.data, outShape, begins[k], part.data, t.shape);
      return part;
    }),
  );
}

/** stack(tensors, axis) — equal shapes joined along a new axis (concat of reshaped inputs). */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new OpError('stack', 'needs at least one tensor');
  const shape = tensors[0].shape;
  for (const t of tensors) {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new OpError('stack', `shapes differ: ${tensors.map((u) => fmt(u.shape)).join(', ')}`);
    }
  }
  const ax = normAxis('stack', axis, shape.length + 1);
  const expanded = [...shape.slice(0, ax), 1, ...shape.slice(ax)];
  return concat(tensors.map((t) => reshape(t, expanded)), ax);
}

/** unstack(x, axis) — the slices along an axis, with that axis removed. */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  const ax = normAxis('unstack', axis, x.rank);
  const rest = x.shape.filter((_, i) => i !== ax);
  return split(x, x.shape[ax], ax).map((t) => reshape(t, rest));
}
