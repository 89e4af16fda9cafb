/**
 * The forward of a whole LSTM sequence (logistic sigmoid, float32) inside the matmul module's
 * memory: every step is one job of init + product + gates (./lstm-step-module.ts), shared
 * with the helper thread in chunks of whole unit blocks when the product is large (./threads.ts).
 *
 * Step by step (cells/lstm-fused.ts with matmulFixedRight and lstmGates), each step copied h
 * into wasm memory and packed it, copied x_t·W + b in, copied z out, copied z and c in again
 * for the gates and seven planes out — all on the calling thread, while the helper waited.
 * Here x·W, b, h_0 and c_0 go in once, the steps write their planes and the next step's packed
 * operand where they are read, and the planes come out once at the end. The values are the
 * same bits as the step-by-step path (spec/perf/lstm-sequence.test.ts).
 *
 * Memory: U in blocked order, x·W, b, the packed h operand twice and C as ./sequence-memory.ts
 * lays them out, then c_0 and seven planes [time, batch, units] (i, f, g, o, c, tanhC, h).
 */
import { MR, NR } from './gemm-module';
import { BLOCK_COLUMNS, BLOCK_UNITS } from './lstm-step-module';
import { getInstance, getHelper, roundUp, copyIn, KC, MC, CHUNKS, THREAD_MIN_MULTIPLY_ADDS } from './matmul';
import { startSequence, planeToBatchMajor } from './sequence-memory';
import { keepResident } from './resident';
import type { InputProduct } from '../kernel';
import { runLstmChunk, type SharedJob } from './jobs';

/** The seven per-step planes in kernel order; each [time · batch · units], or shorter when not wanted. */
export interface LstmPlanes {
  readonly i: Float32Array;
  readonly f: Float32Array;
  readonly g: Float32Array;
  readonly o: Float32Array;
  readonly c: Float32Array;
  readonly tanhC: Float32Array;
  readonly h: Float32Array;
}

/** Whether this path takes an LSTM of `units` units (blocks of four units: units a multiple of 4). */
export function lstmSequenceFits(units: number): boolean {
  return units > 0 && units % BLOCK_UNITS === 0;
}

/** U [units, 4u] (gate blocks i, f, c, o of u columns) reordered into blocks of four units. */
function blockedColumns(u: Float32Array, units: number): Float32Array {
  const n = 4 * units;
  const out = new Float32Array(units * n);
  for (let p = 0; p < units; p++) {
    const row = p * n;
    for (let b = 0; b < units / BLOCK_UNITS; b++) {
      for (let q = 0; q < 4; q++) {
        const from = row + q * units + BLOCK_UNITS * b;
        const to = row + BLOCK_COLUMNS * b + BLOCK_UNITS * q;
        for (let l = 0; l < BLOCK_UNITS; l++) out[to + l] = u[from + l];
      }
    }
  }
  return out;
}

/**
 * Run the LSTM over all steps: xW = x·W [batch, time, 4u] (or x and W, whose product is then
 * formed in place: ./sequence-memory.ts), U [u, 4u], b [4u], h0 and c0 [batch, u]. `hOut`, if
 * given, receives every h_t batch-major, [batch, time, u] (the layer's output). Writes each plane
 * of `out` that is time · batch · units long whole, and a plane one step long (batch · units:
 * what a caller passes when no backward will read the steps) the last step's values.
 */
export function wasmLstmSequence(xW: Float32Array | InputProduct<Float32Array>, U: Float32Array, b: Float32Array, h0: Float32Array, c0: Float32Array,
  batch: number, time: number, units: number, out: LstmPlanes, hOut: Float32Array | null = null): void {
  const inst = getInstance();
  const k = units;
  const u4 = 4 * units;
  const nPad = u4; // a multiple of 16 columns, so of NR
  const n = batch * units;
  const planeStride = time * n;
  // U in blocked order; c_0 and the seven planes after C.
  const { mPad, xwAt, xwRow, biasAt, a0, a1, cAt, end } = startSequence(inst, blockedColumns(U, units), k, u4, nPad, xW, b, h0, batch,
    time, roundUp(n, 4) + 7 * planeStride);
  const c0At = end;
  const planesAt = c0At + roundUp(n, 4);
  const mem = inst.floats;
  copyIn(c0, 0, n, mem, c0At);

  const nPanels = nPad / NR;
  const helper = batch * u4 * k >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 4 ? getHelper(inst) : null;
  const blocks = units / BLOCK_UNITS;
  const chunk = (BLOCK_COLUMNS / NR) * Math.ceil(blocks / CHUNKS); // whole blocks per chunk
  // One job object for every step (only the step's addresses change): no allocation per step.
  const job: { -readonly [K in keyof SharedJob]: SharedJob[K] } = {
    k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt: a0, bpAt: 0, cAt, jFrom: 0, jTo: nPanels, chunk, kind: 1,
    m: batch, xwAt, xwStride: time * xwRow, biasAt, cPrevAt: c0At, planesAt, planeStride, hNextAt: a1,
    planeRowStride: 0, dhAt: 0, dhStride: 0, dcAt: 0, tableAt: 0, // (the backward's)
  };
  for (let t = 0; t < time; t++) {
    job.apAt = t % 2 ? a1 : a0;
    job.hNextAt = t % 2 ? a0 : a1;
    job.xwAt = xwAt + t * xwRow;
    job.cPrevAt = t === 0 ? c0At : planesAt + 4 * planeStride + (t - 1) * n;
    job.planesAt = planesAt + t * n;
    if (helper) helper.run(inst.kernels, job);
    else runLstmChunk(inst.kernels, job, 0, nPanels);
  }
  // Whole gate planes are for a backward: they stay here until it comes (./resident.ts) and are
  // copied out only if something needs the memory first. c and h come out now (outputs, and h
  // for dU); a plane one step long gets the last step (c_T, h_T).
  const planes = [out.i, out.f, out.g, out.o, out.c, out.tanhC, out.h];
  const gates = [0, 1, 2, 3, 5];
  const keep = gates.every((q) => planes[q].length >= planeStride);
  const copyPlane = (q: number): void => {
    const p = planes[q];
    const at = planesAt + q * planeStride;
    if (p.length >= planeStride) p.set(inst.floats.subarray(at, at + planeStride));
    else if (p.length >= n) p.set(inst.floats.subarray(at + (time - 1) * n, at + time * n));
  };
  planes.forEach((_, q) => { if (!keep || !gates.includes(q)) copyPlane(q); });
  if (hOut) planeToBatchMajor(inst, planesAt + 6 * planeStride, batch, time, units, planesAt + 7 * planeStride, hOut);
  if (keep) keepResident(inst, { owner: out, at: planesAt, end: planesAt + 7 * planeStride, spill: () => gates.forEach(copyPlane) });
}
