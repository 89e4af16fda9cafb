/** Loss functions: each returns a scalar tensor. */
import { Tensor } from '../tensor';
import { record, noGrad } from '../tape';
import { OpError, fmt, sameShape } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype } from './util';
import { logSoftmax } from './nn';
import { mul, neg, sub, div } from './arith';
import { square } from './unary';
import { sum } from './reduce';

/** mse(p, t) = mean((p − t)²) over every element (as Keras);  ∂/∂p = 2(p − t)/N, ∂/∂t = −2(p − t)/N. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  if (!sameShape(pred.shape, target.shape)) {
    throw new OpError('mse', `prediction ${fmt(pred.shape)} and target ${fmt(target.shape)} differ in shape`);
  }
  sameDtype('mse', pred, target);
  const n = pred.size;
  // The values, computed by the ops without recording them: the one tape entry is 'mse'.
  const diff = noGrad(() => sub(pred, target));
  const out = noGrad(() => div(sum(square(diff)), n));
  return record('mse', [pred, target], out, (dOut) => {
    const dp = mul(diff, div(mul(dOut, 2), n)); // 2(p − t)/N · dOut
    return [dp, target.requiresGrad ? neg(dp) : null];
  });
}

/**
 * softmaxCrossEntropy(z, t) = mean over rows of −Σ_j t_j log softmax(z)_j, with t one-hot or
 * probabilities over the last axis (composed: log-softmax, product, sum — its gradient,
 * (softmax(z) − t)/rows, comes from the tape).
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (!sameShape(logits.shape, labels.shape)) {
    throw new OpError('softmaxCrossEntropy', `logits ${fmt(logits.shape)} and labels ${fmt(labels.shape)} differ in shape`);
  }
  sameDtype('softmaxCrossEntropy', logits, labels);
  const rows = logits.size / logits.shape[logits.rank - 1];
  return neg(mul(sum(mul(labels, logSoftmax(logits))), 1 / rows));
}
