/**
 * Adam's update over a whole float32 weight in WebAssembly, two elements at a time in f64x2 —
 * the same arithmetic as `Adam.updateElement` (train/optimizers.ts), which JavaScript runs in
 * double precision: each operation is the same IEEE operation on the same doubles in the same
 * order, and each stored value is rounded to float32 the same way, so the weights and moments
 * are the same bits (spec/train/adam-wasm.test.ts; a NaN may come out with its sign bit set). Why: the update is two divisions and a
 * square root per element; JavaScript does them one element at a time (W2's 329 000 weights:
 * ~7–10 ms a training step), f64x2 two at a time.
 *
 *   g = clip(g·scale, −bound, bound)
 *   m ← β1·m + (1 − β1)·g                  (rounded to float32, then read back)
 *   v ← β2·v + (1 − β2)·g·g
 *   w ← w − lr·(m / c1) / (sqrt(v / c2) + ε)    c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
 *
 * and Σ (w − w) over the stored weights, NaN when one is not finite (the optimizer's check).
 */
import { Code, I32, V128, buildModule, type ValueType } from './emit';
import { lazyFloatModule, reserveFloats } from './runtime';

/** The f64 constants, in this order, at `consts` (byte address, 8-aligned). */
const CONSTANTS = ['scale', 'bound', 'minusBound', 'lr', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'c1', 'c2', 'epsilon'] as const;
type Constants = Record<(typeof CONSTANTS)[number], number>;

/** adam(w, g, m, v, pairs, consts, drift): `pairs` pairs of elements (byte addresses). */
function adamBytes(): Uint8Array<ArrayBuffer> {
  const w = 0, g = 1, m = 2, v = 3, pairs = 4, consts = 5, drift = 6;
  const at = 7;
  const c = (name: (typeof CONSTANTS)[number]): number => 8 * CONSTANTS.indexOf(name);
  const [vg, vm, vv, vw, acc, k] = [8, 9, 10, 11, 12, 13];
  const code = new Code();
  /** Push the f64x2 of the two float32s at local `base` + at. */
  const load = (base: number): void => { code.localGet(base).localGet(at).i32Add().v128Load64Zero().f64x2PromoteLowF32x4(); };
  /** Round the f64x2 in local x to float32 and store it at `base` + at; leave x as the rounded value. */
  const store = (base: number, x: number): void => {
    code.localGet(x).f32x4DemoteF64x2Zero().localSet(k);
    code.localGet(base).localGet(at).i32Add().localGet(k).v128Store64Lane0();
    code.localGet(k).f64x2PromoteLowF32x4().localSet(x);
  };
  const constant = (name: (typeof CONSTANTS)[number]): void => { code.localGet(consts).v128Load64Splat(c(name)); };
  code.f32x4Const(0).localSet(acc).i32Const(0).localSet(at);
  code.loop();
  {
    // g = clip(g·scale, −bound, bound)
    load(g); constant('scale'); code.f64x2Mul(); constant('minusBound'); code.f64x2Max(); constant('bound'); code.f64x2Min().localSet(vg);
    // m ← β1·m + (1 − β1)·g
    constant('beta1'); load(m); code.f64x2Mul(); constant('oneMinusBeta1'); code.localGet(vg).f64x2Mul().f64x2Add().localSet(vm);
    store(m, vm);
    // v ← β2·v + (1 − β2)·g·g
    constant('beta2'); load(v); code.f64x2Mul(); constant('oneMinusBeta2'); code.localGet(vg).f64x2Mul().localGet(vg).f64x2Mul().f64x2Add().localSet(vv);
    store(v, vv);
    // w ← w − (lr·(m / c1)) / (sqrt(v / c2) + ε)
    load(w);
    constant('lr'); code.localGet(vm); constant('c1'); code.f64x2Div().f64x2Mul();
    code.localGet(vv); constant('c2'); code.f64x2Div().f64x2Sqrt(); constant('epsilon'); code.f64x2Add();
    code.f64x2Div().f64x2Sub().localSet(vw);
    store(w, vw);
    code.localGet(acc).localGet(vw).localGet(vw).f64x2Sub().f64x2Add().localSet(acc); // w − w: 0, or NaN
    code.localGet(at).i32Const(8).i32Add().localSet(at);
    code.localGet(pairs).i32Const(1).i32Sub().localTee(pairs).brIf(0);
  }
  code.end();
  code.localGet(drift).localGet(acc).v128Store();
  const locals: ValueType[] = [I32, ...Array<ValueType>(6).fill(V128)];
  return buildModule([{ name: 'adam', params: Array<ValueType>(7).fill(I32), locals, body: code }]);
}

const getModule = lazyFloatModule('wasmAdam', adamBytes, 1);

/**
 * One Adam step over w (float32, in place) from g, updating m and v; the element count must be
 * even and ≥ 2 (the caller runs an odd last element in JavaScript). Returns Σ (w − w).
 */
export function wasmAdam(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: Constants): number {
  const n = w.length;
  const inst = getModule();
  const constsAt = 0; // floats; 11 f64 = 22 floats, then the drift (2 f64 = 4 floats)
  const driftAt = 24;
  const wAt = 28;
  const gAt = wAt + n;
  const mAt = gAt + n;
  const vAt = mAt + n;
  reserveFloats(inst, vAt + n);
  const mem = inst.floats;
  const doubles = new Float64Array(mem.buffer, 0, driftAt / 2 + 2);
  CONSTANTS.forEach((name, q) => (doubles[q] = k[name]));
  mem.set(w, wAt);
  mem.set(g, gAt);
  mem.set(m, mAt);
  mem.set(v, vAt);
  (inst.exports.adam as (...a: number[]) => void)(4 * wAt, 4 * gAt, 4 * mAt, 4 * vAt, n / 2, 4 * constsAt, 4 * driftAt);
  w.set(mem.subarray(wAt, wAt + n));
  m.set(mem.subarray(mAt, mAt + n));
  v.set(mem.subarray(vAt, vAt + n));
  return doubles[driftAt / 2] + doubles[driftAt / 2 + 1];
}

export type { Constants as AdamConstants };
