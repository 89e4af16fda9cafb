/**
 * The functional face of autodiff (as in JAX): grad(f) is a function that returns ∂f/∂inputs.
 */
import { Tensor } from './tensor';
import { OpError } from './shape';

/** valueAndGrad(f)(...xs) → { value: f(xs), grads: [∂f/∂x for each x] }. f must return a scalar. */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...xs) => {
    // Fresh leaves that share the data, so the caller's tensors and their .grad stay untouched.
    const leaves = xs.map((x) => {
      const leaf = x.detach();
      leaf.requiresGrad = true;
      return leaf;
    });
    const value = f(...leaves);
    if (value.size !== 1) throw new OpError('valueAndGrad', `f must return a scalar, got shape [${value.shape.join(',')}]`);
    // An f that does not depend on its inputs has no tape to walk: every gradient is zero.
    if (value.requiresGrad) value.backward();
    const grads = leaves.map((l) => {
      if (l.grad) return l.grad;
      // An input f does not use has a zero gradient.
      return new Tensor(l.dtype === 'float64' ? new Float64Array(l.size) : new Float32Array(l.size), l.shape);
    });
    return { value: value.detach(), grads };
  };
}

/** grad(f)(...xs) → [∂f/∂x for each x]. */
export function grad(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...xs) => vg(...xs).grads;
}
