/**
 * Layers from Keras configs (model.json's `modelTopology`), and back: the names model files give
 * each weight. Options are read from the config, `null` or a missing key meaning the default as
 * TF.js (which writes these files) has it — e.g. `recurrent_activation: hard_sigmoid`, and GRU
 * `reset_after: false`. Options rnngrad does not implement are rejected when set, with the option
 * named, never silently ignored.
 */
import type { Layer, KerasLayerConfig } from './layer';
import { RNN, RNNLayerOptions } from './rnn';
import { SimpleRNN, LSTM, GRU } from './recurrent-layers';
import { LNSimpleRNNCell } from './ln-simple-rnn';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell } from './gru';
import { Dense, TimeDistributed } from './dense';
import { Bidirectional, MergeMode } from './bidirectional';
import type { FromConfigOptions } from './cell-config';
import { reserveLayerName, snakeCase } from './names';
import { activationName } from './activations';
import { SUPPORTED_CELLS, checkKeys, get, units, dropoutFrom, cellOptionsFrom, cellFromConfig, preview } from './cell-config';

export { SUPPORTED_CELLS, preview };
export type { FromConfigOptions };

/** The layer classes layerFromConfig reads. */
export const SUPPORTED_LAYERS = ['SimpleRNN', 'LSTM', 'GRU', 'RNN', 'Bidirectional', 'Dense', 'TimeDistributed'] as const;

/** The recurrent-layer options of a config. */
function sequenceFrom(config: Record<string, unknown>, where: string): RNNLayerOptions {
  const name = get<string>(config, 'name', '', where);
  if (name) reserveLayerName(name);
  return {
    ...(name ? { name } : {}),
    returnSequences: get(config, 'return_sequences', false, where),
    returnState: get(config, 'return_state', false, where),
    goBackwards: get(config, 'go_backwards', false, where),
    stateful: get(config, 'stateful', false, where),
  };
}

/** The cell options of a config (layer configs of SimpleRNN/LSTM/GRU, or a cell's config). */
/** A layer from its Keras config (`{ class_name, config }` as in model.json's layer list). */
export function layerFromConfig(cfg: KerasLayerConfig, options: FromConfigOptions = {}): Layer {
  const config = cfg.config ?? {};
  const where = `${cfg.class_name} layer${typeof config.name === 'string' ? ` '${config.name}'` : ''}`;
  checkKeys(cfg.class_name === 'RNN' ? withoutCellEchoes(config) : config, where);
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
    case 'Bidirectional': return bidirectionalFromConfig(config, where, options);
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

/**
 * TF.js writes an `RNN` layer's config with its cell's options repeated at the layer level (e.g.
 * the LN cell's `epsilon`): a key whose value is the cell config's own is the cell's, read there.
 */
function withoutCellEchoes(config: Record<string, unknown>): Record<string, unknown> {
  const cell = config.cell as { config?: Record<string, unknown> } | null | undefined;
  const cellConfig = cell && typeof cell === 'object' && cell.config && typeof cell.config === 'object' ? cell.config : {};
  const same = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'object' && a !== null && preview(a, 400) === preview(b, 400));
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => !(k in cellConfig && k !== 'name' && same(v, cellConfig[k]))));
}

/**
 * Keras/TF.js `Bidirectional`: the wrapped layer's config makes the forward layer; the backward
 * one is `backward_layer` when the file has it, else the same config with go_backwards flipped.
 * merge_mode null (two outputs) cannot be in a Sequential file.
 */
function bidirectionalFromConfig(config: Record<string, unknown>, where: string, options: FromConfigOptions): Bidirectional {
  const name = get<string>(config, 'name', '', where);
  if (name) reserveLayerName(name);
  const mode = config.merge_mode === undefined ? 'concat' : config.merge_mode;
  if (mode === null) throw new Error(`${where}: merge_mode null gives two outputs, which a Sequential model file cannot hold; use concat, sum, mul or ave`);
  if (typeof mode !== 'string' || !['concat', 'sum', 'mul', 'ave'].includes(mode)) {
    throw new Error(`${where}: merge_mode must be one of concat, sum, mul, ave, got ${preview(mode)}`);
  }
  const recurrent = (cfg: unknown, role: string): RNN => {
    if (!cfg || typeof cfg !== 'object' || typeof (cfg as KerasLayerConfig).class_name !== 'string') {
      throw new Error(`${where}: '${role}' must be a recurrent layer's { class_name, config }`);
    }
    const layer = layerFromConfig(cfg as KerasLayerConfig, options);
    if (!(layer instanceof RNN)) throw new Error(`${where}: '${role}' is a ${layer.className}; Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU, RNN)`);
    return layer;
  };
  const forward = recurrent(config.layer, 'layer');
  const inner = config.layer as KerasLayerConfig;
  const backward = config.backward_layer !== undefined && config.backward_layer !== null
    ? recurrent(config.backward_layer, 'backward_layer')
    : recurrent({ class_name: inner.class_name, config: { ...(inner.config ?? {}), name: `backward_${forward.name}`, go_backwards: !forward.goBackwards } }, 'layer');
  return new Bidirectional(forward, { mergeMode: mode as MergeMode, backwardLayer: backward, ...(name ? { name } : {}) });
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
  // A wrapper's weight ('forward_lstm/kernel' in a Bidirectional): the part before the leaf belongs to the layer path.
  const cut = weightName.lastIndexOf('/');
  if (cut >= 0) return matchesWeightName(fileName, `${layerName}/${weightName.slice(0, cut)}`, weightName.slice(cut + 1));
  const n = fileName.replace(/:\d+$/, '');
  return n === `${layerName}/${weightName}` || (n.startsWith(`${layerName}/`) && n.endsWith(`/${weightName}`));
}

/**
 * Why TF.js alone could not load this layer from a file written here (or would predict something
 * else), or null when it can. TF.js has SimpleRNN, LSTM, GRU (reset_after = false only), Dense and
 * TimeDistributed; `registerLayers(tf)` from 'rnngrad/tfjs' adds the rest of the built-in cells
 * and rnngrad's zoneout. A registered custom cell loads only where it is registered.
 */
export function tfjsIncompatibility(layer: Layer): string | null {
  if (layer instanceof Bidirectional) {
    const inner = tfjsIncompatibility(layer.forward);
    return inner && `${layer.name}: the wrapped ${inner}`;
  }
  if (!(layer instanceof RNN)) return null;
  const cell = layer.cell;
  const withTfjsCells = "the file loads in TF.js after registerLayers(tf) from 'rnngrad/tfjs'";
  if (cell instanceof GRUCell && cell.resetAfter) {
    return `${layer.name}: TF.js's own GRU has only reset_after = false; ${withTfjsCells} (or build it with resetAfter: false)`;
  }
  if (cell instanceof LNSimpleRNNCell || cell instanceof PeepholeLSTMCell) return `${layer.name}: TF.js has no ${cell.className} of its own; ${withTfjsCells}`;
  if (!SUPPORTED_CELLS.includes(cell.className as (typeof SUPPORTED_CELLS)[number])) {
    return `${layer.name}: TF.js has no ${cell.className} (a cell registered in rnngrad); the file loads where the same registerCell() has run`;
  }
  const d = layer.dropoutOptions;
  if (d.zoneoutH || d.zoneoutC) return `${layer.name}: TF.js's own layers ignore rnngrad's zoneout (rnngrad_zoneout_*), which changes predictions; ${withTfjsCells}`;
  return null;
}
