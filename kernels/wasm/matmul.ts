/**
 * float32 matmul on the WebAssembly SIMD kernel: out[b] = op(A[b]) · op(B[b]).
 *
 * The driver is the outer three loops of GotoBLAS: k is cut into blocks of KC (so a panel
 * of B̃, KC × NR floats, stays in L1) and the rows into blocks of MC (so a block of Ã,
 * MC × KC floats, stays in L2); the wasm `gebp` does the rest. Operands are copied raw into
 * the module's own linear memory and packed there (./pack.ts); C accumulates there, padded
 * to whole tiles, and the valid m × n part is copied out. The copies are O(n²) against O(n³)
 * work, which is why kernels/cpu/matmul.ts only comes here above a size threshold. Large
 * products split C's columns with a helper thread on the same shared memory (./threads.ts).
 */
import type { MatmulDims, FixedRightMatmul, RowAddend } from '../kernel';
import { gemmModuleBytes, MR, NR, type PackFn, type AddRowsFn, type CompactRowsFn, type StepsToBatchMajorFn } from './gemm-module';
import { packPanels, leftSource, rightSource, type PackFns } from './pack';
import { wasmApi, reserveFloats, type WasmMemory } from './runtime';
import { startHelper, type Helper } from './threads';
import { runBlocks, type KernelExports } from './jobs';
import { relaxedSimdAvailable } from './relaxed';
import { evictResident, type Resident } from './resident';

/** k-block: a B̃ panel is KC · NR · 4 bytes = 8 KiB, well inside L1. */
export const KC = 256;
/** Row block: an Ã block is MC · KC · 4 bytes = 128 KiB, inside L2. */
export const MC = MR * Math.floor(128 / MR);
/** The shared memory's ceiling (1 GiB): a shared wasm memory must declare one. */
const MAX_PAGES = 16384;
/**
 * Products of at least this many multiply-adds split their columns with a helper thread
 * (waking it costs tens of µs; W2's h·U, 64·256·1024 ≈ 2²⁴, takes ~1 ms on one core).
 */
export const THREAD_MIN_MULTIPLY_ADDS = 1 << 21;

type Gebp = (kc: number, mPanels: number, nPanels: number, ap: number, bp: number, c: number, ldc: number) => void;

/** The instantiated module and views on its memory (re-made whenever the memory grows). */
export interface Instance {
  readonly memory: WasmMemory;
  readonly gebp: Gebp;
  /** What a thread runs: gebp and the LSTM step (./lstm-step-module.ts). */
  readonly kernels: KernelExports;
  readonly packA: PackFns;
  readonly packB: PackFns;
  readonly addRows: AddRowsFn;
  readonly compactRows: CompactRowsFn;
  readonly stepsToBatchMajor: StepsToBatchMajorFn;
  /**
   * The fixed right operand whose packed form sits at the start of memory (./fixed-right.ts),
   * and its length in floats: every other product lays out its regions after it.
   */
  pinnedOwner: object | null;
  pinnedFloats: number;
  /** A sequence's planes left below pinnedFloats for its backward (./resident.ts), or null. */
  resident: Resident | null;
  /** The helper thread, started on first use; null when the memory cannot be shared. */
  helper: Helper | null | undefined;
  readonly shared: boolean;
  readonly bytes: Uint8Array<ArrayBuffer>;
  floats: Float32Array;
}

let instance: Instance | null = null;
/**
 * On by default. Measured on the 2-core VM (bench/results/report-quick.md, other processes
 * using about half a core): square A·B at n = 256 went from 37 to 45 GFLOP/s, and W2's training
 * step from 355 to 282 ms. With both cores busy elsewhere the split gains nothing (the helper
 * waits for a core), so benchmarks report "js" and "js+thread" side by side.
 */
let threadsEnabled = true;

/** Whether the micro-kernel uses relaxed SIMD's fused multiply-add (./relaxed.ts): where the engine has it. */
let fmaEnabled: boolean | undefined;

/**
 * Use the fused multiply-add kernel where the engine has it, or the mul-then-add one (tests
 * compare the two); returns the old setting. The next product builds the module again.
 */
