/**
 * The Keras recurrent layers: `SimpleRNN`, `LSTM`, `GRU` — an RNN layer with its cell built in,
 * written to model.json under their own class names with the cell's options flattened into the
 * layer config. `cellLayer` builds any cell by its --cell name.
 */
import { RNN, RNNLayerOptions } from './rnn';
import { SimpleRNNCell, SimpleRNNCellOptions } from './simple-rnn';
import { LNSimpleRNNCell, LNSimpleRNNCellOptions } from './ln-simple-rnn';
import { LSTMCell, LSTMCellOptions } from './lstm';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell, GRUCellOptions } from './gru';
import type { KerasLayerConfig } from './layer';
import { initializerConfig, NO_REGULARIZERS } from './keras-config';
import type { BaseCell } from './cell';

/** The layer config Keras writes for SimpleRNN / LSTM / GRU: layer options and cell options side by side. */
function flatConfig(layer: RNN, className: string): KerasLayerConfig {
  const cell = layer.cell as BaseCell & RNN['cell'];
  return {
    class_name: className,
    config: {
      name: layer.name,
      trainable: true,
      dtype: 'float32',
      ...layer.sequenceConfig(),
      ...cell.config(),
      kernel_initializer: initializerConfig(cell.kernelInitializer),
      recurrent_initializer: initializerConfig('orthogonal'),
      bias_initializer: initializerConfig('zeros'), // unit_forget_bias, when set, adds the forget block's 1s
      ...NO_REGULARIZERS,
      ...layer.dropoutConfig(),
    },
  };
}

/** Keras `SimpleRNN(units)`. */
export class SimpleRNN extends RNN {
  override readonly className: string = 'SimpleRNN';
  constructor(units: number, options: SimpleRNNCellOptions & RNNLayerOptions = {}) {
    super(new SimpleRNNCell(units, options), { ...options, fused: options.fused ?? true }, 'simple_rnn');
  }
  override toConfig(): KerasLayerConfig {
    return flatConfig(this, 'SimpleRNN');
  }
}

/** Keras `LSTM(units)`; takes the fused whole-sequence path unless `fused: false`. */
export class LSTM extends RNN {
  override readonly className: string = 'LSTM';
  constructor(units: number, options: LSTMCellOptions & RNNLayerOptions = {}) {
    super(new LSTMCell(units, options), { ...options, fused: options.fused ?? true }, 'lstm');
  }
  override toConfig(): KerasLayerConfig {
    return flatConfig(this, 'LSTM');
  }
}

/** Keras `GRU(units)` (reset_after = true unless `resetAfter: false`, the TF.js form). */
export class GRU extends RNN {
  override readonly className: string = 'GRU';
  constructor(units: number, options: GRUCellOptions & RNNLayerOptions = {}) {
    super(new GRUCell(units, options), { ...options, fused: options.fused ?? true }, 'gru');
  }
  override toConfig(): KerasLayerConfig {
    return flatConfig(this, 'GRU');
  }
}

/** The cells by their --cell name. */
export type CellName = 'simple' | 'ln-simple' | 'lstm' | 'peephole' | 'gru';
export const CELL_NAMES: readonly CellName[] = ['simple', 'ln-simple', 'lstm', 'peephole', 'gru'];

export type AnyCellOptions = LNSimpleRNNCellOptions & LSTMCellOptions & GRUCellOptions & RNNLayerOptions;

/**
 * A recurrent layer for a --cell name: SimpleRNN, LSTM and GRU as their Keras layers;
 * the LN simple RNN and the peephole LSTM as `RNN(cell)` (how Keras files carry custom cells).
 * Fused paths are on where they exist (pass `fused: false` for the composed cells).
 */
export function cellLayer(cell: CellName, units: number, options: AnyCellOptions = {}): RNN {
  switch (cell) {
    case 'simple': return new SimpleRNN(units, options);
    case 'ln-simple': return new RNN(new LNSimpleRNNCell(units, options), { ...options, fused: options.fused ?? true }, 'rnn');
    case 'lstm': return new LSTM(units, options);
    case 'peephole': return new RNN(new PeepholeLSTMCell(units, options), { ...options, fused: options.fused ?? true }, 'rnn');
    case 'gru': return new GRU(units, options);
  }
  throw new Error(`cellLayer: unknown cell ${JSON.stringify(cell)} (one of ${CELL_NAMES.join(', ')})`);
}
