/**
 * The fused simple RNN (and layer-norm simple RNN): a whole sequence as ONE tape entry, built
 * from the existing kernels (matmul, the element-wise activation, layer norm) with BPTT written
 * out by hand. It computes exactly what simple-rnn.ts / ln-simple-rnn.ts compute step by step:
 *
 *   a_t = xW_t + b + (h_{t−1} ⊙ m)·U         xW = x·W precomputed for all steps (one matmul)
 *   n_t = LN(a_t)  (LN cell only; n_t = a_t otherwise)
 *   h_t = act(n_t)
 *
 * Backward, from t = T−1 down to 0:
 *   dh_t = dH_t + (da_{t+1}·Uᵀ) ⊙ m;   dn_t = dh_t ⊙ act'(n_t);   da_t = LN'(dn_t)
 *   dU = Σ_t (h_{t−1} ⊙ m)ᵀ·da_t (one matmul);   db = Σ da_t;   dγ, dβ summed over steps
 * A test (spec/cells/fused.test.ts) proves values and gradients equal to the composed cells.
 */
import { Tensor, allocate, type Storage } from '../engine/tensor';
import { record, isGradEnabled } from '../engine/tape';
import { OpError, fmt } from '../engine/shape';
import { getKernels } from '../kernels/registry';
import type { UnaryOp } from '../kernels/scalar';
import { expectShape, expectOneDtype, checkSequenceOptions } from './sequence-checks';
import { carryPaddedRows, holdPaddedRows, addHeldRows } from './padding';
import { timeToBatchMajor, gradientAtStep, writeStep, addColumnSums } from './sequence-ops';

export interface SimpleSequenceOptions {
  /** The element-wise activation (null: linear). */
  readonly activation: UnaryOp | null;
  /** Layer norm between the linear sum and the activation: [γ, β] and ε. */
  readonly layerNorm?: { readonly gamma: Tensor; readonly beta: Tensor; readonly eps: number } | null;
  /** Variational recurrent dropout mask [batch, units] on h_{t−1}. */
  readonly recurrentMask?: Tensor | null;
  /** Padding mask [batch, time] (Keras masking, zero initial state; see padding.ts). */
  readonly padding?: Tensor | null;
}

