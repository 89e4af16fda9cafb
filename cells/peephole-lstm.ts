/**
 * The peephole LSTM cell, tf.keras `PeepholeLSTMCell` (Gers & Schmidhuber 2000): the gates also
 * look at the cell state through diagonal (element-wise) weights p_i, p_f, p_o.
 *
 *   z = x_t·W + h_{t−1}·U + b                   gate order i, f, c, o
 *   i = σ(z_i + p_i ⊙ c_{t−1})                  input gate sees the old cell
 *   f = σ(z_f + p_f ⊙ c_{t−1})                  forget gate sees the old cell
 *   g = tanh(z_c)                               candidate
 *   c_t = f ⊙ c_{t−1} + i ⊙ g                  new cell state
 *   o = σ(z_o + p_o ⊙ c_t)                      output gate sees the NEW cell
 *   h_t = o ⊙ tanh(c_t)
 *
 * Weights (Keras order): kernel, recurrent_kernel, bias (as LSTM), then
 * input_gate_peephole_weights, forget_gate_peephole_weights, output_gate_peephole_weights, each [u].
 */
import type { Tensor } from '../engine/tensor';
import { add, mul, split } from '../engine/ops';
import type { StepMasks, WeightSpec } from './cell';
import { recurrentWithMasks, checkStates } from './cell';
import { LSTMCell, LSTMCellOptions } from './lstm';
import { activationFn } from './activations';
import { reportGates } from './gate-trace';

export class PeepholeLSTMCell extends LSTMCell {
  override readonly className: string = 'PeepholeLSTMCell';

  constructor(units: number, options: LSTMCellOptions = {}) {
    super(units, options);
  }

  /** The device kernels have no peepholes: the composed step runs on the device instead. */
  override deviceStep(): null {
    return null;
  }

  protected override weightSpecs(inputFeatures: number): WeightSpec[] {
    const u = this.units;
    return [
      ...super.weightSpecs(inputFeatures),
      // #region peephole-weights
      { name: 'input_gate_peephole_weights', shape: [u], init: 'peephole_uniform' },
      { name: 'forget_gate_peephole_weights', shape: [u], init: 'peephole_uniform' },
      { name: 'output_gate_peephole_weights', shape: [u], init: 'peephole_uniform' },
      // #endregion peephole-weights
    ];
  }

  override step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] {
    checkStates(this, states);
    const [hPrev, cPrev] = states;
    const sigma = activationFn(this.recurrentActivation);
    const act = activationFn(this.activation);
    const pI = this.w('input_gate_peephole_weights');
    const pF = this.w('forget_gate_peephole_weights');
    const pO = this.w('output_gate_peephole_weights');
    // #region peephole-gates
    const z = add(xW, recurrentWithMasks(hPrev, this.w('recurrent_kernel'), masks.recurrent, 4)); // z = x_t·W + b + h_{t−1}·U
    const [zi, zf, zc, zo] = split(z, 4, 1);
    const i = sigma(add(zi, mul(pI, cPrev))); //            input gate, peeking at c_{t−1}
    const f = sigma(add(zf, mul(pF, cPrev))); //            forget gate, peeking at c_{t−1}
    let g = act(zc); //                                     candidate
    if (masks.candidate) g = mul(g, masks.candidate); //    Semeniuta dropout
    const c = add(mul(f, cPrev), mul(i, g)); //             c_t = f ⊙ c_{t−1} + i ⊙ g
    const o = sigma(add(zo, mul(pO, c))); //                output gate, peeking at the new c_t
    const h = mul(o, act(c)); //                            h_t = o ⊙ tanh(c_t)
    // #endregion peephole-gates
    reportGates(this, { i, f, g, o }); // a gate trace's record (gate-trace.ts); nothing otherwise
    return [h, c];
  }
}
