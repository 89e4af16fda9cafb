/**
 * One LSTM step inside the matmul module's memory, a block of four units at a time, so that
 * each thread that computes some columns of z_t = x_t·W + b + h_{t−1}·U can also run the gates
 * of those units (kernels/wasm/lstm-sequence.ts drives it, ./threads.ts shares it out).
 *
 * For that, U's columns are reordered into blocks of 16: the i, f, c and o columns of units
 * 4b … 4b+3 side by side ("blocked" order, column 16b + 4q + l is gate q of unit 4b + l). A
 * column range made of whole blocks then holds every gate of its units: init, product and
 * gates of a block never read another block's columns. Each element of z is still the same sum
 * in the same order as in the step-by-step path (./fixed-right.ts `wasmFixedRight`), and the gate
 * math is the same instruction sequence as ./lstm-module.ts, so the results are the same bits.
 *
 * The step's outputs go straight to where the next step reads them: the seven planes of step t
 * (kept in wasm memory for the whole sequence) and h_t written into the packed left operand of
 * step t+1's product (./pack.ts layout), so nothing is copied between steps.
 */
import { Code, I32, V128, type FunctionDef, type ValueType } from './emit';
import { sigmoid, tanh, type Scratch } from './simd-math';

/** Units per block, and the block's width in columns of z (four gates of four units). */
export const BLOCK_UNITS = 4;
export const BLOCK_COLUMNS = 16;

/**
 * lstm_init(c, ldc, xw, xwStride, bias, uBytes, rows, padRows, blocks): C's rows start as
 * x_t·W + b in blocked order, for `blocks` blocks (byte addresses). xw points at gate 0 of the
 * first unit of row 0 (gate q is uBytes further), rows xwStride bytes apart; bias likewise.
 * The padRows rows after the real ones are zeroed (the product fills whole tiles).
 */
function lstmInit(): FunctionDef {
  const c = 0, ldc = 1, xw = 2, xwStride = 3, bias = 4, uBytes = 5, rows = 6, padRows = 7, blocks = 8;
  const cp = 9, xp = 10, bp = 11, left = 12, rowC = 13, rowX = 14;
  const code = new Code();
  code.localGet(c).localSet(rowC).localGet(xw).localSet(rowX);
  code.loop(); // over the real rows
  {
    code.localGet(rowC).localSet(cp).localGet(rowX).localSet(xp).localGet(bias).localSet(bp).localGet(blocks).localSet(left);
    code.loop(); // over blocks: z[q] = xW[q] + b[q] for the four gates
    {
      for (let q = 0; q < 4; q++) {
        code.localGet(cp);
        code.localGet(xp).localGet(uBytes).i32Const(q).i32Mul().i32Add().v128Load();
        code.localGet(bp).localGet(uBytes).i32Const(q).i32Mul().i32Add().v128Load();
        code.f32x4Add().v128Store(16 * q);
      }
      code.localGet(cp).i32Const(64).i32Add().localSet(cp);
      code.localGet(xp).i32Const(16).i32Add().localSet(xp);
      code.localGet(bp).i32Const(16).i32Add().localSet(bp);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    }
    code.end();
    code.localGet(rowC).localGet(ldc).i32Add().localSet(rowC);
    code.localGet(rowX).localGet(xwStride).i32Add().localSet(rowX);
    code.localGet(rows).i32Const(1).i32Sub().localTee(rows).brIf(0);
  }
  code.end();
  code.block(); // the padding rows, if any: zeros
  {
    code.localGet(padRows).i32Eqz().brIf(0);
    code.loop();
    {
      code.localGet(rowC).localSet(cp).localGet(blocks).localSet(left);
      code.loop();
      {
        for (let q = 0; q < 4; q++) code.localGet(cp).f32x4Const(0).v128Store(16 * q);
        code.localGet(cp).i32Const(64).i32Add().localSet(cp);
        code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
      }
      code.end();
      code.localGet(rowC).localGet(ldc).i32Add().localSet(rowC);
      code.localGet(padRows).i32Const(1).i32Sub().localTee(padRows).brIf(0);
    }
    code.end();
  }
  code.end();
  return { name: 'lstm_init', params: Array<ValueType>(9).fill(I32), locals: Array<ValueType>(6).fill(I32), body: code };
}

