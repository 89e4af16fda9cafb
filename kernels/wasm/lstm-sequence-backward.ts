/**
 * Backpropagation through time for the LSTM of ./lstm-sequence.ts, inside the matmul module's
 * memory: per step, from t = T−1 down to 0,
 *
 *   phase 1 (blocks of four units):  dh = dH[:, t] + dhNext;  dz_t, dc ← gate derivatives
 *                                    (dz to dXW, and into the packed operand of phase 2)
 *   phase 2 (columns of dhNext):     dhNext = dz_t·Uᵀ
 *
 * each shared with the helper thread when the product is large (./threads.ts, kinds 2 and 0).
 * Phase 2 needs every unit's dz, so the two are separate jobs: the end of a job is the barrier.
 * The step-by-step path (cells/lstm-fused.ts) did the same work on the calling thread with a
 * JavaScript loop for dh, copies of eight planes into the gate kernel's memory and of dz into
 * the matmul's, and dz·Uᵀ packed per step. The sums run in the same order (dz is packed in
 * Keras gate order, Uᵀ as it is), so the gradients are the same bits
 * (spec/perf/lstm-sequence.test.ts).
 *
 * Memory (float offsets, after Uᵀ packed at 0): the planes i, f, g, o, c, tanhC of the forward
 * ([time, batch, units] each), c_0, dH [batch, time, units], dXW [batch, time, 4u], dz packed,
 * dhNext (the product's C), the carried dc, and the address table of phase 1.
 */
import { packPanels, leftSource, rightSource } from './pack';
import { MR, NR } from './gemm-module';
import { BLOCK_UNITS } from './lstm-step-module';
import { getInstance, getHelper, reserve, roundUp, copyIn, copyOut, runProduct, KC, MC, CHUNKS, THREAD_MIN_MULTIPLY_ADDS, type Instance } from './matmul';
import { runBlocks, runLstmBackChunk, type SharedJob } from './jobs';
import type { LstmPlanes } from './lstm-sequence';
import type { LstmWeightGradients } from '../kernel';
import { residentFor, evictResident, dropResident } from './resident';

type Job = { -readonly [K in keyof SharedJob]: SharedJob[K] };

/**
 * The LSTM's backward over all steps: from U [u, 4u], c_0, the forward's planes (full length),
 * dH [batch, time, u] and dc (the gradient at c_T in, at c_0 out), to dXW [batch, time, 4u] and
 * dh0 (the gradient at h_0). Units a multiple of 4 (./lstm-sequence.ts lstmSequenceFits).
 */
export function wasmLstmSequenceBackward(U: Float32Array, c0: Float32Array, saved: LstmPlanes, dH: Float32Array,
  batch: number, time: number, units: number, dXW: Float32Array | null, dh0: Float32Array, dc: Float32Array,
  weights: LstmWeightGradients<Float32Array> | null = null, keepPlanes = false): void {
  const inst = getInstance();
  const K = 4 * units; // the product's depth: dz has 4u columns
  const n = batch * units;
  const nPad = roundUp(units, NR);
  const mPad = roundUp(batch, MR);
  const packedFloats = roundUp(K * nPad, 4);
  const planeStride = time * n;
  // The forward's planes: where it left them (./resident.ts), or copied in after Uᵀ.
  const resident = residentFor(inst, saved);
  if (!resident) evictResident(inst); // this layout starts at 0
  const uAt = resident ? resident.end : 0; // Uᵀ, packed
  const planesAt = resident ? resident.at : uAt + packedFloats;
  const c0At = resident ? uAt + packedFloats : planesAt + 6 * planeStride;
  const rawU = c0At; // U as it comes, packed into uAt before c0 and the rest are written over it
  const dHAt = c0At + roundUp(n, 4);
  const dxwAt = dHAt + roundUp(batch * time * units, 4);
  const aAt = dxwAt + roundUp(batch * time * K, 4);
  const cAt = aAt + K * mPad;
  const dcAt = cAt + mPad * nPad;
  const blocks = units / BLOCK_UNITS;
  const tableAt = dcAt + roundUp(n, 4);
  const scratchAt = roundUp(tableAt + 8 * blocks, 4);
  inst.pinnedOwner = null;
  inst.pinnedFloats = uAt + packedFloats;
  reserve(inst, Math.max(scratchAt + (weights ? weightScratch(batch * time, units, weights.features) : 0), rawU + units * K));
  const mem = inst.floats;
  // Uᵀ: B[p][j] = U[j][p], packed at uAt from a raw copy of U.
  copyIn(U, 0, units * K, mem, rawU);
  packPanels(inst.packB, mem, rightSource(rawU, units, K, true), KC, uAt);
  if (!resident) [saved.i, saved.f, saved.g, saved.o, saved.c, saved.tanhC].forEach((p, q) => copyIn(p, 0, planeStride, mem, planesAt + q * planeStride));
  copyIn(c0, 0, n, mem, c0At);
  copyIn(dH, 0, batch * time * units, mem, dHAt);
  mem.fill(0, aAt, dcAt); // dz's padding rows, and dhNext = 0 before the last step
  copyIn(dc, 0, n, mem, dcAt);
  // Phase 1's table: where gate q of block b's four units sit in the packed dz (k = q·u + 4b, Keras order).
  const table = new Int32Array(mem.buffer, 4 * tableAt, 8 * blocks);
  for (let b = 0; b < blocks; b++) {
    for (let q = 0; q < 4; q++) {
      const k0 = q * units + BLOCK_UNITS * b;
      const pc = Math.floor(k0 / KC) * KC;
      table[8 * b + 2 * q] = 4 * (aAt + pc * mPad + (k0 - pc) * MR);
      table[8 * b + 2 * q + 1] = 16 * Math.min(KC, K - pc);
    }
  }

  const nPanels = nPad / NR;
  const helper = batch * units * K >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 2 ? getHelper(inst) : null;
  const none = { biasAt: 0, xwAt: 0, xwStride: 0, cPrevAt: 0, planesAt: 0, planeStride: 0, hNextAt: 0, planeRowStride: 0, dhAt: 0, dhStride: 0, dcAt: 0, tableAt: 0 };
  const gates: Job = {
    ...none, k: units, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt: 0, bpAt: 0, cAt: 0, jFrom: 0, jTo: blocks,
    chunk: Math.ceil(blocks / CHUNKS), kind: 2, m: batch, planeStride, hNextAt: cAt, dhStride: time * units, dcAt,
    xwStride: time * K, tableAt,
  };
  const product: Job = {
    ...none, k: K, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt: aAt, bpAt: uAt, cAt, jFrom: 0, jTo: nPanels,
    chunk: Math.ceil(nPanels / CHUNKS), kind: 0, m: 0,
  };
  for (let t = time - 1; t >= 0; t--) {
    gates.planesAt = planesAt + t * n;
    gates.cPrevAt = t === 0 ? c0At : planesAt + 4 * planeStride + (t - 1) * n;
    gates.dhAt = dHAt + t * units;
    gates.xwAt = dxwAt + t * K;
    if (helper) helper.run(inst.kernels, gates);
    else runLstmBackChunk(inst.kernels, gates, 0, blocks);
    mem.fill(0, cAt, cAt + mPad * nPad);
    if (helper) helper.run(inst.kernels, product);
    else runBlocks(inst.gebp, product, 0, nPanels);
  }
  if (dXW) dXW.set(mem.subarray(dxwAt, dxwAt + batch * time * K));
  if (weights) weightGradients(inst, dxwAt, batch * time, units, weights, scratchAt);
  for (let r = 0; r < batch; r++) dh0.set(mem.subarray(cAt + r * nPad, cAt + r * nPad + units), r * units);
  dc.set(mem.subarray(dcAt, dcAt + n));
  // Read for the last time, unless the caller keeps the graph for another backward.
  if (resident && !keepPlanes) dropResident(inst, saved);
}

