/**
 * Independent float64 references for the value tests: naive loops over multi-indices, written
 * without any of rnngrad's kernels or shape helpers, so a bug there cannot hide in both.
 */
import { Random } from '../../engine/random';
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';

/** A plain n-d array: row-major float64 data and its shape. */
export interface Plain {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const plain = (shape: readonly number[], data?: ArrayLike<number>): Plain => ({
  shape: shape.slice(),
  data: data ? Float64Array.from(data) : new Float64Array(size(shape)),
});
export const fromTensor = (t: Tensor): Plain => plain(t.shape, t.data);
export const toTensor = (p: Plain, dtype: 'float32' | 'float64' = 'float64', requiresGrad = false): Tensor =>
  tensor(p.data, p.shape, { dtype, requiresGrad });

/** The multi-index of flat position i. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    idx[ax] = i % shape[ax];
    i = Math.floor(i / shape[ax]);
  }
  return idx;
}
/** The flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let ax = 0; ax < shape.length; ax++) flat = flat * shape[ax] + idx[ax];
  return flat;
}
/** Element at a multi-index. */
export const at = (p: Plain, idx: readonly number[]): number => p.data[ravel(idx, p.shape)];

/** NumPy broadcasting of any number of shapes, or null when they do not broadcast. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] | null {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) return null;
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}
/** The element of p that broadcasts to output index `outIdx`. */
function broadcastAt(p: Plain, outIdx: readonly number[]): number {
  const off = outIdx.length - p.shape.length;
  return at(p, p.shape.map((d, ax) => (d === 1 ? 0 : outIdx[ax + off])));
}

/** Element-wise f over broadcast operands. */
export function zipRef(f: (...v: number[]) => number, ...ps: Plain[]): Plain {
  const shape = broadcastShape(...ps.map((p) => p.shape));
  if (!shape) throw new Error('reference: shapes do not broadcast');
  const out = plain(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    out.data[i] = f(...ps.map((p) => broadcastAt(p, idx)));
  }
  return out;
}
export const mapRef = (p: Plain, f: (v: number) => number): Plain => plain(p.shape, Array.from(p.data, f));

/** op(A)·op(B) by the textbook triple loop, for 2-D, batched 3-D, and 3-D·2-D operands. */
export function matmulRef(a: Plain, b: Plain, transA = false, transB = false): Plain {
  const batched = a.shape.length === 3;
  const batch = batched ? a.shape[0] : 1;
  const mat = (p: Plain, t: number, r: number, c: number, trans: boolean): number => {
    const rank = p.shape.length;
    const [rows, cols] = p.shape.slice(rank - 2);
    const base = rank === 3 ? t * rows * cols : 0;
    return trans ? p.data[base + c * cols + r] : p.data[base + r * cols + c];
  };
  const ar = a.shape.slice(-2);
  const br = b.shape.slice(-2);
  const m = transA ? ar[1] : ar[0];
  const k = transA ? ar[0] : ar[1];
  const n = transB ? br[0] : br[1];
  const out = plain(batched ? [batch, m, n] : [m, n]);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += mat(a, t, i, p, transA) * mat(b, t, p, j, transB);
        out.data[t * m * n + i * n + j] = s;
      }
  return out;
}

/** The sum of x over the axes along which `target` was broadcast to x's shape. */
export function sumToRef(x: Plain, target: readonly number[]): Plain {
  const out = plain(target);
  const off = x.shape.length - target.length;
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).slice(off).map((v, ax) => (target[ax] === 1 ? 0 : v));
    out.data[ravel(idx, target)] += x.data[i];
  }
  return out;
}

export function transposeRef(x: Plain, perm: readonly number[]): Plain {
  const out = plain(perm.map((p) => x.shape[p]));
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, out.shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, k) => (src[p] = idx[k]));
    out.data[i] = at(x, src);
  }
  return out;
}

