/**
 * SGD (momentum, Nesterov), RMSprop and Adam. Defaults as Keras; update rules as SEMANTICS.md
 * (Adam in the paper's form, as TF.js writes it), so the same gradients give TF.js's weights
 * to float32 rounding. Each class is one update rule for one element; the loop, clipping and
 * state live in train/optimizer.ts.
 */
import type { Storage } from '../engine/tensor';
import { Optimizer, OptimizerOptions, checkRange } from './optimizer';
import { clipElement } from './clipping';
import { wasmAdam } from '../kernels/wasm/adam';
import { wasmSimdAvailable } from '../kernels/wasm/matmul';

/** Weights shorter than this run Adam's JavaScript loop (the wasm call and copies cost more). */
export const WASM_ADAM_MIN = 256;

let wasmAdamEnabled: boolean | undefined;

/** Whether Adam's float32 update runs on the wasm kernel (see useWasmAdam). */
function wasmAdamOn(): boolean {
  wasmAdamEnabled ??= wasmSimdAvailable();
  return wasmAdamEnabled;
}

/** Allow or forbid Adam's wasm kernel (tests compare it with the loop); returns the old setting. */
export function useWasmAdam(on: boolean): boolean {
  const was = wasmAdamOn();
  wasmAdamEnabled = on && wasmSimdAvailable();
  return was;
}

export interface SGDOptions extends OptimizerOptions {
  /** μ (default 0: plain SGD). */
  readonly momentum?: number;
  /** Nesterov momentum (needs momentum > 0). */
  readonly nesterov?: boolean;
}

/**
 * SGD:       w ← w − lr·g
 * momentum:  v ← μ·v − lr·g,  w ← w + v
 * Nesterov:  v ← μ·v − lr·g,  w ← w + μ·v − lr·g
 * Keras default lr 0.01.
 */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  protected readonly slotNames: readonly string[];

  constructor(options: SGDOptions = {}) {
    super(0.01, options);
    this.momentum = checkRange('SGD', 'momentum', options.momentum ?? 0, 0, 1);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new Error('SGD: nesterov needs momentum > 0');
    this.slotNames = this.momentum > 0 ? ['momentum'] : [];
  }

  protected updateElement(w: number, g: number, slots: Storage[], i: number): number {
    const lr = this.learningRate;
    if (this.momentum === 0) return w - lr * g;
    const velocity = slots[0];
    const v = this.momentum * velocity[i] - lr * g;
    velocity[i] = v;
    // Nesterov looks ahead: the step uses the velocity after this update once more.
    return this.nesterov ? w + this.momentum * velocity[i] - lr * g : w + velocity[i];
  }
}

export interface RMSpropOptions extends OptimizerOptions {
  /** ρ, the decay of the running mean of g² (default 0.9). */
  readonly rho?: number;
  /** ε inside the square root (default 1e-7, Keras). */
  readonly epsilon?: number;
}

/**
 * RMSprop:  a ← ρ·a + (1 − ρ)·g²,  w ← w − lr·g / sqrt(a + ε)   (ρ 0.9, ε 1e-7, lr 0.001).
 * ε sits inside the root, as TF.js and Keras 2 write it.
 */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly epsilon: number;
  protected readonly slotNames = ['rms'] as const;

  constructor(options: RMSpropOptions = {}) {
    super(0.001, options);
    this.rho = checkRange('RMSprop', 'rho', options.rho ?? 0.9, 0, 1);
    this.epsilon = checkRange('RMSprop', 'epsilon', options.epsilon ?? 1e-7, 0, Infinity, true);
  }

  protected updateElement(w: number, g: number, slots: Storage[], i: number): number {
    const rms = slots[0];
    const a = this.rho * rms[i] + (1 - this.rho) * g * g;
    rms[i] = a;
    return w - (this.learningRate * g) / Math.sqrt(rms[i] + this.epsilon);
  }
}

export interface AdamOptions extends OptimizerOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015), the paper's form as TF.js and PyTorch write it:
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,
 *   m̂ = m / (1 − β1ᵗ),       v̂ = v / (1 − β2ᵗ),
 *   w ← w − lr · m̂ / (sqrt(v̂) + ε)            (β1 0.9, β2 0.999, ε 1e-7, lr 0.001)
 */
