/**
 * The minimal gated unit (Zhou et al. 2016) — a cell the course does not build, in twenty lines:
 *
 *   f_t = σ(x_t·W_f + h_{t−1}·U_f + b_f)              forget gate
 *   h̃_t = tanh(x_t·W_h + (f_t ⊙ h_{t−1})·U_h + b_h)   candidate
 *   h_t = (1 − f_t) ⊙ h_{t−1} + f_t ⊙ h̃_t
 *
 * `rnngrad predict --require examples/mgu-cell.ts` loads model files that use it.
 */
import { Cell, registerCell, sigmoid, tanh, add, sub, mul, matmul } from 'rnngrad';
import type { Tensor, WeightSpec, StepMasks } from 'rnngrad';

// #region mgu-cell
export class MGUCell extends Cell {
  readonly className = 'MGUCell';
  readonly gates = 2; // kernel blocks [f | h̃]: per-gate dropout applies
  readonly stateCount = 1; // [h]
  readonly hasCandidate = true; // h̃: Semeniuta dropout applies

  protected weightSpecs(features: number): WeightSpec[] {
    const u = this.units;
    return [
      { name: 'kernel', shape: [features, 2 * u], init: 'glorot_uniform' },
      { name: 'recurrent_kernel', shape: [u, 2 * u], init: 'orthogonal' },
      { name: 'bias', shape: [2 * u], init: 'zeros' },
    ];
  }

  step(xW: Tensor, [h]: readonly Tensor[], masks: StepMasks): Tensor[] {
    const U = this.w('recurrent_kernel');
    const f = sigmoid(add(this.block(xW, 0), matmul(this.recurrent(h, masks, 0), this.block(U, 0)))); // forget gate
    let hTilde = tanh(add(this.block(xW, 1), matmul(mul(f, this.recurrent(h, masks, 1)), this.block(U, 1)))); // candidate
    if (masks.candidate) hTilde = mul(hTilde, masks.candidate); // Semeniuta dropout
    return [add(h, mul(f, sub(hTilde, h)))]; // h_t = (1 − f) ⊙ h + f ⊙ h̃
  }
}

registerCell('MGUCell', (units, options) => new MGUCell(units, options));
// #endregion mgu-cell
