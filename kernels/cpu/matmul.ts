/**
 * CPU matrix multiply: out[b] = op(A[b]) · op(B[b]).
 *
 * Two implementations behind one entry point:
 * - float32 products above a small size go to the WebAssembly SIMD kernel (kernels/wasm/),
 *   which packs the operands so every transpose variant runs at the plain one's speed.
 * - Everything else — float64, tiny products, engines without wasm SIMD — runs the readable
 *   TypeScript loops below, which are also the reference the wasm kernel is tested against
 *   (spec/perf/matmul.test.ts).
 *
 * The reference loops keep their innermost loop contiguous in memory:
 * - A·B   (i-k-j): for 4 rows of A at once, stream rows of B into 4 rows of out — each B value
 *   loaded once is used four times (register blocking over rows).
 * - Aᵀ·B  (k-i-j): same streaming, A read down its columns (one scalar per row of out).
 * - A·Bᵀ  (dot products): row i of A against 4 rows of B at once, 4 accumulators.
 * - Aᵀ·Bᵀ = (B·A)ᵀ: computed as B·A into scratch, then transposed (rare: no op uses it on a hot path).
 * The backward of matmul uses the transposed variants, so no transpose is ever materialized there.
 */
import type { Storage, MatmulDims, FixedRightMatmul, RowAddend } from '../kernel';
import { wasmMatmul, wasmSimdAvailable } from '../wasm/matmul';
import { wasmFixedRight } from '../wasm/fixed-right';

/**
 * Below this many multiply-adds (m·n·k per batch entry) the TS loops win: the wasm call,
 * the copies in and out and the padding to whole 4×8 tiles cost ~0.5 µs. Measured on the
 * 2-core EPYC: 4×4×4 js 0.2 µs vs wasm 1.3 µs; 8×8×8 js 0.7 µs vs wasm 0.5 µs; W1's
 * 32×21·21×80 js 52 µs vs wasm 3.8 µs.
 */
export const WASM_MIN_MULTIPLY_ADDS = 512;

let wasmEnabled = wasmSimdAvailable();

/** Turn the wasm path on or off (benchmarks and tests compare the two); returns the old setting. */
export function useWasmMatmul(on: boolean): boolean {
  const was = wasmEnabled;
  wasmEnabled = on && wasmSimdAvailable();
  return was;
}

/** Whether float32 products go to the wasm kernel (see useWasmMatmul). */
export function wasmMatmulEnabled(): boolean {
  return wasmEnabled;
}

/** out[b] = op(A[b]) · op(B[b]); the kernel interface's matmul. */
export function matmul(a: Storage, b: Storage, out: Storage, d: MatmulDims): void {
  if (wasmEnabled && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array &&
    d.m * d.n * d.k >= WASM_MIN_MULTIPLY_ADDS) {
    wasmMatmul(a, b, out, d);
    return;
  }
  matmulReference(a, b, out, d);
}

/**
 * Products against a fixed B (the kernel interface's matmulFixedRight): on float32 the wasm
 * kernel packs B once (kernels/wasm/fixed-right.ts `wasmFixedRight`) and starts C from the addend
 * inside its own memory; everything else is `matmul` followed by the addend's rows.
 */
export function matmulFixedRight(b: Storage, k: number, n: number, transB: boolean): FixedRightMatmul {
  const fallback = fixedRightByMatmul(matmul, b, k, n, transB);
  if (!(b instanceof Float32Array)) return fallback;
  const fast = wasmFixedRight(b, k, n, transB);
  return {
    run(a: Storage, m: number, out: Storage, addend: RowAddend | null): void {
      if (wasmEnabled && a instanceof Float32Array && out instanceof Float32Array && m * n * k >= WASM_MIN_MULTIPLY_ADDS &&
        (!addend || (addend.data instanceof Float32Array && (!addend.bias || addend.bias instanceof Float32Array)))) {
        fast.run(a, m, out, addend);
      } else {
        fallback.run(a, m, out, addend);
      }
    },
  };
}

