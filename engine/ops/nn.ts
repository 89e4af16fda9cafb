/**
 * Fused neural-network ops with hand-written backward rules: layer norm, softmax, log-softmax.
 * Each could be composed from primitives; fused, each is one tape entry and one pass over memory.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { OpError, fmt } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, sameDtype, compute, dev } from './util';

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
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  const d = getKernels().device;
  // on a device backend: out, x̂ and 1/σ stay on the device (engine/ops/util.ts#compute, with three outputs)
  const onDevice = d ? d.layerNorm(dev(x, d), gamma && dev(gamma, d), beta && dev(beta, d), rows, cols, eps) : null;
  let out: Tensor, xhat: Tensor, rstd: Tensor;
  if (onDevice) {
    [out, xhat, rstd] = [new Tensor(onDevice.out, x.shape), new Tensor(onDevice.xhat, x.shape), new Tensor(onDevice.rstd, [rows])];
  } else {
    [out, xhat, rstd] = [empty(x.shape, x.dtype), empty(x.shape, x.dtype), empty([rows], x.dtype)];
    getKernels().layerNorm(x.data, gamma?.data ?? null, beta?.data ?? null, rows, cols, eps, out.data, xhat.data, rstd.data);
  }
  return record('layerNorm', inputs, out, (dOut) => {
    const dd = getKernels().device;
    const g = dd ? dd.layerNormBackward(dev(dOut, dd), dev(xhat, dd), dev(rstd, dd), gamma && dev(gamma, dd), rows, cols) : null;
    if (g) {
      return [new Tensor(g.dx, x.shape), ...(gamma ? [new Tensor(g.dGamma, gamma.shape)] : []), ...(beta ? [new Tensor(g.dBeta, beta.shape)] : [])];
    }
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
  const out = compute(x.shape, x.dtype,
    (d) => d.softmax(dev(x, d), rows, cols, log),
    (k, y) => k.softmax(x.data, rows, cols, log, y));
  return record(op, [x], out, (dOut) => [
    compute(x.shape, x.dtype,
      (d) => d.softmaxBackward(dev(out, d), dev(dOut, d), rows, cols, log),
      (k, dx) => k.softmaxBackward(out.data, dOut.data, rows, cols, log, dx)),
  ]);
}

/** softmax(x)_j = e^{x_j} / Σ_k e^{x_k} over the last axis;  dx = y ⊙ (dy − Σ dy ⊙ y). */
export const softmax = (x: Tensor): Tensor => softmaxLike(x, false);
/** logSoftmax(x)_j = x_j − log Σ_k e^{x_k} over the last axis;  dx = dy − softmax(x) ⊙ Σ dy. */
export const logSoftmax = (x: Tensor): Tensor => softmaxLike(x, true);
