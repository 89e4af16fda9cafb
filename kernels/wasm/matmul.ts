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
import type { MatmulDims } from '../kernel';
import { gemmModuleBytes, MR, NR, type PackFn } from './gemm-module';
import { packPanels, type PackFns } from './pack';
import { wasmApi, reserveFloats, type WasmMemory } from './runtime';
import { runBlocks, startHelper, type BlockJob, type Helper } from './threads';

/** k-block: a B̃ panel is KC · NR · 4 bytes = 8 KiB, well inside L1. */
const KC = 256;
/** Row block: an Ã block is MC · KC · 4 bytes = 128 KiB, inside L2. */
const MC = MR * Math.floor(128 / MR);
/** The shared memory's ceiling (1 GiB): a shared wasm memory must declare one. */
const MAX_PAGES = 16384;
/**
 * Products of at least this many multiply-adds split their columns with a helper thread
 * (waking it costs tens of µs; W2's h·U, 64·256·1024 ≈ 2²⁴, takes ~1 ms on one core).
 */
export const THREAD_MIN_MULTIPLY_ADDS = 1 << 21;

type Gebp = (kc: number, mPanels: number, nPanels: number, ap: number, bp: number, c: number, ldc: number) => void;

/** The instantiated module and views on its memory (re-made whenever the memory grows). */
interface Instance {
  readonly memory: WasmMemory;
  readonly gebp: Gebp;
  readonly packA: PackFns;
  readonly packB: PackFns;
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

function getInstance(): Instance {
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
  const bytes = gemmModuleBytes(shared);
  const exports = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
  const fns = (width: number): PackFns => ({
    width,
    scalar: exports[`pack_${width}_scalar`] as PackFn,
    vector: exports[`pack_${width}_vector`] as PackFn,
  });
  instance = {
    memory, gebp: exports.gebp as Gebp, packA: fns(MR), packB: fns(NR),
    helper: shared ? undefined : null, shared, bytes, floats: new Float32Array(memory.buffer),
  };
  return instance;
}

/** The helper thread when threads are on and the memory is shared (started once). */
function getHelper(inst: Instance): Helper | null {
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

/** Make the memory at least `floats` floats long. */
function reserve(inst: Instance, floats: number): void {
  reserveFloats(inst, floats);
}

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

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
  // Float offsets of the regions: raw copies of A and B, their packed forms, and C
  // (each a multiple of 4 floats, so 16-byte aligned).
  const rawA = 0;
  const rawB = rawA + roundUp(m * k, 4);
  const apAt = rawB + roundUp(k * n, 4);
  const bpAt = apAt + k * mPad;
  const cAt = bpAt + k * nPad;
  const inst = getInstance();
  reserve(inst, cAt + mPad * nPad);
  const mem = inst.floats;
  // A is m lanes (rows) of k steps; B is n lanes (columns) of k steps. Stored transposed,
  // the roles of the two strides swap.
  const aSource = { at: rawA, lanes: m, depth: k, laneStride: transA ? 1 : k, stepStride: transA ? m : 1 };
  const bSource = { at: rawB, lanes: n, depth: k, laneStride: transB ? k : 1, stepStride: transB ? 1 : n };

  for (let t = 0; t < batch; t++) {
    copyIn(a, t * m * k, m * k, mem, rawA);
    packPanels(inst.packA, mem, aSource, KC, apAt);
    if (t === 0 || batchB) {
      copyIn(b, batchB ? t * k * n : 0, k * n, mem, rawB);
      packPanels(inst.packB, mem, bSource, KC, bpAt);
    }
    mem.fill(0, cAt, cAt + mPad * nPad);
    const nPanels = nPad / NR;
    const job: BlockJob = { k, kc: KC, mc: MC, mr: MR, nr: NR, mPad, nPad, apAt, bpAt, cAt, jFrom: 0, jTo: nPanels };
    const helper = m * n * k >= THREAD_MIN_MULTIPLY_ADDS && nPanels >= 2 ? getHelper(inst) : null;
    if (helper) {
      // The helper takes the left half of C's column panels, this thread the right half.
      const half = nPanels >> 1;
      helper.start({ ...job, jTo: half });
      runBlocks(inst.gebp, { ...job, jFrom: half });
      helper.wait();
    } else {
      runBlocks(inst.gebp, job);
    }
    // Copy the valid m × n part out of the padded C.
    const o = t * m * n;
    if (nPad === n) out.set(mem.subarray(cAt, cAt + m * n), o);
    else if (n >= SHORT_ROW) for (let i = 0; i < m; i++) out.set(mem.subarray(cAt + i * nPad, cAt + i * nPad + n), o + i * n);
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[o + i * n + j] = mem[cAt + i * nPad + j];
  }
}

/**
 * Rows shorter than this are copied element by element: a subarray view per row (an object
 * allocation) costs more than the copy itself at W1's sizes (n = 20).
 */
const SHORT_ROW = 64;

/** mem[at…] = src[from … from + len), without a view when src is exactly that range. */
function copyIn(src: Float32Array, from: number, len: number, mem: Float32Array, at: number): void {
  if (from === 0 && src.length === len) mem.set(src, at);
  else mem.set(src.subarray(from, from + len), at);
}
