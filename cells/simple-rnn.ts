/**
 * The simple (Elman) RNN cell, Keras `SimpleRNNCell`:
 *
 *   h_t = act(x_t·W + h_{t−1}·U + b)        act = tanh by default
 *
 * Output and new state are the same tensor h_t.
 * Weights (Keras order): kernel W [in, u], recurrent_kernel U [u, u], bias b [u].
 */
import type { Tensor } from '../engine/tensor';
import { add } from '../engine/ops';
import { BaseCell, RecurrentCell, CellOptions, StepMasks, WeightSpec, projectWithMasks, recurrentWithMasks, checkStates } from './cell';
import { activationName, activationFn, ActivationInput, ActivationName } from './activations';
import { reportGates } from './gate-trace';

export interface SimpleRNNCellOptions extends CellOptions {
  /** Default 'tanh'. */
  readonly activation?: ActivationInput;
}

export class SimpleRNNCell extends BaseCell implements RecurrentCell {
  readonly className: string = 'SimpleRNNCell';
  readonly gates = 1;
  readonly stateCount = 1;
  readonly hasCandidate: boolean = false;
  readonly activation: ActivationName;

  constructor(units: number, options: SimpleRNNCellOptions = {}) {
    super(units, options);
    this.activation = activationName(options.activation ?? 'tanh', `${this.className} activation`);
  }

  protected weightSpecs(inputFeatures: number): WeightSpec[] {
    const u = this.units;
    return [
      { name: 'kernel', shape: [inputFeatures, u], init: this.kernelInit() },
      { name: 'recurrent_kernel', shape: [u, u], init: 'orthogonal' },
      { name: 'bias', shape: [u], init: 'zeros' },
    ];
  }

  projectInput(x: Tensor, inputMasks: readonly Tensor[] | null): Tensor {
    return projectWithMasks(x, this.w('kernel'), this.w('bias'), inputMasks, 1);
  }

  // #region simple-rnn-linear
  /** The pre-activation a_t = x_t·W + b + h_{t−1}·U (LNSimpleRNN reuses it). */
  protected linear(xW: Tensor, hPrev: Tensor, masks: StepMasks): Tensor {
    return add(xW, recurrentWithMasks(hPrev, this.w('recurrent_kernel'), masks.recurrent, 1));
  }
  // #endregion simple-rnn-linear

  step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] {
    checkStates(this, states);
    const [hPrev] = states;
    // #region simple-rnn-step
    const a = this.linear(xW, hPrev, masks); // a_t = x_t·W + b + h_{t−1}·U
    const h = activationFn(this.activation)(a); // h_t = act(a_t)
    // #endregion simple-rnn-step
    reportGates(this, { h }); // a gate trace's record (gate-trace.ts); nothing otherwise
    return [h];
  }

  config(): Record<string, unknown> {
    return { units: this.units, activation: this.activation, use_bias: true };
  }
}