/** simpleRnnSequence(xW, U, b, h0): every h_t, [batch, time, units]; gradients to xW, U, b, h0 (and γ, β). */
export function simpleRnnSequence(xW: Tensor, U: Tensor, b: Tensor, h0: Tensor, options: SimpleSequenceOptions): Tensor {
  const [batch, time, units] = xW.shape;
  if (xW.rank !== 3 || U.rank !== 2 || U.shape[0] !== units || U.shape[1] !== units || b.rank !== 1 || b.size !== units) {
    throw new OpError('simpleRnnSequence', `xW ${fmt(xW.shape)}, U ${fmt(U.shape)} and b ${fmt(b.shape)} disagree on units`);
  }
  const act = options.activation;
  const ln = options.layerNorm ?? null;
  const mask = options.recurrentMask ?? null;
  const padding = options.padding ?? null;
  expectShape('simpleRnnSequence', 'h0', h0, [batch, units]);
  checkSequenceOptions('simpleRnnSequence', xW, { batch, time, units }, mask, padding);
  if (ln) {
    expectShape('simpleRnnSequence', 'layerNorm gamma', ln.gamma, [units]);
    expectShape('simpleRnnSequence', 'layerNorm beta', ln.beta, [units]);
    // ε > 0 keeps 1/√(σ² + ε) finite on a row whose pre-activations are all equal (σ² = 0).
    if (!(ln.eps > 0 && Number.isFinite(ln.eps))) throw new OpError('simpleRnnSequence', `layerNorm eps must be a finite number > 0, got ${ln.eps}`);
  }
  expectOneDtype('simpleRnnSequence', [['xW', xW], ['U', U], ['b', b], ['h0', h0], ['recurrentMask', mask],
    ['layerNorm gamma', ln ? ln.gamma : null], ['layerNorm beta', ln ? ln.beta : null]]);
  const dtype = xW.dtype;
  const k = getKernels();
  const n = batch * units;
  const [xd, bd, md] = [xW.data, b.data, mask ? mask.data : null];
  const inputs = [xW, U, b, h0, ...(ln ? [ln.gamma, ln.beta] : [])];
  const opName = ln ? 'lnSimpleRnnSequence' : 'simpleRnnSequence';
  // With tanh and nothing else, the kernels may run the whole sequence as one call
  // (kernels/wasm/rnn-sequence.ts) — the same values as the loop below. Without a backward to
  // come (inference, noGrad) it writes the output alone, batch-major, and nothing is saved.
  let wholeFits = act === 'tanh' && !ln && !md && !padding && k.simpleRnnSequence !== undefined;
  const backwardComes = isGradEnabled() && inputs.some((x) => x.requiresGrad);
  if (wholeFits && !backwardComes) {
    const out = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]);
    if (k.simpleRnnSequence!(xd, U.data, bd, h0.data, batch, time, units, null, out.data)) {
      return record(opName, inputs, out, () => { throw new OpError(opName, 'no backward was planned for a call without gradients'); });
    }
    wholeFits = false; // the kernel declined this case: step
  }
  const pre = allocate(dtype, time * n); // a_t (before LN)
  const normed = ln ? allocate(dtype, time * n) : pre; // n_t (after LN)
  const xhat = ln ? allocate(dtype, time * n) : null;
  const rstd = ln ? allocate(dtype, time * batch) : null;
  const hs = allocate(dtype, time * n); // h_t, time-major
  const H = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]); // the output, batch-major
  const whole = wholeFits && k.simpleRnnSequence!(xd, U.data, bd, h0.data, batch, time, units, pre, hs, H.data);
  // h_{t−1} ⊙ m, the product's left operand at each step: made in the backward (for dU) where
  // the whole sequence ran as one call, which needs no copy of it.
  let hIn: Storage | null = whole ? null : allocate(dtype, time * n);
  const recurrent = whole ? null : k.matmulFixedRight(U.data, units, units, false); // U is packed once for all steps
  for (let t = 0; recurrent && hIn && t < time; t++) {
    const hPrev = t === 0 ? h0.data : hs.subarray((t - 1) * n, t * n);
    const hm = hIn.subarray(t * n, (t + 1) * n);
    if (md) for (let q = 0; q < n; q++) hm[q] = hPrev[q] * md[q];
    else hm.set(hPrev);
    const a = pre.subarray(t * n, (t + 1) * n);
    // a_t = x_t·W + b + h_{t−1}·U: the product starts from row r of x_t·W, at (r·time + t)·units.
    recurrent.run(hm, batch, a, { data: xd, at: t * units, stride: time * units, bias: bd });
    const nt = normed.subarray(t * n, (t + 1) * n);
    if (ln && xhat && rstd) {
      k.layerNorm(a, ln.gamma.data, ln.beta.data, batch, units, ln.eps, nt, xhat.subarray(t * n, (t + 1) * n), rstd.subarray(t * batch, (t + 1) * batch));
    }
    const ht = hs.subarray(t * n, (t + 1) * n);
    if (act) k.unary(act, nt, ht);
    else ht.set(nt);
    if (padding) carryPaddedRows(padding, t, time, batch, units, hPrev, ht);
  }
  if (!whole) timeToBatchMajor(hs, H.data, time, batch, units); // (the whole-sequence kernel wrote H)
  return record(opName, inputs, H, (dH) => {
    const dXW = new Tensor(allocate(dtype, xW.size), xW.shape);
    const db = new Tensor(allocate(dtype, units), b.shape);
    const dGamma = ln ? new Tensor(allocate(dtype, units), ln.gamma.shape) : null;
    const dBeta = ln ? new Tensor(allocate(dtype, units), ln.beta.shape) : null;
    const stepGamma = allocate(dtype, units);
    const stepBeta = allocate(dtype, units);
    const dA = allocate(dtype, time * n); // da_t, time-major, for dU at the end
    const dh = allocate(dtype, n);
    const dn = allocate(dtype, n);
    const dhNext = allocate(dtype, n);
    const dhPass = padding ? allocate(dtype, n) : null;
    const recurrentBack = k.matmulFixedRight(U.data, units, units, true); // Uᵀ, packed once for all steps
    const [dHd, dXWd, dbd] = [dH.data, dXW.data, db.data];
    for (let t = time - 1; t >= 0; t--) {
      gradientAtStep(dHd, dhNext, t, time, batch, units, dh);
      const nt = normed.subarray(t * n, (t + 1) * n);
      const ht = hs.subarray(t * n, (t + 1) * n);
      if (padding && dhPass) holdPaddedRows(padding, t, time, batch, units, dh, dhPass);
      const da = dA.subarray(t * n, (t + 1) * n);
      const dnt = ln ? dn : da; // without layer norm da_t is dn_t: written in place
      if (act) k.unaryBackward(act, nt, ht, dh, dnt); // dn = dh ⊙ act'(n)
      else dnt.set(dh);
      if (ln && xhat && rstd && dGamma && dBeta) {
        k.layerNormBackward(dn, xhat.subarray(t * n, (t + 1) * n), rstd.subarray(t * batch, (t + 1) * batch), ln.gamma.data, batch, units, da, stepGamma, stepBeta);
        k.addInto(dGamma.data, stepGamma);
        k.addInto(dBeta.data, stepBeta);
      }
      recurrentBack.run(da, batch, dhNext, null); // da_t·Uᵀ
      if (md) for (let q = 0; q < n; q++) dhNext[q] *= md[q];
      if (dhPass) addHeldRows(dhPass, dhNext);
      writeStep(da, dXWd, t, time, batch, units); // dXW[:, t] = da_t
      addColumnSums(da, batch, units, dbd); // db += Σ_batch da_t
    }
    let dU: Tensor | null = null;
    if (U.requiresGrad) {
      if (!hIn) {
        hIn = allocate(dtype, time * n); // [h_0, h_1, …, h_{T−2}]
        hIn.set(h0.data.subarray(0, n));
        hIn.set(hs.subarray(0, (time - 1) * n), n);
      }
      dU = new Tensor(allocate(dtype, U.size), U.shape);
      k.matmul(hIn, dA, dU.data, { batch: 1, m: units, n: units, k: time * batch, transA: true, transB: false, batchB: false });
    }
    const dh0 = h0.requiresGrad ? new Tensor(dhNext.slice(), h0.shape) : null;
    return [dXW, dU, db, dh0, ...(ln ? [dGamma, dBeta] : [])];
  });
}
