/**
 * Products against a fixed right operand (Kernels.matmulFixedRight): the float32 wasm path
 * packs B once and starts C from an addend's rows plus a bias (kernels/wasm/matmul.ts
 * `wasmFixedRight`). Checked against the TypeScript reference, matmulReference followed by the
 * addend — on the recurrent shapes of W1/W2 and odd ones, with and without transB, addend and bias.
 *
 * Error measure, as in matmul.test.ts: |fast − reference| / (Σₚ|A[i,p]·B[p,j]| + |addend| + |bias|)
 * per element, bound 1e-5 (float32 rounding; the addend is summed in another order).
 */
import { matmulFixedRight, matmulReference, fixedRightByMatmul } from '../../kernels/cpu/matmul';
import { wasmMatmul, useWasmThreads, THREAD_MIN_MULTIPLY_ADDS } from '../../kernels/wasm/matmul';
import { wasmFixedRight } from '../../kernels/wasm/fixed-right';
import type { RowAddend, Storage } from '../../kernels/kernel';
import { Random } from '../../engine/random';

const rng = new Random(20261201);

function randomArray(len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

interface Case {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transB: boolean;
  /** Rows of the addend this far apart (0: no addend). */
  readonly stride: number;
  readonly bias: boolean;
}

/** The reference: the TS loops, then out[r, j] += addend[r, j] + bias[j], in float32. */
function reference(a: Float32Array, b: Float32Array, c: Case, addend: RowAddend | null): Float32Array {
  const want = new Float32Array(c.m * c.n);
  fixedRightByMatmul(matmulReference, b, c.k, c.n, c.transB).run(a, c.m, want, addend);
  return want;
}

function maxScaledError(a: Storage, b: Storage, c: Case, addend: RowAddend | null, got: Storage, want: Storage): number {
  let worst = 0;
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let scale = 0;
      for (let p = 0; p < c.k; p++) scale += Math.abs(a[i * c.k + p] * (c.transB ? b[j * c.k + p] : b[p * c.n + j]));
      if (addend) scale += Math.abs(addend.data[addend.at + i * addend.stride + j]) + (addend.bias ? Math.abs(addend.bias[j]) : 0);
      const err = Math.abs(got[i * c.n + j] - want[i * c.n + j]) / Math.max(scale, 1e-30);
      if (!(err <= worst)) worst = err; // NaN propagates into worst and fails the test
    }
  }
  return worst;
}

const shapes: Case[] = [
  { m: 64, n: 1024, k: 48, transB: false, stride: 50 * 1024, bias: true }, // W2's h·U + x_t·W + b, shorter k (threaded)
  { m: 64, n: 256, k: 300, transB: true, stride: 0, bias: false }, // W2's dz·Uᵀ, shorter k, crossing a k-block
  { m: 32, n: 80, k: 20, transB: false, stride: 50 * 80, bias: true }, // W1's h·U + x_t·W + b
  { m: 32, n: 20, k: 80, transB: true, stride: 0, bias: false }, // W1's dz·Uᵀ
  { m: 7, n: 13, k: 300, transB: false, stride: 13, bias: true }, // odd, crosses a k-block
  { m: 9, n: 37, k: 5, transB: true, stride: 40, bias: false }, // addend without bias
  { m: 3, n: 4, k: 2, transB: false, stride: 4, bias: true }, // below the wasm threshold: the TS loops
];

describe('matmulFixedRight (B packed once)', () => {
  it.each(shapes)('$m×$k·$k×$n, transB $transB, addend stride $stride, bias $bias equals the TS loops', (c) => {
    const a = randomArray(c.m * c.k);
    const b = randomArray(c.k * c.n);
    const addend = c.stride > 0 ? { data: randomArray(c.stride * c.m + 3), at: 3, stride: c.stride, bias: c.bias ? randomArray(c.n) : null } : null;
    const want = reference(a, b, c, addend);
    const fixed = matmulFixedRight(b, c.k, c.n, c.transB);
    // Twice: the second call reuses the packed B. Outputs start as NaN: every element is written.
    for (let call = 0; call < 2; call++) {
      const got = new Float32Array(c.m * c.n).fill(NaN);
      fixed.run(a, c.m, got, addend);
      expect(maxScaledError(a, b, c, addend, got, want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('packs again when another fixed operand or a plain product used the memory in between', () => {
    const c: Case = { m: 16, n: 40, k: 300, transB: false, stride: 40, bias: true };
    const a = randomArray(c.m * c.k);
    const b = randomArray(c.k * c.n);
    const addend = { data: randomArray(c.m * c.n), at: 0, stride: c.n, bias: randomArray(c.n) };
    const first = wasmFixedRight(b, c.k, c.n, c.transB);
    const before = new Float32Array(c.m * c.n);
    first.run(a, c.m, before, addend);
    // Another fixed operand takes the pinned place; a large plain product grows the memory.
    wasmFixedRight(randomArray(500 * 600), 500, 600, true).run(randomArray(8 * 500), 8, new Float32Array(8 * 600), null);
    wasmMatmul(randomArray(700 * 700), randomArray(700 * 700), new Float32Array(700 * 700),
      { batch: 1, m: 700, n: 700, k: 700, transA: false, transB: false, batchB: true });
    const after = new Float32Array(c.m * c.n);
    first.run(a, c.m, after, addend);
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('gives the same bits on two threads as on one (each element is one thread\'s sum)', () => {
    const c: Case = { m: 64, n: 1024, k: 256, transB: false, stride: 1024, bias: true };
    expect(c.m * c.n * c.k).toBeGreaterThanOrEqual(THREAD_MIN_MULTIPLY_ADDS);
    const a = randomArray(c.m * c.k);
    const b = randomArray(c.k * c.n);
    const addend = { data: randomArray(c.m * c.n), at: 0, stride: c.n, bias: randomArray(c.n) };
    const fixed = wasmFixedRight(b, c.k, c.n, c.transB);
    const was = useWasmThreads(true);
    const threaded = new Float32Array(c.m * c.n);
    const single = new Float32Array(c.m * c.n);
    try {
      for (let call = 0; call < 20; call++) fixed.run(a, c.m, threaded, addend); // the chunks land on either thread
      useWasmThreads(false);
      fixed.run(a, c.m, single, addend);
    } finally {
      useWasmThreads(was);
    }
    expect(Array.from(threaded)).toEqual(Array.from(single));
  });

  it('runs float64 on the TS loops, bit-identical to the reference', () => {
    const c: Case = { m: 8, n: 24, k: 30, transB: true, stride: 24, bias: true };
    const a = Float64Array.from(randomArray(c.m * c.k));
    const b = Float64Array.from(randomArray(c.k * c.n));
    const addend = { data: Float64Array.from(randomArray(c.m * c.n)), at: 0, stride: c.n, bias: Float64Array.from(randomArray(c.n)) };
    const want = new Float64Array(c.m * c.n);
    matmulReference(a, b, want, { batch: 1, m: c.m, n: c.n, k: c.k, transA: false, transB: true, batchB: true });
    for (let r = 0; r < c.m; r++) for (let j = 0; j < c.n; j++) want[r * c.n + j] += addend.data[r * c.n + j] + addend.bias[j];
    const got = new Float64Array(c.m * c.n);
    matmulFixedRight(b, c.k, c.n, c.transB).run(a, c.m, got, addend);
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});
