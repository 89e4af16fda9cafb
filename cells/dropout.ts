/**
 * Dropout for recurrent layers, all masks drawn from a seeded generator (same seed, same masks).
 * Active only in training; identity at inference (zoneout: its expectation, see below).
 *
 * Inverted dropout: a mask entry is 0 with probability p and 1/(1 − p) otherwise, so E[mask] = 1
 * and nothing needs rescaling at inference.
 *
 * Modes (`dropoutMode`):
 *   'variational' — Gal & Ghahramani 2016, as TF.js and Keras 3: one input mask [batch, features]
 *                   and one recurrent mask [batch, units] per sequence, shared by every gate and
 *                   reused at every step.
 *   'per-gate'    — tf.keras 2.x `implementation = 1`: an independent input mask and recurrent mask
 *                   per gate (4 for LSTM, 3 for GRU, 1 for the simple RNN), each per sequence.
 *   'per-step'    — classic dropout: a fresh input mask and recurrent mask at every time step.
 *   'semeniuta'   — Semeniuta et al. 2016: `recurrentDropout` drops the candidate g instead of h,
 *                   c_t = f ⊙ c_{t−1} + i ⊙ d(g). The candidate is not carried from step to step, so
 *                   a fresh mask per step does not erase the memory (the paper's point); input
 *                   dropout stays variational.
 * Zoneout (Krueger et al. 2016), with any mode: per unit and step, keep the previous value with
 * probability z — c_t = d_c ⊙ c_{t−1} + (1 − d_c) ⊙ c̃_t, h_t = d_h ⊙ h_{t−1} + (1 − d_h) ⊙ h̃_t —
 * with no 1/(1 − p) scaling; at inference d is replaced by its expectation z.
 */
import type { Tensor, DType } from '../engine/tensor';
import { Tensor as TensorClass, allocate } from '../engine/tensor';
import type { Shape } from '../engine/shape';
import { sizeOf } from '../engine/shape';
import { Random, globalRandom } from '../engine/random';
import type { StepMasks } from './cell';

export type DropoutMode = 'variational' | 'per-gate' | 'per-step' | 'semeniuta';
export const DROPOUT_MODES: readonly DropoutMode[] = ['variational', 'per-gate', 'per-step', 'semeniuta'];

export interface DropoutOptions {
  /** Input dropout rate on x_t, in [0, 1). */
  readonly dropout?: number;
  /** Recurrent dropout rate on h_{t−1} (or on the candidate, 'semeniuta'), in [0, 1). */
  readonly recurrentDropout?: number;
  /** How masks are shared across gates and steps; default 'variational'. */
  readonly dropoutMode?: DropoutMode;
  /** Zoneout probability for the hidden state h, in [0, 1). */
  readonly zoneoutH?: number;
  /** Zoneout probability for the cell state c (LSTM cells), in [0, 1). */
  readonly zoneoutC?: number;
  /** The generator masks come from (default: the global one). */
  readonly rng?: Random;
}

/** A value as an error message shows it: numbers as JS prints them (NaN, Infinity — JSON would say null), the rest as JSON. */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** Check every rate is in [0, 1) and the mode is known; errors name the option. */
export function validateDropout(options: DropoutOptions, owner: string): void {
  for (const key of ['dropout', 'recurrentDropout', 'zoneoutH', 'zoneoutC'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
      throw new Error(`${owner}: option '${key}' must be a number in [0, 1), got ${shown(v)}`);
    }
  }
  const mode = options.dropoutMode;
  if (mode !== undefined && !DROPOUT_MODES.includes(mode)) {
    throw new Error(`${owner}: option 'dropoutMode' must be one of ${DROPOUT_MODES.join(', ')}, got ${shown(mode)}`);
  }
}

/** Does this configuration use any randomness in training? */
export function hasDropout(options: DropoutOptions): boolean {
  return (options.dropout ?? 0) > 0 || (options.recurrentDropout ?? 0) > 0 || (options.zoneoutH ?? 0) > 0 || (options.zoneoutC ?? 0) > 0;
}

/**
 * A Bernoulli mask: each entry keeps (is nonzero) with probability 1 − rate.
 * Inverted dropout scales kept entries by 1/(1 − rate); zoneout masks are plain 0/1 with
 * P(1) = rate (`keepPrevious`).
 */
export function dropoutMask(shape: Shape, rate: number, dtype: DType, rng: Random = globalRandom): Tensor {
  // rate 1 would scale by 1/0; a rate outside [0, 1) or NaN gives no mask that means anything.
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`dropoutMask: the rate must be a number in [0, 1), got ${shown(rate)}`);
  const data = allocate(dtype, sizeOf(shape));
  const scale = 1 / (1 - rate);
  for (let k = 0; k < data.length; k++) data[k] = rng.next() < rate ? 0 : scale;
  return new TensorClass(data, shape);
}

/** A zoneout mask d: 1 (keep the previous value) with probability z, else 0. */
export function zoneoutMask(shape: Shape, z: number, dtype: DType, rng: Random = globalRandom): Tensor {
  // z is a probability: 1 (always keep the previous value) is a valid if useless mask; NaN is not.
  if (typeof z !== 'number' || !(z >= 0 && z <= 1)) throw new Error(`zoneoutMask: the probability z must be a number in [0, 1], got ${shown(z)}`);
  const data = allocate(dtype, sizeOf(shape));
  for (let k = 0; k < data.length; k++) data[k] = rng.next() < z ? 1 : 0;
  return new TensorClass(data, shape);
}

