/**
 * rnngrad's own recurrent options (`rnngrad_*` keys in a model file) in TF.js, as rnngrad computes
 * them (cells/dropout.ts):
 *
 *   rnngrad_zoneout_h = z_h, rnngrad_zoneout_c = z_c   (Krueger et al. 2016)
 *     training:   d ~ Bernoulli(z) per unit and step,  s_t = d ⊙ s_{t−1} + (1 − d) ⊙ s̃_t
 *     inference:  d is replaced by its expectation,    s_t = z · s_{t−1} + (1 − z) · s̃_t
 *   rnngrad_dropout_mode = variational | per-gate | per-step | semeniuta
 *     how rnngrad draws dropout masks in training; at inference dropout is the identity, so the
 *     mode changes nothing. TF.js trains with its own (variational) masks only: training with
 *     dropout in another mode is refused by name.
 *
 * TF.js turns a file's snake_case keys into camelCase (`rnngradZoneoutH`) and back when saving.
 * Any other `rnngrad*` key is refused by name: never silently ignored.
 */
import type { DropoutMode } from '../cells/dropout';
import type { ConfigDict, Tensor, TF } from './tf-types';

/** rnngrad's dropout modes (cells/dropout.ts). */
const DROPOUT_MODES: readonly DropoutMode[] = ['variational', 'per-gate', 'per-step', 'semeniuta'];

/** The rnngrad options a cell's constructor takes (camelCase, as TF.js passes them). */
export interface RnngradArgs {
  /** Zoneout probability for h, in [0, 1); 0 = none. */
  readonly rnngradZoneoutH?: number | null;
  /** Zoneout probability for c (LSTM cells only), in [0, 1); 0 = none. */
  readonly rnngradZoneoutC?: number | null;
  /** How rnngrad drew dropout masks in training (no effect at inference); default 'variational'. */
  readonly rnngradDropoutMode?: DropoutMode | null;
}

export interface RnngradOptions {
  readonly zoneoutH: number;
  readonly zoneoutC: number;
  readonly dropoutMode: DropoutMode;
}

/** A cell that carries rnngrad's options. */
export interface HasRnngrad {
  readonly rnngrad: RnngradOptions;
}

const KNOWN = new Set(['rnngradZoneoutH', 'rnngradZoneoutC', 'rnngradDropoutMode']);

/** Does this config set any rnngrad option (so TF.js's own cell would compute something else)? */
export function setsRnngradOptions(args: object): boolean {
  return Object.entries(args).some(([key, value]) => key.startsWith('rnngrad') && value !== null && value !== undefined);
}

/** A key as model files spell it: TF.js's camelCase back to snake_case (`rnngradZoneoutH` → `rnngrad_zoneout_h`). */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function probability(value: unknown, key: string, owner: string): number {
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${owner}: option '${key}' must be a number in [0, 1), got ${String(value)}`);
  }
  return value;
}

/**
 * Read and check the rnngrad options of a cell's args; `stateCount` is 2 for cells with a cell
 * state c (zoneout on c needs one). Unknown `rnngrad*` keys are refused by name.
 */
export function readRnngradOptions(args: object, owner: string, stateCount: 1 | 2): RnngradOptions {
  const a = args as Record<string, unknown>;
  const unknown = Object.keys(a).filter((key) => key.startsWith('rnngrad') && !KNOWN.has(key) && a[key] !== null && a[key] !== undefined);
  if (unknown.length > 0) throw new Error(`${owner}: rnngrad option(s) not implemented by rnngrad/tfjs: ${unknown.map(snakeCase).join(', ')}`);
  const zoneoutH = probability(a.rnngradZoneoutH, 'rnngrad_zoneout_h', owner);
  const zoneoutC = probability(a.rnngradZoneoutC, 'rnngrad_zoneout_c', owner);
  if (zoneoutC > 0 && stateCount < 2) throw new Error(`${owner}: option 'rnngrad_zoneout_c' needs a cell state c (LSTM cells); this cell has only h`);
  const mode = a.rnngradDropoutMode ?? 'variational';
  if (!DROPOUT_MODES.includes(mode as DropoutMode)) {
    throw new Error(`${owner}: option 'rnngrad_dropout_mode' must be one of ${DROPOUT_MODES.join(', ')}, got ${String(mode)}`);
  }
  return { zoneoutH, zoneoutC, dropoutMode: mode as DropoutMode };
}

/** The config keys to write back (only those set, as rnngrad writes them). */
export function rnngradConfig(o: RnngradOptions): ConfigDict {
  return {
    ...(o.dropoutMode !== 'variational' ? { rnngradDropoutMode: o.dropoutMode } : {}),
    ...(o.zoneoutH > 0 ? { rnngradZoneoutH: o.zoneoutH } : {}),
    ...(o.zoneoutC > 0 ? { rnngradZoneoutC: o.zoneoutC } : {}),
  };
}

/** Refuse training with dropout drawn in a mode TF.js does not implement (inference is unaffected). */
export function checkTrainingDropout(o: RnngradOptions, dropout: number, recurrentDropout: number, training: boolean, owner: string): void {
  if (training && o.dropoutMode !== 'variational' && (dropout > 0 || recurrentDropout > 0)) {
    throw new Error(`${owner}: rnngrad_dropout_mode '${o.dropoutMode}' is not implemented for training in TF.js (it draws variational masks only); it has no effect at inference`);
  }
}

/** Is training on? (TF.js passes `training` in the call's kwargs; absent means inference.) */
export function isTraining(kwargs: Record<string, unknown> | undefined): boolean {
  return kwargs?.training === true;
}

/**
 * Zoneout on the new states `next` ([h] or [h, c]) given the previous ones: each state with a
 * probability z > 0 becomes d ⊙ previous + (1 − d) ⊙ new, with d a fresh Bernoulli(z) mask in
 * training and z itself at inference. Returns the cell's outputs [h, …states].
 */
export function zoneout(tf: TF, o: RnngradOptions, previous: readonly Tensor[], next: readonly Tensor[], training: boolean): Tensor[] {
  const zones = [o.zoneoutH, o.zoneoutC];
  const states = next.map((s, k) => {
    const z = zones[k] ?? 0;
    if (z === 0) return s;
    if (!training) return tf.add(tf.mul(previous[k], z), tf.mul(s, 1 - z)); // the expectation
    const d = tf.cast(tf.less(tf.randomUniform(s.shape), z), 'float32'); // 1: keep the previous value
    return tf.add(tf.mul(d, previous[k]), tf.mul(tf.sub(1, d), s));
  });
  return [states[0], ...states];
}
