/**
 * gpu.js fused LSTM gate math, forward and backward, each one kernel.
 *
 * A gpu.js kernel writes one number per thread, and kernel maps (several outputs) degrade to
 * gpu.js's cpu backend under webasm. So each kernel has a third thread axis `q` that picks the
 * quantity: the forward's threads (x = unit j, y = batch row b, q = 0…6) each recompute the
 * four gates of their (b, j) — a handful of exp/tanh, cheaper than a second kernel — and return
 * i, f, g, o, c, tanh c or h. The backward's q = 0…3 are the four blocks of dz, q = 4 is dcPrev.
 * The results come back in one readback and are split into the caller's buffers.
 *
 * Gate order is Keras's i, f, c, o: z[b] = [z_i | z_f | z_c | z_o], each `units` wide.
 * The activations and derivatives are the kernels/scalar.ts functions, called by name.
 */
import type { Storage, LstmGateBuffers } from '../kernel';
import { GpuContext, f32, readInto } from './context';

/**
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 */
function gatesSource(units: number, hard: boolean): string {
  const act = hard ? 'hardSigmoidF' : 'sigmoidF';
  // Each plane q computes only what its output needs: the gates alone for q < 4, the cell state
  // (three activations) from q = 4 on — under half the transcendentals of computing all per thread.
  return `function(z, cPrev) {
    const zr = this.thread.y * ${4 * units} + this.thread.x;
    const q = this.thread.z;
    if (q === 0) return ${act}(z[zr]);                    // input gate i
    if (q === 1) return ${act}(z[zr + ${units}]);         // forget gate f
    if (q === 2) return tanhF(z[zr + ${2 * units}]);      // candidate g
    if (q === 3) return ${act}(z[zr + ${3 * units}]);     // output gate o
    const c = ${act}(z[zr + ${units}]) * cPrev[this.thread.y * ${units} + this.thread.x]
      + ${act}(z[zr]) * tanhF(z[zr + ${2 * units}]);      // new cell state
    if (q === 4) return c;
    const tc = tanhF(c);
    if (q === 5) return tc;
    return ${act}(z[zr + ${3 * units}]) * tc;             // h = o ⊙ tanh(c)
  }`;
}

export function lstmGates(ctx: GpuContext, z: Storage, cPrev: Storage, batch: number, units: number, hard: boolean,
  s: LstmGateBuffers): void {
  const result = ctx.run('lstmGates', `lstmGates:${batch}x${units}:${hard ? 'hard' : 'sigmoid'}`, () => ({
    source: gatesSource(units, hard),
    output: [units, batch, 7],
  }), [f32(z), f32(cPrev)]);
  const all = new Float32Array(7 * batch * units);
  readInto(result, all);
  const n = batch * units;
  [s.i, s.f, s.g, s.o, s.c, s.tanhC, s.h].forEach((buffer, q) => buffer.set(all.subarray(q * n, (q + 1) * n)));
}

/**
 * dc   = dc_in + dh ⊙ o ⊙ tanh'(c)      (both paths into the cell)
 * dz_i = dc ⊙ g ⊙ σ'(z_i)   dz_f = dc ⊙ c_{t−1} ⊙ σ'(z_f)   dz_c = dc ⊙ i ⊙ tanh'(z_c)
 * dz_o = dh ⊙ tanh(c) ⊙ σ'(z_o)          dc_{t−1} = dc ⊙ f
 */
function gatesBackwardSource(units: number, hard: boolean): string {
  const actD = hard ? 'hardSigmoidD' : 'sigmoidD';
  return `function(z, cPrev, si, sf, sg, so, sc, stc, dh, dcIn) {
    const k = this.thread.y * ${units} + this.thread.x;
    const zr = this.thread.y * ${4 * units} + this.thread.x;
    const q = this.thread.z;
    const tc = stc[k];
    const dc = dcIn[k] + dh[k] * so[k] * tanhD(sc[k], tc);
    if (q === 0) return dc * sg[k] * ${actD}(z[zr], si[k]);
    if (q === 1) return dc * cPrev[k] * ${actD}(z[zr + ${units}], sf[k]);
    if (q === 2) return dc * si[k] * tanhD(z[zr + ${2 * units}], sg[k]);
    if (q === 3) return dh[k] * tc * ${actD}(z[zr + ${3 * units}], so[k]);
    return dc * sf[k];
  }`;
}

export function lstmGatesBackward(ctx: GpuContext, z: Storage, cPrev: Storage, s: LstmGateBuffers, dh: Storage, dc: Storage,
  batch: number, units: number, hard: boolean, dz: Storage, dcPrev: Storage): void {
  const key = `lstmGatesBackward:${batch}x${units}:${hard ? 'hard' : 'sigmoid'}`;
  const result = ctx.run('lstmGatesBackward', key, () => ({
    source: gatesBackwardSource(units, hard),
    output: [units, batch, 5],
  }), [z, cPrev, s.i, s.f, s.g, s.o, s.c, s.tanhC, dh, dc].map(f32));
  const all = new Float32Array(5 * batch * units);
  readInto(result, all);
  // all is [q][b][j]; dz is [b][q·units + j]
  for (let q = 0; q < 4; q++) {
    for (let b = 0; b < batch; b++) {
      const from = (q * batch + b) * units;
      dz.set(all.subarray(from, from + units), b * 4 * units + q * units);
    }
  }
  dcPrev.set(all.subarray(4 * batch * units));
}