export function useRelaxedSimd(on: boolean): boolean {
  const was = fmaEnabled ?? relaxedSimdAvailable();
  const next = on && relaxedSimdAvailable();
  if (next !== was && instance) {
    evictResident(instance); // the planes' owner reads them from its arrays, not from a memory about to go
    instance.helper?.stop();
    instance = null;
  }
  fmaEnabled = next;
  return was;
}

/** Allow or forbid the helper thread (tests and benchmarks compare); returns the old setting. */
export function useWasmThreads(on: boolean): boolean {
  const was = threadsEnabled;
  threadsEnabled = on;
  return was;
}

/** Whether this JavaScript engine runs WebAssembly SIMD (it compiles the module if so). */
export function wasmSimdAvailable(): boolean {
  try {
    return wasmApi !== undefined && wasmApi.validate(gemmModuleBytes());
  } catch {
    return false;
  }
}

/** The module instance if one has been made (else null: nothing of it to look at). */
export function existingInstance(): Instance | null {
  return instance;
}

/** The module instance (made on first use; kernels/wasm/lstm-sequence.ts shares it). */
export function getInstance(): Instance {
  if (instance) return instance;
  if (!wasmApi) throw new Error('wasmMatmul: this JavaScript engine has no WebAssembly');
  // A shared memory lets the helper thread run the kernel on the same operands; where shared
  // memory is unavailable (a browser without cross-origin isolation) run single-threaded.
  let shared = true;
  let memory: WasmMemory;
  try {
    memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  } catch {
    shared = false;
    memory = new wasmApi.Memory({ initial: 16 });
  }
  fmaEnabled ??= relaxedSimdAvailable();
  const bytes = gemmModuleBytes(shared, fmaEnabled);
  const exports = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
  const fns = (width: number): PackFns => ({
    width,
    scalar: exports[`pack_${width}_scalar`] as PackFn,
    vector: exports[`pack_${width}_vector`] as PackFn,
  });
  instance = {
    memory, gebp: exports.gebp as Gebp, kernels: exports as unknown as KernelExports, packA: fns(MR), packB: fns(NR), addRows: exports.add_rows as AddRowsFn,
    compactRows: exports.compact_rows as CompactRowsFn,
    stepsToBatchMajor: exports.steps_to_batch_major as StepsToBatchMajorFn,
    pinnedOwner: null, pinnedFloats: 0, resident: null, helper: shared ? undefined : null, shared, bytes, floats: new Float32Array(memory.buffer),
  };
  return instance;
}

/** The helper thread when threads are on and the memory is shared (started once). */
export function getHelper(inst: Instance): Helper | null {
  if (!threadsEnabled || !inst.shared) return null;
  if (inst.helper === undefined) {
    try {
      inst.helper = startHelper(inst.bytes, inst.memory);
    } catch {
      inst.helper = null;
    }
  }
  return inst.helper;
}

/** Chunks the helper thread has run, by job kind (0 products, 1 LSTM steps, 2 LSTM backward steps, 3 simple-RNN steps); zeros before it starts. */
export function helperChunksRun(): readonly number[] {
  return instance?.helper?.helperChunks.slice() ?? [0, 0, 0, 0];
}

/** Make the memory at least `floats` floats long. */
export function reserve(inst: Instance, floats: number): void {
  reserveFloats(inst, floats);
}

