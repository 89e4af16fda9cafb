/**
 * The matmul micro-kernel with relaxed SIMD's fused multiply-add (kernels/wasm/relaxed.ts) and
 * without it, each against the TypeScript loops: |fast − reference| ≤ 1e-6·k for a k-term dot
 * product of values in [−1, 1] (a fused multiply-add rounds once instead of twice, so the two
 * kernels differ in the last bits). Both must give the same bits again on the same inputs, on
 * one thread or two: the promise that one seed on one machine gives bit-identical runs.
 */
import { matmulReference, fixedRightByMatmul } from '../../kernels/cpu/matmul';
import { wasmMatmul, useRelaxedSimd, useWasmThreads } from '../../kernels/wasm/matmul';
import { wasmFixedRight } from '../../kernels/wasm/fixed-right';
import { relaxedSimdAvailable } from '../../kernels/wasm/relaxed';
import type { MatmulDims } from '../../kernels/kernel';
import { Random } from '../../engine/random';

const rng = new Random(20261202);

function randomArray(len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d; // NaN propagates
  }
  return worst;
}

const shapes: MatmulDims[] = [
  { batch: 1, m: 64, n: 96, k: 256, transA: false, transB: false, batchB: true }, // h·U-like
  { batch: 1, m: 64, n: 40, k: 300, transA: false, transB: true, batchB: true }, // dz·Uᵀ-like, crosses a k-block
  { batch: 1, m: 40, n: 72, k: 320, transA: true, transB: false, batchB: true }, // dU = hᵀ·dz-like
  { batch: 2, m: 5, n: 7, k: 3, transA: true, transB: true, batchB: true }, // tiny, odd, batched
];

describe.each([true, false])('wasm matmul, fused multiply-add %s', (fma) => {
  let was = false;
  beforeAll(() => { was = useRelaxedSimd(fma); });
  afterAll(() => { useRelaxedSimd(was); });

  it.each(shapes)('$m×$k·$k×$n (transA $transA, transB $transB) is within 1e-6·k of the TS loops, the same bits twice', (d) => {
    const a = randomArray(d.batch * d.m * d.k);
    const b = randomArray(d.batch * d.k * d.n);
    const want = new Float32Array(d.batch * d.m * d.n);
    matmulReference(a, b, want, d);
    const got = new Float32Array(want.length);
    wasmMatmul(a, b, got, d);
    expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-6 * d.k);
    const again = new Float32Array(want.length);
    wasmMatmul(a, b, again, d);
    expect(Array.from(again)).toEqual(Array.from(got));
  });

  it('a fixed right operand with an addend: within 1e-6·k, the same bits on two threads as on one', () => {
    const [m, n, k] = [64, 1024, 40];
    const a = randomArray(m * k);
    const b = randomArray(k * n);
    const addend = { data: randomArray(m * n), at: 0, stride: n, bias: randomArray(n) };
    const want = new Float32Array(m * n);
    fixedRightByMatmul(matmulReference, b, k, n, false).run(a, m, want, addend);
    const fixed = wasmFixedRight(b, k, n, false);
    const threadsWere = useWasmThreads(true);
    const threaded = new Float32Array(m * n);
    const single = new Float32Array(m * n);
    try {
      fixed.run(a, m, threaded, addend);
      useWasmThreads(false);
      fixed.run(a, m, single, addend);
    } finally {
      useWasmThreads(threadsWere);
    }
    expect(maxAbsDiff(threaded, want)).toBeLessThanOrEqual(1e-6 * (k + 2));
    expect(Array.from(threaded)).toEqual(Array.from(single));
  });
});

describe('relaxed SIMD', () => {
  it('is found in this Node (Node 20 turns its flag on in-process; later Nodes have it on)', () => {
    expect(relaxedSimdAvailable()).toBe(true);
  });

  it('changes only the last bits: the two kernels agree within 1e-6·k', () => {
    const d: MatmulDims = { batch: 1, m: 33, n: 65, k: 600, transA: false, transB: false, batchB: true };
    const a = randomArray(d.m * d.k);
    const b = randomArray(d.k * d.n);
    const fused = new Float32Array(d.m * d.n);
    const unfused = new Float32Array(d.m * d.n);
    const was = useRelaxedSimd(true);
    try {
      wasmMatmul(a, b, fused, d);
      useRelaxedSimd(false);
      wasmMatmul(a, b, unfused, d);
    } finally {
      useRelaxedSimd(was);
    }
    expect(maxAbsDiff(fused, unfused)).toBeLessThanOrEqual(1e-6 * d.k); // (equal where the CPU has no FMA)
  });
});
