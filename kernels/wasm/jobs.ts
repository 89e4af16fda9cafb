/**
 * What a thread runs on a range of a job (./threads.ts shares jobs between the calling thread
 * and the helper): the job's fields, the module exports it calls, and one runner per job kind —
 * 0 a product's block loops, 1 an LSTM step, 2 an LSTM backward step's gates, 3 a simple-RNN
 * step — and runChunks, which claims a job's chunks. Each is self-contained but for the others
 * here: the worker runs a copy of their source text (./threads.ts WORKER_SOURCE), so they must
 * call one another by name within this module (an import compiles to `module.name`).
 */
import type { LstmInitFn, LstmGatesBlockedFn, LstmGatesBackBlockedFn } from './lstm-step-module';
import type { SeqInitFn, RnnTanhStepFn } from './rnn-step-module';

/** One thread's share of a product: its column panels [jFrom, jTo) over all blocks. */
export interface BlockJob {
  readonly k: number;
  readonly kc: number;
  readonly mc: number;
  readonly mr: number;
  readonly nr: number;
  readonly mPad: number;
  readonly nPad: number;
  readonly apAt: number;
  readonly bpAt: number;
  readonly cAt: number;
  readonly jFrom: number;
  readonly jTo: number;
}
/**
 * What an LSTM step adds to its product (kernels/wasm/lstm-sequence.ts; float offsets): the
 * real rows m, x_t·W's first row and row stride, the bias, c_{t−1}, step t's planes and the
 * packed operand that receives h_t.
 */
export interface LstmStepFields {
  readonly m: number;
  readonly xwAt: number;
  readonly xwStride: number;
  readonly biasAt: number;
  readonly cPrevAt: number;
  readonly planesAt: number;
  readonly planeStride: number;
  readonly hNextAt: number;
  /**
   * A simple-RNN step's (kind 3) row stride in its planes, in floats: k when the planes are
   * time-major [time, batch, units], time·k when batch-major [batch, time, units] (0 otherwise).
   */
  readonly planeRowStride: number;
}
/**
 * A product shared out in chunks: column panels [jFrom, jTo) in chunks of `chunk` panels.
 * kind 0: a plain product (the step fields are 0); kind 1: an LSTM step, whose chunks are whole
 * blocks. Flat, so that the caller can reuse one object for every step of a sequence.
 */
export interface SharedJob extends BlockJob, LstmStepFields, LstmBackFields {
  readonly chunk: number;
  /** 0 a product, 1 an LSTM step, 2 an LSTM backward step's gates, 3 a simple-RNN step. */
  readonly kind: 0 | 1 | 2 | 3;
}
/**
 * What one step of the LSTM's backward adds (kind 2; kernels/wasm/lstm-sequence-backward.ts),
 * beside m, k (units), planesAt, planeStride, cPrevAt, xwAt / xwStride (dXW at step t) and
 * hNextAt / nPad (dhNext): dH at step t and its row stride, the carried dc, and the table of
 * packed-operand addresses. Its chunks are blocks of four units ([jFrom, jTo) counts blocks).
 */
export interface LstmBackFields {
  readonly dhAt: number;
  readonly dhStride: number;
  readonly dcAt: number;
  readonly tableAt: number;
}
/** The module's exports a thread runs (./gemm-module.ts, ./lstm-step-module.ts). */
export interface KernelExports {
  readonly gebp: Gebp;
  readonly lstm_init: LstmInitFn;
  readonly lstm_gates_blocked: LstmGatesBlockedFn;
  readonly lstm_gates_back_blocked: LstmGatesBackBlockedFn;
  readonly seq_init: SeqInitFn;
  readonly rnn_tanh_step: RnnTanhStepFn;
}

type Gebp = (kc: number, mPanels: number, nPanels: number, ap: number, bp: number, c: number, ldc: number) => void;

/**
 * The block loops of GotoBLAS over column panels [jFrom, jTo) (offsets in floats, see
 * kernels/wasm/matmul.ts for the layout). Self-contained — no outside names — because the
 * worker runs a copy of its source text.
 */
export function runBlocks(gebp: Gebp, j: BlockJob, jFrom: number, jTo: number): void {
  const panels = jTo - jFrom;
  if (panels <= 0) return;
  for (let pc = 0; pc < j.k; pc += j.kc) {
    const kcLen = Math.min(j.kc, j.k - pc);
    for (let ic = 0; ic < j.mPad; ic += j.mc) {
      const mcLen = Math.min(j.mc, j.mPad - ic);
      gebp(kcLen, mcLen / j.mr, panels,
        4 * (j.apAt + pc * j.mPad + ic * kcLen),
        4 * (j.bpAt + pc * j.nPad + jFrom * kcLen * j.nr),
        4 * (j.cAt + ic * j.nPad + jFrom * j.nr),
        4 * j.nPad);
    }
  }
}


/**
 * One LSTM step on column panels [jFrom, jTo) (whole blocks of 16 columns = 2 panels): C starts
 * as x_t·W + b, the product adds h_{t−1}·U, and the gates of those units write step t's planes
 * and h_t into the next product's packed operand (./lstm-step-module.ts). The gates are called
 * per k-block of that operand. Self-contained but for runBlocks (the worker runs a copy).
 */
