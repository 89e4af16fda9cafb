/**
 * Each element-wise formula, written once. The CPU kernels call these functions in their loops;
 * the gpu.js kernels compile the very same functions to shader code (gpu.js reads their source),
 * so the two backends cannot disagree on a formula.
 *
 * `f(x)` is the function; `df(x, y)` its derivative, given the input x and the saved output y
 * (many derivatives are cheaper from y: σ' = y(1 − y), tanh' = 1 − y²).
 */
export function negF(x: number): number {
  return -x;
}
export function negD(_x: number, _y: number): number {
  return -1;
}
export function expF(x: number): number {
  return Math.exp(x);
}
export function expD(_x: number, y: number): number {
  return y;
}
export function logF(x: number): number {
  return Math.log(x);
}
export function logD(x: number, _y: number): number {
  return 1 / x;
}
// #region sigmoid-tanh
export function tanhF(x: number): number {
  return Math.tanh(x);
}
export function tanhD(_x: number, y: number): number {
  return 1 - y * y;
}
/** σ(x) = 1 / (1 + e^−x), written so that it never overflows for large |x|. */
export function sigmoidF(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
export function sigmoidD(_x: number, y: number): number {
  return y * (1 - y);
}
// #endregion sigmoid-tanh
/** TF.js's hard sigmoid: clip(0.2x + 0.5, 0, 1). */
export function hardSigmoidF(x: number): number {
  const y = 0.2 * x + 0.5;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}
export function hardSigmoidD(x: number, _y: number): number {
  return x > -2.5 && x < 2.5 ? 0.2 : 0;
}
export function reluF(x: number): number {
  return x > 0 ? x : 0;
}
export function reluD(x: number, _y: number): number {
  return x > 0 ? 1 : 0;
}
export function squareF(x: number): number {
  return x * x;
}
export function squareD(x: number, _y: number): number {
  return 2 * x;
}
export function sqrtF(x: number): number {
  return Math.sqrt(x);
}
export function sqrtD(_x: number, y: number): number {
  return 0.5 / y;
}

/** The unary ops, by name, with their formula and derivative. */
export const unaryFormulas = {
  neg: { f: negF, df: negD },
  exp: { f: expF, df: expD },
  log: { f: logF, df: logD },
  tanh: { f: tanhF, df: tanhD },
  sigmoid: { f: sigmoidF, df: sigmoidD },
  hardSigmoid: { f: hardSigmoidF, df: hardSigmoidD },
  relu: { f: reluF, df: reluD },
  square: { f: squareF, df: squareD },
  sqrt: { f: sqrtF, df: sqrtD },
} as const;
export type UnaryOp = keyof typeof unaryFormulas;

export function addF(a: number, b: number): number {
  return a + b;
}
export function subF(a: number, b: number): number {
  return a - b;
}
export function mulF(a: number, b: number): number {
  return a * b;
}
export function divF(a: number, b: number): number {
  return a / b;
}
/** The binary element-wise ops (broadcasting is the kernel's business, not the formula's). */
export const binaryFormulas = { add: addF, sub: subF, mul: mulF, div: divF } as const;
export type BinaryOp = keyof typeof binaryFormulas;
