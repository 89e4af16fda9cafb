/**
 * Activations by their Keras names, as model files write them (`"tanh"`, `"hard_sigmoid"`, …).
 * The TF.js spelling `hardSigmoid` is accepted too and stored as `hard_sigmoid`.
 */
import type { Tensor } from '../engine/tensor';
import { tanh, sigmoid, hardSigmoid, relu, softmax } from '../engine/ops';

export type ActivationName = 'tanh' | 'sigmoid' | 'hard_sigmoid' | 'relu' | 'linear' | 'softmax';
/** What constructors accept: the Keras name or TF.js's camelCase `hardSigmoid`. */
export type ActivationInput = ActivationName | 'hardSigmoid';

const table: Record<ActivationName, (x: Tensor) => Tensor> = {
  tanh,
  sigmoid,
  // TF.js's hard sigmoid, clip(0.2x + 0.5, 0, 1) — what `hard_sigmoid` means in TF.js files.
  hard_sigmoid: hardSigmoid,
  relu,
  linear: (x) => x,
  softmax,
};

/** The canonical Keras name of an activation; `owner` names the option in the error. */
export function activationName(name: unknown, owner: string): ActivationName {
  const canonical = name === 'hardSigmoid' ? 'hard_sigmoid' : name;
  if (typeof canonical !== 'string' || !(canonical in table)) {
    throw new Error(`${owner}: unsupported activation ${JSON.stringify(name)} (supported: ${Object.keys(table).join(', ')})`);
  }
  return canonical as ActivationName;
}

/** The function computing an activation. */
export function activationFn(name: ActivationName): (x: Tensor) => Tensor {
  return table[name];
}
