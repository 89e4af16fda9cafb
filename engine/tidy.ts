/**
 * tidy(fn) — free the device memory an expression used, at a point you choose.
 *
 * On the js kernels tensors are typed arrays and the garbage collector frees them. On a device
 * backend (gpu.js) an op's result is a texture that JavaScript's collector does not see: it is
 * freed only when its wrapper is collected *and* the event loop turns, which a synchronous
 * training loop never lets happen. tidy() makes it deterministic, as TF.js's `tf.tidy` does:
 * every device array made while fn runs is freed when it returns, except the ones held by the
 * tensors fn returns (a tensor, or an array or object of them). Tensors on the host are not
 * affected; a host tensor's uploaded copy is freed and uploaded again when next needed.
 *
 * `Sequential.trainOnBatch` and `predict` run in one, so `fit` frees each step's textures at the
 * end of the step. Reading a freed tensor later throws an error that says so.
 */
import { Tensor } from './tensor';
import type { DeviceArray } from '../kernels/kernel';
import { getKernels } from '../kernels/registry';

export function tidy<T>(fn: () => T): T {
  const device = getKernels().device;
  if (!device) return fn();
  device.beginScope();
  let result: T | undefined;
  try {
    result = fn();
    return result;
  } finally {
    device.endScope(result === undefined ? [] : deviceArraysOf(result));
  }
}

/** The device arrays held by the tensors in a result: a tensor, or arrays / plain objects of them. */
function deviceArraysOf(value: unknown, out: DeviceArray[] = [], depth = 0): DeviceArray[] {
  if (value instanceof Tensor) {
    if (value.onDevice) out.push(value.values as DeviceArray);
  } else if (depth < 4 && Array.isArray(value)) {
    for (const v of value) deviceArraysOf(v, out, depth + 1);
  } else if (depth < 4 && value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deviceArraysOf(v, out, depth + 1);
  }
  return out;
}
