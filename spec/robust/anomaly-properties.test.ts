/**
 * Property: with anomaly detection on, a random chain of element-wise ops on random values
 * (zeros, negatives and values near exp's overflow are favoured) raises exactly when a plain
 * float64 evaluation of the chain meets its first NaN or ±Infinity — and the AnomalyError names
 * that op, the forward phase and the flat index; a chain that stays finite raises nothing and
 * returns the reference values. With detection off, the same chains never raise.
 */
import fc from 'fast-check';
import { tensor } from '../../engine/creation';
import { AnomalyError, detectAnomaly } from '../../engine/anomaly';
import * as ops from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';

const UNARY: Record<string, [(x: Tensor) => Tensor, (v: number) => number]> = {
  exp: [ops.exp, Math.exp],
  log: [ops.log, Math.log],
  sqrt: [ops.sqrt, Math.sqrt],
  tanh: [ops.tanh, Math.tanh],
  sigmoid: [ops.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
  square: [ops.square, (v) => v * v],
  neg: [ops.neg, (v) => -v],
  relu: [ops.relu, (v) => Math.max(0, v)],
};
const value = fc.oneof(fc.constant(0), fc.constant(-1), fc.constant(750), fc.double({ min: -20, max: 20, noNaN: true }));
const arb = fc.record({
  xs: fc.array(value, { minLength: 1, maxLength: 5 }),
  chain: fc.array(fc.constantFrom(...Object.keys(UNARY)), { minLength: 1, maxLength: 6 }),
});

test('the first op whose output is not finite is the one named, at the first bad index', () => {
  fc.assert(fc.property(arb, ({ xs, chain }) => {
    // The reference: the first op (and index) where a value stops being finite.
    let values = xs.slice();
    let firstBad: { op: string; index: number } | null = null;
    for (const op of chain) {
      values = values.map(UNARY[op][1]);
      const index = values.findIndex((v) => !Number.isFinite(v));
      if (index >= 0) {
        firstBad = { op, index };
        break;
      }
    }
    const run = () => chain.reduce((t, op) => UNARY[op][0](t), tensor(xs, { dtype: 'float64', requiresGrad: true }));
    expect(run).not.toThrow(); // off: NaN and Infinity flow through
    let error: unknown = null;
    let out: Tensor | null = null;
    try {
      out = detectAnomaly(run);
    } catch (e) {
      error = e;
    }
    if (firstBad === null) {
      expect(error).toBeNull();
      expect(Array.from(out!.data)).toEqual(values.map((v) => expect.closeTo(v, 10)));
      return;
    }
    expect(error).toBeInstanceOf(AnomalyError);
    const e = error as AnomalyError;
    expect({ op: e.op, phase: e.phase }).toEqual({ op: firstBad.op, phase: 'forward' });
    expect(e.message).toContain(`at flat index ${firstBad.index} of its output [${xs.length}]`);
  }), { numRuns: 500, seed: 41 });
});