/**
 * lstm_gates_blocked(c, ldc, cPrev, planes, planeStride, uBytes, rows, blocks, hNext, panelBytes):
 * the gate math of ./lstm-module.ts (logistic sigmoid) on `blocks` blocks of z in blocked order
 * (byte addresses). cPrev and the seven output planes (i, f, g, o, c, tanhC, h, planeStride
 * bytes apart) point at the first unit of row 0, rows uBytes apart. h also goes, lane by lane,
 * into the packed left operand of the next product: row r, unit offset p at
 * hNext + (r >> 2)·panelBytes + p·16 + (r & 3)·4 (hNext already includes the first unit's p).
 */
function lstmGatesBlocked(relaxed: boolean): FunctionDef {
  const c = 0, ldc = 1, cPrev = 2, planes = 3, planeStride = 4, uBytes = 5, rows = 6, blocks = 7, hNext = 8, panelBytes = 9;
  const r = 10, zp = 11, sp = 12, left = 13, rowC = 14, rowS = 15, hp = 16;
  const planeAt = (q: number): number => 17 + q;
  const firstV = 24;
  const s: Scratch = { x: firstV, n: firstV + 1, r: firstV + 2, t: firstV + 3, relaxed };
  const vi = firstV + 4, vf = firstV + 5, vg = firstV + 6, vo = firstV + 7, vc = firstV + 8, vtc = firstV + 9, tmp = firstV + 10;
  const locals: ValueType[] = [...Array<ValueType>(14).fill(I32), ...Array<ValueType>(11).fill(V128)];
  const code = new Code();
  const gate = (q: number, target: number): void => {
    code.localGet(zp).v128Load(16 * q);
    if (q === 2) {
      code.localSet(tmp);
      tanh(code, s, tmp);
    } else {
      sigmoid(code, s);
    }
    code.localSet(target);
  };
  for (let q = 0; q < 7; q++) code.localGet(planes).localGet(planeStride).i32Const(q).i32Mul().i32Add().localSet(planeAt(q));
  code.i32Const(0).localSet(r).localGet(c).localSet(rowC).i32Const(0).localSet(rowS);
  code.loop(); // over rows
  {
    code.localGet(rowC).localSet(zp).localGet(rowS).localSet(sp).localGet(blocks).localSet(left);
    code.localGet(hNext).localGet(r).i32Const(2).i32ShrU().localGet(panelBytes).i32Mul().i32Add()
      .localGet(r).i32Const(3).i32And().i32Const(4).i32Mul().i32Add().localSet(hp);
    code.loop(); // over blocks of four units
    {
      gate(0, vi);
      gate(1, vf);
      gate(2, vg);
      gate(3, vo);
      // c = f·c_prev + i·g, as ./lstm-module.ts computes it
      code.localGet(vf).localGet(cPrev).localGet(sp).i32Add().v128Load().f32x4Mul()
        .localGet(vi).localGet(vg).f32x4Mul().f32x4Add().localSet(vc);
      tanh(code, s, vc);
      code.localSet(vtc);
      [vi, vf, vg, vo, vc, vtc].forEach((v, q) => code.localGet(planeAt(q)).localGet(sp).i32Add().localGet(v).v128Store());
      code.localGet(vo).localGet(vtc).f32x4Mul().localSet(tmp); // h = o·tanh(c)
      code.localGet(planeAt(6)).localGet(sp).i32Add().localGet(tmp).v128Store();
      for (let l = 0; l < 4; l++) code.localGet(hp).localGet(tmp).f32x4ExtractLane(l).f32Store(16 * l);
      code.localGet(zp).i32Const(64).i32Add().localSet(zp);
      code.localGet(sp).i32Const(16).i32Add().localSet(sp);
      code.localGet(hp).i32Const(64).i32Add().localSet(hp);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    }
    code.end();
    code.localGet(rowC).localGet(ldc).i32Add().localSet(rowC);
    code.localGet(rowS).localGet(uBytes).i32Add().localSet(rowS);
    code.localGet(r).i32Const(1).i32Add().localTee(r).localGet(rows).i32LtU().brIf(0);
  }
  code.end();
  return { name: 'lstm_gates_blocked', params: Array<ValueType>(10).fill(I32), locals, body: code };
}