/**
 * Floats of scratch weightGradients needs after the backward's own regions: dXW packed as a
 * right operand (shared by dU and dW) and as a left one (dx), the three other operands raw and
 * packed, and the three products' C.
 */
function weightScratch(rows: number, units: number, features: number): number {
  const K = 4 * units;
  const [mU, mF, mRows, nF] = [roundUp(units + 1, MR), roundUp(features, MR), roundUp(rows, MR), roundUp(features, NR)];
  const regions = [rows * K, rows * (units + 1), rows * mU, mU * K, rows * features, rows * mF, mF * K,
    K * mRows, features * K, K * nF, mRows * nF];
  return regions.reduce((sum, r) => sum + roundUp(r, 4), 0);
}

/**
 * The weight gradients from dXW where the backward left it (dxwAt, [rows, 4u]), without taking
 * it out of wasm memory: [dU; db] = hOneᵀ·dXW, dW = xᵀ·dXW and dx = dXW·Wᵀ, each packed and
 * run as ./matmul.ts runs the matmul the layer's backward would call (leftSource/rightSource,
 * the same k-blocks), so the values are the same bits. dXW is packed once as the right operand
 * of the first two. Scratch from `at` (weightScratch floats).
 */
function weightGradients(inst: Instance, dxwAt: number, rows: number, units: number, w: LstmWeightGradients<Float32Array>, at: number): void {
  const K = 4 * units;
  const f = w.features;
  let next = at;
  const region = (floats: number): number => {
    const start = next;
    next += roundUp(floats, 4);
    return start;
  };
  const mem = inst.floats;
  const dzRight = region(rows * K);
  packPanels(inst.packB, mem, rightSource(dxwAt, K, rows, false), KC, dzRight);
  /** C = op(A)·B̃ for a raw A copied in at its own region, then out to `out`. */
  const product = (a: Float32Array, m: number, k: number, n: number, transA: boolean, bPacked: number, out: Float32Array): void => {
    const raw = region(m * k);
    const packed = region(k * roundUp(m, MR));
    const c = region(roundUp(m, MR) * roundUp(n, NR));
    copyIn(a, 0, m * k, mem, raw);
    packPanels(inst.packA, mem, leftSource(raw, m, k, transA), KC, packed);
    mem.fill(0, c, c + roundUp(m, MR) * roundUp(n, NR));
    runProduct(inst, m, n, k, packed, bPacked, c);
    copyOut(inst, c, m, n, out, 0);
  };
  product(w.hOne, units + 1, rows, K, true, dzRight, w.dUb); // [dU; db] = hOneᵀ·dXW
  if (w.dW) product(w.x, f, rows, K, true, dzRight, w.dW); // dW = xᵀ·dXW
  if (w.dx) {
    // dx = dXW·Wᵀ: dXW is the left operand now, W the right one, transposed.
    const dzLeft = region(K * roundUp(rows, MR));
    packPanels(inst.packA, mem, leftSource(dxwAt, rows, K, false), KC, dzLeft);
    const wRaw = region(f * K);
    const wPacked = region(K * roundUp(f, NR));
    const c = region(roundUp(rows, MR) * roundUp(f, NR));
    copyIn(w.W, 0, f * K, mem, wRaw);
    packPanels(inst.packB, mem, rightSource(wRaw, f, K, true), KC, wPacked);
    mem.fill(0, c, c + roundUp(rows, MR) * roundUp(f, NR));
    runProduct(inst, rows, f, K, dzLeft, wPacked, c);
    copyOut(inst, c, rows, f, w.dx, 0);
  }
}

