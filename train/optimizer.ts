/**
 * The optimizer base: one step reads each weight's `.grad`, clips it (train/clipping.ts) and
 * updates the weight's data in place. The subclasses (train/optimizers.ts) give only the update
 * rule for one element; the loops, the clipping, the state kept between steps (moments, step
 * count) and its export for checkpoints live here once.
 *
 * A step allocates nothing after the first: the moment buffers are created on the first step,
 * and the loops write straight into the weight's typed array (no ops, so nothing is recorded
 * on the tape — the same effect as running the update under noGrad).
 */
import { Tensor, Storage, allocate } from '../engine/tensor';
import { ClipOptions, clipFactors, clipModeOf, clipElement } from './clipping';

/** A weight with the name a model file gives it (`lstm_1/kernel`). Structurally a cells NamedWeight. */
export interface Param {
  readonly name: string;
  readonly tensor: Tensor;
}

/** Options every optimizer takes: the learning rate and, as in Keras, at most one clipping mode. */
export interface OptimizerOptions extends ClipOptions {
  readonly learningRate?: number;
}

/** A weight element that is not a finite number: `lstm/kernel[12]` is Infinity. */
export interface NonFiniteWeight {
  readonly name: string;
  readonly index: number;
  readonly value: number;
}

/** The first non-finite element of a weight (null when all are finite). */
function firstNonFinite(p: Param): NonFiniteWeight | null {
  const w = p.tensor.data;
  for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i])) return { name: p.name, index: i, value: w[i] };
  return null;
}

/** Everything an optimizer carries between steps — what a checkpoint saves. */
export interface OptimizerState {
  /** 'SGD', 'RMSprop' or 'Adam'. */
  readonly className: string;
  /** Steps taken so far (Adam's t). */
  readonly iterations: number;
  /** The weight names the slots belong to, in step order. */
  readonly names: readonly string[];
  /** The number of elements of each weight. */
  readonly sizes: readonly number[];
  /** Per slot name (`m`, `v`, `momentum`, `rms`), one buffer per weight (copies). */
  readonly slots: Readonly<Record<string, readonly Storage[]>>;
}

/** A number option: finite and in [lo, hi) — or (lo, hi) when `loOpen`; returns it. */
export function checkRange(owner: string, what: string, v: number, lo: number, hi: number, loOpen = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && v < hi;
  if (!ok) throw new Error(`${owner}: ${what} must be in ${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? '∞' : hi}), got ${String(v)}`);
  return v;
}

export abstract class Optimizer {
  /** Keras class name, written to checkpoints. */
  abstract readonly className: string;
  /** Step size; may be changed between steps (a schedule). */
  learningRate: number;
  readonly clip: ClipOptions;
  /** Steps taken. */
  iterations = 0;
  /** Names of the per-weight buffers this rule keeps (e.g. Adam: m, v). */
  protected abstract readonly slotNames: readonly string[];

  private slotBuffers: Storage[][] = []; // [slot][param]
  private names: string[] = [];
  private sizes: number[] = [];
  private isBound = false;
  private scales = new Float64Array(0);
  private grads: (Tensor | null)[] = [];
  // The slot buffers of the weight being updated, reused across steps.
  private readonly perParam: Storage[] = [];
  private nonFinite: NonFiniteWeight | null = null;

  constructor(defaultLearningRate: number, options: OptimizerOptions) {
    this.learningRate = checkRange(this.constructor.name, 'learningRate', options.learningRate ?? defaultLearningRate, 0, Infinity, true);
    clipModeOf(options); // validates now, not at the first step
    this.clip = {
      clipValue: options.clipValue,
      clipNorm: options.clipNorm,
      clipGlobalNorm: options.clipGlobalNorm,
      errorIfNonfinite: options.errorIfNonfinite,
    };
  }

  /**
   * One element's update. `w` and `g` are the weight and clipped gradient at index `i`;
   * `slots[s][i]` the rule's buffers; `t` the 1-based step number. Returns the new weight and
   * writes the new slot values itself.
   */
  protected abstract updateElement(w: number, g: number, slots: Storage[], i: number, t: number): number;

  /**
   * A rule may update a whole weight at once where it has a faster kernel for exactly the same
   * arithmetic (Adam on float32: kernels/wasm/adam.ts); it returns Σ (w − w) over the stored
   * weights, or null to leave the loop above to updateElement.
   */
  protected updateAll(_w: Storage, _g: Storage, _scale: number, _bound: number, _slots: Storage[], _t: number): number | null {
    return null;
  }

