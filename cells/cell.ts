/**
 * The contract every recurrent cell meets, and the weight bookkeeping they share.
 *
 * A cell computes one time step. The RNN layer (rnn.ts) unrolls it. The input half of every
 * gate, x_t·W + b, does not depend on the previous step, so the layer computes it for the whole
 * sequence in one matmul (`projectInput`) and hands the cell its row for step t; the cell's
 * `step` adds the recurrent half h_{t−1}·U and applies the gate equations.
 */
import type { Tensor, DType } from '../engine/tensor';
import type { Random } from '../engine/random';
import type { Shape } from '../engine/shape';
import { fmt } from '../engine/shape';
import { globalRandom } from '../engine/random';
import { zeros, ones, glorotUniform, glorotNormal, orthogonal, uniform } from '../engine/creation';
import { mul, matmul, slice, concat, add } from '../engine/ops';
import type { NamedWeight, PlannedWeight } from './layer';

/** Dropout masks for one time step (all null at inference or when the rate is 0). */
export interface StepMasks {
  /** Recurrent dropout on h_{t−1}, [batch, units]: one mask shared by all gates, or one per gate. */
  readonly recurrent: readonly Tensor[] | null;
  /** Semeniuta dropout on the candidate (g for LSTM, h̃ for GRU), [batch, units]. */
  readonly candidate: Tensor | null;
}

export const NO_MASKS: StepMasks = { recurrent: null, candidate: null };

/** How a weight starts: Keras's initializers by name. */
export type Initializer = 'glorot_uniform' | 'glorot_normal' | 'orthogonal' | 'zeros' | 'ones' | 'peephole_uniform' | 'unit_forget_bias';

export interface WeightSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly init: Initializer;
}

