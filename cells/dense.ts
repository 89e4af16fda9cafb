/**
 * Dense (Keras `Dense`): y = act(x·W + b), contracting the last axis only, so a rank-3 input
 * [batch, time, features] gets the same W at every step — which makes `TimeDistributed(Dense)`
 * the same computation, written to model.json under its own class.
 * Weights (Keras order): kernel W [in, units] (glorot-uniform), bias b [units] (zeros).
 */
import type { Tensor, DType } from '../engine/tensor';
import type { Random } from '../engine/random';
import { globalRandom } from '../engine/random';
import { glorotUniform, glorotNormal, zeros } from '../engine/creation';
import { matmul, add } from '../engine/ops';
import { fmt } from '../engine/shape';
import type { Layer, NamedWeight, PlannedWeight, KerasLayerConfig, CallOptions } from './layer';
import { activationName, activationFn, ActivationInput, ActivationName } from './activations';
import { uniqueLayerName } from './names';
import { initializerConfig, NO_REGULARIZERS } from './keras-config';

export interface DenseOptions {
  readonly name?: string;
  /** Default 'linear'. */
  readonly activation?: ActivationInput;
  /** Default true. */
  readonly useBias?: boolean;
  readonly dtype?: DType;
  readonly rng?: Random;
  readonly kernelInitializer?: 'glorot_uniform' | 'glorot_normal';
  /** Run the initializers when building (default true; false when loading a file: zeros, overwritten). */
  readonly initialize?: boolean;
  /** Build the weights now for this many input features. */
  readonly inputFeatures?: number;
}

export class Dense implements Layer {
  readonly name: string;
  readonly className: string = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly dtype: DType;
  readonly kernelInitializer: 'glorot_uniform' | 'glorot_normal';
  private readonly rng: Random;
  private readonly initialize: boolean;
  private params: NamedWeight[] = [];

  constructor(units: number, options: DenseOptions = {}, prefix = 'dense') {
    if (!Number.isInteger(units) || units <= 0) throw new Error(`Dense: units must be a positive integer, got ${units}`);
    this.units = units;
    this.name = options.name ?? uniqueLayerName(prefix);
    this.activation = activationName(options.activation ?? 'linear', `${this.name} activation`);
    this.useBias = options.useBias ?? true;
    this.dtype = options.dtype ?? 'float32';
    this.rng = options.rng ?? globalRandom;
    this.kernelInitializer = options.kernelInitializer ?? 'glorot_uniform';
    this.initialize = options.initialize ?? true;
    if (options.inputFeatures !== undefined) this.build(options.inputFeatures);
  }

  get built(): boolean {
    return this.params.length > 0;
  }
  get outputFeatures(): number {
    return this.units;
  }
  get returnsSequences(): boolean {
    return true; // keeps whatever leading axes the input has
  }

  build(features: number): void {
    if (this.built) {
      const f = this.params[0].tensor.shape[0];
      if (f !== features) throw new Error(`${this.name}: built for ${f} input features, called with ${features}`);
      return;
    }
    const o = { dtype: this.dtype, rng: this.rng, requiresGrad: true };
    const init = !this.initialize ? zeros : this.kernelInitializer === 'glorot_normal' ? glorotNormal : glorotUniform;
    this.params = [{ name: 'kernel', tensor: init([features, this.units], { ...o, name: 'kernel' }) }];
    if (this.useBias) this.params.push({ name: 'bias', tensor: zeros([this.units], { ...o, name: 'bias' }) });
  }

  /** y = act(x·W + b) over the last axis of a rank-2 or rank-3 x. */
  call(x: Tensor, _options: CallOptions = {}): Tensor {
    if (x.rank !== 2 && x.rank !== 3) throw new Error(`${this.name}: expected [batch, features] or [batch, time, features], got ${fmt(x.shape)}`);
    this.build(x.shape[x.rank - 1]);
    if (x.dtype !== this.dtype) throw new Error(`${this.name}: input is ${x.dtype} but the weights are ${this.dtype}`);
    let y = matmul(x, this.params[0].tensor); // x·W
    if (this.useBias) y = add(y, this.params[1].tensor); // + b
    return activationFn(this.activation)(y);
  }

  plannedWeights(features: number): PlannedWeight[] {
    return [{ name: 'kernel', shape: [features, this.units] }, ...(this.useBias ? [{ name: 'bias', shape: [this.units] }] : [])];
  }

  weights(): NamedWeight[] {
    if (!this.built) throw new Error(`${this.name}: not built yet (call build(features) or run an input through it)`);
    return this.params.slice();
  }

  getWeights(): Tensor[] {
    return this.weights().map((w) => w.tensor.clone());
  }

  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights();
    if (values.length !== ws.length) throw new Error(`${this.name}.setWeights: expected ${ws.length} arrays, got ${values.length}`);
    ws.forEach((w, k) => {
      if (fmt(values[k].shape) !== fmt(w.tensor.shape)) throw new Error(`${this.name}.setWeights: '${w.name}' has shape ${fmt(w.tensor.shape)}, got ${fmt(values[k].shape)}`);
      w.tensor.data.set(values[k].data);
    });
  }

  toConfig(): KerasLayerConfig {
    const { recurrent_regularizer: _r, recurrent_constraint: _c, ...none } = NO_REGULARIZERS;
    const config = {
      name: this.name,
      trainable: true,
      dtype: 'float32',
      units: this.units,
      activation: this.activation,
      use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.kernelInitializer),
      bias_initializer: initializerConfig('zeros'),
      ...none,
    };
    return { class_name: 'Dense', config };
  }
}

/**
 * Keras `TimeDistributed(Dense(units))`: the Dense at every step of [batch, time, features].
 * Its weights are the inner Dense's, named under the wrapper (`time_distributed/kernel`), as
 * Keras and TF.js save them.
 */
export class TimeDistributed implements Layer {
  readonly name: string;
  readonly className: string = 'TimeDistributed';
  readonly layer: Dense;

  constructor(layer: Dense, options: { name?: string } = {}) {
    this.layer = layer;
    this.name = options.name ?? uniqueLayerName('time_distributed');
  }
  get built(): boolean {
    return this.layer.built;
  }
  get outputFeatures(): number {
    return this.layer.units;
  }
  get returnsSequences(): boolean {
    return true;
  }
  build(features: number): void {
    this.layer.build(features);
  }
  call(x: Tensor, options: CallOptions = {}): Tensor {
    if (x.rank !== 3) throw new Error(`${this.name}: expected [batch, time, features], got ${fmt(x.shape)}`);
    return this.layer.call(x, options);
  }
  plannedWeights(features: number): PlannedWeight[] {
    return this.layer.plannedWeights(features);
  }
  weights(): NamedWeight[] {
    return this.layer.weights();
  }
  getWeights(): Tensor[] {
    return this.layer.getWeights();
  }
  setWeights(values: readonly Tensor[]): void {
    this.layer.setWeights(values);
  }
  toConfig(): KerasLayerConfig {
    return {
      class_name: 'TimeDistributed',
      config: { name: this.name, trainable: true, dtype: 'float32', layer: this.layer.toConfig() },
    };
  }
}
