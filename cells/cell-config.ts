/**
 * Cells from Keras cell configs (a model file's `cell.config`, or a SimpleRNN/LSTM/GRU layer's
 * config), and the rules every config read follows: options are read from the config, `null` or
 * a missing key meaning the default as TF.js (which writes these files) has it — e.g.
 * `recurrent_activation: hard_sigmoid`, GRU `reset_after: false`; options rnngrad does not
 * implement are refused when set, with the option named, never silently ignored. Registered
 * (custom) cells read units, the dropout keys and the keys they registered.
 */
import type { DType } from '../engine/tensor';
import type { Random } from '../engine/random';
import type { KerasLayerConfig } from './layer';
import { SimpleRNNCell } from './simple-rnn';
import { LNSimpleRNNCell, LN_EPSILON } from './ln-simple-rnn';
import { LSTMCell } from './lstm';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell } from './gru';
import type { RecurrentCell } from './cell';
import { DROPOUT_MODES, DropoutMode, DropoutOptions } from './dropout';
import { activationName } from './activations';
import { registeredCell, registeredCellNames } from './custom-cell';


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
  'return_sequences', 'return_state', 'go_backwards', 'stateful', 'cell', 'layer', 'merge_mode', 'backward_layer', 'trainable',
  'rnngrad_dropout_mode', 'rnngrad_zoneout_h', 'rnngrad_zoneout_c',
]);
/** Keys every registered (custom) cell's config may hold; the rest must be in its `configKeys`. */
const CUSTOM_READ = new Set(['units', 'dropout', 'recurrent_dropout', 'trainable', 'rnngrad_dropout_mode', 'rnngrad_zoneout_h', 'rnngrad_zoneout_c']);
/** Keys rnngrad does not implement: fine at their "off" value, an error otherwise. */
const OFF_VALUES: Record<string, unknown> = {
  time_major: false, zero_output_for_mask: false,
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
export function checkKeys(config: Record<string, unknown>, where: string, className = '', custom: readonly string[] | null = null): void {
  const bad: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    // A registered cell reads units, the dropout keys and the keys it registered — nothing of the built-ins' options.
    if (IGNORED.has(key) || (custom ? CUSTOM_READ.has(key) || custom.includes(key) : READ.has(key))) continue;
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
export function get<T>(config: Record<string, unknown>, key: string, fallback: T, where: string): T {
  const v = config[key];
  if (v === null || v === undefined) return fallback;
  if (typeof v !== typeof fallback) throw new Error(`${where}: option '${key}' should be a ${typeof fallback}, got ${preview(v)}`);
  return v as T;
}

export function units(config: Record<string, unknown>, where: string): number {
  const u = config.units;
  if (typeof u !== 'number' || !Number.isInteger(u) || u <= 0) throw new Error(`${where}: 'units' must be a positive integer, got ${preview(u)}`);
  return u;
}

/** Dropout and rnngrad's own dropout options (from a layer or cell config). */
export function dropoutFrom(config: Record<string, unknown>, where: string): DropoutOptions {
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

export function cellOptionsFrom(config: Record<string, unknown>, where: string, base: FromConfigOptions) {
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

export function cellFromConfig(cfg: KerasLayerConfig, where: string, base: FromConfigOptions): { cell: RecurrentCell; dropout: DropoutOptions } {
  if (!cfg || typeof cfg !== 'object' || typeof cfg.class_name !== 'string') {
    throw new Error(`${where}: 'cell' must be one { class_name, config } (stacked cell lists are not supported)`);
  }
  const config = cfg.config ?? {};
  const at = `${where} cell ${cfg.class_name}`;
  const custom = SUPPORTED_CELLS.includes(cfg.class_name as (typeof SUPPORTED_CELLS)[number]) ? undefined : registeredCell(cfg.class_name);
  if (custom) {
    checkKeys(config, at, cfg.class_name, custom.configKeys);
    const common = { dtype: base.dtype, rng: base.rng, initialize: base.initialize };
    return { cell: custom.factory(units(config, at), common, config), dropout: dropoutFrom(config, at) };
  }
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
  const registered = registeredCellNames();
  throw new Error(`${where}: cell class '${cfg.class_name}' is not supported (built in: ${SUPPORTED_CELLS.join(', ')}${registered.length ? `; registered: ${registered.join(', ')}` : ''}; a custom cell needs registerCell(), or --require FILE on the command line)`);
}

