/**
 * The forward of a whole simple-RNN sequence with tanh (float32) inside the matmul module's
 * memory, as ./lstm-sequence.ts does for the LSTM: each step is one job of init, product and
 * tanh (./rnn-step-module.ts) on ranges of columns, shared with the helper thread when the
 * product is large; h_t goes straight into the next step's packed operand. Stepping
 * (cells/simple-rnn-fused.ts) copied h in and packed it, copied x_t·W + b in and a_t out, and
 * ran the tanh kernel on its own copies, per step: at W3's size (32 × 20 units) those calls are
 * most of a step. Same bits as stepping (spec/perf/rnn-sequence.test.ts).
 *
 * Memory: U, x·W, b, the packed h operand twice and C as ./sequence-memory.ts lays them out,
 * then the planes a and h ([time, batch, units] each).
 */
import { MR, NR } from './gemm-module';
import { getInstance, getHelper, roundUp, KC, MC, CHUNKS, THREAD_MIN_MULTIPLY_ADDS } from './matmul';
import { startSequence, planeToBatchMajor } from './sequence-memory';
import type { InputProduct } from '../kernel';
import { runRnnChunk, type SharedJob } from './jobs';

type Job = { -readonly [K in keyof SharedJob]: SharedJob[K] };

/**
 * Run a_t = x_t·W + b + h_{t−1}·U, h_t = tanh(a_t) over all steps: xW [batch, time, u] (or x and
 * W, whose product is then formed in place: ./sequence-memory.ts), U [u, u],
 * b [u], h0 [batch, u]; writes `pre` (every a_t) and `hs` (every h_t), [time, batch, u] each, as
 * backpropagation reads them. Without `pre` (inference: nothing will read a_t) the steps write
 * their planes batch-major instead, and `hs` receives h as the layer outputs it, [batch, time, u],
 * in one copy. With `pre`, `hOut` (if given) also receives h batch-major. Units a multiple of 4.
 */
export function wasmRnnSequence(xW: Float32Array | InputProduct<Float32Array>, U: Float32Array, b: Float32Array, h0: Float32Array, batch: number, time: number,
  units: number, pre: Float32Array | null, hs: Float32Array, hOut: Float32Array | null = null): void {
  const inst = getInstance();
  const k = units;
  const nPad = roundUp(units, NR);
  const n = batch * units;
  const planeStride = time * n;
  const { mPad, xwAt, xwRow, biasAt, a0, a1, cAt, end } = startSequence(inst, U, k, units, nPad, xW, b, h0, batch, time, 2 * planeStride);
  const planesAt = end;
  const mem = inst.floats;

  const nPanels = nPad / NR;
  const helper = batch * units * k >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 2 ? getHelper(inst) : null;
  const job: Job = {
    k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt: a0, bpAt: 0, cAt, jFrom: 0, jTo: nPanels,
    chunk: Math.ceil(nPanels / CHUNKS), kind: 3, m: batch, xwAt, xwStride: time * xwRow, biasAt, cPrevAt: 0,
    planesAt, planeStride, hNextAt: a1, planeRowStride: pre ? units : time * units, dhAt: 0, dhStride: 0, dcAt: 0, tableAt: 0,
  };
  for (let t = 0; t < time; t++) {
    job.apAt = t % 2 ? a1 : a0;
    job.hNextAt = t % 2 ? a0 : a1;
    job.xwAt = xwAt + t * xwRow;
    job.planesAt = planesAt + (pre ? t * n : t * units); // step t's first row
    if (helper) helper.run(inst.kernels, job);
    else runRnnChunk(inst.kernels, job, 0, nPanels);
  }
  if (pre) pre.set(mem.subarray(planesAt, planesAt + planeStride));
  if (pre && hOut) planeToBatchMajor(inst, planesAt + planeStride, batch, time, units, planesAt + 2 * planeStride, hOut);
  hs.set(mem.subarray(planesAt + planeStride, planesAt + 2 * planeStride));
}
