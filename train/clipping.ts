/**
 * Gradient clipping, applied to the gradients before the optimizer step (SEMANTICS.md):
 *
 *   clipValue v        g ← clip(g, −v, v)                       element-wise
 *   clipNorm c         g ← g · c / max(‖g‖₂, c)                 per tensor (Keras `clipnorm`)
 *   clipGlobalNorm c   n = sqrt(Σ_k ‖g_k‖₂²),  g_k ← g_k · c / max(n, c)   (Keras `global_clipnorm`)
 *
 * The formulas are written once, as a scale factor per tensor plus an element bound
 * (`clipFactors`), and applied by `clipElement`. The optimizers use the same two functions inside
 * their update loops, so clipping there costs no extra pass and no allocation, and never writes
 * into gradient buffers the tape may share between tensors.
 */
import { Tensor, allocate } from '../engine/tensor';

/** At most one of the three modes, as Keras allows. */
export interface ClipOptions {
  readonly clipValue?: number;
  readonly clipNorm?: number;
  readonly clipGlobalNorm?: number;
  /**
   * Raise when a norm is NaN or ±Inf (default true), naming the tensor — as PyTorch's
   * `error_if_nonfinite`. With false, a non-finite norm is passed through (the step then writes NaN).
   */
  readonly errorIfNonfinite?: boolean;
}

export type ClipMode = 'clipValue' | 'clipNorm' | 'clipGlobalNorm';

/** The flag names the CLI uses for each mode, so errors read the way the user typed them. */
const FLAG: Record<ClipMode, string> = { clipValue: '--clip-value', clipNorm: '--clip-norm', clipGlobalNorm: '--clip-global-norm' };

/**
 * The one clipping mode set in `options` (null for none). Two or more modes, or a threshold that
 * is not a finite number > 0, is an error naming the flags.
 */
export function clipModeOf(options: ClipOptions): ClipMode | null {
  const set = (Object.keys(FLAG) as ClipMode[]).filter((m) => options[m] !== undefined && options[m] !== null);
  if (set.length > 1) {
    throw new Error(`clipping: ${set.map((m) => `${m} (${FLAG[m]})`).join(' and ')} are both set; use at most one clipping mode`);
  }
  if (set.length === 0) return null;
  const mode = set[0];
  const v = options[mode] as number;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`clipping: ${mode} (${FLAG[mode]}) must be a finite number > 0, got ${String(v)}`);
  }
  return mode;
}

/** Per-tensor scale factors and an element bound: clipped g_k[i] = clip(g_k[i]·scale[k], −bound, bound). */
export interface ClipFactors {
  /** One factor per gradient (1 where nothing is scaled). */
  readonly scales: Float64Array;
  /** The element bound (Infinity unless clipValue). */
  readonly bound: number;
  /** sqrt(Σ_k ‖g_k‖²) before clipping, for clipGlobalNorm; NaN for the other modes. */
  readonly globalNorm: number;
}

/** ‖g‖₂ accumulated in float64. */
export function l2Norm(g: Tensor): number {
  const d = g.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

function nonFinite(what: string, name: string, norm: number): Error {
  return new Error(
    `clipping: the gradient norm ${what} is ${norm} (non-finite) at '${name}'; ` +
      'the loss has diverged or the input holds NaN/Inf (pass errorIfNonfinite: false to clip anyway)',
  );
}

/**
 * The scale factors and bound for `grads` under `options` (a null gradient gets scale 1).
 * `names[k]` labels gradient k in errors (default: the tensor's name, else `gradient #k`).
 * `scales` may be passed in to reuse a buffer across steps.
 */
export function clipFactors(
  grads: readonly (Tensor | null)[],
  options: ClipOptions,
  names: readonly string[] = [],
  scales: Float64Array = new Float64Array(grads.length),
): ClipFactors {
  const mode = clipModeOf(options);
  const check = options.errorIfNonfinite ?? true;
  const nameOf = (k: number): string => names[k] ?? grads[k]?.name ?? `gradient #${k}`;
  scales.fill(1);
  // #region clip-modes
  if (mode === 'clipValue') return { scales, bound: options.clipValue as number, globalNorm: NaN };
  if (mode === 'clipNorm') {
    const c = options.clipNorm as number;
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k];
      if (!g) continue;
      const norm = l2Norm(g);
      if (check && !Number.isFinite(norm)) throw nonFinite('‖g‖₂', nameOf(k), norm);
      scales[k] = c / Math.max(norm, c);
    }
    return { scales, bound: Infinity, globalNorm: NaN };
  }
  if (mode === 'clipGlobalNorm') {
    const c = options.clipGlobalNorm as number;
    let squares = 0;
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k];
      if (!g) continue;
      const norm = l2Norm(g);
      // Name the first tensor that makes the global norm non-finite, not just "the sum".
      if (check && !Number.isFinite(norm)) throw nonFinite('(global) sqrt(Σ‖g_k‖²)', nameOf(k), norm);
      squares += norm * norm;
    }
    const globalNorm = Math.sqrt(squares);
    if (check && !Number.isFinite(globalNorm)) throw nonFinite('(global) sqrt(Σ‖g_k‖²)', 'all gradients together', globalNorm);
    scales.fill(c / Math.max(globalNorm, c));
    return { scales, bound: Infinity, globalNorm };
  }
  // #endregion clip-modes
  return { scales, bound: Infinity, globalNorm: NaN };
}

/** One clipped gradient element: clip(g·scale, −bound, bound). */
export function clipElement(g: number, scale: number, bound: number): number {
  const v = g * scale;
  return v > bound ? bound : v < -bound ? -bound : v;
}

function applied(grads: readonly Tensor[], f: ClipFactors): Tensor[] {
  return grads.map((g, k) => {
    const out = allocate(g.dtype, g.size);
    const gd = g.data;
    for (let i = 0; i < out.length; i++) out[i] = clipElement(gd[i], f.scales[k], f.bound);
    return new Tensor(out, g.shape, false, g.name);
  });
}

/** clipValue(grads, v): every element clipped to [−v, v]. Returns new tensors. */
export function clipValue(grads: readonly Tensor[], v: number): Tensor[] {
  return applied(grads, clipFactors(grads, { clipValue: v }));
}

/** clipNorm(grads, c): each tensor g ← g · c / max(‖g‖₂, c). Returns new tensors. */
export function clipNorm(grads: readonly Tensor[], c: number, options: { errorIfNonfinite?: boolean; names?: readonly string[] } = {}): Tensor[] {
  return applied(grads, clipFactors(grads, { clipNorm: c, errorIfNonfinite: options.errorIfNonfinite }, options.names));
}

/**
 * clipGlobalNorm(grads, c): n = sqrt(Σ_k ‖g_k‖₂²), every g_k ← g_k · c / max(n, c)
 * (tf.clip_by_global_norm). Returns the clipped tensors and n, the norm before clipping.
 */
export function clipGlobalNorm(
  grads: readonly Tensor[],
  c: number,
  options: { errorIfNonfinite?: boolean; names?: readonly string[] } = {},
): { clipped: Tensor[]; norm: number } {
  const f = clipFactors(grads, { clipGlobalNorm: c, errorIfNonfinite: options.errorIfNonfinite }, options.names);
  return { clipped: applied(grads, f), norm: f.globalNorm };
}
