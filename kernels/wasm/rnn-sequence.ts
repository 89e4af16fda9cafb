/**
 * The forward of a whole simple-RNN sequence with tanh (float32) inside the matmul module's
 * memory, as ./lstm-sequence.ts does for the LSTM: each step is one job of init, product and
 * tanh (./rnn-step-module.ts) on ranges of columns, shared with the helper thread when the
 * product is large; h_t goes straight into the next step's packed operand. Stepping
 * (cells/simple-rnn-fused.ts) copied h in and packed it, copied x_t·W + b in and a_t out, and
 * ran the tanh kernel on its own copies, per step: at W3's size (32 × 20 units) those calls are
 * most of a step. Same bits as stepping (spec/perf/rnn-sequence.test.ts).
 *
 * Memory (float offsets, after U packed at 0): x·W [batch, time, u] as it comes, b, the packed
 * h operand twice (steps alternate), C, then the planes a and h ([time, batch, units] each).
 */
import { packPanels } from './pack';
import { MR, NR } from './gemm-module';
import { getInstance, getHelper, reserve, roundUp, copyIn, KC, MC, CHUNKS, THREAD_MIN_MULTIPLY_ADDS } from './matmul';
import { runRnnChunk, type SharedJob } from './threads';

type Job = { -readonly [K in keyof SharedJob]: SharedJob[K] };

/**
 * Run a_t = x_t·W + b + h_{t−1}·U, h_t = tanh(a_t) over all steps: xW [batch, time, u], U [u, u],
 * b [u], h0 [batch, u]; writes `pre` (every a_t) and `hs` (every h_t), [time, batch, u] each.
 * Units a multiple of 4.
 */
export function wasmRnnSequence(xW: Float32Array, U: Float32Array, b: Float32Array, h0: Float32Array, batch: number, time: number,
  units: number, pre: Float32Array, hs: Float32Array): void {
  const inst = getInstance();
  const k = units;
  const nPad = roundUp(units, NR);
  const mPad = roundUp(batch, MR);
  const n = batch * units;
  const packedFloats = roundUp(k * nPad, 4);
  inst.pinnedOwner = null;
  inst.pinnedFloats = packedFloats;
  const xwAt = packedFloats;
  const biasAt = xwAt + roundUp(batch * time * units, 4);
  const a0 = biasAt + roundUp(units, 4);
  const a1 = a0 + k * mPad;
  const cAt = a1 + k * mPad;
  const planesAt = cAt + mPad * nPad;
  const planeStride = time * n;
  reserve(inst, Math.max(planesAt + 2 * planeStride, packedFloats + k * units));
  const mem = inst.floats;
  copyIn(U, 0, k * units, mem, packedFloats);
  packPanels(inst.packB, mem, { at: packedFloats, lanes: units, depth: k, laneStride: 1, stepStride: units }, KC, 0);
  copyIn(xW, 0, batch * time * units, mem, xwAt);
  copyIn(b, 0, units, mem, biasAt);
  copyIn(h0, 0, n, mem, cAt); // h_0 raw, packed into the first operand; C is free until step 0
  packPanels(inst.packA, mem, { at: cAt, lanes: batch, depth: k, laneStride: k, stepStride: 1 }, KC, a0);
  mem.fill(0, a1, a1 + k * mPad); // its padding rows stay zero: the steps write only real rows

  const nPanels = nPad / NR;
  const helper = batch * units * k >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 2 ? getHelper(inst) : null;
  const job: Job = {
    k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt: a0, bpAt: 0, cAt, jFrom: 0, jTo: nPanels,
    chunk: Math.ceil(nPanels / CHUNKS), kind: 3, m: batch, xwAt, xwStride: time * units, biasAt, cPrevAt: 0,
    planesAt, planeStride, hNextAt: a1, dhAt: 0, dhStride: 0, dcAt: 0, tableAt: 0,
  };
  for (let t = 0; t < time; t++) {
    job.apAt = t % 2 ? a1 : a0;
    job.hNextAt = t % 2 ? a0 : a1;
    job.xwAt = xwAt + t * units;
    job.planesAt = planesAt + t * n;
    if (helper) helper.run(inst.kernels, job);
    else runRnnChunk(inst.kernels, job, 0, nPanels);
  }
  pre.set(mem.subarray(planesAt, planesAt + planeStride));
  hs.set(mem.subarray(planesAt + planeStride, planesAt + 2 * planeStride));
}
