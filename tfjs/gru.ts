/**
 * Keras's GRU in TF.js, both forms (rnngrad's cells/gru.ts computes the same), gate order z, r, h:
 *
 *   reset_after = true  (Keras's default since TF 2; what rnngrad saves; bias [2, 3u]: the input
 *                        row b and the recurrent row b′)
 *     z  = σ(x_t·W_z + b_z + h_{t−1}·U_z + b′_z)                  update gate
 *     r  = σ(x_t·W_r + b_r + h_{t−1}·U_r + b′_r)                  reset gate
 *     h̃ = tanh(x_t·W_h + b_h + r ⊙ (h_{t−1}·U_h + b′_h))          reset applied after U
 *   reset_after = false (the original form, the only one TF.js's own GRU has; bias [3u])
 *     h̃ = tanh(x_t·W_h + b_h + (r ⊙ h_{t−1})·U_h)                  reset applied before U
 *   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 *
 * With reset_after = false and no rnngrad option, every number comes from TF.js's own GRUCell
 * (these classes extend it and defer to it), so TF.js's GRU behaves exactly as before.
 */
import { STOCK, stockClass } from './tf-types';
import type { ConfigDict, GRUArgs, GRUCellArgs, Kwargs, RNNCell, StockClass, StockInstance, Tensor, TF } from './tf-types';
import type { HasRnngrad, RnngradArgs } from './rnngrad-options';
import { readRnngradOptions, rnngradConfig, checkTrainingDropout, isTraining, setsRnngradOptions, zoneout } from './rnngrad-options';

/** A GRU layer's arguments, with Keras's `resetAfter` (TF.js's GRU refuses true). */
export type GRULayerArgs = GRUArgs & RnngradArgs & { readonly resetAfter?: boolean };

/** The classes gruClasses makes. */
export interface GRUClasses {
  readonly GRUCell: StockClass<GRUCellArgs & RnngradArgs, StockInstance<'GRUCell'> & HasRnngrad & { readonly resetAfter: boolean }>;
  readonly GRU: StockClass<GRULayerArgs, StockInstance<'GRU'>>;
}

/** The GRU cell and layer that take `reset_after: true`. */
export function gruClasses(tf: TF): GRUClasses {
  const StockGRUCell = stockClass(tf, 'GRUCell');
  const StockGRU = stockClass(tf, 'GRU');

  /** TF.js's GRUCell, plus Keras's reset_after = true form and rnngrad's zoneout on h. */
  class GRUCell extends StockGRUCell {
    static override readonly className = 'GRUCell';
    static readonly [STOCK] = StockGRUCell;
    /** Keras's form (true) or TF.js's (false, the default as TF.js reads files). */
    readonly resetAfter: boolean;
    readonly rnngrad;

    constructor(args: GRUCellArgs & RnngradArgs) {
      super({ ...args, resetAfter: false }); // TF.js's constructor refuses true; the form is ours to handle
      this.resetAfter = args.resetAfter ?? false;
      this.rnngrad = readRnngradOptions(args, `GRUCell '${this.name}'`, 1);
    }

    override build(inputShape: Parameters<InstanceType<typeof StockGRUCell>['build']>[0]): void {
      if (!this.resetAfter) return super.build(inputShape);
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
      const inputDim = shape[shape.length - 1] as number;
      const u = this.units;
      this.kernel = this.addWeight('kernel', [inputDim, 3 * u], undefined, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
      this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], undefined, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
      // Keras's layout: row 0 is the input bias b, row 1 the recurrent bias b′.
      if (this.useBias) this.bias = this.addWeight('bias', [2, 3 * u], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      return tf.tidy(() => {
        const training = isTraining(kwargs);
        checkTrainingDropout(this.rnngrad, this.dropout, this.recurrentDropout, training, `GRUCell '${this.name}'`);
        const [, hPrev] = inputs as Tensor[];
        const next = this.resetAfter ? this.resetAfterStep(inputs as Tensor[], training) : (super.call(inputs, kwargs) as Tensor[]);
        return zoneout(tf, this.rnngrad, [hPrev], next.slice(1), training);
      });
    }

    /** One step of the reset_after = true form; returns [h, h]. Dropout as TF.js's GRUCell draws it. */
    private resetAfterStep([xIn, hPrev]: Tensor[], training: boolean): Tensor[] {
      let x = xIn;
      let hIn = hPrev;
      if (0 < this.dropout && this.dropout < 1) {
        this.dropoutMask ??= tf.keep(training ? tf.dropout(tf.onesLike(x), this.dropout) : tf.onesLike(x));
        x = tf.mul(x, this.dropoutMask as Tensor);
      }
      if (0 < this.recurrentDropout && this.recurrentDropout < 1) {
        this.recurrentDropoutMask ??= tf.keep(training ? tf.dropout(tf.onesLike(hPrev), this.recurrentDropout) : tf.onesLike(hPrev));
        hIn = tf.mul(hIn, this.recurrentDropoutMask as Tensor);
      }
      let xW = tf.matMul(x, this.kernel.read()); //              x_t·W + b
      let hU = tf.matMul(hIn, this.recurrentKernel.read()); //   h_{t−1}·U + b′
      if (this.useBias) {
        const [b, bRecurrent] = tf.unstack(this.bias.read());
        xW = tf.add(xW, b);
        hU = tf.add(hU, bRecurrent);
      }
      const [xz, xr, xh] = tf.split(xW, 3, -1);
      const [hz, hr, hh] = tf.split(hU, 3, -1);
      const z = this.recurrentActivation.apply(tf.add(xz, hz)); //        update gate
      const r = this.recurrentActivation.apply(tf.add(xr, hr)); //        reset gate
      const candidate = this.activation.apply(tf.add(xh, tf.mul(r, hh))); // reset after U
      const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), candidate)); // h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
      return [h, h];
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), resetAfter: this.resetAfter, ...rnngradConfig(this.rnngrad) };
    }
  }

  /**
   * The GRU layer (`class_name: 'GRU'`): TF.js's own, with the cell above when the config asks
   * for reset_after = true or an rnngrad option, and TF.js's GRUCell otherwise.
   */
  class GRU extends StockGRU {
    static override readonly className = 'GRU';
    static readonly [STOCK] = StockGRU;

    constructor(args: GRULayerArgs) {
      super(Object.assign({}, args, { resetAfter: false })); // TF.js's GRUCell (made here) refuses true
      if (args.resetAfter || setsRnngradOptions(args)) (this as { cell: RNNCell }).cell = new GRUCell(args);
    }
  }

  return { GRUCell, GRU };
}
