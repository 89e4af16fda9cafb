/**
 * The layer-normalized simple RNN cell (the course's `LNSimpleRNNCell`, Ba et al. 2016):
 *
 *   a_t = x_t·W + h_{t−1}·U + b                  (a simple RNN cell with no activation)
 *   h_t = tanh(LN(a_t))
 *   LN(a) = γ ⊙ (a − mean(a)) / sqrt(var(a) + ε) + β     over the units, biased variance
 *
 * ε is the `epsilon` option of the Keras LayerNormalization the course's cell wraps (default 1e-3,
 * Keras's); it is read from and written to model files as the cell config's `epsilon`.
 *
 * The layer norm sits between the linear sum and the activation. Output and state are h_t.
 * Weights (Keras order): kernel [in, u], recurrent_kernel [u, u], bias [u], gamma [u], beta [u].
 * LN removes the mean of b, so one direction of b's gradient is exactly zero (expected).
 */
import type { Tensor } from '../engine/tensor';
import { layerNorm } from '../engine/ops';
import type { StepMasks, WeightSpec } from './cell';
import { checkStates } from './cell';
import { SimpleRNNCell, SimpleRNNCellOptions } from './simple-rnn';
import { activationFn } from './activations';
import { reportGates } from './gate-trace';

/** Keras LayerNormalization's default epsilon. */
export const LN_EPSILON = 1e-3;

export interface LNSimpleRNNCellOptions extends SimpleRNNCellOptions {
  /** ε added to the variance in the layer norm: finite and > 0 (default 1e-3, Keras's). */
  readonly epsilon?: number;
}

export class LNSimpleRNNCell extends SimpleRNNCell {
  override readonly className: string = 'LNSimpleRNNCell';
  readonly epsilon: number;

  constructor(units: number, options: LNSimpleRNNCellOptions = {}) {
    super(units, options);
    const eps = options.epsilon ?? LN_EPSILON;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
      throw new Error(`LNSimpleRNNCell: epsilon must be a finite number > 0, got ${String(eps)}`);
    }
    this.epsilon = eps;
  }

  protected override weightSpecs(inputFeatures: number): WeightSpec[] {
    return [
      ...super.weightSpecs(inputFeatures),
      { name: 'gamma', shape: [this.units], init: 'ones' },
      { name: 'beta', shape: [this.units], init: 'zeros' },
    ];
  }

  override step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] {
    checkStates(this, states);
    const [hPrev] = states;
    // #region ln-simple-rnn-step
    const a = this.linear(xW, hPrev, masks); // a_t = x_t·W + b + h_{t−1}·U
    const n = layerNorm(a, this.w('gamma'), this.w('beta'), this.epsilon); // LN(a_t)
    const h = activationFn(this.activation)(n); // h_t = tanh(LN(a_t))
    // #endregion ln-simple-rnn-step
    reportGates(this, { h }); // a gate trace's record (gate-trace.ts); nothing otherwise
    return [h];
  }

  override config(): Record<string, unknown> {
    return { ...super.config(), epsilon: this.epsilon };
  }
}
