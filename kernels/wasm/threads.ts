/**
 * The second core for large products: one worker thread runs the same wasm kernel on the same
 * shared linear memory; both threads take chunks of C's column panels from a shared counter
 * until none is left.
 *
 * Why columns: two column ranges of C never touch each other, over every k-block, so each
 * chunk runs the whole block loop (`runBlocks`) on its range with no synchronisation inside,
 * and each element of C is the same sum in the same order whichever thread computes it (equal
 * bits with one thread or two). The operands are packed once, before the split, by the caller.
 *
 * Why chunks from a counter rather than two fixed halves: on a 2-core machine shared with other
 * work, the worker may not get a core for milliseconds. With fixed halves the caller then waits
 * for it (two threads slower than one: measured 3.6 ms against 1.6 ms for W2's h·U under load);
 * with chunks the caller simply takes the worker's share, and only ever waits for a chunk the
 * worker has started.
 *
 * Protocol over a small SharedArrayBuffer of int32 words:
 *   ctl[0]  sequence: odd while the caller writes a job, then even; job generation = ctl[0] / 2
 *           (the worker watches it, and re-reads it after reading the job: a seqlock)
 *   ctl[1]  chunks finished                                (the caller watches it)
 *   ctl[2]  1 while the worker sleeps in Atomics.wait      (only then does the caller notify)
 *   ctl[3]  generation << 8 | next chunk                   (claimed with compareExchange, so a
 *           worker that wakes late cannot claim a chunk of a newer job with an old job's offsets)
 *   job[…]  the job's integers (see JOB_FIELDS)
 * The worker spins for a while (SPIN_MS) before it sleeps: in a sequence the products come
 * one per step, ~0.1–1 ms apart, and waking a thread out of Atomics.wait is a futex round trip.
 */
import { platform } from '../../platform';
import type { WasmMemory } from './runtime';
import { SharingPolicy } from './sharing-policy';
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
const JOB_FIELDS = ['k', 'kc', 'mc', 'mr', 'nr', 'mPad', 'nPad', 'apAt', 'bpAt', 'cAt', 'jFrom', 'jTo', 'chunk', 'kind',
  'm', 'xwAt', 'xwStride', 'biasAt', 'cPrevAt', 'planesAt', 'planeStride', 'hNextAt', 'dhAt', 'dhStride', 'dcAt', 'tableAt'] as const;

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

/** How long the worker spins on the generation word before it sleeps in Atomics.wait (ms). */
const SPIN_MS = 1;

/**
 * Spin until words[at] ≠ idle or `ms` have passed; true if it changed. Self-contained, as
 * runBlocks (the worker runs a copy of its source). The clock is read every 1024 polls.
 */
