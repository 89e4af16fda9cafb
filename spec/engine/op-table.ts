/**
 * The op table of the value tests and the random-shape gradient checks (spec/engine/ops.test.ts).
 * Each row draws a random sample — shapes (with broadcasting and size-1 dimensions), values kept
 * clear of kinks, and any parameters — and gives the rnngrad call and a plain-loop reference.
 * Adding a row enrols the op in the value tests (float64 and float32) and the float64 gradcheck.
 */
import { Random } from '../../engine/random';
import type { Tensor } from '../../engine/tensor';
import * as ops from '../../engine/ops';
import {
  Plain, plain, size, zipRef, sumToRef, mapRef, matmulRef, transposeRef, sliceRef, concatRef, reduceRef, layerNormRef,
  softmaxRef, randomShape, broadcastPartner, randomPlain,
} from './reference';

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

const shapeText = (ps: readonly Plain[]) => ps.map((p) => `[${p.shape}]`).join(' ');
const normal = (r: Random) => r.normal();
const signed = (lo: number, hi: number) => (r: Random) => (r.next() < 0.5 ? -1 : 1) * r.uniform(lo, hi);
const positive = (r: Random) => r.uniform(0.5, 2);
/** Uniform in [lo, hi), at least `gap` from every kink. */
const awayFrom = (kinks: readonly number[], lo: number, hi: number, gap = 0.05) => (r: Random) => {
  for (;;) {
    const v = r.uniform(lo, hi);
    if (kinks.every((k) => Math.abs(v - k) >= gap)) return v;
  }
};
const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)];

/** A binary op on a random shape and a broadcast partner, the partner on either side. */
function binaryRow(op: 'add' | 'sub' | 'mul' | 'div', f: (a: number, b: number) => number): OpRow {
  return {
    op,
    sample: (r) => {
      const shape = randomShape(r, 0, 4);
      const partner = broadcastPartner(r, shape);
      const [sa, sb] = r.next() < 0.5 ? [shape, partner] : [partner, shape];
      const inputs = [randomPlain(r, sa), randomPlain(r, sb, op === 'div' ? signed(0.5, 2) : normal)];
      return { label: shapeText(inputs), inputs, run: (a, b) => ops[op](a, b), ref: (a, b) => zipRef(f, a, b) };
    },
  };
}

/** An element-wise function, with values drawn where it is smooth. */
function unaryRow(op: string, f: (x: number) => number, run: (x: Tensor) => Tensor, draw: (r: Random) => number = normal): OpRow {
  return {
    op,
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 0, 3), draw)];
      return { label: shapeText(inputs), inputs, run, ref: (x) => mapRef(x, f) };
    },
  };
}

function reduceRow(op: 'sum' | 'mean' | 'max'): OpRow {
  return {
    op,
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4))];
      const rank = inputs[0].shape.length;
      const axis = r.next() < 0.3 ? undefined : r.int(2 * rank) - rank;
      const keepDims = r.next() < 0.5;
      return {
        label: `${shapeText(inputs)} axis ${axis} keepDims ${keepDims}`, inputs,
        run: (x) => ops[op](x, axis, keepDims), ref: (x) => reduceRef(op, x, axis, keepDims),
      };
    },
  };
}

/** Random consecutive sizes (each ≥ 1) adding up to n. */
function partition(r: Random, n: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0;) {
    const s = 1 + r.int(left);
    sizes.push(s);
    left -= s;
  }
  return sizes;
}

