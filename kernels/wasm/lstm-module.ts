/**
 * The LSTM gate math of one step in WebAssembly SIMD, four units at a time — the same
 * computation as `lstmGates` in kernels/cpu/nn.ts (its reference), for float32:
 *
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)      (Keras gate order i, f, c, o)
 *   c = f ⊙ c_prev + i ⊙ g    tanhC = tanh(c)    h = o ⊙ tanhC
 *
 * Why: three sigmoids and two tanh per unit are most of a small LSTM's step in plain JS
 * (Math.exp / Math.tanh cost ~10–18 ns each); here they are a few vector instructions.
 *
 * exp is Cephes `expf`: x = n·ln2 + r with n = round(x·log₂e), |r| ≤ ln2/2 (ln2 split in two
 * parts so r is exact), e^r = 1 + r + r²·P(r) with a degree-5 P, and 2ⁿ built in the exponent
 * bits. tanh is Cephes `tanhf`: an odd polynomial for |x| < 0.625 (where 1 − 2/(e^{2x} + 1)
 * would cancel) and 1 − 2/(e^{2x} + 1) elsewhere. Both are within a few float32 ulps.
 */
import { Code, I32, V128, buildModule, type FunctionDef, type ValueType } from './emit';

const EXP_HI = 88.3762626647949;
const EXP_LO = -87.3365447505531;
const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
const TANH_SMALL = 0.625;
const TANH_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];

/** Scratch v128 locals the math helpers use (indices assigned by the function below). */
interface Scratch {
  readonly x: number;
  readonly n: number;
  readonly r: number;
  readonly t: number;
}

/** Push e^x for the v128 on top of the stack. */
function exp(code: Code, s: Scratch): void {
  code.f32x4Const(EXP_HI).f32x4Min().f32x4Const(EXP_LO).f32x4Max().localSet(s.x); // keep 2ⁿ a normal float
  code.localGet(s.x).f32x4Const(LOG2E).f32x4Mul().f32x4Nearest().localSet(s.n);
  // r = x − n·ln2, in two steps so that no bits of r are lost
  code.localGet(s.x).localGet(s.n).f32x4Const(LN2_HI).f32x4Mul().f32x4Sub()
    .localGet(s.n).f32x4Const(LN2_LO).f32x4Mul().f32x4Sub().localSet(s.r);
  // P(r) by Horner
  code.f32x4Const(EXP_P[0]);
  for (const c of EXP_P.slice(1)) code.localGet(s.r).f32x4Mul().f32x4Const(c).f32x4Add();
  // e^r = P(r)·r² + r + 1
  code.localGet(s.r).f32x4Mul().localGet(s.r).f32x4Mul().localGet(s.r).f32x4Add().f32x4Const(1).f32x4Add();
  // × 2ⁿ: the float with exponent field n + 127
  code.localGet(s.n).i32x4TruncSatF32x4S().i32Const(127).i32x4Splat().i32x4Add().i32Const(23).i32x4Shl();
  code.f32x4Mul();
}

/** Push σ(v) = 1 / (1 + e^−v) for the v128 on top of the stack. */
function sigmoid(code: Code, s: Scratch): void {
  code.f32x4Neg();
  exp(code, s);
  code.localSet(s.t).f32x4Const(1).f32x4Const(1).localGet(s.t).f32x4Add().f32x4Div();
}

/** TF.js's hard sigmoid: clip(0.2·v + 0.5, 0, 1). */
function hardSigmoid(code: Code): void {
  code.f32x4Const(0.2).f32x4Mul().f32x4Const(0.5).f32x4Add().f32x4Const(1).f32x4Min().f32x4Const(0).f32x4Max();
}

/** Push tanh(v) for the v128 in local `v` (which it leaves intact). */
function tanh(code: Code, s: Scratch, v: number): void {
  // small |v|: v + v·z·Q(z), z = v²
  code.localGet(v).localGet(v).f32x4Mul().localSet(s.t);
  code.f32x4Const(TANH_P[0]);
  for (const c of TANH_P.slice(1)) code.localGet(s.t).f32x4Mul().f32x4Const(c).f32x4Add();
  code.localGet(s.t).f32x4Mul().localGet(v).f32x4Mul().localGet(v).f32x4Add();
  // large |v|: 1 − 2 / (e^{2v} + 1)
  code.f32x4Const(1).f32x4Const(2);
  code.localGet(v).localGet(v).f32x4Add();
  exp(code, s);
  code.f32x4Const(1).f32x4Add().f32x4Div().f32x4Sub();
  // choose lane by lane
  code.localGet(v).f32x4Abs().f32x4Const(TANH_SMALL).f32x4Lt().v128Bitselect();
}

