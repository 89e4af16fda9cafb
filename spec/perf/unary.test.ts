/**
 * The wasm SIMD tanh / σ (kernels/wasm/unary.ts) against the TS formulas it replaces
 * (kernels/scalar.ts, computed in double and rounded to float32), on random values and on
 * extremes: saturation (±20, ±87, ±1e4, ±∞), exp's clamp, tiny arguments (±1e-8, −0), and
 * values on both sides of tanh's polynomial breakpoint 0.625.
 * Bound: |wasm − reference| ≤ 1e-6·|reference| + 1e-30 (the absolute part only matters
 * below float32's normal range, where σ(−100) is 4e-44 exactly but the clamped exp gives ~4e-39).
 * Also: the routing in kernels/cpu/elementwise.ts — float64 and short arrays keep the exact loop.
 */
import { wasmUnary, unaryModuleBytes, WASM_UNARY_MIN, type WasmUnaryOp } from '../../kernels/wasm/unary';
import { wasmSimdAvailable } from '../../kernels/wasm/matmul';
import { relaxedSimdAvailable } from '../../kernels/wasm/relaxed';
import { wasmApi } from '../../kernels/wasm/runtime';
import { unary, useWasmUnary } from '../../kernels/cpu/elementwise';
import { tanhF, sigmoidF } from '../../kernels/scalar';
import { Random } from '../../engine/random';

const rng = new Random(2211);
const formula: Record<WasmUnaryOp, (v: number) => number> = { tanh: tanhF, sigmoid: sigmoidF };
const OPS: WasmUnaryOp[] = ['tanh', 'sigmoid'];

const SPECIALS = [0, -0, 1e-8, -1e-8, 1e-30, -1e-30, 0.3, -0.3, 0.6249, 0.625, 0.6251, -0.6249, -0.625, -0.6251, 0.7, -0.7,
  1, -1, 5, -5, 9, -9, 20, -20, 44, -44, 87, -87, 88.5, -88.5, 100, -100, 1e4, -1e4, Infinity, -Infinity];

/** The TS formula, rounded to float32 as the loop's Float32Array output rounds it. */
function reference(op: WasmUnaryOp, x: Float32Array): Float32Array {
  return Float32Array.from(x, formula[op]);
}

/** The worst violation of the bound, with where it happened (NaN counts as a violation). */
function worst(x: Float32Array, want: Float32Array, got: Float32Array): { ok: boolean; at: number; x: number; want: number; got: number } {
  let at = -1;
  let excess = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) - (1e-6 * Math.abs(want[i]) + 1e-30);
    if (!(e <= excess)) { excess = Number.isNaN(e) ? Infinity : e; at = i; }
  }
  return at < 0 ? { ok: true, at, x: 0, want: 0, got: 0 } : { ok: false, at, x: x[at], want: want[at], got: got[at] };
}

function randomValues(n: number, scale: number): Float32Array {
  return new Float32Array(n).map(() => rng.normal() * scale);
}

const cases = OPS.flatMap((op) => [
  { op, what: 'N(0, 1), 1000 values', x: randomValues(1000, 1) },
  { op, what: 'N(0, 4²), 641 values (not whole vectors)', x: randomValues(641, 4) },
  { op, what: 'uniform over ±0.7 (the breakpoint), 4096 values', x: new Float32Array(4096).map(() => rng.uniform(-0.7, 0.7)) },
  { op, what: 'N(0, 40²), 999 values (saturation)', x: randomValues(999, 40) },
  { op, what: 'the specials', x: Float32Array.from(SPECIALS) },
  { op, what: 'three values (one partial vector)', x: Float32Array.from([0.1, -2, 30]) },
]);

