/**
 * `lstmGates` for float32 on the WebAssembly SIMD kernel of ./lstm-module.ts: the same
 * signature as the CPU kernel (kernels/cpu/nn.ts), which stays the reference and the path
 * for float64. z and c_prev are copied into the module's memory, the seven saved planes
 * copied back out: O(batch·units) copies around O(batch·units) transcendental work that
 * costs ~20× more in plain JS.
 */
import type { LstmGateBuffers, Storage } from '../kernel';
import { lstmModuleBytes } from './lstm-module';
import { lazyFloatModule, reserveFloats } from './runtime';

type GatesFn = (z: number, cPrev: number, out: number, plane: number, batch: number, units: number) => void;

const getModule = lazyFloatModule('wasmLstmGates', lstmModuleBytes, 4);

/** Whether every array of the call is float32 (the only dtype the wasm kernel handles). */
export function allFloat32(z: Storage, cPrev: Storage, saved: LstmGateBuffers): boolean {
  return z instanceof Float32Array && cPrev instanceof Float32Array && saved.i instanceof Float32Array &&
    saved.f instanceof Float32Array && saved.g instanceof Float32Array && saved.o instanceof Float32Array &&
    saved.c instanceof Float32Array && saved.tanhC instanceof Float32Array && saved.h instanceof Float32Array;
}

/** The fused LSTM gate math of one step (see kernels/kernel.ts `lstmGates`), float32 only. */
export function wasmLstmGates(z: Float32Array, cPrev: Float32Array, batch: number, units: number, hard: boolean,
  saved: LstmGateBuffers): void {
  const inst = getModule();
  const n = batch * units;
  if (n === 0) return;
  // Float offsets; each region padded by 4 floats for the last row's spill (see lstm-module.ts).
  const zAt = 0;
  const cAt = zAt + 4 * n + 4;
  const plane = n + 4;
  const outAt = cAt + n + 4;
  reserveFloats(inst, outAt + 7 * plane);
  const mem = inst.floats;
  mem.set(z.subarray(0, 4 * n), zAt);
  mem.set(cPrev.subarray(0, n), cAt);
  ((hard ? inst.exports.lstm_gates_hard : inst.exports.lstm_gates_sigmoid) as GatesFn)(4 * zAt, 4 * cAt, 4 * outAt, 4 * plane, batch, units);
  const outputs = [saved.i, saved.f, saved.g, saved.o, saved.c, saved.tanhC, saved.h];
  outputs.forEach((o, q) => o.set(mem.subarray(outAt + q * plane, outAt + q * plane + n)));
}
