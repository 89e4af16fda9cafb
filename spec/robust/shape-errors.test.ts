/**
 * Property: every op either accepts its operands and returns the shape an independent rule
 * predicts, or refuses them with an OpError whose message starts with the op's name and names
 * the caller's shapes — never a TypeError, a RangeError, a wrong shape, or a silent result.
 * Shapes are drawn at random with a bias towards near-misses (a dimension off by one, a rank
 * too many), so both outcomes are exercised; failures shrink to the smallest such shapes.
 */
import fc from 'fast-check';
import { OpError, fmt } from '../../engine/shape';
import { zeros } from '../../engine/creation';
import * as ops from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';

const RUNS = 300;
const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = (minRank = 0, maxRank = 4) => fc.array(dim, { minLength: minRank, maxLength: maxRank });
const z = (shape: readonly number[]) => zeros(shape.slice(), { dtype: 'float64' });

/** Right-aligned broadcasting (NumPy): the result shape, or null when a pair of dimensions clashes. */
function broadcastRule(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const p = a[a.length - rank + i] ?? 1;
    const q = b[b.length - rank + i] ?? 1;
    if (p !== q && p !== 1 && q !== 1) return null;
    out.push(Math.max(p, q));
  }
  return out;
}

/**
 * Run `call`; when `expected` is a shape the op must return that shape, when null it must throw
 * an OpError from `op` whose message names every shape in `named`.
 */
function check(op: string, call: () => Tensor | Tensor[], expected: number[] | number[][] | null, named: readonly (readonly number[])[]): void {
  let result: Tensor | Tensor[];
  try {
    result = call();
  } catch (e) {
    if (expected !== null) throw new Error(`${op} refused valid operands ${named.map(fmt).join(', ')}: ${(e as Error).message}`);
    if (!(e instanceof OpError) || e.op !== op) throw new Error(`${op} threw ${(e as Error).name} "${(e as Error).message}", expected an OpError from ${op}`);
    for (const s of named) if (!e.message.includes(fmt(s))) throw new Error(`${op}'s message "${e.message}" does not name ${fmt(s)}`);
    return;
  }
  if (expected === null) throw new Error(`${op} accepted invalid operands ${named.map(fmt).join(', ')}`);
  const shapes = Array.isArray(result) ? result.map((t) => t.shape.slice()) : result.shape.slice();
  expect(shapes).toEqual(expected);
}

/** A shape and a partner that usually nearly matches it. */
const pairArb = shapeArb().chain((a) => fc.oneof(
  fc.constant(a.slice()),
  shapeArb(),
  fc.tuple(fc.nat({ max: Math.max(0, a.length - 1) }), fc.integer({ min: -1, max: 1 })).map(([i, d]) => a.map((v, k) => (k === i ? Math.max(1, v + d) : v))),
  fc.tuple(dim, fc.boolean()).map(([d, front]) => (front ? [d, ...a] : [...a, d])),
).map((b) => [a, b] as const));

