/**
 * The second core for large products: one worker thread runs the same wasm kernel on the same
 * shared linear memory, on half of C's column panels; the calling thread does the other half.
 *
 * Why columns: two column ranges of C never touch each other, over every k-block, so each
 * thread runs the whole block loop (`runBlocks`) on its range with no synchronisation inside.
 * The operands are packed once, before the split, by the calling thread.
 *
 * Protocol over a small SharedArrayBuffer of int32 words:
 *   ctl[0]  0 idle · 1 a job is waiting · 2 exit         (the worker Atomics.waits on it)
 *   ctl[1]  0 running · 1 done                           (the caller Atomics.waits on it)
 *   job[…]  the job's integers (see JOB_FIELDS)
 * The matmul API is synchronous, so the caller blocks in Atomics.wait (allowed in Node's main
 * thread) while the worker finishes; its own half usually takes as long.
 */
import { Worker } from 'worker_threads';
import type { WasmMemory } from './runtime';

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
const JOB_FIELDS = ['k', 'kc', 'mc', 'mr', 'nr', 'mPad', 'nPad', 'apAt', 'bpAt', 'cAt', 'jFrom', 'jTo'] as const;

type Gebp = (kc: number, mPanels: number, nPanels: number, ap: number, bp: number, c: number, ldc: number) => void;

/**
 * The block loops of GotoBLAS over column panels [jFrom, jTo) (offsets in floats, see
 * kernels/wasm/matmul.ts for the layout). Self-contained — no outside names — because the
 * worker runs a copy of its source text.
 */
export function runBlocks(gebp: Gebp, j: BlockJob): void {
  const panels = j.jTo - j.jFrom;
  if (panels <= 0) return;
  for (let pc = 0; pc < j.k; pc += j.kc) {
    const kcLen = Math.min(j.kc, j.k - pc);
    for (let ic = 0; ic < j.mPad; ic += j.mc) {
      const mcLen = Math.min(j.mc, j.mPad - ic);
      gebp(kcLen, mcLen / j.mr, panels,
        4 * (j.apAt + pc * j.mPad + ic * kcLen),
        4 * (j.bpAt + pc * j.nPad + j.jFrom * kcLen * j.nr),
        4 * (j.cAt + ic * j.nPad + j.jFrom * j.nr),
        4 * j.nPad);
    }
  }
}

const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { bytes, memory, control, fields } = workerData;
const gebp = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.gebp;
const ctl = new Int32Array(control, 0, 2);
const job = new Int32Array(control, 8, fields.length);
const runBlocks = ${runBlocks.toString()};
for (;;) {
  Atomics.wait(ctl, 0, 0);
  if (Atomics.load(ctl, 0) === 2) break;
  const j = {};
  fields.forEach((f, i) => { j[f] = job[i]; });
  runBlocks(gebp, j);
  Atomics.store(ctl, 0, 0);
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
`;

/** A started helper thread bound to one shared memory. */
export interface Helper {
  /** Start `job` on the helper; returns at once. */
  start(job: BlockJob): void;
  /** Block until the started job is done. */
  wait(): void;
}

/** Start the helper thread (it is unref'd: it never keeps the process alive). */
export function startHelper(bytes: Uint8Array<ArrayBuffer>, memory: WasmMemory): Helper {
  const control = new SharedArrayBuffer(8 + 4 * JOB_FIELDS.length);
  const ctl = new Int32Array(control, 0, 2);
  const jobWords = new Int32Array(control, 8, JOB_FIELDS.length);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, memory, control, fields: JOB_FIELDS } });
  worker.unref();
  return {
    start(job: BlockJob): void {
      JOB_FIELDS.forEach((f, i) => { jobWords[i] = job[f]; });
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 0, 1);
      Atomics.notify(ctl, 0);
    },
    wait(): void {
      while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
    },
  };
}
