/**
 * Layers from Keras configs (model.json's `modelTopology`), and back: the names model files give
 * each weight. Options are read from the config, `null` or a missing key meaning the default as
 * TF.js (which writes these files) has it — e.g. `recurrent_activation: hard_sigmoid`, and GRU
 * `reset_after: false`. Options rnngrad does not implement are rejected when set, with the option
 * named, never silently ignored.
 */
import type { DType } from '../engine/tensor';
import type { Random } from '../engine/random';
import type { Layer, KerasLayerConfig } from './layer';
import { RNN, RNNLayerOptions } from './rnn';
import { SimpleRNN, LSTM, GRU } from './recurrent-layers';
import { SimpleRNNCell } from './simple-rnn';
import { LNSimpleRNNCell, LN_EPSILON } from './ln-simple-rnn';
import { LSTMCell } from './lstm';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell } from './gru';
import type { RecurrentCell } from './cell';
import { Dense, TimeDistributed } from './dense';
import { DROPOUT_MODES, DropoutMode } from './dropout';
import { reserveLayerName, snakeCase } from './names';
import { activationName } from './activations';

export interface FromConfigOptions {
  /** dtype of the weights made (default float32). */
  readonly dtype?: DType;
  /** Generator for the initial weights and the dropout masks. */
  readonly rng?: Random;
  /**
   * Run the weight initializers (default true). Model files pass false: the weights start as
   * zeros and are overwritten from the file, so no random draws or QR are spent on them.
   */
  readonly initialize?: boolean;
}

/** The layer classes layerFromConfig reads. */
export const SUPPORTED_LAYERS = ['SimpleRNN', 'LSTM', 'GRU', 'RNN', 'Dense', 'TimeDistributed'] as const;
/** The cell classes an `RNN` layer may carry. */
export const SUPPORTED_CELLS = ['SimpleRNNCell', 'LSTMCell', 'GRUCell', 'LNSimpleRNNCell', 'PeepholeLSTMCell'] as const;

/** Keys accepted with any value: identity, shapes, hints with no effect on the numbers, initializers (weights come from the file). */
const IGNORED = new Set([
  'name', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size', 'input_dtype', 'implementation', 'unroll', 'seed',
  'use_cudnn', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer', 'gamma_initializer', 'beta_initializer',
]);
/** Keys only some cell classes read (refused by name on the others). */
const CELL_ONLY: Record<string, readonly string[]> = { epsilon: ['LNSimpleRNNCell'] };
/** Keys rnngrad implements, read below. */
const READ = new Set([
  'units', 'activation', 'recurrent_activation', 'use_bias', 'unit_forget_bias', 'reset_after', 'dropout', 'recurrent_dropout',
  'return_sequences', 'return_state', 'go_backwards', 'cell', 'layer', 'trainable',
  'rnngrad_dropout_mode', 'rnngrad_zoneout_h', 'rnngrad_zoneout_c',
]);
/** Keys rnngrad does not implement: fine at their "off" value, an error otherwise. */
const OFF_VALUES: Record<string, unknown> = {
  stateful: false, time_major: false, zero_output_for_mask: false,
  kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
  kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
};

/**
 * A config value for an error message: JSON, cut short, and safe on hostile input (deep nesting
 * or a huge array from a model file must not turn into a stack overflow or a megabyte of message).
 */
export function preview(v: unknown, max = 60): string {
  const walk = (x: unknown, depth: number): string => {
    if (x === null || typeof x !== 'object') return typeof x === 'string' ? JSON.stringify(x.length > max ? `${x.slice(0, max)}…` : x) : String(x);
    if (depth > 3) return Array.isArray(x) ? '[…]' : '{…}';
    if (Array.isArray(x)) return `[${x.slice(0, 8).map((e) => walk(e, depth + 1)).join(',')}${x.length > 8 ? ',…' : ''}]`;
    const keys = Object.keys(x).slice(0, 8);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${walk((x as Record<string, unknown>)[k], depth + 1)}`).join(',')}${Object.keys(x).length > 8 ? ',…' : ''}}`;
  };
  const text = walk(v, 0);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Reject unknown keys and unimplemented options that are set; `where` names the layer in errors,
 * `className` the cell class for the keys only some cells read.
 */
function checkKeys(config: Record<string, unknown>, where: string, className = ''): void {
  const bad: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (IGNORED.has(key) || READ.has(key)) continue;
    if (key in CELL_ONLY && CELL_ONLY[key].includes(className)) continue;
    if (key in OFF_VALUES) {
      if (value !== null && value !== undefined && value !== OFF_VALUES[key]) bad.push(`${key}=${preview(value)}`);
      continue;
    }
    if (value !== null && value !== undefined) bad.push(`${key}=${preview(value)}`);
  }
  if (config.trainable === false) bad.push('trainable=false');
  if (config.use_bias === false && !where.startsWith('Dense')) bad.push('use_bias=false');
  if (bad.length > 0) throw new Error(`${where}: options not implemented by rnngrad: ${bad.join(', ')}`);
}

