/**
 * The fused GRU: a whole sequence as ONE tape entry, both Keras forms, with BPTT written out.
 * It computes exactly what gru.ts computes step by step (gate order z, r, h):
 *
 *   xW = x·W precomputed for all steps (one matmul);  h_m = h_{t−1} ⊙ m (recurrent dropout)
 *   reset_after:  [a_z, a_r, u_h] = h_m·U + b'          (one matmul per step)
 *                 z = σ(xW_z + b_z + a_z),  r = σ(xW_r + b_r + a_r),  h̃ = tanh(xW_h + b_h + r ⊙ u_h)
 *   reset_before: [a_z, a_r] = h_m·U_zr,  z, r as above, q = r ⊙ h_m,  h̃ = tanh(xW_h + b_h + q·U_h)
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 *
 * Backward per step (dh the gradient at h_t):
 *   dh̃ = dh ⊙ (1 − z),  dz = dh ⊙ (h_{t−1} − h̃),  d(pre h̃) = dh̃ ⊙ (1 − h̃²)
 *   reset_after:  du_h = d(pre h̃) ⊙ r,  dr = d(pre h̃) ⊙ u_h
 *   reset_before: dq = d(pre h̃)·U_hᵀ,  dr = dq ⊙ h_m,  dh_m += dq ⊙ r
 *   d(pre z) = dz ⊙ σ'(z),  d(pre r) = dr ⊙ σ'(r);   dh_{t−1} = dh ⊙ z + (dh_m from the matmuls) ⊙ m
 * σ, σ' and tanh are the formulas in kernels/scalar.ts. A test proves equality with gru.ts.
 */
import { Tensor, allocate, Storage } from '../engine/tensor';
import { record } from '../engine/tape';
import { OpError, fmt } from '../engine/shape';
import { getKernels } from '../kernels/registry';
import { sigmoidF, sigmoidD, hardSigmoidF, hardSigmoidD, tanhF } from '../kernels/scalar';
import { expectOneDtype, checkSequenceOptions } from './sequence-checks';
import { carryPaddedRows, holdPaddedRows, addHeldRows } from './padding';
import { timeToBatchMajor, gradientAtStep } from './sequence-ops';

export interface GruSequenceOptions {
  readonly resetAfter: boolean;
  /** TF.js's hard sigmoid for the gates instead of the logistic sigmoid. */
  readonly hard?: boolean;
  /** Variational recurrent dropout mask [batch, units] on h_{t−1}. */
  readonly recurrentMask?: Tensor | null;
  /** Padding mask [batch, time] (Keras masking, zero initial state; see padding.ts). */
  readonly padding?: Tensor | null;
}

/** Columns [from, from + width) of a row-major [rows, cols] matrix, as a new [rows, width] array. */
function columns(m: Storage, rows: number, cols: number, from: number, width: number): Storage {
  const out = m instanceof Float64Array ? new Float64Array(rows * width) : new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * cols + from, r * cols + from + width), r * width);
  return out;
}

