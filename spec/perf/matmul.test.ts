/**
 * The fast float32 matmul (WebAssembly SIMD, kernels/wasm/) against the readable TypeScript
 * loops it replaces (matmulReference), on every transpose variant, batched and shared-B,
 * odd sizes, vectors, and shapes that cross the kernel's k-blocks (256) and row blocks (128).
 *
 * Error measure: |fast − reference| / Σₚ |A[i,p]·B[p,j]| per element — the scale float32
 * rounding error is proportional to, so cancellation in a dot product cannot make a correct
 * result look wrong. Both sides run in float32; the bound is 1e-5.
 */
import { matmul, matmulReference, useWasmMatmul, WASM_MIN_MULTIPLY_ADDS } from '../../kernels/cpu/matmul';
import { wasmMatmul, wasmSimdAvailable, useWasmThreads, THREAD_MIN_MULTIPLY_ADDS } from '../../kernels/wasm/matmul';
import { gemmModuleBytes } from '../../kernels/wasm/gemm-module';
import type { MatmulDims, Storage } from '../../kernels/kernel';
import { Random } from '../../engine/random';

const rng = new Random(20261125);

function randomArray(len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

/** Element (i, p) of op(A[t]) and (p, j) of op(B[t]) read straight from the definitions. */
function opA(a: Storage, d: MatmulDims, t: number, i: number, p: number): number {
  return d.transA ? a[t * d.m * d.k + p * d.m + i] : a[t * d.m * d.k + i * d.k + p];
}
function opB(b: Storage, d: MatmulDims, t: number, p: number, j: number): number {
  const off = d.batchB ? t * d.k * d.n : 0;
  return d.transB ? b[off + j * d.k + p] : b[off + p * d.n + j];
}

/** max over elements of |got − want| / Σₚ|a·b| (see the file comment). */
function maxScaledError(a: Storage, b: Storage, got: Storage, want: Storage, d: MatmulDims): number {
  let worst = 0;
  for (let t = 0; t < d.batch; t++) {
    for (let i = 0; i < d.m; i++) {
      for (let j = 0; j < d.n; j++) {
        let scale = 0;
        for (let p = 0; p < d.k; p++) scale += Math.abs(opA(a, d, t, i, p) * opB(b, d, t, p, j));
        const at = t * d.m * d.n + i * d.n + j;
        const err = Math.abs(got[at] - want[at]) / Math.max(scale, 1e-30);
        if (!(err <= worst)) worst = err; // NaN propagates into worst and fails the test
      }
    }
  }
  return worst;
}

interface Case {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batchB: boolean;
}

const shapes: Case[] = [
  { batch: 1, m: 1, n: 1, k: 1, batchB: true },
  { batch: 1, m: 8, n: 8, k: 8, batchB: true },
  { batch: 1, m: 1, n: 37, k: 19, batchB: true }, // a row vector times a matrix (1 × N)
  { batch: 1, m: 41, n: 1, k: 23, batchB: true }, // a matrix times a column vector (N × 1)
  { batch: 1, m: 32, n: 80, k: 21, batchB: true }, // W1's x·W
  { batch: 1, m: 33, n: 17, k: 1, batchB: true }, // k = 1: an outer product
  { batch: 1, m: 5, n: 7, k: 3, batchB: true }, // tiny and odd
  { batch: 1, m: 13, n: 9, k: 600, batchB: true }, // crosses two k-block boundaries
  { batch: 1, m: 131, n: 67, k: 257, batchB: true }, // crosses a row block and a k-block by one
  { batch: 1, m: 64, n: 136, k: 257, batchB: true }, // W2-like h·U, one past a k-block
  { batch: 3, m: 7, n: 11, k: 13, batchB: true }, // batched, each entry its own B
  { batch: 4, m: 9, n: 15, k: 70, batchB: false }, // a batch of A's against one shared B
  { batch: 2, m: 50, n: 36, k: 5, batchB: false },
  // W3's products, rows of 20 and 10 floats closed up in wasm memory (compact_rows)
  { batch: 1, m: 1600, n: 20, k: 1, batchB: true },
  { batch: 1, m: 1600, n: 10, k: 20, batchB: true },
  { batch: 3, m: 9, n: 63, k: 4, batchB: true }, // the widest row closed up: 15 vectors and 3 floats
];

const variants: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

const table = shapes.flatMap((s) => variants.map(([transA, transB]) => ({ ...s, transA, transB })));

describe('wasm SIMD matmul', () => {
  it('is available in this Node (the module validates)', () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(Array.from(gemmModuleBytes().subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
  });

  it.each(table)('batch $batch, $m×$k·$k×$n, transA $transA, transB $transB, batchB $batchB equals the TS loops',
    (d: MatmulDims) => {
      const a = randomArray(d.batch * d.m * d.k);
      const b = randomArray((d.batchB ? d.batch : 1) * d.k * d.n);
      const want = new Float32Array(d.batch * d.m * d.n);
      matmulReference(a, b, want, d);
      // Outputs start as NaN: the kernel must overwrite every element.
      const fast = new Float32Array(d.batch * d.m * d.n).fill(NaN);
      wasmMatmul(a, b, fast, d);
      expect(maxScaledError(a, b, fast, want, d)).toBeLessThanOrEqual(1e-5);
      // The same through the kernel entry point, which picks wasm or the loops by size.
      const dispatched = new Float32Array(d.batch * d.m * d.n).fill(NaN);
      matmul(a, b, dispatched, d);
      expect(maxScaledError(a, b, dispatched, want, d)).toBeLessThanOrEqual(1e-5);
    });

  it('matches an independent float64 triple loop (the reference itself is right)', () => {
    const d: MatmulDims = { batch: 2, m: 19, n: 23, k: 300, transA: true, transB: true, batchB: true };
    const a = randomArray(d.batch * d.m * d.k);
    const b = randomArray(d.batch * d.k * d.n);
    const exact = new Float64Array(d.batch * d.m * d.n);
    for (let t = 0; t < d.batch; t++) {
      for (let i = 0; i < d.m; i++) {
        for (let j = 0; j < d.n; j++) {
          let s = 0;
          for (let p = 0; p < d.k; p++) s += opA(a, d, t, i, p) * opB(b, d, t, p, j);
          exact[t * d.m * d.n + i * d.n + j] = s;
        }
      }
    }
    const fast = new Float32Array(exact.length);
    wasmMatmul(a, b, fast, d);
    expect(maxScaledError(a, b, fast, exact, d)).toBeLessThanOrEqual(1e-6);
  });

  it('gives the same result again after the module memory has grown', () => {
    const small: MatmulDims = { batch: 1, m: 16, n: 16, k: 16, transA: false, transB: false, batchB: true };
    const a = randomArray(256);
    const b = randomArray(256);
    const first = new Float32Array(256);
    wasmMatmul(a, b, first, small);
    const big: MatmulDims = { batch: 1, m: 700, n: 700, k: 700, transA: false, transB: true, batchB: true };
    wasmMatmul(randomArray(700 * 700), randomArray(700 * 700), new Float32Array(700 * 700), big);
    const again = new Float32Array(256);
    wasmMatmul(a, b, again, small);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it.each(variants)('splits large products over two threads with the same bits as one thread (transA %s, transB %s)',
    (transA, transB) => {
      const d: MatmulDims = { batch: 2, m: 72, n: 300, k: 130, transA, transB, batchB: true };
      expect(d.m * d.n * d.k).toBeGreaterThanOrEqual(THREAD_MIN_MULTIPLY_ADDS);
      const a = randomArray(d.batch * d.m * d.k);
      const b = randomArray(d.batch * d.k * d.n);
      const was = useWasmThreads(true);
      const threaded = new Float32Array(d.batch * d.m * d.n).fill(NaN);
      const single = new Float32Array(d.batch * d.m * d.n).fill(NaN);
      try {
        wasmMatmul(a, b, threaded, d);
        useWasmThreads(false);
        wasmMatmul(a, b, single, d);
      } finally {
        useWasmThreads(was);
      }
      // Each element is the same sum in the same order on either thread: equal bits.
      expect(Array.from(threaded)).toEqual(Array.from(single));
      const want = new Float32Array(d.batch * d.m * d.n);
      matmulReference(a, b, want, d);
      expect(maxScaledError(a, b, threaded, want, d)).toBeLessThanOrEqual(1e-5);
    });

  it('writes zeros when k = 0 and leaves empty outputs alone', () => {
    const out = new Float32Array(6).fill(NaN);
    wasmMatmul(new Float32Array(0), new Float32Array(0), out, { batch: 2, m: 1, n: 3, k: 0, transA: false, transB: false, batchB: true });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('keeps float64 and products below the threshold on the TS loops (bit-identical to the reference)', () => {
    const d: MatmulDims = { batch: 1, m: 4, n: 4, k: 4, transA: false, transB: true, batchB: true };
    expect(d.m * d.n * d.k).toBeLessThan(WASM_MIN_MULTIPLY_ADDS);
    const a = randomArray(16);
    const b = randomArray(16);
    const want = new Float32Array(16);
    const got = new Float32Array(16);
    matmulReference(a, b, want, d);
    matmul(a, b, got, d);
    expect(Array.from(got)).toEqual(Array.from(want));
    const a64 = Float64Array.from(randomArray(64 * 64));
    const b64 = Float64Array.from(randomArray(64 * 64));
    const big: MatmulDims = { batch: 1, m: 64, n: 64, k: 64, transA: true, transB: false, batchB: true };
    const want64 = new Float64Array(64 * 64);
    const got64 = new Float64Array(64 * 64);
    matmulReference(a64, b64, want64, big);
    matmul(a64, b64, got64, big);
    expect(Array.from(got64)).toEqual(Array.from(want64));
  });

  it('can be switched off, and then runs the TS loops', () => {
    const was = useWasmMatmul(false);
    try {
      const d: MatmulDims = { batch: 1, m: 20, n: 20, k: 20, transA: false, transB: false, batchB: true };
      const a = randomArray(400);
      const b = randomArray(400);
      const want = new Float32Array(400);
      const got = new Float32Array(400);
      matmulReference(a, b, want, d);
      matmul(a, b, got, d);
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      useWasmMatmul(was);
    }
  });
});