export function sliceRef(x: Plain, begin: readonly number[], sizes: readonly number[]): Plain {
  const out = plain(sizes.map((s, ax) => (s === -1 ? x.shape[ax] - begin[ax] : s)));
  for (let i = 0; i < out.data.length; i++) out.data[i] = at(x, unravel(i, out.shape).map((v, ax) => v + begin[ax]));
  return out;
}

export function concatRef(xs: readonly Plain[], axis: number): Plain {
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((a, x) => a + x.shape[axis], 0);
  const out = plain(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    let k = 0;
    let pos = idx[axis];
    while (pos >= xs[k].shape[axis]) pos -= xs[k++].shape[axis];
    out.data[i] = at(xs[k], idx.map((v, ax) => (ax === axis ? pos : v)));
  }
  return out;
}

/** sum / mean / max over all elements (axis undefined) or one axis. */
export function reduceRef(kind: 'sum' | 'mean' | 'max', x: Plain, axis?: number, keepDims = false): Plain {
  const rank = x.shape.length;
  const ax = axis === undefined ? undefined : (axis + rank) % rank;
  const reduced = (i: number) => ax === undefined || ax === i;
  const keepShape = x.shape.map((d, i) => (reduced(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < x.data.length; i++) {
    const key = ravel(unravel(i, x.shape).map((v, k) => (reduced(k) ? 0 : v)), keepShape);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(x.data[i]);
  }
  const out = plain(keepDims ? keepShape : keepShape.filter((_, i) => !reduced(i)));
  for (const [key, values] of groups) {
    const total = values.reduce((a, b) => a + b, 0);
    out.data[key] = kind === 'sum' ? total : kind === 'mean' ? total / values.length : Math.max(...values);
  }
  return out;
}

/** Apply f to each row of the last axis. */
function rowsRef(x: Plain, f: (row: number[]) => number[]): Plain {
  const cols = x.shape[x.shape.length - 1];
  const out = plain(x.shape);
  for (let r = 0; r < x.data.length / cols; r++) out.data.set(f(Array.from(x.data.subarray(r * cols, (r + 1) * cols))), r * cols);
  return out;
}
export const layerNormRef = (x: Plain, gamma: Plain | null, beta: Plain | null, eps: number): Plain =>
  rowsRef(x, (row) => {
    const mu = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mu) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mu) / Math.sqrt(variance + eps)) * (gamma ? gamma.data[j] : 1) + (beta ? beta.data[j] : 0));
  });
export const softmaxRef = (x: Plain, log: boolean): Plain =>
  rowsRef(x, (row) => {
    const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
    return row.map((v) => (log ? v - lse : Math.exp(v - lse)));
  });

/** The first mismatch beyond atol + rtol·|expected| (or a shape mismatch), described; null when none. */
export function mismatch(actual: Plain, expected: Plain, atol: number, rtol: number): string | null {
  if (actual.shape.join() !== expected.shape.join()) return `shape [${actual.shape}] ≠ expected [${expected.shape}]`;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `element [${unravel(i, expected.shape)}]: ${a} ≠ expected ${e}`;
  }
  return null;
}

/** A random shape of rank in [minRank, maxRank], each dimension in [1, maxDim] with size 1 often. */
export function randomShape(rng: Random, minRank: number, maxRank: number, maxDim = 4): number[] {
  const rank = minRank + rng.int(maxRank - minRank + 1);
  return Array.from({ length: rank }, () => (rng.next() < 0.25 ? 1 : 1 + rng.int(maxDim)));
}
/** A shape that broadcasts against `shape`: some leading axes dropped, some dimensions set to 1. */
export function broadcastPartner(rng: Random, shape: readonly number[]): number[] {
  const drop = rng.int(shape.length + 1);
  return shape.slice(drop).map((d) => (rng.next() < 0.3 ? 1 : d));
}
/** A plain array of `shape` with values from draw. */
export function randomPlain(rng: Random, shape: readonly number[], draw: (rng: Random) => number = (r) => r.normal()): Plain {
  const p = plain(shape);
  for (let i = 0; i < p.data.length; i++) p.data[i] = draw(rng);
  return p;
}
