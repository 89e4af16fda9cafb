/**
 * The answer key: the loss of a model on one batch and its gradient with respect to every weight
 * and to the input, computed by rnngrad's own tape. Loaded with `{ dtype: 'float64' }` and run on
 * the js CPU kernels, these are the float64 gradients other code is checked against
 * (`rnngrad grads`, `rnngrad compare-grads`, docs/11-answer-key.md).
 *
 * Inference mode: `call(x, { training: false })`, so dropout is off and every engine computes the
 * same function. The losses, as Keras defines them:
 *
 *   mse           L = (1/N) Σ (y − t)²                       mean over every target element
 *   crossentropy  L = −(1/P) Σ_positions Σ_k t_k log p_k     mean over every predicted position
 *
 * where for crossentropy p is the model's output when its last layer ends in softmax, and
 * softmax(output) otherwise (the output is read as logits, as rnngrad's character model writes it).
 */
import { Tensor } from '../engine/tensor';
import { log, mul, neg, sum } from '../engine/ops';
import { mse, softmaxCrossEntropy } from '../engine/ops';
import { fmt } from '../engine/shape';
import type { Sequential } from './model';
import type { GradArray, GradsFile } from './grads-file';

export type GradLoss = 'mse' | 'crossentropy';
export const GRAD_LOSSES: readonly GradLoss[] = ['mse', 'crossentropy'];

/** Does the model's last layer end in softmax (a Dense, or a TimeDistributed Dense)? */
export function endsInSoftmax(model: Sequential): boolean {
  const { config } = model.layers[model.layers.length - 1].toConfig();
  const inner = config.layer as { config?: Record<string, unknown> } | undefined;
  return (inner?.config?.activation ?? config.activation) === 'softmax';
}

/**
 * The loss as a function of (prediction, target). Cross-entropy on softmax outputs is written out,
 * −(1/P) Σ t ⊙ log p, so the tape holds the same steps a reader would write by hand.
 */
export function lossOf(model: Sequential, loss: GradLoss): (pred: Tensor, target: Tensor) => Tensor {
  if (loss === 'mse') return mse;
  if (!endsInSoftmax(model)) return softmaxCrossEntropy;
  return (p, t) => {
    const positions = p.size / p.shape[p.rank - 1];
    return neg(mul(sum(mul(t, log(p))), 1 / positions));
  };
}

/** The model's weights in file order: model-file names where it was read from a file. */
export function weightNames(model: Sequential): string[] {
  const params = model.weights();
  const fromFile = model.fileWeightNames;
  return fromFile !== null && fromFile.length === params.length ? fromFile.slice() : params.map((p) => p.name);
}

const asGradArray = (shape: readonly number[], data: ArrayLike<number>): GradArray => ({ shape: shape.slice(), values: Array.from(data) });

/**
 * dL/dW for every weight and dL/dx, by one forward pass and one `backward()`. `x` and `target`
 * must have the model's dtype (float64 for the answer key). A target whose shape differs from the
 * model's output is refused, naming both shapes.
 */
export function computeGrads(model: Sequential, x: Tensor, target: Tensor, loss: GradLoss): GradsFile {
  const input = new Tensor(x.data.slice(), x.shape, true, 'x');
  const params = model.weights();
  for (const p of params) p.tensor.grad = null;
  const out = model.call(input, { training: false });
  if (out.shape.length !== target.shape.length || out.shape.some((d, i) => d !== target.shape[i])) {
    throw new Error(`the model outputs ${fmt(out.shape)} for this input, but the target is ${fmt(target.shape)}`);
  }
  const L = lossOf(model, loss)(out, target);
  L.backward();
  const names = weightNames(model);
  const weights: Record<string, GradArray> = {};
  params.forEach((p, k) => {
    // A weight the loss does not reach has gradient zero (the tape never wrote one).
    const grad = p.tensor.grad;
    weights[names[k]] = asGradArray(p.tensor.shape, grad ? grad.data : new Float64Array(p.tensor.size));
  });
  const dx = input.grad;
  return { loss: L.item(), weights, input: asGradArray(input.shape, dx ? dx.data : new Float64Array(input.size)) };
}
