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
import { relaxedSimdAvailable } from './relaxed';

type GatesFn = (z: number, cPrev: number, out: number, plane: number, batch: number, units: number) => void;
type GatesBackwardFn = (input: number, plane: number, dz: number, dcPrev: number, batch: number, units: number) => void;

const getModule = lazyFloatModule('wasmLstmGates', () => lstmModuleBytes(relaxedSimdAvailable()), 4);

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

/**
 * The backward of the logistic-sigmoid gate math (see kernels/kernel.ts `lstmGatesBackward`),
 * float32 only, units a multiple of 4: eight [batch, units] planes copied in (i, f, g, o, tanhC,
 * c_prev, dh, dc), dz and dcPrev copied out. The hard sigmoid's derivative reads z and stays on
 * the reference loop.
 */
export function wasmLstmGatesBackward(cPrev: Float32Array, saved: LstmGateBuffers, dh: Float32Array, dc: Float32Array,
  batch: number, units: number, dz: Float32Array, dcPrev: Float32Array): void {
  const inst = getModule();
  const n = batch * units;
  if (n === 0) return;
  const inAt = 0;
  const dzAt = inAt + 8 * n;
  const dcPrevAt = dzAt + 4 * n;
  reserveFloats(inst, dcPrevAt + n);
  const mem = inst.floats;
  [saved.i, saved.f, saved.g, saved.o, saved.tanhC, cPrev, dh, dc].forEach((x, q) => mem.set(x.subarray(0, n), inAt + q * n));
  (inst.exports.lstm_gates_backward as GatesBackwardFn)(4 * inAt, 4 * n, 4 * dzAt, 4 * dcPrevAt, batch, units);
  dz.set(mem.subarray(dzAt, dzAt + 4 * n));
  dcPrev.set(mem.subarray(dcPrevAt, dcPrevAt + n));
}