  /**
   * Update every weight from its `.grad` (weights with no gradient are skipped, as TF.js and
   * Keras skip a None gradient). Returns the global norm before clipping for clipGlobalNorm,
   * NaN otherwise.
   */
  // #region optimizer-step
  step(params: readonly Param[]): number {
    this.bind(params);
    for (let k = 0; k < params.length; k++) this.grads[k] = params[k].tensor.grad;
    const { scales, bound, globalNorm } = clipFactors(this.grads, this.clip, this.names, this.scales);
    const t = ++this.iterations;
    this.nonFinite = null;
    const perParam = this.perParam;
    for (let k = 0; k < params.length; k++) {
      const g = this.grads[k];
      if (!g) continue;
      const w = params[k].tensor.data;
      const gd = g.data;
      const scale = scales[k];
      for (let s = 0; s < this.slotNames.length; s++) perParam[s] = this.slotBuffers[s][k];
      // w − w is 0 for a finite weight and NaN for ±Infinity or NaN, so `drift` stays 0 exactly
      // while every stored weight is finite. It reads the stored value: an update finite as a
      // double can still round to Infinity in float32.
      let drift = this.updateAll(w, gd, scale, bound, perParam, t);
      if (drift === null) {
        drift = 0;
        for (let i = 0; i < w.length; i++) {
          w[i] = this.updateElement(w[i], clipElement(gd[i], scale, bound), perParam, i, t);
          drift += w[i] - w[i];
        }
      }
      if (drift !== 0 && this.nonFinite === null) this.nonFinite = firstNonFinite(params[k]);
    }
    return globalNorm;
  }
  // #endregion optimizer-step

  /**
   * The first weight element that the last step left non-finite (a diverging step: learning rate
   * too large for the gradient), or null when every updated weight is finite. The optimizer
   * only reports it; the training loop decides whether to stop (Sequential.trainOnBatch).
   */
  get nonFiniteAfterStep(): NonFiniteWeight | null {
    return this.nonFinite;
  }

  /** On the first step, create zeroed slots; afterwards insist on the same weights. */
  private bind(params: readonly Param[]): void {
    if (!this.isBound) {
      this.names = params.map((p) => p.name);
      this.sizes = params.map((p) => p.tensor.size);
      this.slotBuffers = this.slotNames.map(() => params.map((p) => allocate(p.tensor.dtype, p.tensor.size)));
      this.scales = new Float64Array(params.length);
      this.grads = new Array<Tensor | null>(params.length).fill(null);
      this.isBound = true;
      return;
    }
    const same = params.length === this.names.length && params.every((p, k) => p.name === this.names[k] && p.tensor.size === this.sizes[k]);
    if (!same) {
      throw new Error(
        `${this.className}.step: called with weights [${params.map((p) => `${p.name} (${p.tensor.size})`).join(', ')}] ` +
          `but its state belongs to [${this.names.map((n, k) => `${n} (${this.sizes[k]})`).join(', ')}]`,
      );
    }
  }

  /** The state for a checkpoint (copies of the slots). */
  getState(): OptimizerState {
    const slots: Record<string, Storage[]> = {};
    this.slotNames.forEach((s, j) => (slots[s] = (this.slotBuffers[j] ?? []).map((b) => b.slice())));
    return { className: this.className, iterations: this.iterations, names: this.names.slice(), sizes: this.sizes.slice(), slots };
  }

  /** Restore a state from getState (the weights it names must be the ones later steps get). */
  setState(state: OptimizerState): void {
    if (state.className !== this.className) {
      throw new Error(`${this.className}.setState: the state was saved by ${state.className}`);
    }
    const buffers = this.slotNames.map((s) => {
      const b = state.slots[s];
      if (!b) throw new Error(`${this.className}.setState: slot '${s}' is missing (have ${Object.keys(state.slots).join(', ') || 'none'})`);
      if (b.length !== state.names.length) {
        throw new Error(`${this.className}.setState: slot '${s}' has ${b.length} buffers for ${state.names.length} weights`);
      }
      return b.map((x) => x.slice());
    });
    const sizes = this.slotNames.length > 0 ? buffers[0].map((b) => b.length) : state.sizes;
    if (!sizes || sizes.length !== state.names.length) {
      throw new Error(`${this.className}.setState: the state does not give the size of each of its ${state.names.length} weights`);
    }
    this.iterations = state.iterations;
    this.names = state.names.slice();
    this.sizes = sizes.slice();
    this.slotBuffers = buffers;
    // A state saved before the first step binds nothing yet.
    this.isBound = state.names.length > 0;
    this.scales = new Float64Array(state.names.length);
    this.grads = new Array<Tensor | null>(state.names.length).fill(null);
  }
}
