/**
 * One simple-RNN step inside the matmul module's memory (kernels/wasm/rnn-sequence.ts drives it):
 * on a range of C's columns, C = x_t·W + b, then (after the product adds h_{t−1}·U) the tanh of
 * those columns, written to step t's planes and, as h_t, into the packed left operand of step
 * t + 1. Columns are units here (no reordering): any range of whole panels is independent.
 * The tanh is the instruction sequence of ./simd-math.ts that the element-wise kernel
 * (./unary.ts) runs, so the values are the same bits as stepping.
 */
import { Code, I32, V128, type FunctionDef, type ValueType } from './emit';
import { tanh, type Scratch } from './simd-math';

/**
 * seq_init(c, ldc, xw, xwStride, bias, rows, padRows, vecs, padVecs): for each of `rows` rows,
 * `vecs` f32x4s of C = x_t·W + b then `padVecs` zero vectors (the padding columns); then
 * `padRows` rows of zeros (byte addresses; c, xw and bias at the range's first column; any
 * count may be 0).
 */
function seqInit(): FunctionDef {
  const c = 0, ldc = 1, xw = 2, xwStride = 3, bias = 4, rows = 5, padRows = 6, vecs = 7, padVecs = 8;
  const cp = 9, xp = 10, bp = 11, left = 12, rowC = 13, rowX = 14, r = 15;
  const code = new Code();
  /** Zero `count` vectors from cp on (count read from a local; may be 0). */
  const zeros = (count: number): void => {
    code.block();
    code.localGet(count).i32Eqz().brIf(0).localGet(count).localSet(left);
    code.loop();
    code.localGet(cp).f32x4Const(0).v128Store();
    code.localGet(cp).i32Const(16).i32Add().localSet(cp);
    code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    code.end();
    code.end();
  };
  code.localGet(c).localSet(rowC).localGet(xw).localSet(rowX);
  code.block();
  code.localGet(rows).i32Eqz().brIf(0).localGet(rows).localSet(r);
  code.loop(); // over the real rows
  {
    code.localGet(rowC).localSet(cp).localGet(rowX).localSet(xp).localGet(bias).localSet(bp);
    code.block();
    code.localGet(vecs).i32Eqz().brIf(0).localGet(vecs).localSet(left);
    code.loop();
    code.localGet(cp).localGet(xp).v128Load().localGet(bp).v128Load().f32x4Add().v128Store();
    code.localGet(cp).i32Const(16).i32Add().localSet(cp);
    code.localGet(xp).i32Const(16).i32Add().localSet(xp);
    code.localGet(bp).i32Const(16).i32Add().localSet(bp);
    code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    code.end();
    code.end();
    zeros(padVecs);
    code.localGet(rowC).localGet(ldc).i32Add().localSet(rowC);
    code.localGet(rowX).localGet(xwStride).i32Add().localSet(rowX);
    code.localGet(r).i32Const(1).i32Sub().localTee(r).brIf(0);
  }
  code.end();
  code.end();
  code.block(); // the padding rows
  code.localGet(padRows).i32Eqz().brIf(0);
  code.loop();
  {
    code.localGet(rowC).localSet(cp);
    zeros(vecs);
    zeros(padVecs);
    code.localGet(rowC).localGet(ldc).i32Add().localSet(rowC);
    code.localGet(padRows).i32Const(1).i32Sub().localTee(padRows).brIf(0);
  }
  code.end();
  code.end();
  return { name: 'seq_init', params: Array<ValueType>(9).fill(I32), locals: Array<ValueType>(7).fill(I32), body: code };
}

/**
 * rnn_tanh_step(c, ldc, pre, hs, uBytes, rows, vecs, hNext, panelBytes): for `vecs` vectors of
 * each of `rows` rows (vecs ≥ 1, rows ≥ 1): a = C → pre, h = tanh(a) → hs (rows uBytes apart),
 * and h lane by lane into the packed operand at hNext + (r >> 2)·panelBytes + (r & 3)·4, 64
 * bytes further per vector (byte addresses, each at the range's first unit).
 */
function rnnTanhStep(relaxed: boolean): FunctionDef {
  const c = 0, ldc = 1, pre = 2, hs = 3, uBytes = 4, rows = 5, vecs = 6, hNext = 7, panelBytes = 8;
  const r = 9, cp = 10, sp = 11, hp = 12, left = 13, rowC = 14, rowS = 15;
  const firstV = 16;
  const s: Scratch = { x: firstV, n: firstV + 1, r: firstV + 2, t: firstV + 3, relaxed };
  const va = firstV + 4, vh = firstV + 5;
  const locals: ValueType[] = [...Array<ValueType>(7).fill(I32), ...Array<ValueType>(6).fill(V128)];
  const code = new Code();
  code.i32Const(0).localSet(r).localGet(c).localSet(rowC).i32Const(0).localSet(rowS);
  code.loop(); // over rows
  {
    code.localGet(rowC).localSet(cp).localGet(rowS).localSet(sp).localGet(vecs).localSet(left);
    code.localGet(hNext).localGet(r).i32Const(2).i32ShrU().localGet(panelBytes).i32Mul().i32Add()
      .localGet(r).i32Const(3).i32And().i32Const(4).i32Mul().i32Add().localSet(hp);
    code.loop(); // over vectors of four units
    {
      code.localGet(cp).v128Load().localSet(va);
      code.localGet(pre).localGet(sp).i32Add().localGet(va).v128Store();
      tanh(code, s, va);
      code.localSet(vh);
      code.localGet(hs).localGet(sp).i32Add().localGet(vh).v128Store();
      for (let l = 0; l < 4; l++) code.localGet(hp).localGet(vh).f32x4ExtractLane(l).f32Store(16 * l);
      code.localGet(cp).i32Const(16).i32Add().localSet(cp);
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
  return { name: 'rnn_tanh_step', params: Array<ValueType>(9).fill(I32), locals, body: code };
}

/** The step's functions, for the matmul module (./gemm-module.ts) to include. */
export function rnnStepFunctions(relaxed = false): FunctionDef[] {
  return [seqInit(), rnnTanhStep(relaxed)];
}

/** Signatures of the exports (see above). */
export type SeqInitFn = (c: number, ldc: number, xw: number, xwStride: number, bias: number, rows: number, padRows: number,
  vecs: number, padVecs: number) => void;
export type RnnTanhStepFn = (c: number, ldc: number, pre: number, hs: number, uBytes: number, rows: number, vecs: number,
  hNext: number, panelBytes: number) => void;