export interface RecurrentCell {
  /** The Keras cell class: 'SimpleRNNCell', 'LSTMCell', 'GRUCell', 'LNSimpleRNNCell', 'PeepholeLSTMCell', or a registered one. */
  readonly className: string;
  readonly units: number;
  /**
   * Number of gate blocks of `units` columns in the kernel (1, 3 or 4 for the built-in cells):
   * per-gate dropout draws one mask per block. A custom cell may say 0 (no blocks: per-gate refused).
   */
  readonly gates: number;
  /** The state tensors carried between steps: 1 ([h]) or 2 ([h, c]); the output is state 0. */
  readonly stateCount: number;
  /** Does the cell have a candidate that Semeniuta dropout can drop? */
  readonly hasCandidate: boolean;
  readonly built: boolean;
  readonly inputFeatures: number;
  readonly dtype: DType;
  build(inputFeatures: number): void;
  // #region recurrent-cell
  /**
   * x·W + b for a whole sequence [batch, time, features] → [batch, time, gates·units].
   * `inputMasks`: null, one mask broadcastable to x (shared by every gate), or one per gate.
   */
  projectInput(x: Tensor, inputMasks: readonly Tensor[] | null): Tensor;
  /** One step from the projected input row [batch, gates·units] and the states; returns the new states. */
  step(projected: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[];
  // #endregion recurrent-cell
  /**
   * The same step in fewer, fused ops for a device backend, where every op is a kernel launch
   * (the RNN layer calls it there first); null where the cell has none for these settings.
   */
  deviceStep?(projected: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[] | null;
  /** Weights in Keras order with their Keras names. */
  weights(): NamedWeight[];
  /**
   * The names and shapes of the weights `build(inputFeatures)` would make, without making them:
   * model files are checked against these before anything is allocated.
   */
  plannedWeights(inputFeatures: number): PlannedWeight[];
  /** The Keras cell config (the part model.json stores under `cell.config` or in the layer config). */
  config(): Record<string, unknown>;
}

export interface CellOptions {
  /** dtype of the weights (float64 for gradient checks); default float32. */
  readonly dtype?: DType;
  /** The generator the initial weights come from (default: the global one). */
  readonly rng?: Random;
  /** Kernel initializer: Keras's glorot_uniform, or TF.js-preset glorot_normal. */
  readonly kernelInitializer?: 'glorot_uniform' | 'glorot_normal';
  /**
   * Run the initializers when building (default true). Loading a model file passes false: the
   * weights start as zeros, about to be overwritten, and no random draws or QR are spent on them.
   */
  readonly initialize?: boolean;
}

/** Weight creation, Keras order, getWeights/setWeights: what every cell shares. */
export abstract class BaseCell {
  abstract readonly className: string;
  readonly units: number;
  readonly dtype: DType;
  readonly kernelInitializer: 'glorot_uniform' | 'glorot_normal';
  inputFeatures = 0;
  private params: NamedWeight[] = [];
  private readonly rng: Random;
  private readonly initialize: boolean;

  constructor(units: number, options: CellOptions = {}) {
    if (!Number.isInteger(units) || units <= 0) throw new Error(`${new.target.name}: units must be a positive integer, got ${units}`);
    this.units = units;
    this.dtype = options.dtype ?? 'float32';
    this.rng = options.rng ?? globalRandom;
    this.kernelInitializer = options.kernelInitializer ?? 'glorot_uniform';
    this.initialize = options.initialize ?? true;
  }

  get built(): boolean {
    return this.params.length > 0;
  }

  /** The weights this cell needs for `inputFeatures` inputs, in Keras order. */
  protected abstract weightSpecs(inputFeatures: number): WeightSpec[];

  plannedWeights(inputFeatures: number): PlannedWeight[] {
    return this.weightSpecs(inputFeatures).map(({ name, shape }) => ({ name, shape }));
  }

  build(inputFeatures: number): void {
    if (this.built) {
      if (inputFeatures !== this.inputFeatures) {
        throw new Error(`${this.className}: built for ${this.inputFeatures} input features, called with ${inputFeatures}`);
      }
      return;
    }
    this.inputFeatures = inputFeatures;
    this.params = this.weightSpecs(inputFeatures).map((s) => ({ name: s.name, tensor: this.initial(s) }));
  }

  private initial(s: WeightSpec): Tensor {
    const options = { dtype: this.dtype, rng: this.rng, requiresGrad: true, name: s.name };
    if (!this.initialize) return zeros(s.shape, options);
    switch (s.init) {
      case 'glorot_uniform': return glorotUniform(s.shape, options);
      case 'glorot_normal': return glorotNormal(s.shape, options);
      case 'orthogonal': return orthogonal(s.shape, options);
      case 'zeros': return zeros(s.shape, options);
      case 'ones': return ones(s.shape, options);
      // LSTM bias with the forget block (the second of four) at 1 (Jozefowicz et al. 2015; Keras unit_forget_bias).
      case 'unit_forget_bias': {
        const b = zeros(s.shape, options);
        const u = s.shape[0] / 4;
        b.data.fill(1, u, 2 * u);
        return b;
      }
      // Keras initializes the peephole vectors with the kernel's glorot-uniform: U(±sqrt(3/u)).
      case 'peephole_uniform': {
        const limit = Math.sqrt(3 / s.shape[0]);
        return uniform(s.shape, -limit, limit, options);
      }
    }
  }

  weights(): NamedWeight[] {
    if (!this.built) throw new Error(`${this.className}: not built yet (call build(features) or run an input through it)`);
    return this.params.slice();
  }

  /** The weight called `name`. */
  protected w(name: string): Tensor {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new Error(`${this.className}: no weight '${name}' (not built?)`);
    return p.tensor;
  }

  /** Copies of the weight values, Keras order (Keras getWeights). */
  getWeights(): Tensor[] {
    return this.weights().map((p) => p.tensor.clone());
  }

  /** Overwrite the weight values in place, Keras order (Keras setWeights); shapes must match. */
  setWeights(values: readonly (Tensor | Float32Array | Float64Array)[]): void {
    const ps = this.weights();
    if (values.length !== ps.length) {
      throw new Error(`${this.className}.setWeights: expected ${ps.length} arrays (${ps.map((p) => p.name).join(', ')}), got ${values.length}`);
    }
    ps.forEach((p, k) => {
      const v = values[k];
      const data = 'data' in v ? v.data : v;
      if ('shape' in v && fmt(v.shape) !== fmt(p.tensor.shape)) {
        throw new Error(`${this.className}.setWeights: '${p.name}' has shape ${fmt(p.tensor.shape)}, got ${fmt(v.shape)}`);
      }
      if (data.length !== p.tensor.size) {
        throw new Error(`${this.className}.setWeights: '${p.name}' ${fmt(p.tensor.shape)} needs ${p.tensor.size} values, got ${data.length}`);
      }
      p.tensor.data.set(data);
    });
  }

  /**
   * Use these tensors themselves as the weights (no copy), Keras order — so that gradients of a
   * computation through the cell reach them (gradient checks, weight sharing).
   */
  adoptWeights(tensors: readonly Tensor[]): void {
    const specs = this.weightSpecs(this.inputFeatures || tensors[0].shape[0]);
    if (tensors.length !== specs.length) throw new Error(`${this.className}.adoptWeights: expected ${specs.length} tensors, got ${tensors.length}`);
    specs.forEach((s, k) => {
      if (fmt(s.shape) !== fmt(tensors[k].shape)) {
        throw new Error(`${this.className}.adoptWeights: '${s.name}' must be ${fmt(s.shape)}, got ${fmt(tensors[k].shape)}`);
      }
      if (tensors[k].dtype !== this.dtype) throw new Error(`${this.className}.adoptWeights: '${s.name}' is ${tensors[k].dtype}, the cell is ${this.dtype}`);
    });
    this.inputFeatures = specs[0].shape[0];
    this.params = specs.map((s, k) => ({ name: s.name, tensor: tensors[k] }));
  }

  /** The kernel's initializer name, as Keras configs write it. */
  protected kernelInit(): Initializer {
    return this.kernelInitializer;
  }
}

/**
 * A step takes exactly the cell's states, [h] or [h, c]. Checked because a missing c would not
 * fail: c_{t−1} would be undefined and the step would quietly return NaN.
 */
export function checkStates(cell: Pick<RecurrentCell, 'className' | 'stateCount'>, states: readonly Tensor[]): void {
  if (states.length === cell.stateCount) return;
  const names = cell.stateCount === 2 ? '[h, c]' : '[h]';
  throw new Error(`${cell.className}.step: expected ${cell.stateCount} state${cell.stateCount === 1 ? '' : 's'} ${names}, got ${states.length}`);
}

/**
 * x·W + b for a whole sequence, with input dropout masks: one shared by the gates (a single
 * matmul), or one per gate (each gate's block of W sees its own masked copy of x).
 */
export function projectWithMasks(x: Tensor, kernel: Tensor, bias: Tensor | null, masks: readonly Tensor[] | null, gates: number): Tensor {
  let xw: Tensor;
  if (masks === null) {
    xw = matmul(x, kernel);
  } else if (masks.length === 1) {
    xw = matmul(mul(x, masks[0]), kernel);
  } else {
    const units = kernel.shape[1] / gates;
    xw = concat(masks.map((m, k) => matmul(mul(x, m), slice(kernel, [0, k * units], [-1, units]))), x.rank - 1);
  }
  return bias ? add(xw, bias) : xw;
}

// #region recurrent-with-masks
/**
 * h·U with recurrent dropout: one mask shared by the gates (a single matmul) or one per gate.
 */
export function recurrentWithMasks(h: Tensor, recurrentKernel: Tensor, masks: readonly Tensor[] | null, gates: number): Tensor {
  if (masks === null) return matmul(h, recurrentKernel);
  if (masks.length === 1) return matmul(mul(h, masks[0]), recurrentKernel);
  const units = recurrentKernel.shape[1] / gates;
  return concat(masks.map((m, k) => matmul(mul(h, m), slice(recurrentKernel, [0, k * units], [-1, units]))), 1);
}
// #endregion recurrent-with-masks