export function runLstmChunk(ex: KernelExports, j: BlockJob & LstmStepFields, jFrom: number, jTo: number): void {
  const b0 = jFrom >> 1;
  const blocks = (jTo - jFrom) >> 1;
  ex.lstm_init(4 * (j.cAt + b0 * 16), 4 * j.nPad, 4 * (j.xwAt + 4 * b0), 4 * j.xwStride, 4 * (j.biasAt + 4 * b0), 4 * j.k,
    j.m, j.mPad - j.m, blocks);
  runBlocks(ex.gebp, j, jFrom, jTo);
  const blocksPerK = j.kc >> 2;
  for (let b = b0; b < b0 + blocks;) {
    const pc = Math.floor(b / blocksPerK) * j.kc;
    const end = Math.min(b0 + blocks, (pc + j.kc) >> 2);
    const kcLen = Math.min(j.kc, j.k - pc);
    ex.lstm_gates_blocked(4 * (j.cAt + b * 16), 4 * j.nPad, 4 * (j.cPrevAt + 4 * b), 4 * (j.planesAt + 4 * b), 4 * j.planeStride,
      4 * j.k, j.m, end - b, 4 * (j.hNextAt + pc * j.mPad + (4 * b - pc) * 4), 16 * kcLen);
    b = end;
  }
}

/** One step of the LSTM's backward on blocks [from, to) of four units (./lstm-step-module.ts). Self-contained. */
export function runLstmBackChunk(ex: KernelExports, j: SharedJob, from: number, to: number): void {
  ex.lstm_gates_back_blocked(4 * (j.planesAt + 4 * from), 4 * j.planeStride, 4 * (j.cPrevAt + 4 * from), 4 * j.k, j.m, to - from,
    4 * (j.dhAt + 4 * from), 4 * j.dhStride, 4 * (j.hNextAt + 4 * from), 4 * j.nPad, 4 * (j.dcAt + 4 * from),
    4 * (j.xwAt + 4 * from), 4 * j.xwStride, 4 * j.tableAt + 32 * from);
}

/**
 * One simple-RNN step (tanh) on column panels [jFrom, jTo) (kernels/wasm/rnn-sequence.ts; k is
 * units, planesAt a_t's plane, planeStride from there to h_t's): C = x_t·W + b on the real
 * columns (zeros on the padding), the product, then the tanh per k-block of the next operand.
 * Self-contained but for runBlocks.
 */
export function runRnnChunk(ex: KernelExports, j: SharedJob, jFrom: number, jTo: number): void {
  const perPanel = j.nr >> 2;
  const v0 = jFrom * perPanel;
  const v1 = jTo * perPanel;
  const vecs = Math.max(0, Math.min(v1, j.k >> 2) - v0);
  ex.seq_init(4 * (j.cAt + 4 * v0), 4 * j.nPad, 4 * (j.xwAt + 4 * v0), 4 * j.xwStride, 4 * (j.biasAt + 4 * v0), j.m, j.mPad - j.m,
    vecs, v1 - v0 - vecs);
  runBlocks(ex.gebp, j, jFrom, jTo);
  const perK = j.kc >> 2;
  for (let v = v0; v < v0 + vecs;) {
    const pc = Math.floor(v / perK) * j.kc;
    const end = Math.min(v0 + vecs, (pc + j.kc) >> 2);
    ex.rnn_tanh_step(4 * (j.cAt + 4 * v), 4 * j.nPad, 4 * (j.planesAt + 4 * v), 4 * (j.planesAt + j.planeStride + 4 * v), 4 * j.planeRowStride,
      j.m, end - v, 4 * (j.hNextAt + pc * j.mPad + (4 * v - pc) * 4), 16 * Math.min(j.kc, j.k - pc));
    v = end;
  }
}

/** Run [from, to) of job j by its kind (panels for 0 and 1, blocks for 2). Self-contained but for the three it calls. */
export function runRange(ex: KernelExports, j: SharedJob, from: number, to: number): void {
  if (j.kind === 1) runLstmChunk(ex, j, from, to);
  else if (j.kind === 2) runLstmBackChunk(ex, j, from, to);
  else if (j.kind === 3) runRnnChunk(ex, j, from, to);
  else runBlocks(ex.gebp, j, from, to);
}

/**
 * Take chunks of job `gen` from the counter ctl[3] and run them until none is left (or the
 * counter belongs to another job). Self-contained but for runBlocks and runLstmChunk, which the
 * worker also has. `j` is flat: an LSTM step's fields sit beside the product's.
 */
export function runChunks(ex: KernelExports, j: SharedJob, ctl: Int32Array, gen: number): number {
  const chunks = Math.ceil((j.jTo - j.jFrom) / j.chunk);
  const tag = (gen & 0x7fffff) << 8;
  for (let ran = 0; ; ran++) {
    const word = Atomics.load(ctl, 3);
    const next = word & 0xff;
    if ((word & ~0xff) !== tag || next >= chunks) return ran;
    if (Atomics.compareExchange(ctl, 3, word, word + 1) !== word) {
      ran--;
      continue;
    }
    const jFrom = j.jFrom + next * j.chunk;
    const jTo = Math.min(j.jTo, jFrom + j.chunk);
    runRange(ex, j, jFrom, jTo);
    Atomics.add(ctl, 1, 1);
  }
}
