/**
 * Peepholes inside the fused LSTM (lstm-fused.ts), around the plain LSTM gate kernel:
 *
 *   before the kernel:  z_i += p_i ⊙ c_{t−1},  z_f += p_f ⊙ c_{t−1}        (the gates see the old cell)
 *   after it:           z_o += p_o ⊙ c_t,  o = σ(z_o),  h_t = o ⊙ tanh(c_t)   (the output gate sees the new cell)
 *
 * Backward: the output gate's peephole adds a path into c_t, so before the kernel's backward,
 *   dz_o = dh ⊙ tanh(c_t) ⊙ σ'(z_o),   dc_t += dz_o ⊙ p_o
 * and after it
 *   dc_{t−1} += dz_i ⊙ p_i + dz_f ⊙ p_f,   dp_i += Σ dz_i ⊙ c_{t−1},  dp_f += Σ dz_f ⊙ c_{t−1},  dp_o += Σ dz_o ⊙ c_t.
 * σ and σ' are the formulas of kernels/scalar.ts, the ones the gate kernel itself uses.
 */
import type { Storage } from '../engine/tensor';
import type { LstmGateBuffers } from '../kernels/kernel';
import { sigmoidF, sigmoidD, hardSigmoidF, hardSigmoidD } from '../kernels/scalar';

export interface Peepholes {
  readonly i: Storage;
  readonly f: Storage;
  readonly o: Storage;
}

/** z_i += p_i ⊙ c_{t−1}, z_f += p_f ⊙ c_{t−1} (z is [batch, 4u], gate order i, f, c, o). */
export function peepholeIntoInputForget(z: Storage, cPrev: Storage, p: Peepholes, batch: number, units: number): void {
  for (let r = 0; r < batch; r++) {
    const zr = r * 4 * units;
    for (let j = 0; j < units; j++) {
      const c = cPrev[r * units + j];
      z[zr + j] += p.i[j] * c; //          input gate peeks at c_{t−1}
      z[zr + units + j] += p.f[j] * c; //  forget gate peeks at c_{t−1}
    }
  }
}

/** z_o += p_o ⊙ c_t, then o and h recomputed from it (the saved buffers are overwritten). */
export function peepholeOutput(z: Storage, s: LstmGateBuffers, p: Peepholes, batch: number, units: number, hard: boolean): void {
  const act = hard ? hardSigmoidF : sigmoidF;
  for (let r = 0; r < batch; r++) {
    const zo = r * 4 * units + 3 * units;
    for (let j = 0; j < units; j++) {
      const k = r * units + j;
      z[zo + j] += p.o[j] * s.c[k]; //     output gate peeks at the new c_t
      s.o[k] = act(z[zo + j]);
      s.h[k] = s.o[k] * s.tanhC[k];
    }
  }
}

/** dc_t + dz_o ⊙ p_o into dcOut (what the kernel's backward should see as the gradient at c_t). */
export function peepholeOutputBackward(z: Storage, s: LstmGateBuffers, p: Peepholes, dh: Storage, dc: Storage, batch: number, units: number,
  hard: boolean, dcOut: Storage, dpO: Storage): void {
  const actD = hard ? hardSigmoidD : sigmoidD;
  for (let r = 0; r < batch; r++) {
    const zo = r * 4 * units + 3 * units;
    for (let j = 0; j < units; j++) {
      const k = r * units + j;
      const dzo = dh[k] * s.tanhC[k] * actD(z[zo + j], s.o[k]);
      dcOut[k] = dc[k] + dzo * p.o[j];
      dpO[j] += dzo * s.c[k];
    }
  }
}

/** dc_{t−1} += dz_i ⊙ p_i + dz_f ⊙ p_f;  dp_i, dp_f accumulate. */
export function peepholeInputForgetBackward(dz: Storage, cPrev: Storage, p: Peepholes, batch: number, units: number,
  dcPrev: Storage, dpI: Storage, dpF: Storage): void {
  for (let r = 0; r < batch; r++) {
    const zr = r * 4 * units;
    for (let j = 0; j < units; j++) {
      const k = r * units + j;
      const dzi = dz[zr + j];
      const dzf = dz[zr + units + j];
      dcPrev[k] += dzi * p.i[j] + dzf * p.f[j];
      dpI[j] += dzi * cPrev[k];
      dpF[j] += dzf * cPrev[k];
    }
  }
}
