/**
 * The Sequential model (Keras `Sequential`): layers applied one after another, built from the
 * number of input features, with `predict`, `trainOnBatch`, `fit` and `evaluate`.
 *
 * Losses: 'mse' — mean over every element, as Keras; 'softmaxCrossEntropy' — the
 * character model's loss, mean over rows of −Σ t·log softmax(z) (the model outputs logits).
 */
import { Tensor, Storage, allocate } from '../engine/tensor';
import { noGrad } from '../engine/tape';
import { tidy } from '../engine/tidy';
import { mse, softmaxCrossEntropy } from '../engine/ops';
import { fmt } from '../engine/shape';
import type { Layer } from '../cells/layer';
import { RNN } from '../cells/rnn';
import type { Optimizer, Param } from './optimizer';
import { fit, FitOptions, History, NonFiniteLossError } from './fit';

export { NonFiniteLossError };

export type LossName = 'mse' | 'softmaxCrossEntropy';
export const LOSSES: Record<LossName, (pred: Tensor, target: Tensor) => Tensor> = { mse, softmaxCrossEntropy };

export interface SequentialOptions {
  /** Default 'sequential'. */
  readonly name?: string;
  /** Build now for this many input features. */
  readonly inputFeatures?: number;
  /**
   * The model file's batch_input_shape (e.g. [null, null, 1] or [null, 50, 1]); by default
   * [null, null, F] when the first layer is recurrent and [null, F] when it is Dense.
   */
  readonly inputShape?: readonly (number | null)[];
}

export class Sequential {
  readonly layers: Layer[];
  readonly name: string;
  optimizer: Optimizer | null = null;
  loss: LossName = 'mse';
  /**
   * Set when the model was read from a file, so that saving keeps the file's names and order:
   * fileWeightNames[k] is the manifest name of weights()[k]; fileManifestOrder[j] is the index
   * in weights() of the file's j-th manifest entry.
   */
  fileWeightNames: string[] | null = null;
  fileManifestOrder: number[] | null = null;
  private declaredInputShape: readonly (number | null)[] | null;
  private inputFeatureCount: number | null = null;

  constructor(layers: readonly Layer[], options: SequentialOptions = {}) {
    if (layers.length === 0) throw new Error('Sequential: needs at least one layer');
    const names = new Set<string>();
    for (const l of layers) {
      if (names.has(l.name)) throw new Error(`Sequential: two layers are named '${l.name}'; layer names must be unique`);
      names.add(l.name);
    }
    this.layers = layers.slice();
    this.name = options.name ?? 'sequential';
    this.declaredInputShape = options.inputShape ?? null;
    const features = options.inputFeatures ?? lastDim(options.inputShape);
    if (features !== null) this.build(features);
  }

  /** Build every layer: layer k gets the output features of layer k − 1. */
  build(features: number): void {
    if (!Number.isInteger(features) || features <= 0) throw new Error(`Sequential.build: input features must be a positive integer, got ${features}`);
    if (this.inputFeatureCount !== null && this.inputFeatureCount !== features) {
      throw new Error(`${this.name}: built for inputs with ${this.inputFeatureCount} features, got ${features}`);
    }
    let f = features;
    for (const layer of this.layers) {
      layer.build(f);
      f = layer.outputFeatures;
    }
    this.inputFeatureCount = features;
  }

  get built(): boolean {
    return this.inputFeatureCount !== null;
  }
  get inputFeatures(): number | null {
    return this.inputFeatureCount;
  }
  get outputFeatures(): number {
    return this.layers[this.layers.length - 1].outputFeatures;
  }

  /** The batch_input_shape written to a model file. */
  get inputShape(): readonly (number | null)[] {
    if (this.declaredInputShape) return this.declaredInputShape;
    const f = this.inputFeatureCount;
    return this.layers[0].className === 'Dense' ? [null, f] : [null, null, f];
  }

  /** The stateful recurrent layers (Keras stateful = true): they carry their states between calls. */
  get statefulLayers(): RNN[] {
    return this.layers.filter((l): l is RNN => l instanceof RNN && l.stateful);
  }

  /** Every stateful layer forgets its carried states: the next batch starts from zeros (Keras resetStates). */
  resetStates(): void {
    for (const layer of this.statefulLayers) layer.resetStates();
  }

  /** Every weight, layer by layer in Keras order, named `<layer>/<weight>`. */
  weights(): Param[] {
    if (!this.built) throw new Error(`${this.name}: not built yet (build(features) or run an input through it)`);
    const out: Param[] = [];
    for (const layer of this.layers) for (const w of layer.weights()) out.push({ name: `${layer.name}/${w.name}`, tensor: w.tensor });
    return out;
  }

