/**
 * float32 `tanh` and `sigmoid` over a whole array on WebAssembly SIMD, four elements per
 * instruction, with the Cephes sequences of ./simd-math.ts (shared with the LSTM gate kernel).
 * kernels/cpu/elementwise.ts routes float32 arrays of at least WASM_UNARY_MIN elements here;
 * its TS loop (Math.tanh, the σ of kernels/scalar.ts) stays the reference and the float64 path.
 *
 * Why: the fused simple RNN applies tanh to batch·units values every step; Math.tanh costs
 * ~10 ns an element, the vector code ~1 ns plus two copies (O(n), a few hundred ns for 640).
 */
import { Code, I32, V128, buildModule, type FunctionDef, type ValueType } from './emit';
import { sigmoid, tanh, type Scratch } from './simd-math';
import { lazyFloatModule, reserveFloats } from './runtime';
import { relaxedSimdAvailable } from './relaxed';

/** The ops this kernel implements. */
export type WasmUnaryOp = 'tanh' | 'sigmoid';

/** Below this many elements the TS loop wins: the call and copies cost about 50 Math.tanh. */
export const WASM_UNARY_MIN = 64;

/**
 * unary_<op>(p, end): in place, out[i] = op(x[i]) for the vectors from byte address p up to
 * end (p < end, both multiples of 16; the caller pads the last vector).
 */
function unaryFunction(op: WasmUnaryOp, relaxed: boolean): FunctionDef {
  const p = 0, end = 1;
  const v = 2;
  const s: Scratch = { x: 3, n: 4, r: 5, t: 6, relaxed };
  const code = new Code();
  code.loop();
  code.localGet(p); // the store's address, under the value
  code.localGet(p).v128Load();
  if (op === 'tanh') {
    code.localSet(v);
    tanh(code, s, v);
  } else {
    sigmoid(code, s);
  }
  code.v128Store();
  code.localGet(p).i32Const(16).i32Add().localTee(p).localGet(end).i32LtU().brIf(0);
  code.end();
  const locals: ValueType[] = Array<ValueType>(5).fill(V128);
  return { name: `unary_${op}`, params: [I32, I32], locals, body: code };
}

/** The module's bytes (memory imported as env.memory): unary_tanh and unary_sigmoid. */
export function unaryModuleBytes(relaxed = false): Uint8Array<ArrayBuffer> {
  return buildModule([unaryFunction('tanh', relaxed), unaryFunction('sigmoid', relaxed)]);
}

type UnaryFn = (p: number, end: number) => void;

const getModule = lazyFloatModule('wasmUnary', () => unaryModuleBytes(relaxedSimdAvailable()), 1);

/** out[i] = op(x[i]) for i < x.length, float32 (x and out may be the same array). */
export function wasmUnary(op: WasmUnaryOp, x: Float32Array, out: Float32Array): void {
  const n = x.length;
  if (n === 0) return;
  const inst = getModule();
  const padded = (n + 3) & ~3; // whole vectors; the padding lanes are computed and dropped
  reserveFloats(inst, padded);
  const mem = inst.floats;
  mem.set(x);
  ((op === 'tanh' ? inst.exports.unary_tanh : inst.exports.unary_sigmoid) as UnaryFn)(0, 4 * padded);
  out.set(n === mem.length ? mem : mem.subarray(0, n));
}
