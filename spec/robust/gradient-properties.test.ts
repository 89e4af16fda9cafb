/**
 * Property: backpropagation through time equals the numerical derivative of the plain reference.
 * For random small layers of every smooth cell (the hard-sigmoid and ReLU rows have kinks, where
 * finite differences are meaningless), the engine's gradients — fused and composed — of
 * L = Σ r ⊙ output + Σ_k r_k ⊙ state_k with respect to x, the initial states and every weight are
 * compared with central differences (h = 1e-5, one Richardson step) of the same L computed by
 * spec/robust/reference.ts, which shares no code with the engine. An entry passes when
 * |analytic − numeric| ≤ 1e-7 + 1e-6·|numeric| (the gradcheck suite's tolerance; 1e-5 for the LN cell, below).
 */
import fc from 'fast-check';
import { RNN } from '../../cells';
import { add, mul, sum } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';
import { referenceLayer, stateCountOf, flat } from './reference';
import type { CellSpec, CellWeights, Vec } from './reference';
import { CELL_ROWS, makeCell, installWeights, weightsArb, weightShapes, values, rows, nest, tensorOf } from './cells-under-test';

const RUNS = 60;
const H = 1e-5;
const [ATOL, RTOL] = [1e-7, 1e-6];
/**
 * The LN cell's loss is ill-conditioned where a row's variance is near 0 (each step multiplies by
 * up to γ/sqrt(ε) ≈ 32): the reference's own rounding, divided by h, then reaches ~1e-6 of the
 * derivative, so its rows get rtol 1e-5 (fused and composed still agree to 1e-8, layer-properties).
 */
const rtolFor = (spec: CellSpec) => (spec.kind === 'ln-simple' ? 1e-5 : RTOL);
const SMOOTH = CELL_ROWS.filter((r) => !r.spec.hard && r.spec.activation === 'tanh');

const caseArb = (spec: CellSpec) => fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  time: fc.integer({ min: 1, max: 4 }),
  features: fc.integer({ min: 1, max: 2 }),
  units: fc.integer({ min: 1, max: 3 }),
  returnSequences: fc.boolean(),
  goBackwards: fc.boolean(),
  masked: fc.boolean(),
}).chain((d) => fc.record({
  d: fc.constant(d),
  weights: weightsArb(spec, d.features, d.units),
  x: values(d.batch * d.time * d.features, 2),
  mask: fc.array(fc.constantFrom(0, 1, 1), { minLength: d.batch * d.time, maxLength: d.batch * d.time }),
  initial: fc.tuple(...Array.from({ length: stateCountOf(spec.kind) }, () => values(d.batch * d.units, 1))),
  projection: values(d.batch * d.time * d.units * (1 + stateCountOf(spec.kind)), 1),
}));

describe.each(SMOOTH)('$label: BPTT = finite differences of the reference', ({ spec }) => {
  test(`${RUNS} random layers, fused and composed, |Δ| ≤ ${ATOL} + ${rtolFor(spec)}·|numeric|`, () => {
    const rtol = rtolFor(spec);
    fc.assert(fc.property(caseArb(spec), ({ d, weights, x, mask, initial, projection }) => {
      const { batch, time, features, units } = d;
      const shapes = weightShapes(spec, features, units);
      // The loss as the reference computes it, from flat inputs [x, ...initial, ...weights].
      const referenceLoss = (xs: number[], init: number[][], ws: number[][]): number => {
        const w: CellWeights = Object.fromEntries(shapes.map(([name, shape], k) => [name, nest(ws[k], shape)]));
        const run = referenceLayer(spec, w, rows(xs, batch).map((r): Vec[] => rows(r, time)), {
          returnSequences: d.returnSequences, goBackwards: d.goBackwards,
          mask: d.masked ? rows(mask, batch) : null, initial: init.map((s) => rows(s, batch)),
        });
        const outs = [flat(run.output), ...run.states.map((s) => flat(s))].flat();
        return outs.reduce((acc, v, k) => acc + v * projection[k], 0);
      };
      const leaves: number[][] = [x, ...initial, ...weights];
      const split = (all: number[][]) => ({ xs: all[0], init: all.slice(1, 1 + initial.length), ws: all.slice(1 + initial.length) });
      const numeric = leaves.map((leaf, i) => leaf.map((_, j) => {
        const at = (delta: number) => {
          const moved = leaves.map((l, k) => (k === i ? l.map((v, m) => (m === j ? v + delta : v)) : l));
          const { xs, init, ws } = split(moved);
          return referenceLoss(xs, init, ws);
        };
        // Central differences with one Richardson step: (4·D(h/2) − D(h)) / 3, error O(h⁴) —
        // the layer norm of a nearly constant row has large higher derivatives (gain 1/sqrt(ε)).
        const central = (h: number) => (at(h) - at(-h)) / (2 * h);
        return (4 * central(H / 2) - central(H)) / 3;
      }));

      for (const fused of [true, false]) {
        const cell = makeCell(spec, units, 'float64');
        installWeights(cell, spec, features, weights, 'float64');
        const layer = new RNN(cell, { fused, returnSequences: d.returnSequences, goBackwards: d.goBackwards });
        const xT = tensorOf(x, [batch, time, features], 'float64', true);
        const init = initial.map((s) => tensorOf(s, [batch, units], 'float64', true));
        // Keras masking from given initial states takes the composed path even when fused.
        const { output, states } = layer.callWithState(xT, { initialState: init, mask: d.masked ? tensorOf(mask, [batch, time], 'float64') : null });
        let offset = 0;
        const terms = [output, ...states].map((t: Tensor) => {
          const r = tensorOf(projection.slice(offset, offset + t.size), t.shape, 'float64');
          offset += t.size;
          return sum(mul(t, r));
        });
        terms.reduce((a, b) => add(a, b)).backward();
        [xT, ...init, ...cell.weights().map((w) => w.tensor)].forEach((t, i) => {
          numeric[i].forEach((n, j) => {
            const a = t.grad ? t.grad.data[j] : 0;
            if (!(Math.abs(a - n) <= ATOL + rtol * Math.abs(n))) {
              const name = i === 0 ? 'x' : i <= initial.length ? `initial state ${i - 1}` : shapes[i - 1 - initial.length][0];
              throw new Error(`${fused ? 'fused' : 'composed'}: ∂L/∂${name}[${j}] = ${a}, finite differences of the reference give ${n}`);
            }
          });
        });
      }
    }), { numRuns: RUNS, seed: 31 });
  });
});