export function spinUntil(words: Int32Array, at: number, idle: number, ms: number): boolean {
  const end = Date.now() + ms;
  for (;;) {
    for (let i = 0; i < 1024; i++) if (Atomics.load(words, at) !== idle) return true;
    if (Date.now() > end) return Atomics.load(words, at) !== idle;
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
    ex.rnn_tanh_step(4 * (j.cAt + 4 * v), 4 * j.nPad, 4 * (j.planesAt + 4 * v), 4 * (j.planesAt + j.planeStride + 4 * v), 4 * j.k,
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

/** The helper's script; it reads `workerData` (the platform seam hands it over: ../../platform). */
const WORKER_SOURCE = `
const { bytes, memory, control, fields } = workerData;
const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctl = new Int32Array(control, 0, 4);
const job = new Int32Array(control, 16, fields.length);
const runBlocks = ${runBlocks.toString()};
const spinUntil = ${spinUntil.toString()};
const runLstmChunk = ${runLstmChunk.toString()};
const runLstmBackChunk = ${runLstmBackChunk.toString()};
const runRnnChunk = ${runRnnChunk.toString()};
const runRange = ${runRange.toString()};
const runChunks = ${runChunks.toString()};
let seen = 0;
for (;;) {
  if (!spinUntil(ctl, 0, seen, ${SPIN_MS})) {
    Atomics.store(ctl, 2, 1);
    Atomics.wait(ctl, 0, seen);
    Atomics.store(ctl, 2, 0);
  }
  const seq = Atomics.load(ctl, 0);
  if (seq < 0) break; // stopped
  if (seq & 1) continue; // the caller is writing a job
  const j = {};
  fields.forEach((f, i) => { j[f] = Atomics.load(job, i); });
  if (Atomics.load(ctl, 0) !== seq) continue; // a newer job came while reading: read again
  seen = seq;
  runChunks(ex, j, ctl, seq >>> 1);
}
`;

/** At most this many chunks per product (the chunk counter has 8 bits). */
export const MAX_CHUNKS = 255;

/** A started helper thread bound to one shared memory. */
export interface Helper {
  /**
   * Run `job` on this thread and the helper together; returns when every chunk is done. When
   * sharing has stopped paying (see below) it runs the job on this thread alone for a while.
   */
  run(ex: KernelExports, job: SharedJob): void;
  /** Let the thread end (its module is being replaced). */
  stop(): void;
  /** Chunks the helper thread has run so far, by job kind (tests check that each kind is shared). */
  readonly helperChunks: readonly number[];
}

/** Start the helper thread (it is unref'd: it never keeps the process alive). */
export function startHelper(bytes: Uint8Array<ArrayBuffer>, memory: WasmMemory): Helper {
  const control = new SharedArrayBuffer(16 + 4 * JOB_FIELDS.length);
  const ctl = new Int32Array(control, 0, 4);
  const jobWords = new Int32Array(control, 16, JOB_FIELDS.length);
  if (!platform().startWorker(WORKER_SOURCE, { bytes, memory, control, fields: JOB_FIELDS })) {
    throw new Error('wasm threads: no helper thread on this platform');
  }
  let seq = 0;
  const policy = new SharingPolicy();
  const helperChunks = [0, 0, 0, 0];
  return {
    stop(): void {
      Atomics.store(ctl, 0, -2);
      Atomics.notify(ctl, 0);
    },
    run(ex: KernelExports, job: SharedJob): void {
      if (policy.runAlone()) {
        // Wake a sleeping helper one product early, so that the first shared product after the
        // pause finds it spinning: otherwise that product pays the wake-up (a futex round trip,
        // milliseconds on a busy machine), looks like a loss, and the pause doubles.
        if (policy.lastAlone && Atomics.load(ctl, 2) === 1) Atomics.notify(ctl, 0);
        runRange(ex, job, job.jFrom, job.jTo);
        return;
      }
      const chunks = Math.ceil((job.jTo - job.jFrom) / job.chunk);
      if (chunks > MAX_CHUNKS) throw new Error(`wasm threads: ${chunks} chunks, at most ${MAX_CHUNKS}`);
      seq = seq >= 0x7ffffffc ? 2 : seq + 2; // even, positive (a negative word stops the worker)
      Atomics.store(ctl, 0, seq - 1); // odd: writing
      for (let i = 0; i < JOB_FIELDS.length; i++) Atomics.store(jobWords, i, job[JOB_FIELDS[i]]);
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 3, ((seq >>> 1) & 0x7fffff) << 8);
      Atomics.store(ctl, 0, seq);
      // A worker still spinning sees the store; only a sleeping one needs the (costly) wake-up.
      if (Atomics.load(ctl, 2) === 1) Atomics.notify(ctl, 0);
      const t0 = platform().now();
      const mine = runChunks(ex, job, ctl, seq >>> 1);
      const tMine = platform().now() - t0;
      // Only chunks the worker has started can be left. Spin for those (a chunk takes tens of
      // µs; sleeping hands the core to the scheduler, and on a busy machine getting it back
      // takes milliseconds), then, for a worker that lost its core, sleep in short waits.
      const end = Date.now() + SPIN_MS;
      for (let done = Atomics.load(ctl, 1); done < chunks; done = Atomics.load(ctl, 1)) {
        if (Date.now() > end) Atomics.wait(ctl, 1, done, 0.05);
      }
      policy.record(mine, chunks, tMine, platform().now() - t0);
      helperChunks[job.kind] += chunks - mine;
    },
    helperChunks,
  };
}
