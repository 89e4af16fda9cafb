/**
 * Fused neural-network ops with hand-written backward rules: layer norm, softmax, log-softmax.
 * Each could be composed from primitives; fused, each is one tape entry and one pass over memory.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { OpError, fmt } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype } from './util';

/**
 * layerNorm(x, γ, β, ε) = γ ⊙ (x − mean(x)) / sqrt(var(x) + ε) + β over the last axis
 * (biased variance; Keras's ε = 1e-3 by default);
 * dx = (d − mean(d) − x̂ ⊙ mean(d ⊙ x̂)) / σ with d = dy ⊙ γ;  dγ = Σ dy ⊙ x̂;  dβ = Σ dy.
 */
export function layerNorm(x: Tensor, gamma: Tensor | null = null, beta: Tensor | null = null, eps = 1e-3): Tensor {
  if (x.rank < 1) throw new OpError('layerNorm', 'needs at least one axis');
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  for (const [name, p] of [['gamma', gamma], ['beta', beta]] as const) {
    if (p && (p.rank !== 1 || p.shape[0] !== cols)) {
      throw new OpError('layerNorm', `${name} has shape ${fmt(p.shape)}, expected [${cols}] for input ${fmt(x.shape)}`);
    }
  }
  sameDtype('layerNorm', x, ...[gamma, beta].filter((t): t is Tensor => t !== null));
  if (!(eps > 0)) throw new OpError('layerNorm', `epsilon must be > 0, got ${eps}`);
  const out = empty(x.shape, x.dtype);
  const xhat = empty(x.shape, x.dtype);
  const rstd = empty([rows], x.dtype);
  getKernels().layerNorm(x.data, gamma?.data ?? null, beta?.data ?? null, rows, cols, eps, out.data, xhat.data, rstd.data);
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  return record('layerNorm', inputs, out, (dOut) => {
    const dx = empty(x.shape, x.dtype);
    const dGamma = gamma ? empty(gamma.shape, x.dtype) : null;
    const dBeta = beta ? empty(beta.shape, x.dtype) : null;
    getKernels().layerNormBackward(dOut.data, xhat.data, rstd.data, gamma?.data ?? null, rows, cols, dx.data,
      dGamma?.data ?? null, dBeta?.data ?? null);
    return [dx, ...(dGamma ? [dGamma] : []), ...(dBeta ? [dBeta] : [])];
  });
}

function softmaxLike(x: Tensor, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  if (x.rank < 1) throw new OpError(op, 'needs at least one axis');
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const out = empty(x.shape, x.dtype);
  getKernels().softmax(x.data, rows, cols, log, out.data);
  return record(op, [x], out, (dOut) => {
    const dx = empty(x.shape, x.dtype);
    getKernels().softmaxBackward(out.data, dOut.data, rows, cols, log, dx.data);
    return [dx];
  });
}

/** softmax(x)_j = e^{x_j} / Σ_k e^{x_k} over the last axis;  dx = y ⊙ (dy − Σ dy ⊙ y). */
export const softmax = (x: Tensor): Tensor => softmaxLike(x, false);
/** logSoftmax(x)_j = x_j − log Σ_k e^{x_k} over the last axis;  dx = dy − softmax(x) ⊙ Σ dy. */
export const logSoftmax = (x: Tensor): Tensor => softmaxLike(x, true);
