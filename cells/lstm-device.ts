/**
 * The LSTM step on a device backend: the same equations as cells/lstm.ts, in two ops of one
 * kernel each instead of the composed step's ten (a split into four, three σ, two tanh, three ⊙
 * and a +) — on a GPU every op is a kernel launch, and this is the inner loop of BPTT.
 *
 *   c_t = σ(z_f) ⊙ c_{t−1} + σ(z_i) ⊙ tanh(z_c)      lstmCellState(z, c_{t−1})
 *   h_t = σ(z_o) ⊙ tanh(c_t)                          lstmHidden(z, c_t)
 *
 * Backward, each op gives z the gradient of its own gates and passes the rest on:
 *
 *   lstmCellState:  dz_i = dc ⊙ g ⊙ σ'(z_i)   dz_f = dc ⊙ c_{t−1} ⊙ σ'(z_f)   dz_c = dc ⊙ i ⊙ tanh'(z_c)
 *                   dc_{t−1} = dc ⊙ f
 *   lstmHidden:     dz_o = dh ⊙ tanh(c_t) ⊙ σ'(z_o)                         dc_t = dh ⊙ o ⊙ tanh'(c_t)
 *
 * Used by the RNN layer only on a device backend (LSTMCell.deviceStep); a call the device
 * kernels decline runs the composed ops instead. spec/gpu/device.test.ts compares both ops and
 * their gradients with the composed step.
 */
import { Tensor } from '../engine/tensor';
import { record } from '../engine/tape';
import { add, mul, split, tanh, sigmoid, hardSigmoid } from '../engine/ops';
import { dev } from '../engine/ops/util';
import { getKernels } from '../kernels/registry';
import type { DeviceKernels } from '../kernels/kernel';

/** c_t = σ(z_f) ⊙ c_{t−1} + σ(z_i) ⊙ tanh(z_c). */
export function lstmCellState(z: Tensor, cPrev: Tensor, hard: boolean): Tensor {
  return gateOp('c', z, cPrev, hard) ?? composed('c', z, cPrev, hard);
}

/** h_t = σ(z_o) ⊙ tanh(c_t). */
export function lstmHidden(z: Tensor, c: Tensor, hard: boolean): Tensor {
  return gateOp('h', z, c, hard) ?? composed('h', z, c, hard);
}

/** The op on the device, recorded with its backward; null when the device kernels decline it. */
function gateOp(part: 'c' | 'h', z: Tensor, other: Tensor, hard: boolean): Tensor | null {
  const d = getKernels().device;
  if (!d) return null;
  const [batch, units] = other.shape;
  const out = d.lstmGate(part, dev(z, d), dev(other, d), batch, units, hard);
  if (!out) return null;
  return record(part === 'c' ? 'lstmCellState' : 'lstmHidden', [z, other], new Tensor(out, other.shape), (dOut) => [
    z.requiresGrad ? gradient(d, part, 'z', z, other, dOut, hard) : null,
    other.requiresGrad ? gradient(d, part, 'other', z, other, dOut, hard) : null,
  ]);
}

function gradient(d: DeviceKernels, part: 'c' | 'h', wrt: 'z' | 'other', z: Tensor, other: Tensor, dOut: Tensor, hard: boolean): Tensor {
  const [batch, units] = other.shape;
  const g = d.lstmGateBackward(part, wrt, dev(z, d), dev(other, d), dev(dOut, d), batch, units, hard);
  // the forward ran on the device, and the kernels decide by batch·units alone: they take this too
  if (!g) throw new Error(`rnngrad: the device kernels declined the backward of lstm gate part '${part}' after running its forward`);
  return new Tensor(g, wrt === 'z' ? z.shape : other.shape);
}

/** The same equations as composed ops (the textbook step of cells/lstm.ts). */
function composed(part: 'c' | 'h', z: Tensor, other: Tensor, hard: boolean): Tensor {
  const sigma = hard ? hardSigmoid : sigmoid;
  const [zi, zf, zc, zo] = split(z, 4, 1);
  return part === 'c' ? add(mul(sigma(zf), other), mul(sigma(zi), tanh(zc))) : mul(sigma(zo), tanh(other));
}