(wasmSimdAvailable() ? describe : describe.skip)('wasm SIMD tanh and σ', () => {
  it('builds a valid module', () => {
    expect(Array.from(unaryModuleBytes().subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
  });

  it.each(cases)('$op on $what: equals the TS formula within 1e-6 relative', ({ op, x }) => {
    const got = new Float32Array(x.length).fill(NaN); // every element must be written
    wasmUnary(op, x, got);
    expect(worst(x, reference(op, x), got)).toMatchObject({ ok: true });
  });

  it.each(OPS)('%s keeps NaN, the sign of −0 and exact saturation', (op) => {
    const x = Float32Array.from([NaN, -0, 0, 1e4, -1e4, Infinity]);
    const got = new Float32Array(x.length);
    wasmUnary(op, x, got);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(Object.is(got[1], op === 'tanh' ? -0 : 0.5)).toBe(true);
    expect(Object.is(got[2], op === 'tanh' ? 0 : 0.5)).toBe(true);
    expect([got[3], got[5]]).toEqual([1, 1]);
    expect(got[4]).toBe(op === 'tanh' ? -1 : got[4]);
    expect(got[4]).toBeLessThanOrEqual(op === 'tanh' ? -1 : 1e-30);
  });

  it('works in place (x and out the same array) and after the memory grows', () => {
    const x = randomValues(200_000, 3); // 800 kB: more than the initial page
    const want = reference('tanh', x);
    wasmUnary('tanh', x, x);
    expect(worst(x, want, x)).toMatchObject({ ok: true });
  });
});

/** op over x in a module of its own: strict or relaxed SIMD exp (kernels/wasm/simd-math.ts). */
function runModule(relaxed: boolean, op: WasmUnaryOp, x: Float32Array): Float32Array {
  const api = wasmApi!;
  const memory = new api.Memory({ initial: 4 });
  const fns = new api.Instance(new api.Module(unaryModuleBytes(relaxed)), { env: { memory } }).exports;
  const padded = (x.length + 3) & ~3;
  new Float32Array(memory.buffer).set(x);
  (fns[`unary_${op}`] as (p: number, end: number) => void)(0, 4 * padded);
  return new Float32Array(memory.buffer, 0, x.length).slice();
}

(relaxedSimdAvailable() ? describe : describe.skip)('relaxed SIMD exp (min, max, truncation)', () => {
  it.each(OPS)('%s: the same bits as the strict kernel, NaN included', (op) => {
    const x = Float32Array.from([...SPECIALS, NaN, -NaN, ...randomValues(4000, 1), ...randomValues(4000, 30)]);
    const strict = runModule(false, op, x);
    const relaxed = runModule(true, op, x);
    const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    // a NaN is a NaN (its payload and sign are the engine's); every other value the same bits
    const key = (a: Float32Array): (number | string)[] => bits(a).map((b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
    expect(key(relaxed)).toEqual(key(strict));
    expect(Number.isNaN(relaxed[SPECIALS.length])).toBe(true);
  });
});

describe('unary routing (kernels/cpu/elementwise.ts)', () => {
  afterEach(() => { useWasmUnary(true); });

  it.each(OPS)('%s on float64 is the exact TS loop', (op) => {
    const x = Float64Array.from(randomValues(1000, 5));
    const out = new Float64Array(x.length);
    unary(op, x, out);
    expect(Array.from(out)).toEqual(Array.from(x, formula[op]));
  });

  it.each(OPS)(`%s on fewer than ${WASM_UNARY_MIN} float32 values is the exact TS loop`, (op) => {
    const x = randomValues(WASM_UNARY_MIN - 1, 5);
    const out = new Float32Array(x.length);
    unary(op, x, out);
    expect(Array.from(out)).toEqual(Array.from(reference(op, x)));
  });

  (wasmSimdAvailable() ? it.each(OPS) : it.skip.each(OPS))('%s on long float32 arrays is the wasm kernel, and the switch turns it off', (op) => {
    const x = randomValues(1000, 5);
    const viaUnary = new Float32Array(x.length);
    const viaWasm = new Float32Array(x.length);
    unary(op, x, viaUnary);
    wasmUnary(op, x, viaWasm);
    expect(Array.from(viaUnary)).toEqual(Array.from(viaWasm));
    useWasmUnary(false);
    unary(op, x, viaUnary);
    expect(Array.from(viaUnary)).toEqual(Array.from(reference(op, x)));
  });
});