/** matmulFixedRight from any matmul: the product, then out[r, j] += addend[r, j] + bias[j]. */
export function fixedRightByMatmul(mm: (a: Storage, b: Storage, out: Storage, d: MatmulDims) => void, b: Storage,
  k: number, n: number, transB: boolean): FixedRightMatmul {
  return {
    run(a: Storage, m: number, out: Storage, addend: RowAddend | null): void {
      mm(a, b, out, { batch: 1, m, n, k, transA: false, transB, batchB: false });
      if (!addend) return;
      const { data, at, stride, bias } = addend;
      for (let r = 0; r < m; r++) {
        const src = at + r * stride;
        const dst = r * n;
        if (bias) for (let j = 0; j < n; j++) out[dst + j] += data[src + j] + bias[j];
        else for (let j = 0; j < n; j++) out[dst + j] += data[src + j];
      }
    },
  };
}

/** The reference: plain TypeScript loops, any dtype. */
export function matmulReference(a: Storage, b: Storage, out: Storage, d: MatmulDims): void {
  const { batch, m, n, k } = d;
  for (let t = 0; t < batch; t++) {
    const aOff = t * m * k;
    const bOff = d.batchB ? t * k * n : 0;
    const oOff = t * m * n;
    if (!d.transA && !d.transB) mmNN(a, aOff, b, bOff, out, oOff, m, n, k);
    else if (d.transA && !d.transB) mmTN(a, aOff, b, bOff, out, oOff, m, n, k);
    else if (!d.transA && d.transB) mmNT(a, aOff, b, bOff, out, oOff, m, n, k);
    else mmTT(a, aOff, b, bOff, out, oOff, m, n, k);
  }
}

/** out[m,n] = A[m,k] · B[k,n] */
function mmNN(a: Storage, ao: number, b: Storage, bo: number, c: Storage, co: number, m: number, n: number, k: number): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = co + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let j = 0; j < n; j++) { c[c0 + j] = 0; c[c1 + j] = 0; c[c2 + j] = 0; c[c3 + j] = 0; }
    const a0 = ao + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
      const br = bo + p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[br + j];
        c[c0 + j] += x0 * bv;
        c[c1 + j] += x1 * bv;
        c[c2 + j] += x2 * bv;
        c[c3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = co + i * n;
    for (let j = 0; j < n; j++) c[c0 + j] = 0;
    const a0 = ao + i * k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const br = bo + p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[br + j];
    }
  }
}

/** out[m,n] = A[k,m]ᵀ · B[k,n] */
function mmTN(a: Storage, ao: number, b: Storage, bo: number, c: Storage, co: number, m: number, n: number, k: number): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = co + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let j = 0; j < n; j++) { c[c0 + j] = 0; c[c1 + j] = 0; c[c2 + j] = 0; c[c3 + j] = 0; }
    for (let p = 0; p < k; p++) {
      const ar = ao + p * m + i;
      const x0 = a[ar], x1 = a[ar + 1], x2 = a[ar + 2], x3 = a[ar + 3];
      const br = bo + p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[br + j];
        c[c0 + j] += x0 * bv;
        c[c1 + j] += x1 * bv;
        c[c2 + j] += x2 * bv;
        c[c3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = co + i * n;
    for (let j = 0; j < n; j++) c[c0 + j] = 0;
    for (let p = 0; p < k; p++) {
      const x0 = a[ao + p * m + i];
      const br = bo + p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[br + j];
    }
  }
}

/** out[m,n] = A[m,k] · B[n,k]ᵀ — dot products of rows. */
function mmNT(a: Storage, ao: number, b: Storage, bo: number, c: Storage, co: number, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ar = ao + i * k;
    const cr = co + i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bo + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[ar + p];
        s0 += x * b[b0 + p];
        s1 += x * b[b1 + p];
        s2 += x * b[b2 + p];
        s3 += x * b[b3 + p];
      }
      c[cr + j] = s0; c[cr + j + 1] = s1; c[cr + j + 2] = s2; c[cr + j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = bo + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ar + p] * b[b0 + p];
      c[cr + j] = s;
    }
  }
}

/** out[m,n] = A[k,m]ᵀ · B[n,k]ᵀ = (B·A)ᵀ */
function mmTT(a: Storage, ao: number, b: Storage, bo: number, c: Storage, co: number, m: number, n: number, k: number): void {
  const scratch = c instanceof Float64Array ? new Float64Array(n * m) : new Float32Array(n * m);
  mmNN(b, bo, a, ao, scratch, 0, n, m, k);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[co + i * n + j] = scratch[j * m + i];
}
