/**
 * The op table of the value tests and the random-shape gradient checks (spec/engine/ops.test.ts).
 * Each row draws a random sample — shapes (with broadcasting and size-1 dimensions), values kept
 * clear of kinks, and any parameters — and gives the rnngrad call and a plain-loop reference.
 * Adding a row enrols the op in the value tests (float64 and float32) and the float64 gradcheck.
 */
import type { Random } from '../../engine/random';
import type { Tensor } from '../../engine/tensor';
import * as ops from '../../engine/ops';
import { Plain, plain, size, zipRef, mapRef, reduceRef, layerNormRef, softmaxRef, randomShape, broadcastPartner, randomPlain } from './reference';
import { OpRow, shapeText, normal, signed, positive, awayFrom, pick } from './sample';
import { layoutRows } from './op-table-layout';

export type { OpRow, Sample } from './sample';

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
export const opTable: OpRow[] = [
  binaryRow('add', (a, b) => a + b),
  binaryRow('sub', (a, b) => a - b),
  binaryRow('mul', (a, b) => a * b),
  binaryRow('div', (a, b) => a / b),
  unaryRow('neg', (x) => -x, ops.neg),
  ...layoutRows,
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
