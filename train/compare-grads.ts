/**
 * Compare a gradient file against the answer key, weight by weight. An element passes when
 *
 *   |actual − expected| ≤ atol + rtol · |expected|          (as the gradient check, engine/gradcheck.ts)
 *
 * and each weight reports its max absolute error, its max relative error
 * |actual − expected| / max(|expected|, 1) (the suite's measure: relative for large values,
 * absolute for small ones) and its worst element — the furthest outside its tolerance, or the
 * nearest to it when all pass — named by gate and unit for the
 * gate-stacked weights (train/gate-blocks.ts). Weights only one side has, and shapes that differ,
 * fail by name.
 */
import type { GradArray, GradsFile } from './grads-file';
import { gateLayouts, gateOf, describeElement, describeInputElement, unflatten, GateLayout } from './gate-blocks';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/**
 * Defaults for checking float32 gradients against the float64 key: float32 keeps 7 digits; a
 * backward pass through a few dozen steps loses one or two of them (docs/11-answer-key.md measures
 * TF.js and rnngrad's float32 at ~1e-6 relative). A bug moves gradients far more.
 */
export const FLOAT32_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The worst element of one gradient: the one furthest outside (or nearest to) its tolerance. */
export interface WorstElement {
  readonly flatIndex: number;
  readonly index: readonly number[];
  /** For a reader: "forget gate (f), row 2 col 5 (unit 1)". */
  readonly where: string;
  readonly expected: number;
  readonly actual: number;
}

export type RowStatus = 'pass' | 'fail' | 'missing' | 'extra' | 'shape mismatch';

/** One weight (or the input, or the loss) compared. */
export interface GradRow {
  readonly name: string;
  readonly status: RowStatus;
  readonly expectedShape: readonly number[] | null;
  readonly actualShape: readonly number[] | null;
  readonly maxAbsError: number | null;
  readonly maxRelError: number | null;
  /** Elements outside the tolerance. */
  readonly failing: number;
  /**
   * Elements outside the tolerance per gate (a gate-stacked weight: one gate wrong, or all?) or per
   * time step (the input gradient: right at the last step and wrong before it points at the
   * gradient carried back in time).
   */
  readonly failingBy: { readonly group: 'gate' | 'step'; readonly counts: Readonly<Record<string, number>> } | null;
  readonly worst: WorstElement | null;
}

export interface GradsComparison {
  readonly tolerance: Tolerance;
  /** Weights in the expected file's order, then extra ones; the input gradient and the loss last. */
  readonly rows: readonly GradRow[];
  readonly passed: boolean;
}

const INPUT = 'input';
const LOSS = 'loss';

/** Compare two arrays of the same shape element by element. */
/** How failing elements are counted apart: by gate or by time step, the groups in order. */
interface Grouping {
  readonly group: 'gate' | 'step';
  readonly names: readonly string[];
  readonly of: (flat: number) => string;
}

function compareArrays(name: string, e: GradArray, a: GradArray, tol: Tolerance, describe: (flat: number) => string, grouping?: Grouping): GradRow {
  let maxAbs = 0;
  let maxRel = 0;
  let worstAt = 0;
  let worstRatio = -1;
  let failing = 0;
  const counts: Record<string, number> | null = grouping ? Object.fromEntries(grouping.names.map((g) => [g, 0])) : null;
  for (let i = 0; i < e.values.length; i++) {
    const diff = Math.abs(a.values[i] - e.values[i]);
    const rel = diff / Math.max(Math.abs(e.values[i]), 1);
    const allowed = tol.atol + tol.rtol * Math.abs(e.values[i]);
    if (!(diff <= allowed)) {
      failing++;
      if (counts && grouping) counts[grouping.of(i)]++;
    }
    maxAbs = Math.max(maxAbs, diff);
    maxRel = Math.max(maxRel, rel);
    // The worst element is the one furthest outside (or nearest to) its tolerance.
    const ratio = allowed > 0 ? diff / allowed : diff > 0 ? Infinity : 0;
    if (ratio > worstRatio || Number.isNaN(ratio)) {
      worstRatio = ratio;
      worstAt = i;
    }
  }
  const worst = e.values.length === 0 ? null : {
    flatIndex: worstAt, index: unflatten(worstAt, e.shape), where: describe(worstAt), expected: e.values[worstAt], actual: a.values[worstAt],
  };
  return { name, status: failing === 0 ? 'pass' : 'fail', expectedShape: e.shape, actualShape: a.shape, maxAbsError: maxAbs, maxRelError: maxRel, failing, failingBy: counts && grouping ? { group: grouping.group, counts } : null, worst };
}

