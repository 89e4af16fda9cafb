/**
 * The fused LSTM: a whole sequence of LSTM steps as ONE tape entry, forward and backward
 * (backpropagation through time) written out by hand around the fused gate kernel.
 * It computes exactly what the composed cell in lstm.ts computes, step by step:
 *
 *   z_t = xW_t + b + (h_{t−1} ⊙ m)·U     xW = x·W comes in precomputed for all steps (one matmul)
 *   i, f, g, o, c_t, h_t = lstmGates(z_t, c_{t−1})       (one kernel, gate order i, f, c, o)
 *
 * with m the (optional) variational recurrent dropout mask. Backward, from t = T−1 down to 0:
 *
 *   dh_t  = dH_t + dz_{t+1}·Uᵀ ⊙ m        (what the output and the next step send back)
 *   dz_t, dc_{t−1} = lstmGatesBackward(dh_t, dc_t)
 *   dU    = Σ_t (h_{t−1} ⊙ m)ᵀ·dz_t       (one matmul over all steps at the end,
 *   db    = Σ_t Σ_batch dz_t                  the same one: a column of ones beside h gives db)
 *
 * Options: TF.js's hard sigmoid; peepholes (peephole-fused.ts: the same kernel with the peephole
 * terms added around it); a Keras padding mask (padding.ts: padded steps carry h and c through).
 *
 * Per step there is one matmul and one gate kernel each way, and no tensors or tape entries —
 * which is what makes a 50-step, 2-layer LSTM fast (TF.js records ~15 000 kernels for it).
 * A test (spec/cells/fused.test.ts) proves values and gradients equal to the composed cell.
 */
import { Tensor, allocate, Storage } from '../engine/tensor';
import { record, isGradEnabled, retainingGraph } from '../engine/tape';
import { OpError, fmt } from '../engine/shape';
import { getKernels } from '../kernels/registry';
import type { LstmGateBuffers } from '../kernels/kernel';
import { carryPaddedRows, holdPaddedRows, addHeldRows } from './padding';
import { expectShape, expectOneDtype, checkSequenceOptions } from './sequence-checks';
import { Peepholes, peepholeIntoInputForget, peepholeOutput, peepholeOutputBackward, peepholeInputForgetBackward } from './peephole-fused';
import { timeToBatchMajor, gradientAtStep, writeStep, previousWithOnes } from './sequence-ops';

export interface LstmSequenceOptions {
  /** TF.js's hard sigmoid as the recurrent activation instead of the logistic sigmoid. */
  readonly hard?: boolean;
  /** Variational recurrent dropout mask [batch, units] on h_{t−1} (training only). */
  readonly recurrentMask?: Tensor | null;
  /**
   * Padding mask [batch, time] of 1 (real step) / 0 (padding), Keras semantics: a padded step
   * carries h and c through unchanged, so its output is the previous output (zeros before the
   * first real step — valid because the caller only passes a mask with zero initial states).
   */
  readonly padding?: Tensor | null;
  /** Peephole weights [p_i, p_f, p_o], each [units] (the peephole LSTM; see peephole-fused.ts). */
  readonly peepholes?: readonly [Tensor, Tensor, Tensor] | null;
}

export interface LstmSequenceResult {
  /** Every step's output h_t, [batch, time, units]. */
  readonly h: Tensor;
  /** The last cell state c_T, [batch, units]. */
  readonly c: Tensor;
}

/** The peephole weights in the order the option takes them. */
const PEEPHOLE_NAMES = ['p_i', 'p_f', 'p_o'] as const;

/**
 * Per-step views into one buffer of [time, batch, units] per saved quantity; a buffer of one
 * step (n values: scratch, when no backward will read it) is that step's view itself.
 */
function gateViews(buffers: Record<keyof LstmGateBuffers, Storage>, t: number, n: number): LstmGateBuffers {
  const at = (s: Storage) => (s.length > n ? s.subarray(t * n, (t + 1) * n) : s);
  return { i: at(buffers.i), f: at(buffers.f), g: at(buffers.g), o: at(buffers.o), c: at(buffers.c), tanhC: at(buffers.tanhC), h: at(buffers.h) };
}

/**
 * lstmSequence(xW, U, b, h0, c0): run the LSTM over all steps of xW = x·W [batch, time, 4u];
 * returns every h_t ([batch, time, u]) and the last c ([batch, u]); gradients flow to xW, U, b, h0, c0.
 */