/** A config value, `null`/missing giving the default; type-checked. */
function get<T>(config: Record<string, unknown>, key: string, fallback: T, where: string): T {
  const v = config[key];
  if (v === null || v === undefined) return fallback;
  if (typeof v !== typeof fallback) throw new Error(`${where}: option '${key}' should be a ${typeof fallback}, got ${preview(v)}`);
  return v as T;
}

function units(config: Record<string, unknown>, where: string): number {
  const u = config.units;
  if (typeof u !== 'number' || !Number.isInteger(u) || u <= 0) throw new Error(`${where}: 'units' must be a positive integer, got ${preview(u)}`);
  return u;
}

/** Dropout and rnngrad's own dropout options (from a layer or cell config). */
function dropoutFrom(config: Record<string, unknown>, where: string): RNNLayerOptions {
  const mode = get<string>(config, 'rnngrad_dropout_mode', 'variational', where);
  if (!DROPOUT_MODES.includes(mode as DropoutMode)) throw new Error(`${where}: 'rnngrad_dropout_mode' must be one of ${DROPOUT_MODES.join(', ')}, got ${preview(mode)}`);
  return {
    dropout: get(config, 'dropout', 0, where),
    recurrentDropout: get(config, 'recurrent_dropout', 0, where),
    dropoutMode: mode as DropoutMode,
    zoneoutH: get(config, 'rnngrad_zoneout_h', 0, where),
    zoneoutC: get(config, 'rnngrad_zoneout_c', 0, where),
  };
}

/** The recurrent-layer options of a config. */
function sequenceFrom(config: Record<string, unknown>, where: string): RNNLayerOptions {
  const name = get<string>(config, 'name', '', where);
  if (name) reserveLayerName(name);
  return {
    ...(name ? { name } : {}),
    returnSequences: get(config, 'return_sequences', false, where),
    returnState: get(config, 'return_state', false, where),
    goBackwards: get(config, 'go_backwards', false, where),
  };
}

/** The cell options of a config (layer configs of SimpleRNN/LSTM/GRU, or a cell's config). */
function cellOptionsFrom(config: Record<string, unknown>, where: string, base: FromConfigOptions) {
  const kernelInit = config.kernel_initializer as { class_name?: string } | null | undefined;
  return {
    dtype: base.dtype,
    rng: base.rng,
    initialize: base.initialize,
    kernelInitializer: kernelInit?.class_name === 'GlorotNormal' ? ('glorot_normal' as const) : ('glorot_uniform' as const),
    activation: activationName(get(config, 'activation', 'tanh', where), `${where} activation`),
    // TF.js's default, which is what a TF.js file means when it leaves the option out.
    recurrentActivation: activationName(get(config, 'recurrent_activation', 'hard_sigmoid', where), `${where} recurrent_activation`),
    unitForgetBias: get(config, 'unit_forget_bias', true, where),
    resetAfter: get(config, 'reset_after', false, where),
  };
}

function cellFromConfig(cfg: KerasLayerConfig, where: string, base: FromConfigOptions): { cell: RecurrentCell; dropout: RNNLayerOptions } {
  if (!cfg || typeof cfg !== 'object' || typeof cfg.class_name !== 'string') {
    throw new Error(`${where}: 'cell' must be one { class_name, config } (stacked cell lists are not supported)`);
  }
  const config = cfg.config ?? {};
  const at = `${where} cell ${cfg.class_name}`;
  checkKeys(config, at, cfg.class_name);
  const n = units(config, at);
  const o = cellOptionsFrom(config, at, base);
  const dropout = dropoutFrom(config, at);
  switch (cfg.class_name) {
    case 'SimpleRNNCell': return { cell: new SimpleRNNCell(n, o), dropout };
    case 'LNSimpleRNNCell': {
      const epsilon = get(config, 'epsilon', LN_EPSILON, at);
      if (!Number.isFinite(epsilon) || epsilon <= 0) throw new Error(`${at}: 'epsilon' must be a finite number > 0, got ${preview(epsilon)}`);
      return { cell: new LNSimpleRNNCell(n, { ...o, epsilon }), dropout };
    }
    case 'LSTMCell': return { cell: new LSTMCell(n, o), dropout };
    case 'PeepholeLSTMCell': return { cell: new PeepholeLSTMCell(n, o), dropout };
    case 'GRUCell': return { cell: new GRUCell(n, o), dropout };
  }
  throw new Error(`${where}: cell class '${cfg.class_name}' is not supported (supported: ${SUPPORTED_CELLS.join(', ')})`);
}

