/**
 * Matrix multiply, 2-D and batched 3-D, with transposed-operand variants so that the
 * backward pass never materializes a transpose:
 *
 *   Y = A·B    dA = dY·Bᵀ     dB = Aᵀ·dY
 *   Y = Aᵀ·B   dA = B·dYᵀ     dB = A·dY
 *   Y = A·Bᵀ   dA = dY·B      dB = dYᵀ·A
 *   Y = Aᵀ·Bᵀ  dA = Bᵀ·dYᵀ    dB = dYᵀ·Aᵀ
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { OpError, fmt } from '../shape';
import { sameDtype, compute, dev } from './util';
import { reshape } from './shape-ops';
import { sumTo } from './arith';

export interface MatmulOptions {
  /** Use A transposed (A stored as [k, m]). */
  readonly transA?: boolean;
  /** Use B transposed (B stored as [n, k]). */
  readonly transB?: boolean;
}

/** op(A)·op(B): [m,k]·[k,n] → [m,n]; [b,m,k]·[b,k,n] → [b,m,n]; [b,m,k]·[k,n] → [b,m,n]. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  sameDtype('matmul', a, b);
  const sym = `${fmt(a.shape)}${transA ? 'ᵀ' : ''} × ${fmt(b.shape)}${transB ? 'ᵀ' : ''}`;
  // A batch of sequences times one weight matrix: fold the batch into the rows.
  if (a.rank === 3 && b.rank === 2 && !transA) {
    const [batch, m, k] = a.shape;
    // Checked here, so that an error names the caller's [B,T,F], not the folded [B·T,F].
    const kb = transB ? b.shape[1] : b.shape[0];
    if (k !== kb) throw new OpError('matmul', `${sym}: inner dimensions ${k} ≠ ${kb}`);
    const y = matmul(reshape(a, [batch * m, k]), b, { transB });
    return reshape(y, [batch, m, y.shape[1]]);
  }
  if (!((a.rank === 2 && b.rank === 2) || (a.rank === 3 && b.rank === 3))) {
    throw new OpError('matmul', `${sym}: expected two 2-D, two 3-D, or a 3-D and a 2-D (untransposed) operand`);
  }
  const batched = a.rank === 3;
  const batch = batched ? a.shape[0] : 1;
  if (batched && b.shape[0] !== batch) throw new OpError('matmul', `${sym}: batch sizes ${batch} ≠ ${b.shape[0]}`);
  const r = batched ? 1 : 0;
  const m = transA ? a.shape[r + 1] : a.shape[r];
  const k = transA ? a.shape[r] : a.shape[r + 1];
  const kb = transB ? b.shape[r + 1] : b.shape[r];
  const n = transB ? b.shape[r] : b.shape[r + 1];
  if (k !== kb) throw new OpError('matmul', `${sym}: inner dimensions ${k} ≠ ${kb}`);
  const dims = { batch, m, n, k, transA, transB, batchB: true };
  const out = compute(batched ? [batch, m, n] : [m, n], a.dtype,
    (d) => d.matmul(dev(a, d), dev(b, d), dims),
    (kernels, y) => kernels.matmul(a.data, b.data, y, dims));
  // #region matmul-backward
  return record('matmul', [a, b], out, (dY) => {
    let dA: Tensor | null = null;
    let dB: Tensor | null = null;
    if (!transA && !transB) {
      if (a.requiresGrad) dA = matmul(dY, b, { transB: true });
      if (b.requiresGrad) dB = matmul(a, dY, { transA: true });
    } else if (transA && !transB) {
      if (a.requiresGrad) dA = matmul(b, dY, { transB: true });
      if (b.requiresGrad) dB = matmul(a, dY);
    } else if (!transA && transB) {
      if (a.requiresGrad) dA = matmul(dY, b);
      if (b.requiresGrad) dB = matmul(dY, a, { transA: true });
    } else {
      if (a.requiresGrad) dA = matmul(b, dY, { transA: true, transB: true });
      if (b.requiresGrad) dB = matmul(dY, a, { transA: true, transB: true });
    }
    return [dA && sumTo(dA, a.shape), dB && sumTo(dB, b.shape)];
  });
  // #endregion matmul-backward
}