export const opTable: OpRow[] = [
  binaryRow('add', (a, b) => a + b),
  binaryRow('sub', (a, b) => a - b),
  binaryRow('mul', (a, b) => a * b),
  binaryRow('div', (a, b) => a / b),
  unaryRow('neg', (x) => -x, ops.neg),
  {
    op: 'sumTo',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4))];
      const target = broadcastPartner(r, inputs[0].shape);
      return { label: `${shapeText(inputs)} → [${target}]`, inputs, run: (x) => ops.sumTo(x, target), ref: (x) => sumToRef(x, target) };
    },
  },
  {
    op: 'broadcastTo',
    sample: (r) => {
      const target = randomShape(r, 1, 4);
      const inputs = [randomPlain(r, broadcastPartner(r, target))];
      return {
        label: `${shapeText(inputs)} → [${target}]`, inputs,
        run: (x) => ops.broadcastTo(x, target), ref: (x) => zipRef((v) => v, x, plain(target)),
      };
    },
  },
  {
    op: 'matmul',
    sample: (r) => {
      const [m, k, n, batch] = [1 + r.int(5), 1 + r.int(5), 1 + r.int(5), 1 + r.int(3)];
      const layout = pick(r, ['2d', 'batched', 'sequence'] as const);
      const transA = layout !== 'sequence' && r.next() < 0.5;
      const transB = r.next() < 0.5;
      const lead = layout === '2d' ? [] : [batch];
      const inputs = [
        randomPlain(r, [...lead, ...(transA ? [k, m] : [m, k])]),
        randomPlain(r, [...(layout === 'batched' ? [batch] : []), ...(transB ? [n, k] : [k, n])]),
      ];
      return {
        label: `${shapeText(inputs)} transA ${transA} transB ${transB}`, inputs,
        run: (a, b) => ops.matmul(a, b, { transA, transB }), ref: (a, b) => matmulRef(a, b, transA, transB),
      };
    },
  },
  {
    op: 'transpose',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4))];
      const rank = inputs[0].shape.length;
      const perm = r.next() < 0.3 ? undefined : Array.from(r.permutation(rank));
      const reversed = Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return {
        label: `${shapeText(inputs)} perm ${perm}`, inputs,
        run: (x) => ops.transpose(x, perm), ref: (x) => transposeRef(x, perm ?? reversed),
      };
    },
  },
  {
    op: 'reshape',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 0, 4))];
      const target: number[] = Array.from(r.permutation(inputs[0].shape.length), (i) => inputs[0].shape[i]);
      if (target.length > 0 && r.next() < 0.5) target[r.int(target.length)] = -1;
      const resolved = target.map((d) => (d === -1 ? size(inputs[0].shape) / size(target.filter((e) => e !== -1)) : d));
      return {
        label: `${shapeText(inputs)} → [${target}]`, inputs,
        run: (x) => ops.reshape(x, target), ref: (x) => plain(resolved, x.data),
      };
    },
  },
  {
    op: 'slice',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4, 5))];
      const begin = inputs[0].shape.map((d) => r.int(d));
      const sizes = inputs[0].shape.map((d, ax) => (r.next() < 0.25 ? -1 : 1 + r.int(d - begin[ax])));
      return {
        label: `${shapeText(inputs)} begin [${begin}] size [${sizes}]`, inputs,
        run: (x) => ops.slice(x, begin, sizes), ref: (x) => sliceRef(x, begin, sizes),
      };
    },
  },
  {
    op: 'split',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 3, 5))];
      const axis = r.int(inputs[0].shape.length);
      const sizes = partition(r, inputs[0].shape[axis]);
      const ref = (x: Plain): Plain[] => {
        let start = 0;
        return sizes.map((s) => {
          const part = sliceRef(x, x.shape.map((_, ax) => (ax === axis ? start : 0)), x.shape.map((d, ax) => (ax === axis ? s : d)));
          start += s;
          return part;
        });
      };
      return { label: `${shapeText(inputs)} sizes [${sizes}] axis ${axis}`, inputs, run: (x) => ops.split(x, sizes, axis), ref };
    },
  },
  {
    op: 'concat',
    sample: (r) => {
      const shape = randomShape(r, 1, 3);
      const axis = r.int(shape.length);
      const inputs = Array.from({ length: 1 + r.int(3) }, () => randomPlain(r, shape.map((d, ax) => (ax === axis ? 1 + r.int(3) : d))));
      return {
        label: `${shapeText(inputs)} axis ${axis}`, inputs,
        run: (...xs) => ops.concat(xs, axis), ref: (...xs) => concatRef(xs, axis),
      };
    },
  },
  {
    op: 'stack',
    sample: (r) => {
      const shape = randomShape(r, 0, 3);
      const axis = r.int(shape.length + 1);
      const inputs = Array.from({ length: 1 + r.int(3) }, () => randomPlain(r, shape));
      const expanded = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
      return {
        label: `${shapeText(inputs)} axis ${axis}`, inputs,
        run: (...xs) => ops.stack(xs, axis), ref: (...xs) => concatRef(xs.map((x) => plain(expanded, x.data)), axis),
      };
    },
  },
  {
    op: 'unstack',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 3))];
      const shape = inputs[0].shape;
      const axis = r.int(shape.length);
      const rest = shape.filter((_, ax) => ax !== axis);
      const ref = (x: Plain): Plain[] =>
        Array.from({ length: shape[axis] }, (_, i) =>
          plain(rest, sliceRef(x, shape.map((_d, ax) => (ax === axis ? i : 0)), shape.map((d, ax) => (ax === axis ? 1 : d))).data));
      return { label: `${shapeText(inputs)} axis ${axis}`, inputs, run: (x) => ops.unstack(x, axis), ref };
    },
  },
  reduceRow('sum'),
  reduceRow('mean'),
  reduceRow('max'),
  unaryRow('exp', Math.exp, ops.exp),
  unaryRow('log', Math.log, ops.log, positive),
  unaryRow('tanh', Math.tanh, ops.tanh),
  unaryRow('sigmoid', (x) => 1 / (1 + Math.exp(-x)), ops.sigmoid, (r) => 4 * r.normal()),
  unaryRow('hardSigmoid', (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)), ops.hardSigmoid, awayFrom([-2.5, 2.5], -4, 4)),
  unaryRow('relu', (x) => Math.max(x, 0), ops.relu, awayFrom([0], -2, 2)),
  unaryRow('square', (x) => x * x, ops.square),
  unaryRow('sqrt', Math.sqrt, ops.sqrt, positive),
  {
    op: 'pow',
    sample: (r) => {
      const p = pick(r, [0, 1, 2, 3, -1, 0.5, 1.5]);
      const inputs = [randomPlain(r, randomShape(r, 0, 3), Number.isInteger(p) && p > 0 ? normal : positive)];
      return { label: `${shapeText(inputs)} p ${p}`, inputs, run: (x) => ops.pow(x, p), ref: (x) => mapRef(x, (v) => v ** p) };
    },
  },
  {
    op: 'clip',
    sample: (r) => {
      const lo = r.uniform(-1, 0);
      const hi = r.uniform(0.1, 1);
      const inputs = [randomPlain(r, randomShape(r, 0, 3), awayFrom([lo, hi], -1.5, 1.5))];
      return {
        label: `${shapeText(inputs)} [${lo}, ${hi}]`, inputs,
        run: (x) => ops.clip(x, lo, hi), ref: (x) => mapRef(x, (v) => Math.min(hi, Math.max(lo, v))),
      };
    },
  },
  {
    op: 'where',
    sample: (r) => {
      const shape = randomShape(r, 0, 3);
      const cond = randomPlain(r, broadcastPartner(r, shape), (q) => (q.next() < 0.5 ? 0 : 1));
      const inputs = [cond, randomPlain(r, broadcastPartner(r, shape)), randomPlain(r, shape)];
      return {
        label: shapeText(inputs), inputs, differentiable: [false, true, true],
        run: (c, a, b) => ops.where(c, a, b), ref: (c, a, b) => zipRef((cv, av, bv) => (cv !== 0 ? av : bv), c, a, b),
      };
    },
  },
  {
    op: 'layerNorm',
    sample: (r) => {
      const x = randomPlain(r, randomShape(r, 1, 3));
      const cols = x.shape[x.shape.length - 1];
      const [withGamma, withBeta] = [r.next() < 0.5, r.next() < 0.5];
      const eps = pick(r, [1e-3, 1e-5]);
      const inputs = [x, ...(withGamma ? [randomPlain(r, [cols])] : []), ...(withBeta ? [randomPlain(r, [cols])] : [])];
      const split = <T>(xs: T[]): [T, T | null, T | null] => [xs[0], withGamma ? xs[1] : null, withBeta ? xs[xs.length - 1] : null];
      return {
        label: `${shapeText(inputs)} gamma ${withGamma} beta ${withBeta} eps ${eps}`, inputs,
        run: (...xs) => { const [a, g, b] = split(xs); return ops.layerNorm(a, g, b, eps); },
        ref: (...xs) => { const [a, g, b] = split(xs); return layerNormRef(a, g, b, eps); },
      };
    },
  },
  ...(['softmax', 'logSoftmax'] as const).map((op): OpRow => ({
    op,
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 3), (q) => 3 * q.normal())];
      return { label: shapeText(inputs), inputs, run: (x) => ops[op](x), ref: (x) => softmaxRef(x, op === 'logSoftmax') };
    },
  })),
  {
    op: 'mse',
    sample: (r) => {
      const shape = randomShape(r, 0, 3);
      const inputs = [randomPlain(r, shape), randomPlain(r, shape)];
      const ref = (p: Plain, t: Plain) => plain([], [reduceRef('mean', zipRef((a, b) => (a - b) ** 2, p, t)).data[0]]);
      return { label: shapeText(inputs), inputs, run: (p, t) => ops.mse(p, t), ref };
    },
  },
  {
    op: 'softmaxCrossEntropy',
    sample: (r) => {
      const shape = randomShape(r, 1, 3);
      const labels = softmaxRef(randomPlain(r, shape), false);
      const inputs = [randomPlain(r, shape), labels];
      const ref = (z: Plain, t: Plain) => {
        const rows = size(z.shape) / z.shape[z.shape.length - 1];
        const logp = softmaxRef(z, true);
        return plain([], [-t.data.reduce((a, tv, i) => a + tv * logp.data[i], 0) / rows]);
      };
      return { label: shapeText(inputs), inputs, run: (z, t) => ops.softmaxCrossEntropy(z, t), ref };
    },
  },
];
