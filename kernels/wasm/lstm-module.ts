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
 * The exp / σ / tanh instruction sequences are in ./simd-math.ts (Cephes expf and tanhf).
 */
import { Code, I32, V128, buildModule, type FunctionDef, type ValueType } from './emit';
import { hardSigmoid, sigmoid, tanh, type Scratch } from './simd-math';

/**
 * lstm_gates_<sigmoid|hard>(z, cPrev, out, plane, batch, units): z is [batch, 4·units],
 * cPrev [batch, units]; the outputs i, f, g, o, c, tanhC, h are seven planes of [batch, units]
 * at out + q·plane (byte addresses). Rows are done in order, four units at a time; when units
 * is not a multiple of 4 the last vector of a row spills into the next row's first units,
 * which that row then overwrites (so the caller pads each plane and z by 4 floats).
 */
function lstmGates(hard: boolean, relaxed: boolean): FunctionDef {
  const z = 0, cPrev = 1, out = 2, plane = 3, batch = 4, units = 5;
  const row = 6, zp = 7, sp = 8, left = 9, uBytes = 10, walked = 11;
  const planeAt = (q: number): number => 12 + q; // the 7 planes' base addresses
  const firstV = 19;
  const s: Scratch = { x: firstV, n: firstV + 1, r: firstV + 2, t: firstV + 3, relaxed };
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

/**
 * lstm_gates_backward(in, plane, dz, dcPrev, batch, units): the backward of lstm_gates_sigmoid,
 * from eight planes of [batch, units] at in + q·plane — i, f, g, o, tanhC, c_prev, dh, dc —
 * to dz [batch, 4·units] and dcPrev [batch, units] (byte addresses), four units at a time:
 *
 *   dc' = dc + dh·o·(1 − tanhC²)       (both paths into the cell)
 *   dz_i = dc'·g·i(1 − i)   dz_f = dc'·c_prev·f(1 − f)   dz_c = dc'·i·(1 − g²)   dz_o = dh·tanhC·o(1 − o)
 *   dcPrev = dc'·f
 *
 * The derivatives come from the saved outputs (σ' = σ(1 − σ), tanh' = 1 − tanh²), as in the
 * reference (kernels/cpu/nn.ts). units must be a multiple of 4: a vector never crosses from one
 * gate's block of dz into the next.
 */
function lstmGatesBackward(): FunctionDef {
  const input = 0, plane = 1, dz = 2, dcPrev = 3, batch = 4, units = 5;
  const row = 6, zp = 7, sp = 8, left = 9, uBytes = 10;
  const planeAt = (q: number): number => 11 + q; // the 8 input planes' base addresses
  const firstV = 19;
  const [vi, vf, vg, vo, vtc, vcp, vdh, vdc, one] = Array.from({ length: 9 }, (_, q) => firstV + q);
  const locals: ValueType[] = [...Array<ValueType>(13).fill(I32), ...Array<ValueType>(9).fill(V128)];
  const code = new Code();
  const load = (q: number, target: number): void => {
    code.localGet(planeAt(q)).localGet(sp).i32Add().v128Load().localSet(target);
  };
  /** Push y·(1 − y) for the vector in local y (σ' from σ's output). */
  const sigmoidD = (y: number): void => {
    code.localGet(y).localGet(one).localGet(y).f32x4Sub().f32x4Mul();
  };
  /** Store the vector on the stack as gate q's four dz values (value pushed by `value`). */
  const storeDz = (q: number, value: () => void): void => {
    code.localGet(zp).localGet(uBytes).i32Const(q).i32Mul().i32Add();
    value();
    code.v128Store();
  };

  code.f32x4Const(1).localSet(one);
  code.localGet(units).i32Const(4).i32Mul().localSet(uBytes);
  for (let q = 0; q < 8; q++) code.localGet(input).localGet(plane).i32Const(q).i32Mul().i32Add().localSet(planeAt(q));
  code.localGet(batch).localSet(row).localGet(dz).localSet(zp).i32Const(0).localSet(sp);
  code.loop(); // over rows
  {
    code.localGet(units).i32Const(2).i32ShrU().localSet(left); // units / 4 groups
    code.loop(); // over groups of four units
    {
      [vi, vf, vg, vo, vtc, vcp, vdh, vdc].forEach((v, q) => load(q, v));
      // dc' = dc + dh·o·(1 − tanhC²), kept in vdc
      code.localGet(vdc).localGet(vdh).localGet(vo).f32x4Mul()
        .localGet(one).localGet(vtc).localGet(vtc).f32x4Mul().f32x4Sub().f32x4Mul().f32x4Add().localSet(vdc);
      storeDz(0, () => { code.localGet(vdc).localGet(vg).f32x4Mul(); sigmoidD(vi); code.f32x4Mul(); }); // input gate
      storeDz(1, () => { code.localGet(vdc).localGet(vcp).f32x4Mul(); sigmoidD(vf); code.f32x4Mul(); }); // forget gate
      storeDz(2, () => { // candidate
        code.localGet(vdc).localGet(vi).f32x4Mul().localGet(one).localGet(vg).localGet(vg).f32x4Mul().f32x4Sub().f32x4Mul();
      });
      storeDz(3, () => { code.localGet(vdh).localGet(vtc).f32x4Mul(); sigmoidD(vo); code.f32x4Mul(); }); // output gate
      code.localGet(dcPrev).localGet(sp).i32Add().localGet(vdc).localGet(vf).f32x4Mul().v128Store(); // dcPrev = dc'·f
      code.localGet(zp).i32Const(16).i32Add().localSet(zp);
      code.localGet(sp).i32Const(16).i32Add().localSet(sp);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    }
    code.end();
    // zp walked one gate's block of this row; the next row starts three blocks further.
    code.localGet(zp).localGet(uBytes).i32Const(3).i32Mul().i32Add().localSet(zp);
    code.localGet(row).i32Const(1).i32Sub().localTee(row).brIf(0);
  }
  code.end();
  return { name: 'lstm_gates_backward', params: Array<ValueType>(6).fill(I32), locals, body: code };
}

/**
 * The module's bytes (memory imported as env.memory): lstm_gates_sigmoid, lstm_gates_hard and
 * lstm_gates_backward (the logistic sigmoid's). `relaxed`: exp uses relaxed SIMD (./simd-math.ts).
 */
export function lstmModuleBytes(relaxed = false): Uint8Array<ArrayBuffer> {
  return buildModule([lstmGates(false, relaxed), lstmGates(true, relaxed), lstmGatesBackward()]);
}