describe('every op refuses mismatched shapes with its own error, and accepts matching ones', () => {
  test.each(['add', 'sub', 'mul', 'div'] as const)('%s: broadcasting', (op) => {
    fc.assert(fc.property(pairArb, ([a, b]) => check(op, () => ops[op](z(a), z(b)), broadcastRule(a, b), [a, b])), { numRuns: RUNS, seed: 1 });
  });

  test('where(cond, a, b): the three shapes broadcast together', () => {
    fc.assert(fc.property(pairArb, shapeArb(0, 2), ([a, b], c) => {
      const ab = broadcastRule(a, b);
      const out = ab && broadcastRule(c, ab);
      check('where', () => ops.where(z(c), z(a), z(b)), out, []);
    }), { numRuns: RUNS, seed: 2 });
  });

  test('matmul: 2-D × 2-D, 3-D × 3-D, [B,T,F] × [F,U], with transposes', () => {
    const arb = fc.record({ a: shapeArb(1, 3), b: shapeArb(1, 3), transA: fc.boolean(), transB: fc.boolean(), tie: fc.boolean() }).map((c) => {
      // Often make the inner dimensions agree, so that accepted cases are drawn too.
      if (!c.tie || c.a.length < 2 || c.b.length < 2) return c;
      const b = c.b.slice();
      const k = c.transA && c.a.length === b.length ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
      b[c.transB ? b.length - 1 : b.length - 2] = k;
      if (b.length === 3 && c.a.length === 3) b[0] = c.a[0];
      return { ...c, b };
    });
    fc.assert(fc.property(arb, ({ a, b, transA, transB }) => {
      let expected: number[] | null = null;
      if (a.length === 3 && b.length === 2 && !transA) {
        const [n, kb] = transB ? [b[0], b[1]] : [b[1], b[0]];
        if (a[2] === kb) expected = [a[0], a[1], n];
      } else if ((a.length === 2 && b.length === 2) || (a.length === 3 && b.length === 3 && a[0] === b[0])) {
        const r = a.length - 2;
        const [m, k] = transA ? [a[r + 1], a[r]] : [a[r], a[r + 1]];
        const [kb, n] = transB ? [b[r + 1], b[r]] : [b[r], b[r + 1]];
        if (k === kb) expected = [...a.slice(0, r), m, n];
      }
      check('matmul', () => ops.matmul(z(a), z(b), { transA, transB }), expected, [a, b]);
    }), { numRuns: RUNS, seed: 3 });
  });

  test('concat and stack', () => {
    fc.assert(fc.property(pairArb, fc.integer({ min: -4, max: 4 }), ([a, b], axis) => {
      const rank = a.length;
      const ax = axis < 0 ? axis + rank : axis;
      const axisOk = rank > 0 && ax >= 0 && ax < rank;
      const same = b.length === rank && a.every((d, i) => i === ax || d === b[i]);
      check('concat', () => ops.concat([z(a), z(b)], axis), axisOk && same ? a.map((d, i) => (i === ax ? d + b[i] : d)) : null, axisOk ? [a, b] : []);
      const equal = fmt(a) === fmt(b);
      check('stack', () => ops.stack([z(a), z(b)]), equal ? [2, ...a] : null, [a, b]);
    }), { numRuns: RUNS, seed: 4 });
  });

  const axisArb = fc.record({
    x: shapeArb(1, 4),
    target: fc.array(fc.oneof(dim, fc.constant(-1), fc.constant(-2)), { minLength: 0, maxLength: 4 }),
    perm: fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 0, maxLength: 4 }),
    count: fc.integer({ min: 1, max: 4 }),
    axis: fc.integer({ min: -5, max: 5 }),
  });

  test('reshape: sizes must agree, at most one −1, no other negative dimension', () => {
    fc.assert(fc.property(axisArb, ({ x, target }) => {
      const size = x.reduce((p, d) => p * d, 1);
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const unknowns = target.filter((d) => d === -1).length;
      const reshaped = target.some((d) => d < -1) || unknowns > 1 ? null
        : unknowns === 1 ? (size % known === 0 ? target.map((d) => (d === -1 ? size / known : d)) : null)
        : known === size ? target.slice() : null;
      check('reshape', () => ops.reshape(z(x), target), reshaped, reshaped ? [] : [x, target]);
    }), { numRuns: RUNS, seed: 5 });
  });

  test('transpose, split, and the reductions\' axes', () => {
    fc.assert(fc.property(axisArb, ({ x, perm, count, axis }) => {
      const isPerm = perm.length === x.length && [...perm].sort((p, q) => p - q).every((v, i) => v === i);
      check('transpose', () => ops.transpose(z(x), perm), isPerm ? perm.map((p) => x[p]) : null, [x]);
      const ax = axis < 0 ? axis + x.length : axis;
      const axisOk = ax >= 0 && ax < x.length;
      check('split', () => ops.split(z(x), count, axis), axisOk && x[ax] % count === 0 ? Array.from({ length: count }, () => x.map((d, i) => (i === ax ? d / count : d))) : null, axisOk ? [x] : []);
      for (const op of ['sum', 'mean', 'max'] as const) check(op, () => ops[op](z(x), axis), axisOk ? x.filter((_, i) => i !== ax) : null, []);
    }), { numRuns: RUNS, seed: 5 });
  });

  test('slice: begin and size inside the shape', () => {
    const arb = shapeArb(1, 3).chain((x) => fc.record({
      x: fc.constant(x),
      begin: fc.tuple(...x.map((d) => fc.integer({ min: -1, max: d }))),
      size: fc.tuple(...x.map((d) => fc.integer({ min: -1, max: d + 1 }))),
    }));
    fc.assert(fc.property(arb, ({ x, begin, size }) => {
      const out = size.map((s, i) => (s === -1 ? x[i] - begin[i] : s));
      const ok = begin.every((b, i) => b >= 0 && out[i] >= 0 && b + out[i] <= x[i]);
      check('slice', () => ops.slice(z(x), begin, size), ok ? out : null, [x]);
    }), { numRuns: RUNS, seed: 6 });
  });

  test('layerNorm\'s γ and β, and the losses\' prediction and target', () => {
    fc.assert(fc.property(pairArb.filter(([a]) => a.length > 0), shapeArb(0, 2), ([a, b], g) => {
      const last = [a[a.length - 1]];
      check('layerNorm', () => ops.layerNorm(z(a), z(g), null), fmt(g) === fmt(last) ? a.slice() : null, [g]);
      check('mse', () => ops.mse(z(a), z(b)), fmt(a) === fmt(b) ? [] : null, [a, b]);
      check('softmaxCrossEntropy', () => ops.softmaxCrossEntropy(z(a), z(b)), fmt(a) === fmt(b) ? [] : null, [a, b]);
    }), { numRuns: RUNS, seed: 7 });
  });
});
