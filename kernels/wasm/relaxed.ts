/**
 * WebAssembly relaxed SIMD, for one instruction: `f32x4.relaxed_madd`, a·b + c as one fused
 * multiply-add where the CPU has FMA. The matmul micro-kernel's inner step is 8 multiply-adds;
 * as separate f32x4.mul and f32x4.add that is 16 instructions, as relaxed_madd 8. Measured on
 * the 2-core AMD EPYC VM (paired runs in one process, single thread): W2's h·U product
 * 64×256·256×1024 1.6 → 1.14 ms, 512³ 11.6 → 8.7 ms.
 *
 * Node 20 has relaxed SIMD behind `--experimental-wasm-relaxed-simd` (on by default from
 * V8 11.4 / Node 22, and in current browsers). Where the module does not validate, rnngrad turns
 * the flag on for its own process through the platform seam (Node: v8.setFlagsFromString) and
 * validates again; where it still does not, the kernels use mul-then-add, as before.
 * RNNGRAD_RELAXED_SIMD=0 keeps the old kernel.
 *
 * Numerics: a fused multiply-add rounds once instead of twice, so results differ from the
 * unfused kernel in the last bits (spec/perf/matmul-relaxed.test.ts bounds both against the
 * TypeScript loops). Which one runs is fixed per machine and process, and the same inputs give
 * the same bits every time: runs with the same seed on the same machine stay bit-identical;
 * on another machine (no FMA, or another engine) they may differ in the last bits.
 */
import { platform } from '../../platform';
import { wasmApi } from './runtime';
import { Code, V128, buildModule } from './emit';

/** A module of one function (v128, v128, v128) doing relaxed_madd: it validates iff the engine has relaxed SIMD. */
function probeBytes(): Uint8Array<ArrayBuffer> {
  const body = new Code().localGet(0).localGet(1).localGet(2).f32x4RelaxedMadd();
  // The assembler's functions return nothing: drop the result via a local set.
  body.bytes.push(0x1a); // drop
  return buildModule([{ name: 'madd', params: [V128, V128, V128], locals: [], body }]);
}

let available: boolean | undefined;

/** Whether this engine runs relaxed SIMD, turning Node 20's flag on first if need be (checked once). */
export function relaxedSimdAvailable(): boolean {
  if (available !== undefined) return available;
  available = false;
  if (!wasmApi || platform().env.RNNGRAD_RELAXED_SIMD === '0') return available;
  try {
    const bytes = probeBytes();
    if (!wasmApi.validate(bytes)) platform().setEngineFlag?.('--experimental-wasm-relaxed-simd');
    available = wasmApi.validate(bytes);
  } catch {
    available = false;
  }
  return available;
}
