/**
 * float32 transcendental functions as f32x4 instruction sequences, emitted into a caller's
 * function body: the one implementation both the LSTM gate kernel (./lstm-module.ts) and the
 * element-wise unary kernel (./unary.ts) use.
 *
 * exp is Cephes `expf`: x = n·ln2 + r with n = round(x·log₂e), |r| ≤ ln2/2 (ln2 split in two
 * parts so r is exact), e^r = 1 + r + r²·P(r) with a degree-5 P, and 2ⁿ built in the exponent
 * bits. tanh is Cephes `tanhf`: an odd polynomial for |x| < 0.625 (where 1 − 2/(e^{2x} + 1)
 * would cancel) and 1 − 2/(e^{2x} + 1) elsewhere. Both are within a few float32 ulps.
 */
import type { Code } from './emit';

const EXP_HI = 88.3762626647949;
const EXP_LO = -87.3365447505531;
const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
const TANH_SMALL = 0.625;
const TANH_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];

/** Scratch v128 locals the helpers overwrite (indices in the caller's function). */
export interface Scratch {
  readonly x: number;
  readonly n: number;
  readonly r: number;
  readonly t: number;
  /**
   * Use relaxed SIMD's min, max and truncation (the module must then be built only where the
   * engine has relaxed SIMD: ./relaxed.ts). On x64 each is one instruction where the strict
   * f32x4.min / max and i32x4.trunc_sat take several: measured on the 2-core EPYC, σ over
   * 16 384 floats 2.3–3.0 → 1.4–2.1 ns an element. The values are the same bits: the clamp's
   * bounds are non-zero constants (so min/max differ only on a NaN lane) and n is a whole number
   * inside [−127, 128] when truncated. A NaN lane is put back at the end (exp of NaN is NaN
   * whatever the engine's relaxed min does with it).
   */
  readonly relaxed?: boolean;
}

/** Push e^x for the v128 on top of the stack. */
export function exp(code: Code, s: Scratch): void {
  if (s.relaxed) {
    // keep 2ⁿ a normal float; x as the second operand, which x64's minps/maxps return for a NaN
    code.localTee(s.t).localSet(s.x);
    code.f32x4Const(EXP_HI).localGet(s.x).f32x4RelaxedMin().localSet(s.x);
    code.f32x4Const(EXP_LO).localGet(s.x).f32x4RelaxedMax().localSet(s.x);
  } else {
    code.f32x4Const(EXP_HI).f32x4Min().f32x4Const(EXP_LO).f32x4Max().localSet(s.x); // keep 2ⁿ a normal float
  }
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
  code.localGet(s.n);
  if (s.relaxed) code.i32x4RelaxedTruncF32x4S();
  else code.i32x4TruncSatF32x4S();
  code.i32Const(127).i32x4Splat().i32x4Add().i32Const(23).i32x4Shl();
  code.f32x4Mul();
  // relaxed: a NaN input (kept in t) gives NaN, whatever the clamp did with it
  if (s.relaxed) code.localGet(s.t).localGet(s.t).localGet(s.t).f32x4Eq().v128Bitselect();
}

/** Push σ(v) = 1 / (1 + e^−v) for the v128 on top of the stack. */
export function sigmoid(code: Code, s: Scratch): void {
  code.f32x4Neg();
  exp(code, s);
  code.localSet(s.t).f32x4Const(1).f32x4Const(1).localGet(s.t).f32x4Add().f32x4Div();
}

/** TF.js's hard sigmoid: clip(0.2·v + 0.5, 0, 1). */
export function hardSigmoid(code: Code): void {
  code.f32x4Const(0.2).f32x4Mul().f32x4Const(0.5).f32x4Add().f32x4Const(1).f32x4Min().f32x4Const(0).f32x4Max();
}

/** Push tanh(v) for the v128 in local `v` (which it leaves intact). */
export function tanh(code: Code, s: Scratch, v: number): void {
  code.localGet(v); // for the sign at the end
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
  // tanh is odd: v's sign bit on the result's magnitude (the polynomial alone gives tanh(−0) = +0)
  code.f32x4Const(-0).v128Bitselect();
}
