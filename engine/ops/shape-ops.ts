/**
 * Ops that rearrange elements without arithmetic. Their backward rules move the gradient
 * back to where each element came from.
 */
import { Tensor } from '../tensor';
import { record, recordMany } from '../tape';
import { OpError, fmt, normAxis, sizeOf } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype, compute, dev } from './util';

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
  const out = x.view(resolved); // the same values, wherever they are
  return record('reshape', [x], out, (dOut) => [reshape(dOut, x.shape)]);
}

/** transpose(x, perm) — axes permuted (default: reversed);  d/dx: the inverse permutation. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((u, v) => u - v).some((v, i) => v !== i)) {
    throw new OpError('transpose', `${fmt(p)} is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  const out = compute(p.map((i) => x.shape[i]), x.dtype,
    (d) => d.permute(dev(x, d), x.shape, p),
    (k, y) => k.permute(x.data, x.shape, p, y));
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
  const out = compute(outShape, x.dtype,
    (d) => d.slice(dev(x, d), x.shape, begin, outShape),
    (k, y) => k.slice(x.data, x.shape, begin, y, outShape));
  return record('slice', [x], out, (dOut) => [
    compute(x.shape, x.dtype,
      (d) => d.pad(dev(dOut, d), outShape, begin, x.shape),
      (k, dx) => k.writeSlice(dOut.data, outShape, begin, dx, x.shape)),
  ]);
}

/**
 * split(x, sizes | count, axis) — consecutive slices along one axis, recorded as one op with
 * several outputs;  d/dx: the parts' gradients concatenated back (zeros for a part that got none).
 */
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
  const parts = sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === ax ? start : 0));
    const size = x.shape.map((d, i) => (i === ax ? s : d));
    start += s;
    return compute(size, x.dtype,
      (d) => d.slice(dev(x, d), x.shape, begin, size),
      (k, y) => k.slice(x.data, x.shape, begin, y, size));
  });
  return recordMany('split', [x], parts, (dParts) => [
    concat(dParts.map((g, k) => g ?? empty(parts[k].shape, x.dtype)), ax),
  ]);
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
  const begins: number[][] = [];
  let start = 0;
  for (const t of tensors) {
    begins.push(outShape.map((_, i) => (i === ax ? start : 0)));
    start += t.shape[ax];
  }
  // Every part viewed as [outer, length along the axis, inner].
  const outer = first.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const out = compute(outShape, first.dtype,
    (d) => d.concat(tensors.map((t) => dev(t, d)), outer, tensors.map((t) => t.shape[ax]), inner),
    (k, y) => tensors.forEach((t, i) => k.writeSlice(t.data, t.shape, begins[i], y, outShape)));
  return record('concat', tensors, out, (dOut) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      return compute(t.shape, t.dtype,
        (d) => d.slice(dev(dOut, d), outShape, begins[i], t.shape),
        (k, part) => k.slice(dOut.data, outShape, begins[i], part, t.shape));
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
