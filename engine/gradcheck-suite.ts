/**
 * The gradient-check suite as data: each case names a function and how to make its inputs.
 * Op cases live in engine/op-cases.ts, cell cases in cells/gradcheck-cases.ts; the jest suite
 * and `rnngrad gradcheck` both run the same tables, so adding a row enrols it everywhere.
 */
import type { Tensor } from './tensor';
import { gradcheck } from './gradcheck';

/** rnngrad's own tolerance — far tighter than PyTorch's defaults (atol 1e-5, rtol 1e-3). */
export const SUITE_TOLERANCE = { atol: 1e-7, rtol: 1e-6 } as const;

export interface GradcheckCase {
  /** Op name ('matmul'), cell by its --cell name ('lstm'), variants as 'lstm+zoneout'. */
  readonly name: string;
  readonly kind: 'op' | 'cell';
  /** Fresh float64 inputs, drawn from a seeded generator (same inputs on every run). */
  readonly inputs: () => Tensor[];
  /** The function checked; it must be deterministic (dropout masks fixed inside). */
  readonly fn: (...xs: Tensor[]) => Tensor | readonly Tensor[];
  /** Input names for the report. */
  readonly names?: readonly string[];
}

export interface GradcheckRow {
  readonly name: string;
  readonly kind: 'op' | 'cell';
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly passed: boolean;
}

/** Run one case at the suite tolerance (or the one given). */
export function runCase(c: GradcheckCase, tolerance: { atol: number; rtol: number } = SUITE_TOLERANCE): GradcheckRow {
  const report = gradcheck(c.fn, c.inputs(), { ...tolerance, names: c.names });
  return { name: c.name, kind: c.kind, maxAbsError: report.maxAbsError, maxRelError: report.maxRelError, passed: report.passed };
}
