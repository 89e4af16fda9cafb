/**
 * The wasm SIMD LSTM gate kernel against the CPU kernel it speeds up (kernels/cpu/nn.ts
 * `lstmGates`, the reference), on batch/unit counts that are and are not multiples of four
 * (the kernel's spill into the next row), with both recurrent activations, and on extreme
 * pre-activations (saturation, exp's clamp, tanh's small-argument branch).
 * Bound: |wasm − reference| ≤ 1e-6 · max(1, |reference|) for every saved plane.
 */
import { lstmGatesReference as lstmGates, lstmGatesBackwardReference, lstmGatesBackward } from '../../kernels/cpu/nn';
import { wasmLstmGates, wasmLstmGatesBackward, allFloat32 } from '../../kernels/wasm/lstm-gates';
import { lstmModuleBytes } from '../../kernels/wasm/lstm-module';
import type { LstmGateBuffers } from '../../kernels/kernel';
import { Random } from '../../engine/random';

const rng = new Random(1125);
const PLANES = ['i', 'f', 'g', 'o', 'c', 'tanhC', 'h'] as const;

function buffers(n: number): LstmGateBuffers {
  return { i: new Float32Array(n), f: new Float32Array(n), g: new Float32Array(n), o: new Float32Array(n),
    c: new Float32Array(n), tanhC: new Float32Array(n), h: new Float32Array(n) };
}

function worstError(want: LstmGateBuffers, got: LstmGateBuffers): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of PLANES) {
    let worst = 0;
    for (let k = 0; k < want[p].length; k++) {
      const e = Math.abs(got[p][k] - want[p][k]) / Math.max(1, Math.abs(want[p][k]));
      if (!(e <= worst)) worst = e; // NaN fails
    }
    out[p] = worst;
  }
  return out;
}

function check(z: Float32Array, cPrev: Float32Array, batch: number, units: number, hard: boolean): void {
  const want = buffers(batch * units);
  const got = buffers(batch * units);
  for (const p of PLANES) got[p].fill(NaN); // every element must be written
  lstmGates(z, cPrev, batch, units, hard, want);
  wasmLstmGates(z, cPrev, batch, units, hard, got);
  const errors = worstError(want, got);
  // One assertion per plane so that a failure names it.
  for (const p of PLANES) expect({ plane: p, ok: errors[p] <= 1e-6, error: errors[p] }).toMatchObject({ plane: p, ok: true });
}

const shapes: [number, number][] = [[1, 1], [1, 4], [3, 5], [2, 7], [32, 20], [5, 37], [64, 256], [4, 129]];

describe('wasm SIMD lstmGates', () => {
  it('validates as a module', () => {
    expect(Array.from(lstmModuleBytes().subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
  });

  it.each(shapes.flatMap(([b, u]) => [false, true].map((hard) => ({ batch: b, units: u, hard }))))(
    'batch $batch, units $units, hard sigmoid $hard: equals the CPU kernel', ({ batch, units, hard }) => {
      const z = new Float32Array(batch * 4 * units).map(() => rng.normal() * 4);
      const cPrev = new Float32Array(batch * units).map(() => rng.normal() * 2);
      check(z, cPrev, batch, units, hard);
    });

  it('handles saturation, exp clamping and tiny arguments', () => {
    const specials = [0, -0, 1e-8, -1e-8, 0.3, -0.6, 0.625, -0.625, 0.7, 9, -9, 30, -30, 87, -87, 100, -100, 1e4, -1e4];
    const units = specials.length;
    const z = new Float32Array(4 * units);
    for (let q = 0; q < 4; q++) z.set(specials, q * units);
    const cPrev = Float32Array.from(specials.map((v) => Math.max(-50, Math.min(50, v))));
    check(z, cPrev, 1, units, false);
    check(z, cPrev, 1, units, true);
  });

  it('reports float32-only calls', () => {
    const n = 4;
    expect(allFloat32(new Float32Array(4 * n), new Float32Array(n), buffers(n))).toBe(true);
    expect(allFloat32(new Float64Array(4 * n), new Float32Array(n), buffers(n))).toBe(false);
  });
});

/** max over elements of |got − want| / max(1, |want|). */
function worst(want: Float32Array, got: Float32Array): number {
  let w = 0;
  for (let k = 0; k < want.length; k++) {
    const e = Math.abs(got[k] - want[k]) / Math.max(1, Math.abs(want[k]));
    if (!(e <= w)) w = e; // NaN fails
  }
  return w;
}

describe('wasm SIMD lstmGatesBackward (logistic sigmoid, units a multiple of 4)', () => {
  it.each([[1, 4], [3, 8], [32, 20], [5, 36], [64, 256]])('batch %i, units %i: dz and dcPrev equal the CPU loop within 1e-6', (batch, units) => {
    const n = batch * units;
    const z = new Float32Array(4 * n).map(() => rng.normal() * 4);
    const cPrev = new Float32Array(n).map(() => rng.normal() * 2);
    const saved = buffers(n);
    lstmGates(z, cPrev, batch, units, false, saved);
    const dh = new Float32Array(n).map(() => rng.normal());
    const dc = new Float32Array(n).map(() => rng.normal());
    const want = { dz: new Float32Array(4 * n), dcPrev: new Float32Array(n) };
    lstmGatesBackwardReference(z, cPrev, saved, dh, dc, batch, units, false, want.dz, want.dcPrev);
    const got = { dz: new Float32Array(4 * n).fill(NaN), dcPrev: new Float32Array(n).fill(NaN) };
    wasmLstmGatesBackward(cPrev, saved, dh, dc, batch, units, got.dz, got.dcPrev);
    expect(worst(want.dz, got.dz)).toBeLessThanOrEqual(1e-6);
    expect(worst(want.dcPrev, got.dcPrev)).toBeLessThanOrEqual(1e-6);
    // The kernel entry point takes the wasm path here and gives the same bits.
    const viaEntry = { dz: new Float32Array(4 * n), dcPrev: new Float32Array(n) };
    lstmGatesBackward(z, cPrev, saved, dh, dc, batch, units, false, viaEntry.dz, viaEntry.dcPrev);
    if (n >= 16) expect(Array.from(viaEntry.dz)).toEqual(Array.from(got.dz));
  });
});