  /** The forward pass (recorded on the tape when the weights require gradients). */
  call(x: Tensor, options: { training?: boolean } = {}): Tensor {
    this.build(x.shape[x.rank - 1]);
    let h = x;
    for (const layer of this.layers) h = layer.call(h, { training: options.training ?? false });
    return h;
  }

  /** Inference in batches of `batchSize` (default 256), nothing recorded; dropout off. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const batchSize = options.batchSize ?? 256;
    const n = x.shape[0];
    // tidy: on a device backend, free what the forward made (the result is kept)
    if (n <= batchSize) return tidy(() => noGrad(() => this.call(x)).detach());
    const perSample = x.size / n;
    let out: Storage | null = null;
    let outShape: number[] = [];
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        // A view of the rows, no copy.
        const chunk = new Tensor(x.data.subarray(start * perSample, (start + count) * perSample), [count, ...x.shape.slice(1)]);
        tidy(() => {
          const y = this.call(chunk);
          if (out === null) {
            outShape = [n, ...y.shape.slice(1)];
            out = allocate(y.dtype, (n * y.size) / count);
          }
          out.set(y.data, (start * y.size) / count);
        });
      }
    });
    return new Tensor(out as unknown as Storage, outShape);
  }

  /** Choose the optimizer and the loss (Keras compile). */
  compile(options: { optimizer: Optimizer; loss?: LossName }): void {
    if (options.loss !== undefined && !(options.loss in LOSSES)) {
      throw new Error(`Sequential.compile: unknown loss '${String(options.loss)}' (expected ${Object.keys(LOSSES).join(' or ')})`);
    }
    this.optimizer = options.optimizer;
    this.loss = options.loss ?? 'mse';
  }

  /**
   * One optimizer step on one batch; returns the loss before the step. A non-finite loss raises
   * NonFiniteLossError before the weights are touched, a step that leaves a weight non-finite
   * raises it after (unless `stopOnNaN` is false).
   */
  // #region train-on-batch
  trainOnBatch(x: Tensor, y: Tensor, options: { stopOnNaN?: boolean } = {}): number {
    // On a device backend, the step's textures are freed when it ends (engine/tidy.ts).
    return tidy(() => this.step(x, y, options));
  }

  private step(x: Tensor, y: Tensor, options: { stopOnNaN?: boolean }): number {
    const optimizer = this.optimizer;
    if (!optimizer) throw new Error(`${this.name}.trainOnBatch: call compile({ optimizer }) first`);
    this.build(x.shape[x.rank - 1]);
    const params = this.weights();
    for (const p of params) p.tensor.grad = null;
    const out = this.call(x, { training: true });
    if (!sameShape(out, y)) {
      throw new Error(`${this.name}: the model outputs ${fmt(out.shape)} but the targets are ${fmt(y.shape)}`);
    }
    const loss = LOSSES[this.loss](out, y);
    const value = loss.item();
    const stopOnNaN = options.stopOnNaN ?? true;
    if (!Number.isFinite(value) && stopOnNaN) throw new NonFiniteLossError(value, 'on this batch');
    loss.backward();
    optimizer.step(params);
    // A finite loss can still give a step that overflows the weights (a huge learning rate);
    // the optimizer notes the first such element as it writes it.
    const bad = optimizer.nonFiniteAfterStep;
    if (bad !== null && stopOnNaN) throw new NonFiniteLossError(bad.value, 'on this batch', 'weights', `${bad.name}[${bad.index}]`);
    return value;
  }
  // #endregion train-on-batch

  /** The loss over all of (x, y), computed in batches without recording. */
  evaluate(x: Tensor, y: Tensor, options: { batchSize?: number } = {}): number {
    return tidy(() => {
      const pred = this.predict(x, options);
      if (!sameShape(pred, y)) throw new Error(`${this.name}.evaluate: the model outputs ${fmt(pred.shape)} but the targets are ${fmt(y.shape)}`);
      return noGrad(() => LOSSES[this.loss](pred, y).item());
    });
  }

  /** Mini-batch training in a seeded shuffled order (train/fit.ts). */
  fit(x: Tensor, y: Tensor, options: FitOptions): History {
    return fit(this, x, y, options);
  }
}

function lastDim(shape: readonly (number | null)[] | undefined): number | null {
  if (!shape || shape.length === 0) return null;
  return shape[shape.length - 1];
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
}
