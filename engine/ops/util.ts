/** Small helpers shared by the op files: allocating outputs, choosing device or host, checking operands. */
import { Tensor, allocate, DType, Storage } from '../tensor';
import { Shape, OpError, fmt } from '../shape';
import type { Kernels, DeviceKernels, DeviceArray } from '../../kernels/kernel';
import { getKernels } from '../../kernels/registry';

/** A fresh tensor of this shape and dtype (zeros). The shape array is kept, not copied: pass one nobody changes. */
export function empty(shape: Shape, dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  return new Tensor(allocate(dtype, size), shape);
}

// #region compute
/**
 * An op's output tensor. With device kernels (a GPU backend) the device form runs first, on the
 * operands' device values, and its result stays on the device; when there are none, or the
 * device declines the call (returns null), the host kernel fills a fresh array — reading any
 * operand that is on the device back to the host through `Tensor.data`.
 *
 *   compute(shape, dtype,
 *     (d) => d.matmul(dev(a, d), dev(b, d), dims),     // device: result stays there
 *     (k, out) => k.matmul(a.data, b.data, out, dims)) // host: the js kernels
 */
export function compute(shape: Shape, dtype: DType, onDevice: ((d: DeviceKernels) => DeviceArray | null) | null,
  onHost: (k: Kernels, out: Storage) => void): Tensor {
  const k = getKernels();
  if (k.device && onDevice) {
    const result = onDevice(k.device);
    if (result) return new Tensor(result, shape);
  }
  const out = empty(shape, dtype);
  onHost(k, out.data);
  return out;
}

/** A tensor's values on the device `d` (uploaded once if they are on the host). */
export function dev(t: Tensor, d: DeviceKernels): DeviceArray {
  return t.deviceValues(d);
}
// #endregion compute

/**
 * A number operand becomes a scalar tensor of the other operand's dtype. Anything else (undefined,
 * a string) is refused: a Float32Array would store it as NaN or coerce '1' to 1 without a word.
 */
export function asTensor(op: string, x: Tensor | number, like: Tensor): Tensor {
  if (!(like instanceof Tensor)) throw new OpError(op, `the first operand must be a Tensor, got ${describe(like)}`);
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new OpError(op, `the second operand must be a Tensor or a number, got ${describe(x)}`);
  const data = allocate(like.dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** What a wrong operand was, for an error message: its type and value. */
function describe(x: unknown): string {
  return x === null ? 'null' : `${typeof x} (${String(x)})`;
}

/** Mixing dtypes is an error, never a silent cast. */
export function sameDtype(op: string, ...tensors: Tensor[]): DType {
  const d = tensors[0].dtype;
  for (const t of tensors) {
    if (t.dtype !== d) {
      throw new OpError(op, `dtypes differ: ${tensors.map((x) => `${fmt(x.shape)} ${x.dtype}`).join(' and ')} (cast one with astype(x, dtype))`);
    }
  }
  return d;
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
