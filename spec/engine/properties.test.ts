/**
 * Property-based tests (fast-check): broadcasting, matmul, reductions, slicing, concat and layer
 * norm against the plain float64 loops of spec/engine/reference.ts, on thousands of random shapes
 * (size-1 dimensions favoured) and values. Any mismatch fails, and fast-check shrinks it to a
 * minimal shape and values. Seeds are fixed, so a run is reproducible.
 */
import fc from 'fast-check';
import { Tensor } from '../../engine/tensor';
import * as ops from '../../engine/ops';
import {
  Plain, plain, size, fromTensor, toTensor, mismatch, zipRef, sumToRef, matmulRef, reduceRef, sliceRef, concatRef, transposeRef,
  layerNormRef, softmaxRef,
} from './reference';

const RUNS = 400;
const ATOL = 1e-12;
const RTOL = 1e-10;

/** Fail (with a message fast-check prints for the shrunk case) unless actual matches expected. */
function same(actual: Tensor, expected: Plain, what = 'value'): void {
  const bad = mismatch(fromTensor(actual), expected, ATOL, RTOL);
  if (bad) throw new Error(`${what}: ${bad}`);
}

const dim = (max = 5) => fc.oneof(fc.constant(1), fc.integer({ min: 1, max }));
const shapeArb = (minRank: number, maxRank: number, max = 5) => fc.array(dim(max), { minLength: minRank, maxLength: maxRank });
const value = fc.double({ min: -8, max: 8, noNaN: true });
/** A plain array of this shape with arbitrary values; `away` keeps them that far from 0. */
const plainArb = (shape: readonly number[], away = 0) =>
  fc.array(value, { minLength: size(shape), maxLength: size(shape) })
    .map((vs) => plain(shape, away > 0 ? vs.map((v) => (v >= 0 ? v + away : v - away)) : vs));
const f64 = (p: Plain, requiresGrad = false) => toTensor(p, 'float64', requiresGrad);

/** A shape and a broadcast partner (leading axes dropped, some dims set to 1), in either order. */
const broadcastShapesArb = shapeArb(0, 4).chain((shape) =>
  fc.tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), fc.boolean())
    .map(([drop, ones, swap]) => {
      const partner = shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
      return swap ? [partner, shape] : [shape, partner];
    }));

describe('broadcasting binary ops', () => {
  const formulas = { add: (a: number, b: number) => a + b, sub: (a: number, b: number) => a - b, mul: (a: number, b: number) => a * b, div: (a: number, b: number) => a / b };
  test.each(Object.keys(formulas) as (keyof typeof formulas)[])('%s: values, and each gradient summed back to its operand\'s shape', (op) => {
    const arb = broadcastShapesArb.chain(([sa, sb]) => fc.tuple(plainArb(sa), plainArb(sb, op === 'div' ? 0.25 : 0)));
    fc.assert(fc.property(arb, ([a, b]) => {
      const ta = f64(a, true);
      const tb = f64(b, true);
      const y = ops[op](ta, tb);
      same(y, zipRef(formulas[op], a, b));
      // L = Σ y: dL/da = sumTo(∂y/∂a), with ∂(a+b)/∂a = 1, ∂(a−b)/∂b = −1, ∂(ab)/∂a = b, ∂(a/b)/∂b = −a/b².
      ops.sum(y).backward();
      const partials = {
        add: [() => 1, () => 1], sub: [() => 1, () => -1], mul: [(_x: number, q: number) => q, (p: number) => p],
        div: [(_x: number, q: number) => 1 / q, (p: number, q: number) => -p / (q * q)],
      }[op];
      same(ta.grad!, sumToRef(zipRef(partials[0], a, b), a.shape), 'grad a');
      same(tb.grad!, sumToRef(zipRef(partials[1], a, b), b.shape), 'grad b');
    }), { numRuns: RUNS, seed: 11 });
  });
});

