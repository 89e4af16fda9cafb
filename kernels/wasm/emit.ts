/**
 * A tiny WebAssembly assembler: just enough of the binary format to write the matmul kernel
 * in TypeScript and build its bytes at load time (no .wasm file, no build tool).
 *
 * The kernel source (kernels/wasm/gemm-module.ts) reads like the text format: one method per
 * instruction (`code.localGet(x).v128Load(16)` is `(v128.load offset=16 (local.get $x))`).
 * Only the instructions the kernel uses are here. Reference: the WebAssembly core spec,
 * "Binary Format" chapter, and the SIMD proposal's opcode table (prefix 0xFD).
 */

/** Value types, by their binary codes. */
export const I32 = 0x7f;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof V128;

/** Unsigned LEB128, the encoding of every length, index and immediate below. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const's immediate). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

/** A vector (length-prefixed) of already-encoded items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** The body of one function: a flat instruction stream built by chained calls. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  /** SIMD instructions: prefix 0xFD, then the opcode as a LEB128. */
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  /** memarg = alignment exponent, byte offset. */
  private static memarg(alignLog2: number, offset: number): number[] {
    return [...uleb(alignLog2), ...uleb(offset)];
  }

  // Control: structured blocks; `br` to a loop jumps back to its start, to a block past its end.
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }

  // Locals.
  localGet(i: number): this { return this.op(0x20, ...uleb(i)); }
  localSet(i: number): this { return this.op(0x21, ...uleb(i)); }
  localTee(i: number): this { return this.op(0x22, ...uleb(i)); }

  // i32 arithmetic.
  i32Const(v: number): this { return this.op(0x41, ...sleb(v | 0)); }
  i32Eqz(): this { return this.op(0x45); }
  i32Ne(): this { return this.op(0x47); }
  i32LtU(): this { return this.op(0x49); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32And(): this { return this.op(0x71); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrU(): this { return this.op(0x76); }

  // Memory: scalar f32 and whole-vector v128 loads/stores.
  i32Load(offset = 0): this { return this.op(0x28, ...Code.memarg(2, offset)); }
  f32Load(offset = 0): this { return this.op(0x2a, ...Code.memarg(2, offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ...Code.memarg(2, offset)); }
  v128Load(offset = 0): this { return this.simd(0x00, ...Code.memarg(4, offset)); }
  /** Load one f32 and broadcast it to all four lanes. */
  v128Load32Splat(offset = 0): this { return this.simd(0x09, ...Code.memarg(2, offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, ...Code.memarg(4, offset)); }
  /** Load 64 bits into lane 0 (the rest zero): two f32s, for f64x2PromoteLowF32x4. */
  v128Load64Zero(offset = 0): this { return this.simd(0x5d, ...Code.memarg(3, offset)); }
  /** Load one f64 and broadcast it to both lanes. */
  v128Load64Splat(offset = 0): this { return this.simd(0x0a, ...Code.memarg(3, offset)); }
  /** Store the low 64 bits (lane 0 of i64x2): two f32s after f32x4DemoteF64x2Zero. */
  v128Store64Lane0(offset = 0): this { return this.simd(0x5b, ...Code.memarg(3, offset), 0); }

  /** One lane of an f32x4 as an f32. */
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }

  // f32x4 arithmetic (four lanes at once).
  f32x4Add(): this { return this.simd(0xe4); }
  /**
   * Relaxed SIMD: a·b + c with stack order a, b, c — one fused multiply-add where the CPU has
   * one (the rounding then differs from mul-then-add in the last bits), else mul then add.
   */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  /**
   * Relaxed SIMD's min and max: one minps / maxps on x64, where f32x4.min and max take about six
   * instructions each to give IEEE NaN and ±0 semantics. They differ from f32x4.min/max only
   * when a lane is NaN or both are zeros of opposite sign (the result is then the engine's choice).
   */
  f32x4RelaxedMin(): this { return this.simd(0x10d); }
  f32x4RelaxedMax(): this { return this.simd(0x10e); }
  f32x4Eq(): this { return this.simd(0x41); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Lt(): this { return this.simd(0x43); }
  /** Round to the nearest integer, ties to even (still f32). */
  f32x4Nearest(): this { return this.simd(0x6a); }
  /** Four copies of one f32 constant (v128.const with the same lane four times). */
  f32x4Const(v: number): this {
    const lane = Array.from(new Uint8Array(new Float32Array([v]).buffer));
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }

  // f64x2: two doubles (the optimizer computes in double precision, as JavaScript does).
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  f32x4DemoteF64x2Zero(): this { return this.simd(0x5e); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Sub(): this { return this.simd(0xf1); }
  f64x2Mul(): this { return this.simd(0xf2); }
  f64x2Div(): this { return this.simd(0xf3); }
  f64x2Min(): this { return this.simd(0xf4); }
  f64x2Max(): this { return this.simd(0xf5); }
  f64x2Sqrt(): this { return this.simd(0xef); }

  // Integer lanes and bits (for building 2ⁿ from an exponent, and lane selection).
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }
  /** Relaxed SIMD's truncation: one cvttps2dq on x64; the same as the saturating one for lanes in i32's range. */
  i32x4RelaxedTruncF32x4S(): this { return this.simd(0x101); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4Splat(): this { return this.simd(0x11); }
  /** (a & mask) | (b & ~mask), with stack order a, b, mask. */
  v128Bitselect(): this { return this.simd(0x52); }
}

/** One function: its signature, extra locals (after the parameters) and body. */
export interface FunctionDef {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly locals: readonly ValueType[];
  readonly body: Code;
}

/**
 * A module that imports its memory as `env.memory` (so the JS side owns it and can grow it)
 * and exports each function by name. Functions return nothing.
 */
export function buildModule(functions: readonly FunctionDef[], shared = false): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0x00]);
  // Memory limits: flag 0 = min only; 3 = shared with a maximum (shared memory needs one).
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const memoryImport = [...utf8('env'), ...utf8('memory'), 0x02, ...limits];
  const bodies = functions.map((f) => {
    // Locals are run-length encoded: (count, type) pairs.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const content = [...vec(groups.map(([count, t]) => [...uleb(count), t])), ...f.body.bytes, 0x0b];
    return [...uleb(content.length), ...content];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ];
  return new Uint8Array(bytes);
}
