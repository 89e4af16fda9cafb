/**
 * The contract between the layers in cells/ and everything that drives them: the Sequential
 * model, the training loop, model files (train/) and the CLI.
 *
 * Shapes: a recurrent layer takes [batch, time, features]; Dense takes [..., features].
 * Weights are held as leaf tensors with requiresGrad = true, in Keras order and Keras names.
 */
import type { Tensor } from '../engine/tensor';
import type { Shape } from '../engine/shape';

/** A weight as a model file names it: `<layer name>/<weight name>`, e.g. `lstm_1/kernel`. */
export interface NamedWeight {
  /** The Keras weight name inside the layer: 'kernel', 'recurrent_kernel', 'bias', 'gamma', … */
  readonly name: string;
  readonly tensor: Tensor;
}

/** A weight's name and shape, before it exists. */
export interface PlannedWeight {
  readonly name: string;
  readonly shape: Shape;
}

/** A Keras layer config as model.json stores it (`{ class_name, config }`). */
export interface KerasLayerConfig {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

export interface CallOptions {
  /** Training mode: dropout and zoneout are active only when true. */
  readonly training?: boolean;
  /** [batch, time] of 1 (real step) / 0 (padding), Keras masking semantics. */
  readonly mask?: Tensor | null;
}

export interface Layer {
  /** Unique within a model: 'lstm_1', 'dense', … (Keras naming). */
  readonly name: string;
  /** The Keras class written to model.json: 'LSTM', 'SimpleRNN', 'GRU', 'RNN', 'Dense', 'TimeDistributed'. */
  readonly className: string;
  /** Create the weights for an input whose last axis has `features` entries (no-op once built). */
  build(features: number): void;
  readonly built: boolean;
  /** Size of the last axis of the output. */
  readonly outputFeatures: number;
  /** Does the output keep the time axis ([batch, time, out]) or drop it ([batch, out])? */
  readonly returnsSequences: boolean;
  /** The forward pass; recorded on the tape when weights require gradients. */
  call(x: Tensor, options?: CallOptions): Tensor;
  /** Trainable weights in Keras order (the order of the weights manifest and of getWeights). */
  weights(): NamedWeight[];
  /**
   * The names and shapes of the weights `build(features)` would make, without making them (model
   * files are checked against these before anything is allocated).
   */
  plannedWeights(features: number): PlannedWeight[];
  /** The layer's Keras config for model.json. */
  toConfig(): KerasLayerConfig;
}