function gateGrouping(shape: readonly number[], layout: GateLayout | undefined): Grouping | undefined {
  return layout && { group: 'gate', names: layout.gates, of: (flat) => gateOf(shape, flat, layout) };
}

/** The input gradient [batch, time, features], counted by time step. */
function stepGrouping(shape: readonly number[]): Grouping | undefined {
  if (shape.length !== 3) return undefined;
  const [time, features] = [shape[1], shape[2]];
  return { group: 'step', names: Array.from({ length: time }, (_, t) => String(t)), of: (flat) => String(Math.floor(flat / features) % time) };
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function unmatched(name: string, status: RowStatus, e: GradArray | null, a: GradArray | null): GradRow {
  return { name, status, expectedShape: e?.shape ?? null, actualShape: a?.shape ?? null, maxAbsError: null, maxRelError: null, failing: 0, failingBy: null, worst: null };
}

/** Every weight of `expected` against `actual`, then the input gradient and the loss. */
export function compareGrads(expected: GradsFile, actual: GradsFile, tolerance: Tolerance = FLOAT32_TOLERANCE): GradsComparison {
  const shapes: Record<string, readonly number[]> = {};
  for (const [name, g] of Object.entries(expected.weights)) shapes[name] = g.shape;
  const layouts: Map<string, GateLayout> = gateLayouts(shapes);
  const rows: GradRow[] = [];
  for (const [name, e] of Object.entries(expected.weights)) {
    const a = actual.weights[name];
    if (a === undefined) rows.push(unmatched(name, 'missing', e, null));
    else if (!sameShape(e.shape, a.shape)) rows.push(unmatched(name, 'shape mismatch', e, a));
    else rows.push(compareArrays(name, e, a, tolerance, (flat) => describeElement(name, e.shape, flat, layouts.get(name)), gateGrouping(e.shape, layouts.get(name))));
  }
  for (const [name, a] of Object.entries(actual.weights)) if (!(name in expected.weights)) rows.push(unmatched(name, 'extra', null, a));
  rows.push(sameShape(expected.input.shape, actual.input.shape)
    ? compareArrays(INPUT, expected.input, actual.input, tolerance, (flat) => describeInputElement(expected.input.shape, flat), stepGrouping(expected.input.shape))
    : unmatched(INPUT, 'shape mismatch', expected.input, actual.input));
  rows.push(compareArrays(LOSS, { shape: [], values: [expected.loss] }, { shape: [], values: [actual.loss] }, tolerance, () => 'the loss'));
  return { tolerance, rows, passed: rows.every((r) => r.status === 'pass') };
}

/** One line per row that did not pass: "lstm/recurrent_kernel: forget gate (f), row 2 col 5 (unit 1): expected …, got …". */
export function describeFailures(c: GradsComparison): string[] {
  return c.rows.filter((r) => r.status !== 'pass').map((r) => {
    switch (r.status) {
      case 'missing': return `${r.name}: missing from the actual file (expected shape [${r.expectedShape}])`;
      case 'extra': return `${r.name}: not a weight of the expected file (shape [${r.actualShape}])`;
      case 'shape mismatch': return `${r.name}: shape [${r.actualShape}], expected [${r.expectedShape}]`;
      default: {
        const w = r.worst as WorstElement;
        const by = r.failingBy ? ` (by ${r.failingBy.group}: ${Object.entries(r.failingBy.counts).map(([g, n]) => `${g} ${n}`).join(', ')})` : '';
        return `${r.name}: ${r.failing} element${r.failing === 1 ? '' : 's'} out of tolerance${by}; worst ${w.where}: expected ${w.expected.toPrecision(8)}, got ${w.actual.toPrecision(8)} (rel error ${(r.maxRelError ?? 0).toExponential(2)})`;
      }
    }
  });
}