/** What the masks of one sequence are drawn for. */
export interface SequenceShape {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
  /** Gate blocks of the cell (4 LSTM, 3 GRU, 1 simple RNN; 0: none, per-gate refused): the number of per-gate masks. */
  readonly gates: number;
  /** Number of states (1: h; 2: h and c). */
  readonly stateCount: number;
  readonly hasCandidate: boolean;
  readonly dtype: DType;
}

/** Zoneout for one step: the mask d per state (a number at inference: the expectation z). */
export type ZoneoutStep = readonly (Tensor | number | null)[];

/**
 * Every mask of one pass over one batch of sequences, drawn up front (so the same seed gives the
 * same masks whatever the layer does with them).
 */
export class SequenceDropout {
  /** Masks applied to x before x·W: null, one (shared by the gates) or one per gate. */
  readonly inputMasks: Tensor[] | null = null;
  private readonly recurrent: Tensor[][] = [];
  private readonly candidate: Tensor[] = [];
  private readonly zoneout: (Tensor | number | null)[][] = [];
  readonly mode: DropoutMode;

  constructor(options: DropoutOptions, s: SequenceShape, training: boolean, owner = 'RNN') {
    validateDropout(options, owner);
    const rng = options.rng ?? globalRandom;
    const mode = (this.mode = options.dropoutMode ?? 'variational');
    const p = options.dropout ?? 0;
    const q = options.recurrentDropout ?? 0;
    const zones = [options.zoneoutH ?? 0, options.zoneoutC ?? 0].slice(0, s.stateCount);
    if (mode === 'semeniuta' && q > 0 && !s.hasCandidate) {
      throw new Error(`${owner}: dropoutMode 'semeniuta' drops a cell's candidate, and this cell has none (use LSTM, peephole LSTM or GRU)`);
    }
    if (mode === 'per-gate' && (p > 0 || q > 0) && s.gates < 1) {
      throw new Error(`${owner}: dropoutMode 'per-gate' gives each gate block its own masks, and this cell declares none (gates = 0); use 'variational' or 'per-step'`);
    }
    if ((options.zoneoutC ?? 0) > 0 && s.stateCount < 2) {
      throw new Error(`${owner}: option 'zoneoutC' needs a cell state c (LSTM cells); this cell has only h`);
    }
    if (!training) {
      // Inference: dropout is the identity; zoneout uses its expectation z.
      if (zones.some((z) => z > 0)) for (let t = 0; t < s.time; t++) this.zoneout.push(zones.map((z) => (z > 0 ? z : null)));
      return;
    }
    // #region draw-masks
    const { batch, time, features, units, dtype } = s;
    const perGate = mode === 'per-gate' ? s.gates : 1;
    if (p > 0) {
      const shape = mode === 'per-step' ? [batch, time, features] : [batch, 1, features];
      this.inputMasks = Array.from({ length: perGate }, () => dropoutMask(shape, p, dtype, rng));
    }
    if (q > 0 && mode !== 'semeniuta') {
      if (mode === 'per-step') {
        for (let t = 0; t < time; t++) this.recurrent.push([dropoutMask([batch, units], q, dtype, rng)]);
      } else {
        this.recurrent.push(Array.from({ length: perGate }, () => dropoutMask([batch, units], q, dtype, rng)));
      }
    }
    if (q > 0 && mode === 'semeniuta') {
      for (let t = 0; t < time; t++) this.candidate.push(dropoutMask([batch, units], q, dtype, rng));
    }
    if (zones.some((z) => z > 0)) {
      for (let t = 0; t < time; t++) this.zoneout.push(zones.map((z) => (z > 0 ? zoneoutMask([batch, units], z, dtype, rng) : null)));
    }
    // #endregion draw-masks
  }

  /** The masks the cell applies at step t. */
  stepMasks(t: number): StepMasks {
    const recurrent = this.recurrent.length === 0 ? null : this.recurrent[this.recurrent.length === 1 ? 0 : t];
    return { recurrent, candidate: this.candidate.length === 0 ? null : this.candidate[t] };
  }

  /** Zoneout masks for step t, one per state (null: none). */
  zoneoutAt(t: number): ZoneoutStep | null {
    return this.zoneout.length === 0 ? null : this.zoneout[t];
  }

  /** The single shared recurrent mask of a variational pass (what the fused LSTM takes), or null. */
  sharedRecurrentMask(): Tensor | null {
    return this.recurrent.length === 1 && this.recurrent[0].length === 1 ? this.recurrent[0][0] : null;
  }

  /** Can the fused LSTM run these masks? (Shared masks only, no candidate dropout, no zoneout.) */
  get fusable(): boolean {
    return (this.inputMasks === null || this.inputMasks.length === 1)
      && (this.recurrent.length === 0 || this.sharedRecurrentMask() !== null)
      && this.candidate.length === 0 && this.zoneout.length === 0;
  }
}