/** A layer from its Keras config (`{ class_name, config }` as in model.json's layer list). */
export function layerFromConfig(cfg: KerasLayerConfig, options: FromConfigOptions = {}): Layer {
  const config = cfg.config ?? {};
  const where = `${cfg.class_name} layer${typeof config.name === 'string' ? ` '${config.name}'` : ''}`;
  checkKeys(config, where);
  switch (cfg.class_name) {
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const layerOptions = { ...cellOptionsFrom(config, where, options), ...sequenceFrom(config, where), ...dropoutFrom(config, where) };
      const n = units(config, where);
      if (cfg.class_name === 'SimpleRNN') return new SimpleRNN(n, layerOptions);
      if (cfg.class_name === 'LSTM') return new LSTM(n, layerOptions);
      return new GRU(n, layerOptions);
    }
    case 'RNN': {
      const { cell, dropout } = cellFromConfig(config.cell as KerasLayerConfig, where, options);
      return new RNN(cell, { ...sequenceFrom(config, where), ...dropout });
    }
    case 'Dense': {
      const name = get<string>(config, 'name', '', where);
      if (name) reserveLayerName(name);
      const kernelInit = config.kernel_initializer as { class_name?: string } | null | undefined;
      return new Dense(units(config, where), {
        ...(name ? { name } : {}),
        activation: activationName(get(config, 'activation', 'linear', where), `${where} activation`),
        useBias: get(config, 'use_bias', true, where),
        dtype: options.dtype,
        rng: options.rng,
        initialize: options.initialize,
        kernelInitializer: kernelInit?.class_name === 'GlorotNormal' ? 'glorot_normal' : 'glorot_uniform',
      });
    }
    case 'TimeDistributed': {
      const inner = config.layer as KerasLayerConfig | undefined;
      if (!inner || inner.class_name !== 'Dense') {
        throw new Error(`${where}: only TimeDistributed(Dense) is supported, got ${preview(inner?.class_name ?? inner)}`);
      }
      const name = get<string>(config, 'name', '', where);
      if (name) reserveLayerName(name);
      return new TimeDistributed(layerFromConfig(inner, options) as Dense, name ? { name } : {});
    }
  }
  throw new Error(`layerFromConfig: layer class '${cfg.class_name}' is not supported (supported: ${SUPPORTED_LAYERS.join(', ')})`);
}

/** One weight of a layer as a model file names it. */
export interface WeightFileName {
  /** The Keras weight name in the layer: 'kernel', 'recurrent_kernel', 'bias', 'gamma', … */
  readonly weight: string;
  /** `<layer name>/<weight name>`, what rnngrad writes. */
  readonly name: string;
  /** Other names converters write for it, e.g. `lstm/lstm_cell/kernel`. */
  readonly aliases: readonly string[];
  readonly shape: readonly number[];
}

/** The file names of a layer's weights, manifest order. */
export function weightFileNames(layer: Layer): WeightFileName[] {
  const cellClass = layer instanceof RNN ? layer.cell.className : layer instanceof TimeDistributed ? layer.layer.className : null;
  return layer.weights().map((w) => {
    const name = `${layer.name}/${w.name}`;
    const aliases = cellClass ? [`${layer.name}/${snakeCase(cellClass)}/${w.name}`] : [];
    return { weight: w.name, name, aliases, shape: w.tensor.shape };
  });
}

/**
 * Does a manifest name refer to this layer's weight? Accepts `<layer>/<weight>`, any longer
 * converted form `<layer>/…/<weight>` (`lstm/lstm_cell/kernel`, the course's
 * `rnn/ln_simple_rnn_cell/layer_normalization/gamma`), and TF's `:0` suffix.
 */
export function matchesWeightName(fileName: string, layerName: string, weightName: string): boolean {
  const n = fileName.replace(/:\d+$/, '');
  return n === `${layerName}/${weightName}` || (n.startsWith(`${layerName}/`) && n.endsWith(`/${weightName}`));
}

/**
 * Why TF.js could not load this layer from a file written here, or null when it can.
 * TF.js has SimpleRNN, LSTM, GRU (reset_after = false only), Dense and TimeDistributed; the
 * custom cells (LNSimpleRNNCell, PeepholeLSTMCell) load only in rnngrad and Keras with the course's code.
 */
export function tfjsIncompatibility(layer: Layer): string | null {
  if (layer instanceof RNN) {
    const cell = layer.cell;
    if (cell instanceof GRUCell && cell.resetAfter) {
      return `${layer.name}: TF.js supports only GRU reset_after = false (build it with resetAfter: false to load it in TF.js)`;
    }
    if (cell instanceof LNSimpleRNNCell || cell instanceof PeepholeLSTMCell) {
      return `${layer.name}: TF.js has no ${cell.className}; the file loads in rnngrad (and Keras with the course's cell class)`;
    }
    const d = layer.dropoutOptions;
    if ((d.dropoutMode && d.dropoutMode !== 'variational') || d.zoneoutH || d.zoneoutC) {
      return `${layer.name}: TF.js ignores rnngrad's dropout mode / zoneout options (rnngrad_*); it trains with variational dropout only`;
    }
  }
  return null;
}
