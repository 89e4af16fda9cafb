/** Loss functions: each returns a scalar tensor. */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { OpError, fmt, sameShape } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype } from './util';
import { logSoftmax } from './nn';
import { mul, neg } from './arith';
import { sum } from './reduce';

/** mse(p, t) = mean((p − t)²) over every element (as Keras);  ∂/∂p = 2(p − t)/N, ∂/∂t = −2(p − t)/N. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  if (!sameShape(pred.shape, target.shape)) {
    throw new OpError('mse', `prediction ${fmt(pred.shape)} and target ${fmt(target.shape)} differ in shape`);
  }
  sameDtype('mse', pred, target);
  const kernels = getKernels();
  const n = pred.size;
  const diff = empty(pred.shape, pred.dtype);
  kernels.binary('sub', pred.data, pred.shape, target.data, target.shape, diff.data, pred.shape);
  const squared = empty(pred.shape, pred.dtype);
  kernels.unary('square', diff.data, squared.data);
  const out = empty([], pred.dtype);
  kernels.reduce('sum', squared.data, 1, n, 1, out.data);
  out.data[0] /= n;
  return record('mse', [pred, target], out, (dOut) => {
    const scale = empty([], pred.dtype);
    scale.data[0] = (2 * dOut.data[0]) / n;
    const dp = empty(pred.shape, pred.dtype);
    getKernels().binary('mul', diff.data, diff.shape, scale.data, scale.shape, dp.data, pred.shape);
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
