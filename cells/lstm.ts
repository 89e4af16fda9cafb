/**
 * The LSTM cell, Keras `LSTMCell` (Hochreiter & Schmidhuber 1997, with the forget gate of
 * Gers et al. 2000):
 *
 *   z = x_t·W + h_{t−1}·U + b          split into four blocks of u columns, Keras gate order i, f, c, o
 *   i = σ(z_i)                          input gate
 *   f = σ(z_f)                          forget gate
 *   g = tanh(z_c)                       candidate
 *   o = σ(z_o)                          output gate
 *   c_t = f ⊙ c_{t−1} + i ⊙ g          new cell state
 *   h_t = o ⊙ tanh(c_t)                 output and new hidden state
 *
 * σ is the recurrent activation: the logistic sigmoid (Keras ≥ 2.3) or TF.js's hard sigmoid.
 * Weights (Keras order): kernel W [in, 4u], recurrent_kernel U [u, 4u], bias b [4u] (forget block 1).
 * A fused version of the same step, whole sequence in one tape entry, is in lstm-fused.ts.
 */
import type { Tensor } from '../engine/tensor';
import { add, mul, tanh, split } from '../engine/ops';
import { BaseCell, RecurrentCell, CellOptions, StepMasks, WeightSpec, projectWithMasks, recurrentWithMasks, checkStates } from './cell';
import { activationName, activationFn, ActivationInput, ActivationName } from './activations';
import { lstmCellState, lstmHidden } from './lstm-device';
import { reportGates } from './gate-trace';

export interface LSTMCellOptions extends CellOptions {
  /** The candidate's and the cell output's activation; default 'tanh'. */
  readonly activation?: ActivationInput;
  /** σ of the gates: 'sigmoid' (Keras default) or 'hard_sigmoid' (TF.js default). */
  readonly recurrentActivation?: ActivationInput;
  /** Start the forget block of the bias at 1 (Keras default true). */
  readonly unitForgetBias?: boolean;
}

/** TF.js's LSTM defaults, for fair comparisons: hard sigmoid, glorot-normal kernel, no forget bias. */
export const TFJS_LSTM_PRESET: LSTMCellOptions = {
  recurrentActivation: 'hard_sigmoid',
  kernelInitializer: 'glorot_normal',
  unitForgetBias: false,
};

export class LSTMCell extends BaseCell implements RecurrentCell {
  readonly className: string = 'LSTMCell';
  readonly gates = 4;
  readonly stateCount = 2;
  readonly hasCandidate = true;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  readonly unitForgetBias: boolean;

  constructor(units: number, options: LSTMCellOptions = {}) {
    super(units, options);
    this.activation = activationName(options.activation ?? 'tanh', `${this.className} activation`);
    this.recurrentActivation = activationName(options.recurrentActivation ?? 'sigmoid', `${this.className} recurrentActivation`);
    this.unitForgetBias = options.unitForgetBias ?? true;
  }

  protected weightSpecs(inputFeatures: number): WeightSpec[] {
    const u = this.units;
    return [
      { name: 'kernel', shape: [inputFeatures, 4 * u], init: this.kernelInit() },
      { name: 'recurrent_kernel', shape: [u, 4 * u], init: 'orthogonal' },
      { name: 'bias', shape: [4 * u], init: this.unitForgetBias ? 'unit_forget_bias' : 'zeros' },
    ];
  }

  projectInput(x: Tensor, inputMasks: readonly Tensor[] | null): Tensor {
    return projectWithMasks(x, this.w('kernel'), this.w('bias'), inputMasks, 4);
  }

  step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] {
    checkStates(this, states);
    const [hPrev, cPrev] = states;
    const sigma = activationFn(this.recurrentActivation);
    const act = activationFn(this.activation);
    // #region lstm-gates
    // #region lstm-preactivation
    const z = add(xW, recurrentWithMasks(hPrev, this.w('recurrent_kernel'), masks.recurrent, 4)); // z = x_t·W + b + h_{t−1}·U
    const [zi, zf, zc, zo] = split(z, 4, 1);
    // #endregion lstm-preactivation
    // #region lstm-gate-activations
    const i = sigma(zi); //                                 input gate
    const f = sigma(zf); //                                 forget gate
    let g = act(zc); //                                     candidate
    if (masks.candidate) g = mul(g, masks.candidate); //    Semeniuta dropout: drop the candidate only
    const o = sigma(zo); //                                 output gate
    // #endregion lstm-gate-activations
    // #region lstm-state
    const c = add(mul(f, cPrev), mul(i, g)); //             c_t = f ⊙ c_{t−1} + i ⊙ g
    const h = mul(o, act(c)); //                            h_t = o ⊙ tanh(c_t)
    // #endregion lstm-state
    // #endregion lstm-gates
    reportGates(this, { i, f, g, o }); // a gate trace's record (gate-trace.ts); nothing otherwise
    return [h, c];
  }

  /**
   * On a device backend: z as in step(), then the gates in two one-kernel ops (cells/lstm-device.ts).
   * Only for the tanh activation, σ or hard σ, and no Semeniuta mask (what those kernels compute).
   */
  deviceStep(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] | null {
    if (this.activation !== 'tanh' || masks.candidate || !['sigmoid', 'hard_sigmoid'].includes(this.recurrentActivation)) return null;
    checkStates(this, states);
    const [hPrev, cPrev] = states;
    const hard = this.recurrentActivation === 'hard_sigmoid';
    const z = add(xW, recurrentWithMasks(hPrev, this.w('recurrent_kernel'), masks.recurrent, 4)); // z = x_t·W + b + h_{t−1}·U
    const c = lstmCellState(z, cPrev, hard); // c_t = f ⊙ c_{t−1} + i ⊙ g
    const h = lstmHidden(z, c, hard); //         h_t = o ⊙ tanh(c_t)
    return [h, c];
  }

  config(): Record<string, unknown> {
    return {
      units: this.units,
      activation: this.activation,
      recurrent_activation: this.recurrentActivation,
      use_bias: true,
      unit_forget_bias: this.unitForgetBias,
      implementation: 2,
    };
  }
}