/** gruSequence(xW, U, b, h0): every h_t, [batch, time, units]; gradients to xW, U, b, h0. */
export function gruSequence(xW: Tensor, U: Tensor, b: Tensor, h0: Tensor, options: GruSequenceOptions): Tensor {
  const [batch, time, u3] = xW.shape;
  const units = u3 / 3;
  const after = options.resetAfter;
  // Keras's bias layout: [2, 3u] (input row, recurrent row) with reset_after, [3u] without.
  const bOk = after ? b.rank === 2 && b.shape[0] === 2 && b.shape[1] === u3 : b.rank === 1 && b.shape[0] === u3;
  if (xW.rank !== 3 || U.rank !== 2 || U.shape[0] !== units || U.shape[1] !== u3 || !bOk || h0.rank !== 2 || h0.shape[1] !== units || h0.shape[0] !== batch) {
    throw new OpError('gruSequence', `xW ${fmt(xW.shape)}, U ${fmt(U.shape)}, b ${fmt(b.shape)}, h0 ${fmt(h0.shape)} disagree `
      + `(expected [batch, time, 3u], [u, 3u], ${after ? '[2, 3u]' : '[3u]'}, [batch, u]; reset_after ${after})`);
  }
  const act = options.hard ? hardSigmoidF : sigmoidF;
  const actD = options.hard ? hardSigmoidD : sigmoidD;
  const mask = options.recurrentMask ?? null;
  const padding = options.padding ?? null;
  checkSequenceOptions('gruSequence', xW, { batch, time, units }, mask, padding);
  expectOneDtype('gruSequence', [['xW', xW], ['U', U], ['b', b], ['h0', h0], ['recurrentMask', mask]]);
  const dtype = xW.dtype;
  const k = getKernels();
  const n = batch * units;
  // The matmul's right operand each step: all of U (reset_after), or U_zr with U_h used after r.
  const Urec = after ? U.data : columns(U.data, units, u3, 0, 2 * units);
  const Uh = after ? null : columns(U.data, units, u3, 2 * units, units);
  const recCols = after ? u3 : 2 * units;
  const hs = allocate(dtype, time * n);
  const hIn = allocate(dtype, time * n); // h_m = h_{t−1} ⊙ m
  const rec = allocate(dtype, time * batch * recCols); // h_m·U (+ b'), time-major
  const zs = allocate(dtype, time * n), rs = allocate(dtype, time * n), hh = allocate(dtype, time * n);
  const preZ = allocate(dtype, time * n), preR = allocate(dtype, time * n); // for the hard sigmoid's σ'
  const qs = after ? null : allocate(dtype, time * n); // q = r ⊙ h_m (reset_before)
  const qU = after ? null : allocate(dtype, n);
  const [xd, bd, md] = [xW.data, b.data, mask ? mask.data : null];
  for (let t = 0; t < time; t++) {
    const hPrev = t === 0 ? h0.data : hs.subarray((t - 1) * n, t * n);
    const hm = hIn.subarray(t * n, (t + 1) * n);
    if (md) for (let q = 0; q < n; q++) hm[q] = hPrev[q] * md[q];
    else hm.set(hPrev);
    const rt = rec.subarray(t * batch * recCols, (t + 1) * batch * recCols);
    k.matmul(hm, Urec, rt, { batch: 1, m: batch, n: recCols, k: units, transA: false, transB: false, batchB: false });
    for (let r = 0; r < batch; r++) {
      const x0 = (r * time + t) * u3;
      const c0 = r * recCols;
      for (let j = 0; j < units; j++) {
        const q = t * n + r * units + j;
        if (after) for (let g = 0; g < 3; g++) rt[c0 + g * units + j] += bd[u3 + g * units + j]; // + b'
        preZ[q] = xd[x0 + j] + bd[j] + rt[c0 + j];
        preR[q] = xd[x0 + units + j] + bd[units + j] + rt[c0 + units + j];
        zs[q] = act(preZ[q]); //                      update gate
        rs[q] = act(preR[q]); //                      reset gate
        if (qs) qs[q] = rs[q] * hm[r * units + j];
      }
    }
    if (qs && qU && Uh) k.matmul(qs.subarray(t * n, (t + 1) * n), Uh, qU, { batch: 1, m: batch, n: units, k: units, transA: false, transB: false, batchB: false });
    for (let r = 0; r < batch; r++) {
      const x0 = (r * time + t) * u3;
      for (let j = 0; j < units; j++) {
        const q = t * n + r * units + j;
        const recH = after ? rs[q] * rt[r * recCols + 2 * units + j] : (qU as Storage)[r * units + j];
        hh[q] = tanhF(xd[x0 + 2 * units + j] + bd[2 * units + j] + recH); // candidate
        hs[q] = zs[q] * hPrev[r * units + j] + (1 - zs[q]) * hh[q]; //               h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
      }
    }
    if (padding) carryPaddedRows(padding, t, time, batch, units, hPrev, hs.subarray(t * n, (t + 1) * n));
  }
  const H = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]);
  timeToBatchMajor(hs, H.data, time, batch, units);
  return record(after ? 'gruSequence' : 'gruResetBeforeSequence', [xW, U, b, h0], H, (dH) => {
    const dXW = new Tensor(allocate(dtype, xW.size), xW.shape);
    const db = new Tensor(allocate(dtype, b.size), b.shape);
    const dRec = allocate(dtype, time * batch * recCols); // gradient at h_m·U (+ b'), time-major
    const dPreH = allocate(dtype, time * n); // reset_before: the gradient at q·U_h, time-major
    const dh = allocate(dtype, n);
    const dhNext = allocate(dtype, n);
    const dhm = allocate(dtype, n);
    const dq = allocate(dtype, n);
    const dhPass = padding ? allocate(dtype, n) : null;
    const [dHd, dXWd, dbd] = [dH.data, dXW.data, db.data];
    for (let t = time - 1; t >= 0; t--) {
      const hPrev = t === 0 ? h0.data : hs.subarray((t - 1) * n, t * n);
      const hm = hIn.subarray(t * n, (t + 1) * n);
      const rt = rec.subarray(t * batch * recCols, (t + 1) * batch * recCols);
      const drt = dRec.subarray(t * batch * recCols, (t + 1) * batch * recCols);
      const dph = dPreH.subarray(t * n, (t + 1) * n);
      gradientAtStep(dHd, dhNext, t, time, batch, units, dh);
      if (padding && dhPass) holdPaddedRows(padding, t, time, batch, units, dh, dhPass);
      // The candidate's pre-activation gradient first: reset_before needs dq = d(pre h̃)·U_hᵀ before dr.
      for (let q = 0; q < n; q++) {
        const s = t * n + q;
        dph[q] = dh[q] * (1 - zs[s]) * (1 - hh[s] * hh[s]);
      }
      if (Uh) k.matmul(dph, Uh, dq, { batch: 1, m: batch, n: units, k: units, transA: false, transB: true, batchB: false });
      for (let r = 0; r < batch; r++) {
        const x0 = (r * time + t) * u3;
        const c0 = r * recCols;
        for (let j = 0; j < units; j++) {
          const q = r * units + j;
          const s = t * n + q;
          const dz = dh[q] * (hPrev[q] - hh[s]);
          let dr: number;
          if (after) {
            drt[c0 + 2 * units + j] = dph[q] * rs[s]; //   du_h
            dr = dph[q] * rt[c0 + 2 * units + j];
          } else {
            dr = dq[q] * hm[q];
          }
          const dPreZ = dz * actD(preZ[s], zs[s]);
          const dPreR = dr * actD(preR[s], rs[s]);
          drt[c0 + j] = dPreZ;
          drt[c0 + units + j] = dPreR;
          dXWd[x0 + j] = dPreZ;
          dXWd[x0 + units + j] = dPreR;
          dXWd[x0 + 2 * units + j] = dph[q];
        }
      }
      // dh_m from the recurrent matmul(s), then through the mask into dh_{t−1}, plus the direct z path.
      k.matmul(drt, Urec, dhm, { batch: 1, m: batch, n: units, k: recCols, transA: false, transB: true, batchB: false });
      for (let q = 0; q < n; q++) {
        const s = t * n + q;
        const viaReset = after ? 0 : dq[q] * rs[s];
        dhNext[q] = dh[q] * zs[s] + (dhm[q] + viaReset) * (md ? md[q] : 1);
      }
      if (dhPass) addHeldRows(dhPass, dhNext);
    }
    // Bias: the input row (and the recurrent row, reset_after) sum their pre-activation gradients.
    for (let r = 0; r < batch * time; r++) for (let j = 0; j < u3; j++) dbd[j] += dXWd[r * u3 + j];
    if (after) for (let r = 0; r < batch * time; r++) for (let j = 0; j < u3; j++) dbd[u3 + j] += dRec[r * u3 + j];
    let dU: Tensor | null = null;
    if (U.requiresGrad) {
      dU = new Tensor(allocate(dtype, U.size), U.shape);
      const dUrec = allocate(dtype, units * recCols);
      k.matmul(hIn, dRec, dUrec, { batch: 1, m: units, n: recCols, k: time * batch, transA: true, transB: false, batchB: false });
      for (let i = 0; i < units; i++) dU.data.set(dUrec.subarray(i * recCols, (i + 1) * recCols), i * u3);
      if (qs) {
        const dUh = allocate(dtype, units * units);
        k.matmul(qs, dPreH, dUh, { batch: 1, m: units, n: units, k: time * batch, transA: true, transB: false, batchB: false });
        for (let i = 0; i < units; i++) dU.data.set(dUh.subarray(i * units, (i + 1) * units), i * u3 + 2 * units);
      }
    }
    return [dXW, dU, db, h0.requiresGrad ? new Tensor(dhNext.slice(), h0.shape) : null];
  });
}