export const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** out[b] = op(A[b]) · op(B[b]) for float32 storage, on the SIMD kernel. */
export function wasmMatmul(a: Float32Array, b: Float32Array, out: Float32Array, d: MatmulDims): void {
  let { batch, m } = d;
  const { n, k, transA, transB, batchB } = d;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return;
  }
  // A batch of row-major A's against one shared B is a single taller product: [batch·m, k]·B.
  if (!batchB && !transA && batch > 1) {
    m *= batch;
    batch = 1;
  }
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  const inst = getInstance();
  // Float offsets of the regions: raw copies of A and B, their packed forms, and C
  // (each a multiple of 4 floats, so 16-byte aligned), after a pinned fixed operand if any.
  const rawA = inst.pinnedFloats;
  const rawB = rawA + roundUp(m * k, 4);
  const apAt = rawB + roundUp(k * n, 4);
  const bpAt = apAt + k * mPad;
  const cAt = bpAt + k * nPad;
  reserve(inst, cAt + mPad * nPad);
  const mem = inst.floats;
  // A is m lanes (rows) of k steps; B is n lanes (columns) of k steps. Stored transposed,
  // the roles of the two strides swap.
  const aSource = leftSource(rawA, m, k, transA);
  const bSource = rightSource(rawB, n, k, transB);

  for (let t = 0; t < batch; t++) {
    copyIn(a, t * m * k, m * k, mem, rawA);
    packPanels(inst.packA, mem, aSource, KC, apAt);
    if (t === 0 || batchB) {
      copyIn(b, batchB ? t * k * n : 0, k * n, mem, rawB);
      packPanels(inst.packB, mem, bSource, KC, bpAt);
    }
    mem.fill(0, cAt, cAt + mPad * nPad);
    runProduct(inst, m, n, k, apAt, bpAt, cAt);
    copyOut(inst, cAt, m, n, out, t * m * n);
  }
}

/**
 * C += Ã·B̃ for packed operands already in memory (C at cAt, [mPad, nPad]); large products
 * are shared with the helper thread in chunks of column panels (./threads.ts).
 */
export function runProduct(inst: Instance, m: number, n: number, k: number, apAt: number, bpAt: number, cAt: number): void {
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  const nPanels = nPad / NR;
  const helper = m * n * k >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 2 ? getHelper(inst) : null;
  if (!helper) {
    runBlocks(inst.gebp, { k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt, bpAt, cAt, jFrom: 0, jTo: nPanels }, 0, nPanels);
    return;
  }
  helper.run(inst.kernels, {
    k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt, bpAt, cAt, jFrom: 0, jTo: nPanels, chunk: Math.ceil(nPanels / CHUNKS), kind: 0,
    m: 0, xwAt: 0, xwStride: 0, biasAt: 0, cPrevAt: 0, planesAt: 0, planeStride: 0, hNextAt: 0, // a plain product: no LSTM step
    planeRowStride: 0, dhAt: 0, dhStride: 0, dcAt: 0, tableAt: 0,
  });
}

/**
 * A threaded product is cut into this many chunks of column panels (fewer when C is narrow):
 * enough that the thread which finishes first takes the other's remainder, few enough that a
 * chunk (W2's h·U: 8 panels of 8 columns, ~80 µs) dwarfs the claim.
 */
export const CHUNKS = 16;

/**
 * Copy the valid m × n part of the padded C (rows of nPad) to out[o…]: rows as they are when
 * unpadded, one view per row when long, and short rows closed up inside wasm memory first
 * (compact_rows, which overwrites C) so that they too leave in one copy — W3's products have
 * rows of 20 and 10 floats, and an element loop over 32 000 of them was most of a call.
 */
export function copyOut(inst: Instance, cAt: number, m: number, n: number, out: Float32Array, o: number): void {
  const nPad = roundUp(n, NR);
  const mem = inst.floats;
  if (nPad !== n && n < SHORT_ROW && m > 1) inst.compactRows(4 * cAt, 4 * nPad, m, n >> 2, n & 3);
  if (nPad === n || (n < SHORT_ROW && m > 1)) out.set(mem.subarray(cAt, cAt + m * n), o);
  else for (let i = 0; i < m; i++) out.set(mem.subarray(cAt + i * nPad, cAt + i * nPad + n), o + i * n);
}

/**
 * Rows shorter than this leave wasm memory closed up by compact_rows, and go in element by
 * element (./fixed-right.ts): a subarray view per row (an object allocation) costs more than
 * the copy itself at W1's sizes (n = 20).
 */
export const SHORT_ROW = 64;

/** mem[at…] = src[from … from + len), without a view when src is exactly that range. */
export function copyIn(src: Float32Array, from: number, len: number, mem: Float32Array, at: number): void {
  if (from === 0 && src.length === len) mem.set(src, at);
  else mem.set(src.subarray(from, from + len), at);
}
