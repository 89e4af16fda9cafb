/**
 * `rnngrad/tfjs`: rnngrad's cells for TensorFlow.js, so that a model trained in rnngrad loads in
 * TF.js (`tf.loadLayersModel`) and predicts the same numbers, and a model TF.js saves with these
 * classes loads back into rnngrad (`loadModel`).
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { registerLayers } from 'rnngrad/tfjs';
 *
 * registerLayers(tf);                                   // once, before loading
 * const model = await tf.loadLayersModel('https://example.com/model/model.json');
 * ```
 *
 * You pass in your own `tf` (the @tensorflow/tfjs module object, ≥ 4); this module never loads
 * TF.js itself, so rnngrad works without it. `registerLayers(tf)` registers, with
 * `tf.serialization.registerClass`, classes written with TF.js ops:
 *
 * - `LNSimpleRNNCell` and `PeepholeLSTMCell`: the course's cells, new to TF.js.
 * - `GRU` and `GRUCell`: take Keras's `reset_after: true` (rnngrad's and Keras's default), and
 *   behave exactly as TF.js's own for `reset_after: false` (they defer to TF.js's GRUCell).
 *   **These replace TF.js's `GRU` and `GRUCell` in that `tf`'s registry**: every model that `tf`
 *   loads from then on gets them (same numbers for the files TF.js could already read).
 * - `SimpleRNN`, `SimpleRNNCell`, `LSTM`, `LSTMCell`: likewise replace TF.js's own, and differ from
 *   them only when a config sets an `rnngrad_*` option (zoneout), which TF.js would silently ignore.
 *
 * rnngrad's own options: `rnngrad_zoneout_h` / `rnngrad_zoneout_c` are implemented (inference uses
 * the expectation, training draws Bernoulli masks, as rnngrad); `rnngrad_dropout_mode` changes
 * nothing at inference and is refused by name for training with dropout in a mode other than
 * 'variational'; any other `rnngrad_*` key is refused by name. The custom cells refuse training with
 * `dropout` / `recurrent_dropout` (see tfjs/no-dropout.ts).
 *
 * The factories `tf.layers.gru(…)` etc. still build TF.js's own classes; to build these in code,
 * use the classes `registerLayers` returns: `new GRU({ units: 8, resetAfter: true })`.
 */
import type { LSTMCellArgs, StockClass, TF } from './tf-types';
import type { RnngradArgs } from './rnngrad-options';
import { kerasCellClasses, KerasCellClasses } from './keras-cells';
import { gruClasses, GRUClasses } from './gru';
import { lnSimpleRNNCellClass, LNSimpleRNNCellArgs, LNSimpleRNNCellInstance } from './ln-simple-rnn';
import { peepholeLSTMCellClass, PeepholeLSTMCellInstance } from './peephole-lstm';

export type { TF, StockClass, StockClasses, StockInstance, LayerVariable, SimpleRNNCellArgs, LSTMCellArgs, GRUCellArgs, SimpleRNNArgs, LSTMArgs, GRUArgs } from './tf-types';
export type { RnngradArgs, RnngradOptions, HasRnngrad } from './rnngrad-options';
export type { KerasCellClasses } from './keras-cells';
export type { GRUClasses, GRULayerArgs } from './gru';
export type { LNSimpleRNNCellArgs, LNSimpleRNNCellInstance } from './ln-simple-rnn';
export type { PeepholeLSTMCellInstance } from './peephole-lstm';
export { LN_EPSILON } from './ln-simple-rnn';

/** The classes `registerLayers` registered, by their Keras class names. */
export interface RnngradLayers extends KerasCellClasses, GRUClasses {
  readonly LNSimpleRNNCell: StockClass<LNSimpleRNNCellArgs, LNSimpleRNNCellInstance>;
  readonly PeepholeLSTMCell: StockClass<LSTMCellArgs & RnngradArgs, PeepholeLSTMCellInstance>;
}

/** Make this `tf`'s classes (each extends the TF.js class its name replaces). */
function makeClasses(tf: TF): RnngradLayers {
  return {
    ...kerasCellClasses(tf),
    ...gruClasses(tf),
    LNSimpleRNNCell: lnSimpleRNNCellClass(tf),
    PeepholeLSTMCell: peepholeLSTMCellClass(tf),
  };
}

/** One set of classes per TF.js registry, so calling registerLayers again changes nothing. */
const registered = new WeakMap<object, RnngradLayers>();

/**
 * Register rnngrad's cells with this `tf` (see the module comment for what replaces what) and
 * return the classes. Idempotent per `tf`.
 */
export function registerLayers(tf: TF): RnngradLayers {
  const registry = tf.serialization.SerializationMap.getMap();
  const known = registered.get(registry);
  if (known) return known;
  const classes = makeClasses(tf);
  for (const cls of Object.values(classes)) tf.serialization.registerClass(cls);
  registered.set(registry, classes);
  return classes;
}
