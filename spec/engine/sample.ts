/** What a row of the op table draws, and the small helpers the rows share. */
import type { Random } from '../../engine/random';
import type { Tensor } from '../../engine/tensor';
import type { Plain } from './reference';

export interface Sample {
  /** Shapes and parameters, for failure messages. */
  readonly label: string;
  readonly inputs: Plain[];
  /** Which inputs the gradient check differentiates (default: all). */
  readonly differentiable?: readonly boolean[];
  readonly run: (...xs: Tensor[]) => Tensor | readonly Tensor[];
  readonly ref: (...xs: Plain[]) => Plain | readonly Plain[];
}
export interface OpRow {
  /** The op's name: opCases rows are named `op` or `op-variant`. */
  readonly op: string;
  readonly sample: (rng: Random) => Sample;
}

export const shapeText = (ps: readonly Plain[]) => ps.map((p) => `[${p.shape}]`).join(' ');
export const normal = (r: Random) => r.normal();
export const signed = (lo: number, hi: number) => (r: Random) => (r.next() < 0.5 ? -1 : 1) * r.uniform(lo, hi);
export const positive = (r: Random) => r.uniform(0.5, 2);
/** Uniform in [lo, hi), at least `gap` from every kink. */
export const awayFrom = (kinks: readonly number[], lo: number, hi: number, gap = 0.05) => (r: Random) => {
  for (;;) {
    const v = r.uniform(lo, hi);
    if (kinks.every((k) => Math.abs(v - k) >= gap)) return v;
  }
};
export const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)];

/** Random consecutive sizes (each ≥ 1) adding up to n. */
export function partition(r: Random, n: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0;) {
    const s = 1 + r.int(left);
    sizes.push(s);
    left -= s;
  }
  return sizes;
}