describe('matmul', () => {
  const arb = fc.record({
    m: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 6 }), batch: fc.integer({ min: 1, max: 3 }),
    layout: fc.constantFrom('2d', 'batched', 'sequence'), transA: fc.boolean(), transB: fc.boolean(),
  }).chain((c) => {
    const transA = c.layout !== 'sequence' && c.transA;
    const aShape = [...(c.layout === '2d' ? [] : [c.batch]), ...(transA ? [c.k, c.m] : [c.m, c.k])];
    const bShape = [...(c.layout === 'batched' ? [c.batch] : []), ...(c.transB ? [c.n, c.k] : [c.k, c.n])];
    return fc.tuple(fc.constant({ transA, transB: c.transB }), plainArb(aShape), plainArb(bShape));
  });

  test('every transpose variant, 2-D, batched and [B,T,F]·[F,U], values and gradients', () => {
    fc.assert(fc.property(arb, ([t, a, b]) => {
      const ta = f64(a, true);
      const tb = f64(b, true);
      const y = ops.matmul(ta, tb, t);
      const expected = matmulRef(a, b, t.transA, t.transB);
      same(y, expected);
      // With L = Σ y ⊙ w:  d op(A) = w · op(B)ᵀ and d op(B) = op(A)ᵀ · w, transposed back where an
      // operand was used transposed; a [B,T,F] operand against a shared [F,U] folds B·T into rows.
      const w = plain(expected.shape, expected.data.map((_, i) => Math.sin(i + 1)));
      ops.sum(ops.mul(y, f64(w))).backward();
      const flatB = b.shape.length === 2 && a.shape.length === 3;
      const refDA = t.transA ? transposeLast(matmulRef(w, b, false, !t.transB)) : matmulRef(w, b, false, !t.transB);
      same(ta.grad!, refDA, 'grad A');
      const refDB = flatB
        ? matmulRef(plain([a.shape[0] * a.shape[1], a.shape[2]], a.data), plain([w.shape[0] * w.shape[1], w.shape[2]], w.data), true, false)
        : matmulRef(a, w, !t.transA, false);
      same(tb.grad!, t.transB ? transposeLast(refDB) : refDB, 'grad B');
    }), { numRuns: RUNS, seed: 12 });
  });
});

/** Swap the last two axes. */
function transposeLast(p: Plain): Plain {
  const r = p.shape.length;
  return transposeRef(p, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

describe('reductions', () => {
  const arb = shapeArb(1, 4).chain((shape) =>
    fc.tuple(plainArb(shape), fc.option(fc.integer({ min: -shape.length, max: shape.length - 1 }), { nil: undefined }), fc.boolean(),
      fc.constantFrom('sum' as const, 'mean' as const, 'max' as const)));
  test('sum, mean, max over all elements or one axis, with and without keepDims', () => {
    fc.assert(fc.property(arb, ([x, axis, keepDims, op]) => {
      same(ops[op](f64(x), axis, keepDims), reduceRef(op, x, axis, keepDims));
    }), { numRuns: 2 * RUNS, seed: 13 });
  });
});

describe('slice, concat, transpose', () => {
  const sliceArb = shapeArb(1, 4, 6).chain((shape) =>
    fc.tuple(plainArb(shape), fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }))))
      .chain(([x, begin]) => fc.tuple(fc.constant(x), fc.constant(begin),
        fc.tuple(...shape.map((d, ax) => fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: d - begin[ax] })))))));
  test('slice takes the block at begin, and its gradient puts dOut back there', () => {
    fc.assert(fc.property(sliceArb, ([x, begin, sizes]) => {
      const tx = f64(x, true);
      const y = ops.slice(tx, begin, sizes);
      same(y, sliceRef(x, begin, sizes));
      ops.sum(y).backward();
      const mask = plain(x.shape);
      const inside = sliceRef(plain(x.shape, x.data.map((_, i) => i)), begin, sizes);
      for (const i of inside.data) mask.data[i] = 1;
      same(tx.grad!, mask, 'grad');
    }), { numRuns: RUNS, seed: 14 });
  });

  const concatArb = shapeArb(1, 3).chain((shape) =>
    fc.tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }))
      .chain(([axis, lengths]) => fc.tuple(fc.constant(axis),
        fc.tuple(...lengths.map((len) => plainArb(shape.map((d, ax) => (ax === axis ? len : d))))))));
  test('concat joins along an axis (length-0 parts included), and split undoes it', () => {
    fc.assert(fc.property(concatArb, ([axis, parts]) => {
      const y = ops.concat(parts.map((p) => f64(p)), axis);
      same(y, concatRef(parts, axis));
      const back = ops.split(y, parts.map((p) => p.shape[axis]), axis);
      back.forEach((t, k) => same(t, parts[k], `part ${k}`));
    }), { numRuns: RUNS, seed: 15 });
  });

  const permArb = shapeArb(1, 5, 4).chain((shape) =>
    fc.tuple(plainArb(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length })));
  test('transpose permutes axes', () => {
    fc.assert(fc.property(permArb, ([x, perm]) => same(ops.transpose(f64(x), perm), transposeRef(x, perm))), { numRuns: RUNS, seed: 16 });
  });
});

