/**
 * The peephole LSTM cell in TF.js, tf.keras `PeepholeLSTMCell` (Gers & Schmidhuber 2000), as
 * rnngrad's cells/peephole-lstm.ts computes it: the gates also look at the cell state through
 * diagonal (element-wise) weights p_i, p_f, p_o.
 *
 *   z = x_t·W + h_{t−1}·U + b                   gate order i, f, c, o
 *   i = σ(z_i + p_i ⊙ c_{t−1})                  input gate sees the old cell
 *   f = σ(z_f + p_f ⊙ c_{t−1})                  forget gate sees the old cell
 *   g = tanh(z_c)                               candidate
 *   c_t = f ⊙ c_{t−1} + i ⊙ g                  new cell state
 *   o = σ(z_o + p_o ⊙ c_t)                      output gate sees the NEW cell
 *   h_t = o ⊙ tanh(c_t)
 *
 * Weights, in this order: kernel, recurrent_kernel, bias (as LSTMCell), then
 * input_gate_peephole_weights, forget_gate_peephole_weights, output_gate_peephole_weights, each [u],
 * initialized like the kernel (as Keras does).
 */
import { stockClass } from './tf-types';
import type { ConfigDict, Kwargs, LayerVariable, LSTMCellArgs, StockClass, StockInstance, Tensor, TF } from './tf-types';
import type { HasRnngrad, RnngradArgs } from './rnngrad-options';
import { readRnngradOptions, rnngradConfig, isTraining, zoneout } from './rnngrad-options';
import { refuseTrainingDropout } from './no-dropout';

/** A PeepholeLSTMCell: a TF.js LSTMCell with the three peephole weights. */
export type PeepholeLSTMCellInstance = StockInstance<'LSTMCell'> & HasRnngrad & {
  readonly inputGatePeephole: LayerVariable;
  readonly forgetGatePeephole: LayerVariable;
  readonly outputGatePeephole: LayerVariable;
};

/** The PeepholeLSTMCell class for this `tf`. */
export function peepholeLSTMCellClass(tf: TF): StockClass<LSTMCellArgs & RnngradArgs, PeepholeLSTMCellInstance> {
  const StockLSTMCell = stockClass(tf, 'LSTMCell');

  /** An LSTM cell whose gates also see the cell state. */
  class PeepholeLSTMCell extends StockLSTMCell {
    static override readonly className = 'PeepholeLSTMCell';
    readonly rnngrad;
    inputGatePeephole!: LayerVariable;
    forgetGatePeephole!: LayerVariable;
    outputGatePeephole!: LayerVariable;

    constructor(args: LSTMCellArgs & RnngradArgs) {
      super(args);
      this.rnngrad = readRnngradOptions(args, `PeepholeLSTMCell '${this.name}'`, 2);
    }

    override build(inputShape: Parameters<InstanceType<typeof StockLSTMCell>['build']>[0]): void {
      super.build(inputShape); // kernel, recurrent_kernel, bias
      const peephole = (name: string) => this.addWeight(name, [this.units], undefined, this.kernelInitializer, undefined, true);
      this.inputGatePeephole = peephole('input_gate_peephole_weights');
      this.forgetGatePeephole = peephole('forget_gate_peephole_weights');
      this.outputGatePeephole = peephole('output_gate_peephole_weights');
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      return tf.tidy(() => {
        const training = isTraining(kwargs);
        refuseTrainingDropout(this.dropout, this.recurrentDropout, training, `PeepholeLSTMCell '${this.name}'`);
        const [x, hPrev, cPrev] = inputs as Tensor[];
        const sigma = (t: Tensor) => this.recurrentActivation.apply(t);
        const act = (t: Tensor) => this.activation.apply(t);
        let z = tf.add(tf.matMul(x, this.kernel.read()), tf.matMul(hPrev, this.recurrentKernel.read())); // x_t·W + h_{t−1}·U
        if (this.useBias) z = tf.add(z, this.bias.read()); //                                            + b
        const [zi, zf, zc, zo] = tf.split(z, 4, -1);
        const i = sigma(tf.add(zi, tf.mul(this.inputGatePeephole.read(), cPrev))); //  input gate, peeking at c_{t−1}
        const f = sigma(tf.add(zf, tf.mul(this.forgetGatePeephole.read(), cPrev))); // forget gate, peeking at c_{t−1}
        const g = act(zc); //                                                          candidate
        const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g)); //                           c_t = f ⊙ c_{t−1} + i ⊙ g
        const o = sigma(tf.add(zo, tf.mul(this.outputGatePeephole.read(), c))); //     output gate, peeking at the new c_t
        const h = tf.mul(o, act(c)); //                                                h_t = o ⊙ tanh(c_t)
        return zoneout(tf, this.rnngrad, [hPrev, cPrev], [h, c], training);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), ...rnngradConfig(this.rnngrad) };
    }
  }

  return PeepholeLSTMCell;
}