/**
 * lstm_gates_<sigmoid|hard>(z, cPrev, out, plane, batch, units): z is [batch, 4·units],
 * cPrev [batch, units]; the outputs i, f, g, o, c, tanhC, h are seven planes of [batch, units]
 * at out + q·plane (byte addresses). Rows are done in order, four units at a time; when units
 * is not a multiple of 4 the last vector of a row spills into the next row's first units,
 * which that row then overwrites (so the caller pads each plane and z by 4 floats).
 */
function lstmGates(hard: boolean): FunctionDef {
  const z = 0, cPrev = 1, out = 2, plane = 3, batch = 4, units = 5;
  const row = 6, zp = 7, sp = 8, left = 9, uBytes = 10, walked = 11;
  const planeAt = (q: number): number => 12 + q; // the 7 planes' base addresses
  const firstV = 19;
  const s: Scratch = { x: firstV, n: firstV + 1, r: firstV + 2, t: firstV + 3 };
  const vi = firstV + 4, vf = firstV + 5, vg = firstV + 6, vo = firstV + 7, vc = firstV + 8, vtc = firstV + 9, tmp = firstV + 10;
  const locals: ValueType[] = [...Array<ValueType>(13).fill(I32), ...Array<ValueType>(11).fill(V128)];
  const code = new Code();
  /** Gate q's four pre-activations through its activation, into local `target`. */
  const gate = (q: number, target: number): void => {
    code.localGet(zp).localGet(uBytes).i32Const(q).i32Mul().i32Add().v128Load();
    if (q === 2) {
      code.localSet(tmp);
      tanh(code, s, tmp);
    } else if (hard) {
      hardSigmoid(code);
    } else {
      sigmoid(code, s);
    }
    code.localSet(target);
  };
  const store = (q: number, value: number): void => {
    code.localGet(planeAt(q)).localGet(sp).i32Add().localGet(value).v128Store();
  };

  code.localGet(units).i32Const(4).i32Mul().localSet(uBytes);
  code.localGet(units).i32Const(3).i32Add().i32Const(2).i32ShrU().i32Const(16).i32Mul().localSet(walked); // bytes per row walk
  for (let q = 0; q < 7; q++) code.localGet(out).localGet(plane).i32Const(q).i32Mul().i32Add().localSet(planeAt(q));
  code.localGet(batch).localSet(row).localGet(z).localSet(zp).i32Const(0).localSet(sp);
  code.loop(); // over rows
  {
    code.localGet(units).i32Const(3).i32Add().i32Const(2).i32ShrU().localSet(left); // ceil(units / 4) groups
    code.loop(); // over groups of four units
    {
      gate(0, vi); // input gate
      gate(1, vf); // forget gate
      gate(2, vg); // candidate
      gate(3, vo); // output gate
      // new cell state: c = f·c_prev + i·g
      code.localGet(vf).localGet(cPrev).localGet(sp).i32Add().v128Load().f32x4Mul()
        .localGet(vi).localGet(vg).f32x4Mul().f32x4Add().localSet(vc);
      tanh(code, s, vc);
      code.localSet(vtc);
      [vi, vf, vg, vo, vc, vtc].forEach((v, q) => store(q, v));
      code.localGet(planeAt(6)).localGet(sp).i32Add().localGet(vo).localGet(vtc).f32x4Mul().v128Store(); // h = o·tanh(c)
      code.localGet(zp).i32Const(16).i32Add().localSet(zp);
      code.localGet(sp).i32Const(16).i32Add().localSet(sp);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    }
    code.end();
    // Undo the spill: the next row starts exactly `units` floats (z: 4·units) after this one.
    code.localGet(sp).localGet(walked).i32Sub().localGet(uBytes).i32Add().localSet(sp);
    code.localGet(zp).localGet(walked).i32Sub().localGet(uBytes).i32Const(4).i32Mul().i32Add().localSet(zp);
    code.localGet(row).i32Const(1).i32Sub().localTee(row).brIf(0);
  }
  code.end();
  return { name: hard ? 'lstm_gates_hard' : 'lstm_gates_sigmoid', params: Array<ValueType>(6).fill(I32), locals, body: code };
}

/** The module's bytes (memory imported as env.memory): lstm_gates_sigmoid and lstm_gates_hard. */
export function lstmModuleBytes(): Uint8Array<ArrayBuffer> {
  return buildModule([lstmGates(false), lstmGates(true)]);
}
