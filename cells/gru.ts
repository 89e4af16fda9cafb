/**
 * The GRU cell, Keras `GRUCell` (Cho et al. 2014), Keras gate order z, r, h:
 *
 *   reset_after = true (Keras default, cuDNN-compatible; the bias is [2, 3u]: input and recurrent rows)
 *     z   = σ(x_t·W_z + b_z + h_{t−1}·U_z + b'_z)              update gate
 *     r   = σ(x_t·W_r + b_r + h_{t−1}·U_r + b'_r)              reset gate
 *     h̃  = tanh(x_t·W_h + b_h + r ⊙ (h_{t−1}·U_h + b'_h))      candidate: reset applied after U
 *   reset_after = false (the original form, the only one TF.js supports; bias [3u])
 *     h̃  = tanh(x_t·W_h + b_h + (r ⊙ h_{t−1})·U_h)             reset applied before U
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃                           output and new state
 *
 * Weights (Keras order): kernel [in, 3u], recurrent_kernel [u, 3u], bias [2, 3u] or [3u].
 */
import type { Tensor } from '../engine/tensor';
import { add, mul, matmul, split, slice, reshape } from '../engine/ops';
import { BaseCell, RecurrentCell, CellOptions, StepMasks, WeightSpec, projectWithMasks, recurrentWithMasks, checkStates } from './cell';
import { activationName, activationFn, ActivationInput, ActivationName } from './activations';
import { reportGates } from './gate-trace';

export interface GRUCellOptions extends CellOptions {
  /** The candidate's activation; default 'tanh'. */
  readonly activation?: ActivationInput;
  /** σ of the gates: 'sigmoid' (Keras default) or 'hard_sigmoid' (TF.js default). */
  readonly recurrentActivation?: ActivationInput;
  /** Keras default true; TF.js files need false. */
  readonly resetAfter?: boolean;
}

export class GRUCell extends BaseCell implements RecurrentCell {
  readonly className = 'GRUCell';
  readonly gates = 3;
  readonly stateCount = 1;
  readonly hasCandidate = true;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  readonly resetAfter: boolean;

  constructor(units: number, options: GRUCellOptions = {}) {
    super(units, options);
    this.activation = activationName(options.activation ?? 'tanh', 'GRUCell activation');
    this.recurrentActivation = activationName(options.recurrentActivation ?? 'sigmoid', 'GRUCell recurrentActivation');
    this.resetAfter = options.resetAfter ?? true;
  }

  protected weightSpecs(inputFeatures: number): WeightSpec[] {
    const u = this.units;
    return [
      { name: 'kernel', shape: [inputFeatures, 3 * u], init: this.kernelInit() },
      { name: 'recurrent_kernel', shape: [u, 3 * u], init: 'orthogonal' },
      { name: 'bias', shape: this.resetAfter ? [2, 3 * u] : [3 * u], init: 'zeros' },
    ];
  }

  /** x·W + b, with b the input row of the bias when reset_after. */
  projectInput(x: Tensor, inputMasks: readonly Tensor[] | null): Tensor {
    const u3 = 3 * this.units;
    const bias = this.resetAfter ? reshape(slice(this.w('bias'), [0, 0], [1, u3]), [u3]) : this.w('bias');
    return projectWithMasks(x, this.w('kernel'), bias, inputMasks, 3);
  }

  step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] {
    checkStates(this, states);
    const [hPrev] = states;
    const sigma = activationFn(this.recurrentActivation);
    const act = activationFn(this.activation);
    const u = this.units;
    const U = this.w('recurrent_kernel');
    const rec = masks.recurrent;
    // #region gru-gates
    const [xz, xr, xh] = split(xW, 3, 1);
    let hh: Tensor;
    let z: Tensor;
    if (this.resetAfter) {
      // #region gru-reset-after
      const recBias = reshape(slice(this.w('bias'), [1, 0], [1, 3 * u]), [3 * u]);
      const [hz, hr, hU] = split(add(recurrentWithMasks(hPrev, U, rec, 3), recBias), 3, 1); // h_{t−1}·U + b'
      z = sigma(add(xz, hz)); //                        update gate
      const r = sigma(add(xr, hr)); //                  reset gate
      hh = act(add(xh, mul(r, hU))); //                 candidate, reset after U
      // #endregion gru-reset-after
      reportGates(this, { z, r, candidate: hh }); // a gate trace's record (gate-trace.ts)
    } else {
      // #region gru-reset-before
      const Uzr = slice(U, [0, 0], [u, 2 * u]);
      const Uh = slice(U, [0, 2 * u], [u, u]);
      // Recurrent dropout: one mask for all gates, or the z/r masks here and the h mask below.
      const zrMasks = rec === null ? null : rec.length === 1 ? rec : rec.slice(0, 2);
      const [hz, hr] = split(recurrentWithMasks(hPrev, Uzr, zrMasks, 2), 2, 1);
      z = sigma(add(xz, hz)); //                        update gate
      const r = sigma(add(xr, hr)); //                  reset gate
      const hMasked = rec === null ? hPrev : mul(hPrev, rec[rec.length === 1 ? 0 : 2]);
      hh = act(add(xh, matmul(mul(r, hMasked), Uh))); // candidate, reset before U
      // #endregion gru-reset-before
      reportGates(this, { z, r, candidate: hh }); // a gate trace's record (gate-trace.ts)
    }
    // #region gru-output
    if (masks.candidate) hh = mul(hh, masks.candidate); // Semeniuta dropout on the candidate
    const h = add(mul(z, hPrev), mul(oneMinus(z), hh)); // h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
    // #endregion gru-output
    // #endregion gru-gates
    return [h];
  }

  config(): Record<string, unknown> {
    return {
      units: this.units,
      activation: this.activation,
      recurrent_activation: this.recurrentActivation,
      use_bias: true,
      reset_after: this.resetAfter,
      implementation: 2,
    };
  }
}

/** 1 − z, recorded on the tape. */
function oneMinus(z: Tensor): Tensor {
  return add(mul(z, -1), 1);
}
