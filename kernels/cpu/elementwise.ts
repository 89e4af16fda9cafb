/**
 * CPU element-wise kernels: unary maps, broadcasting binary ops, and the small helpers
 * the tape and optimizers need. Plain loops over typed arrays; nothing is allocated per element.
 *
 * Each op has its own loop calling its formula from kernels/scalar.ts, rather than one loop
 * calling `f`: a call site that sees nine different functions is megamorphic, and V8 then makes
 * a real call per element instead of inlining the formula — 3× slower for unary ops and 7× for
 * binary ones on 128 elements (measured). The formulas themselves are still written once.
 */
import type { Shape } from '../../engine/shape';
import type { Storage } from '../kernel';
import type { UnaryOp, BinaryOp } from '../scalar';
import { wasmUnary, WASM_UNARY_MIN } from '../wasm/unary';
import { wasmSimdAvailable } from '../wasm/matmul';
import {
  negF, negD, expF, expD, logF, logD, tanhF, tanhD, sigmoidF, sigmoidD, hardSigmoidF, hardSigmoidD, reluF, reluD, squareF, squareD,
  sqrtF, sqrtD, addF, subF, mulF, divF,
} from '../scalar';

function unknownOp(kernel: string, op: never): never {
  throw new Error(`${kernel}: unknown op '${String(op)}'`);
}

let wasmUnaryEnabled = wasmSimdAvailable();

/** Whether float32 tanh and σ of at least WASM_UNARY_MIN elements run on the wasm kernel. */
export function wasmUnaryOn(): boolean {
  return wasmUnaryEnabled;
}

/** Turn the wasm tanh/σ path on or off (tests compare the two); returns the old setting. */
export function useWasmUnary(on: boolean): boolean {
  const was = wasmUnaryEnabled;
  wasmUnaryEnabled = on && wasmSimdAvailable();
  return was;
}

/**
 * out = f(x) element-wise. float32 tanh and σ of at least WASM_UNARY_MIN elements run on the
 * WebAssembly SIMD kernel (kernels/wasm/unary.ts, within a few float32 ulps of these loops).
 */
// #region unary-loop
export function unary(op: UnaryOp, x: Storage, out: Storage): void {
  const n = x.length;
  if ((op === 'tanh' || op === 'sigmoid') && wasmUnaryEnabled && n >= WASM_UNARY_MIN &&
    x instanceof Float32Array && out instanceof Float32Array) {
    return wasmUnary(op, x, out);
  }
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = negF(x[i]); return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = expF(x[i]); return;
    case 'log': for (let i = 0; i < n; i++) out[i] = logF(x[i]); return;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = tanhF(x[i]); return;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = sigmoidF(x[i]); return;
    case 'hardSigmoid': for (let i = 0; i < n; i++) out[i] = hardSigmoidF(x[i]); return;
    case 'relu': for (let i = 0; i < n; i++) out[i] = reluF(x[i]); return;
    case 'square': for (let i = 0; i < n; i++) out[i] = squareF(x[i]); return;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = sqrtF(x[i]); return;
    default: unknownOp('unary', op);
  }
}
// #endregion unary-loop

/** out = dy ⊙ f'(x, y). */
export function unaryBackward(op: UnaryOp, x: Storage, y: Storage, dy: Storage, out: Storage): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = dy[i] * negD(x[i], y[i]); return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = dy[i] * expD(x[i], y[i]); return;
    case 'log': for (let i = 0; i < n; i++) out[i] = dy[i] * logD(x[i], y[i]); return;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = dy[i] * tanhD(x[i], y[i]); return;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = dy[i] * sigmoidD(x[i], y[i]); return;
    case 'hardSigmoid': for (let i = 0; i < n; i++) out[i] = dy[i] * hardSigmoidD(x[i], y[i]); return;
    case 'relu': for (let i = 0; i < n; i++) out[i] = dy[i] * reluD(x[i], y[i]); return;
    case 'square': for (let i = 0; i < n; i++) out[i] = dy[i] * squareD(x[i], y[i]); return;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = dy[i] * sqrtD(x[i], y[i]); return;
    default: unknownOp('unaryBackward', op);
  }
}

/** Broadcast strides: the stride of each output axis in the input, 0 where the input is broadcast. */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const o = i + rank - inShape.length;
    strides[o] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i];
  }
  return strides;
}

/** out[o + j] = a[ia + j·sa] ∘ b[ib + j·sb] for j < len: the one inner loop of every binary op. */
function binaryRun(op: BinaryOp, a: Storage, ia: number, sa: number, b: Storage, ib: number, sb: number, out: Storage, o: number, len: number): void {
  switch (op) {
    case 'add': for (let j = 0; j < len; j++) out[o + j] = addF(a[ia + j * sa], b[ib + j * sb]); return;
    case 'sub': for (let j = 0; j < len; j++) out[o + j] = subF(a[ia + j * sa], b[ib + j * sb]); return;
    case 'mul': for (let j = 0; j < len; j++) out[o + j] = mulF(a[ia + j * sa], b[ib + j * sb]); return;
    case 'div': for (let j = 0; j < len; j++) out[o + j] = divF(a[ia + j * sa], b[ib + j * sb]); return;
    default: unknownOp('binary', op);
  }
}

export function binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void {
  const n = out.length;
  // Fast paths: equal sizes, a scalar on either side, or b a trailing row (bias add).
  if (a.length === n && b.length === n) return binaryRun(op, a, 0, 1, b, 0, 1, out, 0, n);
  if (b.length === 1 && a.length === n) return binaryRun(op, a, 0, 1, b, 0, 0, out, 0, n);
  if (a.length === 1 && b.length === n) return binaryRun(op, a, 0, 0, b, 0, 1, out, 0, n);
  if (a.length === n && isTrailing(bShape, outShape)) {
    const m = b.length;
    for (let r = 0; r < n; r += m) binaryRun(op, a, r, 1, b, 0, 1, out, r, m);
    return;
  }
  if (n === 0) return;
  // General case: walk the output with a multi-index, innermost axis in one run.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = rank - 1;
  const inner = outShape[last];
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o += inner) {
    binaryRun(op, a, ia, sa[last], b, ib, sb[last], out, o, inner);
    // advance the multi-index over the outer axes
    for (let ax = last - 1; ax >= 0; ax--) {
      counter[ax]++;
      ia += sa[ax];
      ib += sb[ax];
      if (counter[ax] < outShape[ax]) break;
      ia -= sa[ax] * outShape[ax];
      ib -= sb[ax] * outShape[ax];
      counter[ax] = 0;
    }
  }
}

/**
 * Is `shape`, without its leading 1s, a suffix of `outShape`? Then its data repeats row after
 * row of the output (a bias over a batch), and a plain loop over rows replaces index arithmetic.
 */
export function isTrailing(shape: Shape, outShape: Shape): boolean {
  let start = 0;
  while (start < shape.length - 1 && shape[start] === 1) start++;
  const len = shape.length - start;
  if (len > outShape.length) return false;
  const off = outShape.length - len;
  for (let i = 0; i < len; i++) if (shape[start + i] !== outShape[off + i]) return false;
  return true;
}

export function addInto(target: Storage, g: Storage): void {
  for (let i = 0; i < target.length; i++) target[i] += g[i];
}

export function powScalar(x: Storage, p: number, out: Storage): void {
  if (p === 2) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = Math.pow(x[i], p);
}

export function clip(x: Storage, lo: number, hi: number, out: Storage): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

export function select(cond: Storage, a: Storage, b: Storage, out: Storage): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