describe('layerNorm', () => {
  const arb = shapeArb(1, 3).chain((shape) => {
    const cols = shape[shape.length - 1];
    return fc.tuple(plainArb(shape), fc.option(plainArb([cols]), { nil: null }), fc.option(plainArb([cols]), { nil: null }),
      fc.constantFrom(1e-3, 1e-5));
  });
  test('normalizes each row of the last axis, with and without γ and β', () => {
    fc.assert(fc.property(arb, ([x, gamma, beta, eps]) => {
      same(ops.layerNorm(f64(x), gamma && f64(gamma), beta && f64(beta), eps), layerNormRef(x, gamma, beta, eps));
    }), { numRuns: RUNS, seed: 17 });
  });
});

describe('softmax, where, stack', () => {
  test('softmax rows are the reference and sum to 1; logSoftmax is their log', () => {
    const arb = shapeArb(1, 3).chain((shape) => plainArb(shape));
    fc.assert(fc.property(arb, (x) => {
      const p = ops.softmax(f64(x));
      same(p, softmaxRef(x, false));
      same(ops.sum(p, -1), plain(x.shape.slice(0, -1), new Array(size(x.shape.slice(0, -1))).fill(1)), 'row sums');
      same(ops.logSoftmax(f64(x)), softmaxRef(x, true), 'logSoftmax');
    }), { numRuns: RUNS, seed: 18 });
  });

  test('where picks a or b by a broadcast condition', () => {
    const arb = broadcastShapesArb.chain(([s1, s2]) =>
      fc.tuple(plainArb(s1).map((c) => plain(c.shape, c.data.map((v) => (v > 0 ? 1 : 0)))), plainArb(s2), plainArb(s1)));
    fc.assert(fc.property(arb, ([c, a, b]) => {
      same(ops.where(f64(c), f64(a), f64(b)), zipRef((cv, av, bv) => (cv !== 0 ? av : bv), c, a, b));
    }), { numRuns: RUNS, seed: 19 });
  });

  test('unstack undoes stack along any axis', () => {
    const arb = shapeArb(0, 3).chain((shape) =>
      fc.tuple(fc.integer({ min: 0, max: shape.length }), fc.array(plainArb(shape), { minLength: 1, maxLength: 4 })));
    fc.assert(fc.property(arb, ([axis, parts]) => {
      const back = ops.unstack(ops.stack(parts.map((p) => f64(p)), axis), axis);
      if (back.length !== parts.length) throw new Error(`${back.length} parts back from ${parts.length}`);
      back.forEach((t, k) => same(t, parts[k], `part ${k}`));
    }), { numRuns: RUNS, seed: 20 });
  });
});
