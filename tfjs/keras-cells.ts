/**
 * TF.js's own SimpleRNN and LSTM (cells and layers), taught rnngrad's zoneout: subclasses that
 * behave exactly as TF.js's classes unless a config sets an `rnngrad_*` option
 * (tfjs/rnngrad-options.ts). Without them TF.js would load an rnngrad file trained with zoneout
 * and silently predict something else, since it ignores keys it does not know.
 *
 *   SimpleRNNCell:  h̃_t = act(x_t·W + h_{t−1}·U + b),              then zoneout on h
 *   LSTMCell:       (h̃_t, c̃_t) = LSTM step (gate order i, f, c, o), then zoneout on h and c
 */
import { STOCK, stockClass } from './tf-types';
import type { Kwargs, LSTMArgs, LSTMCellArgs, RNNCell, SimpleRNNArgs, SimpleRNNCellArgs, StockClass, StockInstance, Tensor, TF, ConfigDict } from './tf-types';
import type { HasRnngrad, RnngradArgs } from './rnngrad-options';
import { readRnngradOptions, rnngradConfig, checkTrainingDropout, isTraining, setsRnngradOptions, zoneout } from './rnngrad-options';

/** The classes kerasCellClasses makes: TF.js's, taking rnngrad's options. */
export interface KerasCellClasses {
  readonly SimpleRNNCell: StockClass<SimpleRNNCellArgs & RnngradArgs, StockInstance<'SimpleRNNCell'> & HasRnngrad>;
  readonly LSTMCell: StockClass<LSTMCellArgs & RnngradArgs, StockInstance<'LSTMCell'> & HasRnngrad>;
  readonly SimpleRNN: StockClass<SimpleRNNArgs & RnngradArgs, StockInstance<'SimpleRNN'>>;
  readonly LSTM: StockClass<LSTMArgs & RnngradArgs, StockInstance<'LSTM'>>;
}

/** Keras's SimpleRNNCell / LSTMCell with rnngrad's options, and the layers that carry them. */
export function kerasCellClasses(tf: TF): KerasCellClasses {
  const StockSimpleRNNCell = stockClass(tf, 'SimpleRNNCell');
  const StockLSTMCell = stockClass(tf, 'LSTMCell');
  const StockSimpleRNN = stockClass(tf, 'SimpleRNN');
  const StockLSTM = stockClass(tf, 'LSTM');

  /** TF.js's SimpleRNNCell, plus rnngrad's zoneout on h. */
  class SimpleRNNCell extends StockSimpleRNNCell {
    static override readonly className = 'SimpleRNNCell';
    static readonly [STOCK] = StockSimpleRNNCell;
    readonly rnngrad;

    constructor(args: SimpleRNNCellArgs & RnngradArgs) {
      super(args);
      this.rnngrad = readRnngradOptions(args, `SimpleRNNCell '${this.name}'`, 1);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      return tf.tidy(() => {
        checkTrainingDropout(this.rnngrad, this.dropout, this.recurrentDropout, isTraining(kwargs), `SimpleRNNCell '${this.name}'`);
        const next = super.call(inputs, kwargs) as Tensor[]; // [h̃, h̃]
        return zoneout(tf, this.rnngrad, (inputs as Tensor[]).slice(1), next.slice(1), isTraining(kwargs));
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), ...rnngradConfig(this.rnngrad) };
    }
  }

  /** TF.js's LSTMCell, plus rnngrad's zoneout on h and c. */
  class LSTMCell extends StockLSTMCell {
    static override readonly className = 'LSTMCell';
    static readonly [STOCK] = StockLSTMCell;
    readonly rnngrad;

    constructor(args: LSTMCellArgs & RnngradArgs) {
      super(args);
      this.rnngrad = readRnngradOptions(args, `LSTMCell '${this.name}'`, 2);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      return tf.tidy(() => {
        checkTrainingDropout(this.rnngrad, this.dropout, this.recurrentDropout, isTraining(kwargs), `LSTMCell '${this.name}'`);
        const next = super.call(inputs, kwargs) as Tensor[]; // [h̃, h̃, c̃]
        return zoneout(tf, this.rnngrad, (inputs as Tensor[]).slice(1), next.slice(1), isTraining(kwargs));
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), ...rnngradConfig(this.rnngrad) };
    }
  }

  /** TF.js's SimpleRNN layer; its cell is the one above when the config sets rnngrad options. */
  class SimpleRNN extends StockSimpleRNN {
    static override readonly className = 'SimpleRNN';
    static readonly [STOCK] = StockSimpleRNN;

    constructor(args: SimpleRNNArgs & RnngradArgs) {
      super(args);
      if (setsRnngradOptions(args)) (this as { cell: RNNCell }).cell = new SimpleRNNCell(args);
    }
  }

  /** TF.js's LSTM layer; its cell is the one above when the config sets rnngrad options. */
  class LSTM extends StockLSTM {
    static override readonly className = 'LSTM';
    static readonly [STOCK] = StockLSTM;

    constructor(args: LSTMArgs & RnngradArgs) {
      super(args);
      if (setsRnngradOptions(args)) (this as { cell: RNNCell }).cell = new LSTMCell(args);
    }
  }

  return { SimpleRNNCell, LSTMCell, SimpleRNN, LSTM };
}