/**
 * lstm_gates_back_blocked(planes, planeStride, cPrev, uBytes, rows, blocks, dH, dHStride, dhNext,
 * dhNextStride, dc, dxw, dxwStride, table): one step of the backward, `blocks` blocks of four
 * units (byte addresses, each at the first unit of row 0): dh = dH[:, t] + dhNext, then the
 * gate derivatives of ./lstm-module.ts `lstm_gates_backward` in the same instruction order
 * from planes i, f, g, o, c, tanhC (planeStride apart), c_{t−1} and the carried dc (updated in
 * place to dc_{t−1}). dz goes to dXW in Keras gate order (gate q uBytes further, rows dxwStride
 * apart) and, lane by lane, into the packed left operand of dz·Uᵀ: for block b and gate q the
 * table holds two i32s at table + 32b + 8q, the address of row 0's lane 0 and the bytes per
 * panel of four rows (so the product sums in Keras order, as the step-by-step path does).
 */
function lstmGatesBackBlocked(): FunctionDef {
  const planes = 0, planeStride = 1, cPrev = 2, uBytes = 3, rows = 4, blocks = 5, dH = 6, dHStride = 7, dhNext = 8;
  const dhNextStride = 9, dc = 10, dxw = 11, dxwStride = 12, table = 13;
  const r = 14, sp = 15, left = 16, hq = 17, tp = 18, ep = 19, rowH = 20, rowN = 21, rowX = 22, pr = 23, cr = 24;
  const [pI, pF, pG, pO, pT] = [25, 26, 27, 28, 29];
  const firstV = 30;
  const [vi, vf, vg, vo, vtc, vcp, vdh, vdc, one, tmp] = Array.from({ length: 10 }, (_, q) => firstV + q);
  const locals: ValueType[] = [...Array<ValueType>(16).fill(I32), ...Array<ValueType>(10).fill(V128)];
  const code = new Code();
  const sigmoidD = (y: number): void => { // y·(1 − y), σ' from σ's output
    code.localGet(y).localGet(one).localGet(y).f32x4Sub().f32x4Mul();
  };
  /** The vector on the stack is gate q's dz: to dXW, and lane by lane to the packed operand. */
  const storeDz = (q: number): void => {
    code.localSet(tmp);
    code.localGet(rowX).localGet(ep).i32Add().localGet(uBytes).i32Const(q).i32Mul().i32Add().localGet(tmp).v128Store();
    code.localGet(tp).i32Load(8 * q).localGet(pr).localGet(tp).i32Load(8 * q + 4).i32Mul().i32Add().localGet(cr).i32Add().localSet(hq);
    for (let l = 0; l < 4; l++) code.localGet(hq).localGet(tmp).f32x4ExtractLane(l).f32Store(16 * l);
  };
  code.f32x4Const(1).localSet(one);
  [pI, pF, pG, pO].forEach((at, q) => code.localGet(planes).localGet(planeStride).i32Const(q).i32Mul().i32Add().localSet(at));
  code.localGet(planes).localGet(planeStride).i32Const(5).i32Mul().i32Add().localSet(pT);
  code.i32Const(0).localSet(r);
  code.loop(); // over rows
  {
    code.localGet(r).localGet(uBytes).i32Mul().localSet(sp);
    code.localGet(dH).localGet(r).localGet(dHStride).i32Mul().i32Add().localSet(rowH);
    code.localGet(dhNext).localGet(r).localGet(dhNextStride).i32Mul().i32Add().localSet(rowN);
    code.localGet(dxw).localGet(r).localGet(dxwStride).i32Mul().i32Add().localSet(rowX);
    code.localGet(r).i32Const(2).i32ShrU().localSet(pr);
    code.localGet(r).i32Const(3).i32And().i32Const(4).i32Mul().localSet(cr);
    code.localGet(table).localSet(tp).i32Const(0).localSet(ep).localGet(blocks).localSet(left);
    code.loop(); // over blocks of four units
    {
      code.localGet(rowH).localGet(ep).i32Add().v128Load().localGet(rowN).localGet(ep).i32Add().v128Load().f32x4Add().localSet(vdh);
      [[vi, pI], [vf, pF], [vg, pG], [vo, pO], [vtc, pT], [vcp, cPrev], [vdc, dc]].forEach(([v, at]) =>
        code.localGet(at).localGet(sp).i32Add().v128Load().localSet(v));
      // dc' = dc + dh·o·(1 − tanhC²)
      code.localGet(vdc).localGet(vdh).localGet(vo).f32x4Mul()
        .localGet(one).localGet(vtc).localGet(vtc).f32x4Mul().f32x4Sub().f32x4Mul().f32x4Add().localSet(vdc);
      code.localGet(vdc).localGet(vg).f32x4Mul(); sigmoidD(vi); code.f32x4Mul(); storeDz(0); // input gate
      code.localGet(vdc).localGet(vcp).f32x4Mul(); sigmoidD(vf); code.f32x4Mul(); storeDz(1); // forget gate
      code.localGet(vdc).localGet(vi).f32x4Mul().localGet(one).localGet(vg).localGet(vg).f32x4Mul().f32x4Sub().f32x4Mul(); storeDz(2); // candidate
      code.localGet(vdh).localGet(vtc).f32x4Mul(); sigmoidD(vo); code.f32x4Mul(); storeDz(3); // output gate
      code.localGet(dc).localGet(sp).i32Add().localGet(vdc).localGet(vf).f32x4Mul().v128Store(); // dc_{t−1} = dc'·f
      code.localGet(sp).i32Const(16).i32Add().localSet(sp);
      code.localGet(ep).i32Const(16).i32Add().localSet(ep);
      code.localGet(tp).i32Const(32).i32Add().localSet(tp);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    }
    code.end();
    code.localGet(r).i32Const(1).i32Add().localTee(r).localGet(rows).i32LtU().brIf(0);
  }
  code.end();
  return { name: 'lstm_gates_back_blocked', params: Array<ValueType>(14).fill(I32), locals, body: code };
}

/**
 * The step's functions, for the matmul module (./gemm-module.ts) to include; `relaxed`: the
 * gates' exp uses relaxed SIMD (./simd-math.ts, the same bits).
 */
export function lstmStepFunctions(relaxed = false): FunctionDef[] {
  return [lstmInit(), lstmGatesBlocked(relaxed), lstmGatesBackBlocked()];
}

/** Signatures of the two exports (see above). */
export type LstmInitFn = (c: number, ldc: number, xw: number, xwStride: number, bias: number, uBytes: number,
  rows: number, padRows: number, blocks: number) => void;
export type LstmGatesBlockedFn = (c: number, ldc: number, cPrev: number, planes: number, planeStride: number,
  uBytes: number, rows: number, blocks: number, hNext: number, panelBytes: number) => void;
export type LstmGatesBackBlockedFn = (planes: number, planeStride: number, cPrev: number, uBytes: number, rows: number,
  blocks: number, dH: number, dHStride: number, dhNext: number, dhNextStride: number, dc: number, dxw: number,
  dxwStride: number, table: number) => void;
