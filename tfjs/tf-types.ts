/**
 * The TensorFlow.js types this folder builds on, all taken from the `tf` module object the user
 * passes in — `import type` only, so `rnngrad/tfjs` loads (and rnngrad works) without
 * @tensorflow/tfjs installed. The classes here extend TF.js's own at run time: `stockClass`
 * finds them in that `tf`'s serialization registry.
 */
import type * as tfjs from '@tensorflow/tfjs';

/** The module object of @tensorflow/tfjs (`import * as tf from '@tensorflow/tfjs'`). */
export type TF = typeof tfjs;
export type Tensor = tfjs.Tensor;
export type LayerVariable = tfjs.LayerVariable;
export type ConfigDict = tfjs.serialization.ConfigDict;
/** What TF.js passes a layer's `call` besides its inputs (`training`, `mask`, …). */
export type Kwargs = Record<string, unknown>;

// The argument and instance types of TF.js's recurrent classes, read off their factory functions.
export type SimpleRNNCellArgs = Parameters<TF['layers']['simpleRNNCell']>[0];
export type LSTMCellArgs = Parameters<TF['layers']['lstmCell']>[0];
export type GRUCellArgs = Parameters<TF['layers']['gruCell']>[0];
export type SimpleRNNArgs = Parameters<TF['layers']['simpleRNN']>[0];
export type LSTMArgs = Parameters<TF['layers']['lstm']>[0];
export type GRUArgs = Parameters<TF['layers']['gru']>[0];
export type RNNCell = InstanceType<TF['layers']['RNNCell']>;

/** A TF.js class as its registry holds it: a constructor with `className` and `fromConfig`. */
export type StockClass<A, T> = {
  new (args: A): T;
  readonly className: string;
  fromConfig<S extends tfjs.serialization.Serializable>(cls: tfjs.serialization.SerializableConstructor<S>, config: ConfigDict): S;
};

/** The TF.js classes rnngrad/tfjs extends, by registry name. */
export interface StockClasses {
  readonly SimpleRNNCell: StockClass<SimpleRNNCellArgs, ReturnType<TF['layers']['simpleRNNCell']>>;
  readonly LSTMCell: StockClass<LSTMCellArgs, ReturnType<TF['layers']['lstmCell']>>;
  readonly GRUCell: StockClass<GRUCellArgs, ReturnType<TF['layers']['gruCell']>>;
  readonly SimpleRNN: StockClass<SimpleRNNArgs, ReturnType<TF['layers']['simpleRNN']>>;
  readonly LSTM: StockClass<LSTMArgs, ReturnType<TF['layers']['lstm']>>;
  readonly GRU: StockClass<GRUArgs, ReturnType<TF['layers']['gru']>>;
}

/** An instance of TF.js's class `K`. */
export type StockInstance<K extends keyof StockClasses> = InstanceType<StockClasses[K]>;

/** Marks rnngrad's classes with the TF.js class they extend (so registering twice never stacks). */
export const STOCK = Symbol.for('rnngrad.tfjs.stock');

/** TF.js's own class `name` in `tf`'s registry (looking through a class rnngrad registered before). */
export function stockClass<K extends keyof StockClasses>(tf: TF, name: K): StockClasses[K] {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[name];
  if (!entry) throw new Error(`rnngrad/tfjs: this tf has no '${name}' class registered; is it @tensorflow/tfjs (with tfjs-layers)?`);
  let cls: unknown = entry[0];
  while (typeof cls === 'function' && STOCK in cls) cls = (cls as unknown as { [STOCK]: unknown })[STOCK];
  return cls as StockClasses[K];
}
