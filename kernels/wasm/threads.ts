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
// The worker runs copies of these functions' source: each may call only the others from ./jobs.ts.
import { runBlocks, runLstmChunk, runLstmBackChunk, runRnnChunk, runRange, runChunks, type KernelExports, type SharedJob } from './jobs';

/** A job's fields (./jobs.ts SharedJob) in the order the job words hold them. */
const JOB_FIELDS = ['k', 'kc', 'mc', 'mr', 'nr', 'mPad', 'nPad', 'apAt', 'bpAt', 'cAt', 'jFrom', 'jTo', 'chunk', 'kind',
  'm', 'xwAt', 'xwStride', 'biasAt', 'cPrevAt', 'planesAt', 'planeStride', 'hNextAt', 'planeRowStride', 'dhAt', 'dhStride', 'dcAt', 'tableAt'] as const;

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
