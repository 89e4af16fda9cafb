/**
 * The course's layer-norm simple RNN cell in TF.js (rnngrad's cells/ln-simple-rnn.ts computes
 * the same; Ba et al. 2016):
 *
 *   a_t = x_t·W + h_{t−1}·U + b                  a simple RNN cell with no activation
 *   h_t = tanh(LN(a_t))
 *   LN(a) = γ ⊙ (a − mean(a)) / sqrt(var(a) + ε) + β     over the units, biased variance
 *
 * ε is the config option `epsilon` (default 1e-3, Keras LayerNormalization's), read and written.
 * Weights, in this order: kernel [in, u], recurrent_kernel [u, u], bias [u], gamma [u], beta [u]
 * (`<layer>/gamma` in a model file, as rnngrad names them).
 */
import { stockClass } from './tf-types';
import type { ConfigDict, Kwargs, LayerVariable, SimpleRNNCellArgs, StockClass, StockInstance, Tensor, TF } from './tf-types';
import type { HasRnngrad, RnngradArgs } from './rnngrad-options';
import { readRnngradOptions, rnngradConfig, isTraining, zoneout } from './rnngrad-options';
import { refuseTrainingDropout } from './no-dropout';

/** Keras LayerNormalization's default ε (rnngrad's too). */
export const LN_EPSILON = 1e-3;

export interface LNSimpleRNNCellArgs extends SimpleRNNCellArgs, RnngradArgs {
  /** ε of the layer norm: finite and > 0; default 1e-3. */
  readonly epsilon?: number | null;
}

/** An LNSimpleRNNCell: a TF.js SimpleRNNCell with ε and the layer norm's γ, β. */
export type LNSimpleRNNCellInstance = StockInstance<'SimpleRNNCell'> & HasRnngrad & {
  readonly epsilon: number;
  readonly gamma: LayerVariable;
  readonly beta: LayerVariable;
};

/** The LNSimpleRNNCell class for this `tf`. */
export function lnSimpleRNNCellClass(tf: TF): StockClass<LNSimpleRNNCellArgs, LNSimpleRNNCellInstance> {
  const StockSimpleRNNCell = stockClass(tf, 'SimpleRNNCell');

  /** A simple RNN cell with a layer norm between the linear sum and the activation. */
  class LNSimpleRNNCell extends StockSimpleRNNCell {
    static override readonly className = 'LNSimpleRNNCell';
    readonly epsilon: number;
    readonly rnngrad;
    gamma!: LayerVariable;
    beta!: LayerVariable;

    constructor(args: LNSimpleRNNCellArgs) {
      super(args);
      const eps = args.epsilon ?? LN_EPSILON;
      if (typeof eps !== 'number' || !Number.isFinite(eps) || !(eps > 0)) {
        throw new Error(`LNSimpleRNNCell '${this.name}': option 'epsilon' must be a finite number > 0, got ${String(eps)}`);
      }
      this.epsilon = eps;
      this.rnngrad = readRnngradOptions(args, `LNSimpleRNNCell '${this.name}'`, 1);
    }

    override build(inputShape: Parameters<InstanceType<typeof StockSimpleRNNCell>['build']>[0]): void {
      super.build(inputShape); // kernel, recurrent_kernel, bias
      this.gamma = this.addWeight('gamma', [this.units], undefined, tf.initializers.ones(), undefined, true);
      this.beta = this.addWeight('beta', [this.units], undefined, tf.initializers.zeros(), undefined, true);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      return tf.tidy(() => {
        const training = isTraining(kwargs);
        refuseTrainingDropout(this.dropout, this.recurrentDropout, training, `LNSimpleRNNCell '${this.name}'`);
        const [x, hPrev] = inputs as Tensor[];
        let a = tf.add(tf.matMul(x, this.kernel.read()), tf.matMul(hPrev, this.recurrentKernel.read())); // x_t·W + h_{t−1}·U
        if (this.useBias) a = tf.add(a, this.bias.read()); //                                            + b
        const { mean, variance } = tf.moments(a, -1, true); //                 over the units, biased variance
        const normed = tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
        const ln = tf.add(tf.mul(normed, this.gamma.read()), this.beta.read()); // LN(a_t)
        const h = this.activation.apply(ln); //                                  h_t = tanh(LN(a_t))
        return zoneout(tf, this.rnngrad, [hPrev], [h], training);
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), epsilon: this.epsilon, ...rnngradConfig(this.rnngrad) };
    }
  }

  return LNSimpleRNNCell;
}