export function lstmSequence(xW: Tensor, U: Tensor, b: Tensor, h0: Tensor, c0: Tensor, options: LstmSequenceOptions = {}): LstmSequenceResult {
  const hard = options.hard ?? false;
  const mask = options.recurrentMask ?? null;
  const peep = options.peepholes ?? null;
  const padding = options.padding ?? null;
  if (xW.rank !== 3 || U.rank !== 2) throw new OpError('lstmSequence', `expected xW [batch, time, 4u] and U [u, 4u], got ${fmt(xW.shape)} and ${fmt(U.shape)}`);
  const [batch, time, u4] = xW.shape;
  const units = U.shape[0];
  if (u4 !== 4 * units || U.shape[1] !== u4 || b.size !== u4 || b.rank !== 1) {
    throw new OpError('lstmSequence', `xW ${fmt(xW.shape)}, U ${fmt(U.shape)} and b ${fmt(b.shape)} disagree on 4·units`);
  }
  expectShape('lstmSequence', 'h0', h0, [batch, units]);
  expectShape('lstmSequence', 'c0', c0, [batch, units]);
  checkSequenceOptions('lstmSequence', xW, { batch, time, units }, mask, padding);
  if (peep) PEEPHOLE_NAMES.forEach((name, q) => expectShape('lstmSequence', `peephole ${name}`, peep[q], [units]));
  expectOneDtype('lstmSequence', [['xW', xW], ['U', U], ['b', b], ['h0', h0], ['c0', c0], ['recurrentMask', mask],
    ...PEEPHOLE_NAMES.map((name, q) => [`peephole ${name}`, peep ? peep[q] : null] as const)]);
  const p: Peepholes | null = peep && { i: peep[0].data, f: peep[1].data, o: peep[2].data };
  const dtype = xW.dtype;
  const k = getKernels();
  const n = batch * units;
  // What the backward reads is kept for every step only when there will be a backward: without
  // one (inference, noGrad) the gate planes and h_{t−1} ⊙ m are one step's scratch, and only
  // c_t and h_t are kept (the outputs are made from them).
  const backwardComes = isGradEnabled() && [xW, U, b, h0, c0, ...(peep ?? [])].some((x) => x.requiresGrad);
  const steps = backwardComes ? time : 1;
  const saved = {
    i: allocate(dtype, steps * n), f: allocate(dtype, steps * n), g: allocate(dtype, steps * n), o: allocate(dtype, steps * n),
    c: allocate(dtype, time * n), tanhC: allocate(dtype, steps * n), h: allocate(dtype, time * n),
  };
  // Pre-activations z_t. The backward reads them only for the hard sigmoid's derivative and the
  // peepholes: only then are all steps kept ([time, batch, 4u]); otherwise one step's buffer is reused.
  const keepZ = backwardComes && (hard || p !== null);
  const z = allocate(dtype, (keepZ ? time : 1) * batch * u4);
  const zAt = (t: number): Storage => (keepZ ? z.subarray(t * batch * u4, (t + 1) * batch * u4) : z);
  const hIn = allocate(dtype, steps * n); // h_{t−1} ⊙ m, the matmul's left operand at each step
  const xd = xW.data;
  const bd = b.data;
  const md = mask ? mask.data : null;
  // The plain LSTM may run as one call where the kernels have it (the wasm kernel runs every
  // step inside its own memory: kernels/wasm/lstm-sequence.ts) — the same values as the loop below.
  const H = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]); // the output, batch-major
  const whole = !hard && !md && !p && !padding && k.lstmSequence !== undefined &&
    k.lstmSequence(xd, U.data, bd, h0.data, c0.data, batch, time, units, saved, H.data);
  if (whole && backwardComes) {
    hIn.set(h0.data.subarray(0, n));
    hIn.set(saved.h.subarray(0, (time - 1) * n), n);
  }
  const recurrent = whole ? null : k.matmulFixedRight(U.data, units, u4, false); // U is packed once for all steps
  for (let t = 0; recurrent && t < time; t++) {
    const hPrev = t === 0 ? h0.data : saved.h.subarray((t - 1) * n, t * n);
    const cPrev = t === 0 ? c0.data : saved.c.subarray((t - 1) * n, t * n);
    const hm = backwardComes ? hIn.subarray(t * n, (t + 1) * n) : hIn;
    if (md) for (let q = 0; q < n; q++) hm[q] = hPrev[q] * md[q];
    else hm.set(hPrev);
    const zt = zAt(t);
    // z_t = x_t·W + b + h_{t−1}·U: the product starts from row r of x_t·W, at (r·time + t)·4u.
    recurrent.run(hm, batch, zt, { data: xd, at: t * u4, stride: time * u4, bias: bd });
    if (p) peepholeIntoInputForget(zt, cPrev, p, batch, units);
    const views = gateViews(saved, t, n);
    k.lstmGates(zt, cPrev, batch, units, hard, views);
    if (p) peepholeOutput(zt, views, p, batch, units, hard);
    if (padding) {
      carryPaddedRows(padding, t, time, batch, units, hPrev, views.h);
      carryPaddedRows(padding, t, time, batch, units, cPrev, views.c);
    }
  }
  // Outputs: H batch-major [batch, time, u] (the whole-sequence kernel wrote it); c_T.
  if (!whole) timeToBatchMajor(saved.h, H.data, time, batch, units);
  const cT = new Tensor(saved.c.slice((time - 1) * n, time * n), [batch, units]);

  // The gradient arriving at c_T is collected by the side entry below, which the tape visits
  // before the main entry (c_T is computed from H), then used when BPTT starts.
  let dcLast: Storage | null = null;

  const backward = (dH: Tensor): (Tensor | null)[] => {
    const dXW = new Tensor(allocate(dtype, xW.size), xW.shape);
    const db = new Tensor(allocate(dtype, u4), b.shape);
    const dzt = allocate(dtype, batch * u4); // dz_t; its rows go to dXW (batch-major)
    const dh = allocate(dtype, n);
    const dhNext = allocate(dtype, n); // dz_{t+1}·Uᵀ ⊙ m
    const dc = allocate(dtype, n);
    if (dcLast) dc.set(dcLast);
    dcLast = null; // consumed: a later backward through a retained graph starts afresh
    const dcPrev = allocate(dtype, n);
    const dcAtC = p ? allocate(dtype, n) : dc; // dc_t plus the output peephole's path, when there is one
    const dPeep = p ? [allocate(dtype, units), allocate(dtype, units), allocate(dtype, units)] : null;
    const recurrentBack = k.matmulFixedRight(U.data, u4, units, true); // Uᵀ, packed once for all steps
    const dhPass = padding ? allocate(dtype, n) : null; // gradients a padded step passes straight through
    const dcPass = padding ? allocate(dtype, n) : null;
    const [dHd, dXWd, dbd] = [dH.data, dXW.data, db.data];
    // Where the forward ran as one call, so may the backward (the same values as the loop below).
    const wholeBack = whole && k.lstmSequenceBackward !== undefined &&
      k.lstmSequenceBackward(U.data, c0.data, saved, dHd, batch, time, units, dXWd, dhNext, dc, undefined, retainingGraph());
    for (let t = time - 1; !wholeBack && t >= 0; t--) {
      gradientAtStep(dHd, dhNext, t, time, batch, units, dh);
      const cPrev = t === 0 ? c0.data : saved.c.subarray((t - 1) * n, t * n);
      const zt = zAt(t);
      const views = gateViews(saved, t, n);
      if (padding && dhPass && dcPass) {
        holdPaddedRows(padding, t, time, batch, units, dh, dhPass);
        holdPaddedRows(padding, t, time, batch, units, dc, dcPass);
      }
      if (p && dPeep) peepholeOutputBackward(zt, views, p, dh, dc, batch, units, hard, dcAtC, dPeep[2]);
      k.lstmGatesBackward(zt, cPrev, views, dh, dcAtC, batch, units, hard, dzt, dcPrev);
      if (p && dPeep) peepholeInputForgetBackward(dzt, cPrev, p, batch, units, dcPrev, dPeep[0], dPeep[1]);
      if (dcPass) addHeldRows(dcPass, dcPrev);
      dc.set(dcPrev);
      recurrentBack.run(dzt, batch, dhNext, null); // dz_t·Uᵀ
      if (md) for (let q = 0; q < n; q++) dhNext[q] *= md[q];
      if (dhPass) addHeldRows(dhPass, dhNext);
      writeStep(dzt, dXWd, t, time, batch, u4);
    }
    // dU = Σ_t (h_{t−1} ⊙ m)ᵀ·dz_t and db = Σ_t Σ_batch dz_t as ONE matmul over all time·batch rows
    // (the way cuDNN and PyTorch do it): a column of ones beside h_{t−1} ⊙ m makes its last row db.
    //   [dU; db] = [h_{t−1} ⊙ m | 1]ᵀ · dz        rows in dXW's (batch, time) order
    let dU: Tensor | null = null;
    if (U.requiresGrad) {
      const hOne = previousWithOnes(hIn.subarray(0, n), hIn.subarray(n), batch, time, units);
      const dUb = allocate(dtype, (units + 1) * u4);
      k.matmul(hOne, dXWd, dUb, { batch: 1, m: units + 1, n: u4, k: batch * time, transA: true, transB: false, batchB: false });
      dU = new Tensor(dUb.subarray(0, units * u4), U.shape);
      dbd.set(dUb.subarray(units * u4));
    } else {
      for (let row = 0; row < batch * time; row++) for (let j = 0; j < u4; j++) dbd[j] += dXWd[row * u4 + j];
    }
    const peepGrads = peep && dPeep ? dPeep.map((d, q) => new Tensor(d, peep[q].shape)) : [];
    return [dXW, dU, db, h0.requiresGrad ? new Tensor(dhNext.slice(), h0.shape) : null, c0.requiresGrad ? new Tensor(dc.slice(), c0.shape) : null, ...peepGrads];
  };
  const h = record(peep ? 'peepholeLstmSequence' : 'lstmSequence', [xW, U, b, h0, c0, ...(peep ?? [])], H, backward);
  if (!h.requiresGrad) return { h, c: cT };
  // Side output: c_T depends on H on the tape, so its (trivial) rule runs first and hands dc_T over.
  const c = record('lstmSequence.c', [h], cT, (dc) => {
    dcLast = dc.data;
    return [new Tensor(allocate(dtype, H.size), H.shape)];
  });
  return { h, c };
}