export class Adam extends Optimizer {
  readonly className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  protected readonly slotNames = ['m', 'v'] as const;
  // 1 − βᵗ for the current t, computed once per step rather than per element.
  private correctionStep = 0;
  private correction1 = 1;
  private correction2 = 1;

  constructor(options: AdamOptions = {}) {
    super(0.001, options);
    this.beta1 = checkRange('Adam', 'beta1', options.beta1 ?? 0.9, 0, 1);
    this.beta2 = checkRange('Adam', 'beta2', options.beta2 ?? 0.999, 0, 1);
    this.epsilon = checkRange('Adam', 'epsilon', options.epsilon ?? 1e-7, 0, Infinity, true);
  }

  // #region adam-update
  protected updateElement(w: number, g: number, slots: Storage[], i: number, t: number): number {
    this.corrections(t);
    const m = slots[0];
    const v = slots[1];
    m[i] = this.beta1 * m[i] + (1 - this.beta1) * g;
    v[i] = this.beta2 * v[i] + (1 - this.beta2) * g * g;
    // Read back the stored (rounded) moments so the step uses exactly what the next step sees.
    const mHat = m[i] / this.correction1;
    const vHat = v[i] / this.correction2;
    return w - (this.learningRate * mHat) / (Math.sqrt(vHat) + this.epsilon);
  }
  // #endregion adam-update

  /** 1 − β1ᵗ and 1 − β2ᵗ for step t (computed once per step). */
  private corrections(t: number): void {
    if (t === this.correctionStep) return;
    this.correctionStep = t;
    this.correction1 = 1 - Math.pow(this.beta1, t);
    this.correction2 = 1 - Math.pow(this.beta2, t);
  }

  /**
   * float32 weights of at least WASM_ADAM_MIN elements: the same arithmetic as updateElement,
   * two elements at a time in WebAssembly f64x2 (kernels/wasm/adam.ts; the same bits).
   */
  protected override updateAll(w: Storage, g: Storage, scale: number, bound: number, slots: Storage[], t: number): number | null {
    const [m, v] = slots;
    if (!wasmAdamOn() || w.length < WASM_ADAM_MIN || !(w instanceof Float32Array && g instanceof Float32Array &&
      m instanceof Float32Array && v instanceof Float32Array)) return null;
    this.corrections(t);
    const even = w.length - (w.length % 2);
    const k = {
      scale, bound, minusBound: -bound, lr: this.learningRate, beta1: this.beta1, oneMinusBeta1: 1 - this.beta1,
      beta2: this.beta2, oneMinusBeta2: 1 - this.beta2, c1: this.correction1, c2: this.correction2, epsilon: this.epsilon,
    };
    let drift = wasmAdam(w.subarray(0, even), g.subarray(0, even), m.subarray(0, even), v.subarray(0, even), k);
    if (even < w.length) { // an odd last element: the loop's own arithmetic
      w[even] = this.updateElement(w[even], clipElement(g[even], scale, bound), slots, even, t);
      drift += w[even] - w[even];
    }
    return drift;
  }
}

/** The optimizer names the CLI accepts. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * An optimizer by CLI name: sgd, momentum (SGD with μ = 0.9), nesterov (μ = 0.9, Nesterov),
 * rmsprop, adam. `options.learningRate` absent → the Keras default of that class.
 */
export function makeOptimizer(name: string, options: OptimizerOptions & { momentum?: number } = {}): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(options);
    case 'momentum':
      return new SGD({ ...options, momentum: options.momentum ?? 0.9 });
    case 'nesterov':
      return new SGD({ ...options, momentum: options.momentum ?? 0.9, nesterov: true });
    case 'rmsprop':
      return new RMSprop(options);
    case 'adam':
      return new Adam(options);
    default:
      throw new Error(`optimizer: unknown optimizer '${name}' (expected one of ${OPTIMIZER_NAMES.join(', ')})`);
  }
}
