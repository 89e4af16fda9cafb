/**
 * Keras `Bidirectional(layer, merge_mode)`: the same recurrent layer run twice over a sequence —
 * once forwards, once backwards (a copy with go_backwards flipped and its own weights) — and the
 * two outputs merged:
 *
 *   y→ = forward(x)          y← = backward(x), put back in time order when it returns sequences
 *   concat: [y→, y←] on the last axis    sum: y→ + y←    mul: y→ ⊙ y←    ave: (y→ + y←) / 2
 *   null: both outputs (`callBoth`; a Sequential model file cannot hold a two-output layer)
 *
 * Weights (TF.js and Keras order and names): the forward layer's, then the backward layer's,
 * under `forward_<layer name>/` and `backward_<layer name>/` — `bidirectional/forward_lstm/kernel`.
 * Any recurrent layer works, built in or with a registered custom cell; masking passes to both
 * (the backward layer reads the mask reversed, as the sequence).
 */
import type { Tensor } from '../engine/tensor';
import { add, mul, concat } from '../engine/ops';
import { fmt } from '../engine/shape';
import type { Layer, NamedWeight, PlannedWeight, KerasLayerConfig, CallOptions } from './layer';
import { RNN } from './rnn';
import { reverseTime } from './sequence-ops';
import { uniqueLayerName } from './names';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;
export const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave', null];

export interface BidirectionalOptions {
  /** How the two directions' outputs combine (default 'concat', Keras's). */
  readonly mergeMode?: MergeMode;
  readonly name?: string;
  /**
   * The backward layer. By default a copy of `layer` made from its config (fresh weights, the same
   * cell class and options) with go_backwards flipped; give one to choose its weights yourself.
   */
  readonly backwardLayer?: RNN;
}

export class Bidirectional implements Layer {
  readonly name: string;
  readonly className: string = 'Bidirectional';
  readonly forward: RNN;
  readonly backward: RNN;
  readonly mergeMode: MergeMode;

  constructor(layer: RNN, options: BidirectionalOptions = {}) {
    if (!(layer instanceof RNN)) throw new Error('Bidirectional: wraps a recurrent layer (SimpleRNN, LSTM, GRU or RNN(cell))');
    const mode = options.mergeMode === undefined ? 'concat' : options.mergeMode;
    if (!MERGE_MODES.includes(mode)) throw new Error(`Bidirectional: mergeMode must be one of concat, sum, mul, ave or null, got ${JSON.stringify(mode)}`);
    if (layer.returnState) throw new Error(`Bidirectional: the wrapped layer '${layer.name}' has returnState set; rnngrad's Bidirectional returns outputs only`);
    if (layer.stateful) throw new Error(`Bidirectional: the wrapped layer '${layer.name}' is stateful; stateful Bidirectional layers are not supported`);
    this.mergeMode = mode;
    this.name = options.name ?? uniqueLayerName('bidirectional');
    this.forward = layer;
    this.backward = options.backwardLayer ?? layer.flipped(`backward_${layer.name}`);
    if (this.backward.goBackwards === layer.goBackwards) {
      throw new Error(`Bidirectional: the backward layer '${this.backward.name}' must read the sequence the other way (go_backwards ${!layer.goBackwards})`);
    }
    if (this.backward.returnSequences !== layer.returnSequences || this.backward.units !== layer.units) {
      throw new Error(`Bidirectional: the backward layer '${this.backward.name}' must have the forward layer's units and returnSequences`);
    }
  }

  get built(): boolean {
    return this.forward.built && this.backward.built;
  }
  get outputFeatures(): number {
    return this.mergeMode === 'concat' ? 2 * this.forward.units : this.forward.units;
  }
  get returnsSequences(): boolean {
    return this.forward.returnSequences;
  }

  build(features: number): void {
    this.forward.build(features);
    this.backward.build(features);
  }

  /** Prefixes so that the two directions' weights have distinct names, as TF.js writes them. */
  private get prefixes(): [string, string] {
    return [`forward_${this.forward.name}/`, `backward_${this.forward.name}/`];
  }

  plannedWeights(features: number): PlannedWeight[] {
    const [f, b] = this.prefixes;
    return [
      ...this.forward.plannedWeights(features).map((w) => ({ name: f + w.name, shape: w.shape })),
      ...this.backward.plannedWeights(features).map((w) => ({ name: b + w.name, shape: w.shape })),
    ];
  }

  weights(): NamedWeight[] {
    const [f, b] = this.prefixes;
    return [
      ...this.forward.weights().map((w) => ({ name: f + w.name, tensor: w.tensor })),
      ...this.backward.weights().map((w) => ({ name: b + w.name, tensor: w.tensor })),
    ];
  }

  /** Both directions' outputs, the backward one in time order: [y→, y←]. */
  callBoth(x: Tensor, options: CallOptions = {}): [Tensor, Tensor] {
    if (x.rank !== 3) throw new Error(`${this.name}: expected input [batch, time, features], got ${fmt(x.shape)}`);
    const yForward = this.forward.call(x, options);
    let yBackward = this.backward.call(x, options);
    // The backward layer outputs its steps in the order it read them, last first: put them back.
    if (this.backward.returnSequences) yBackward = reverseTime(yBackward);
    return [yForward, yBackward];
  }

  // #region bidirectional-merge
  call(x: Tensor, options: CallOptions = {}): Tensor {
    if (this.mergeMode === null) throw new Error(`${this.name}: mergeMode null gives two outputs; use callBoth(x)`);
    const [yF, yB] = this.callBoth(x, options);
    switch (this.mergeMode) {
      case 'concat': return concat([yF, yB], yF.rank - 1); // [y→, y←]
      case 'sum': return add(yF, yB); // y→ + y←
      case 'mul': return mul(yF, yB); // y→ ⊙ y←
      case 'ave': return mul(add(yF, yB), 0.5); // (y→ + y←) / 2
    }
  }
  // #endregion bidirectional-merge

  toConfig(): KerasLayerConfig {
    if (this.mergeMode === null) {
      throw new Error(`${this.name}: a Bidirectional layer with merge_mode null has two outputs, which a Sequential model file cannot hold; use concat, sum, mul or ave`);
    }
    return { class_name: 'Bidirectional', config: { name: this.name, trainable: true, dtype: 'float32', merge_mode: this.mergeMode, layer: this.forward.toConfig() } };
  }
}
