/**
 * Property: the whole RNN layer — composed (the cell unrolled op by op) and fused (one tape entry
 * per sequence) — equals the plain float64 reference unroll (spec/robust/reference.ts), for every
 * cell, on random batch/time/feature/unit counts, weights and inputs, with and without a Keras
 * padding mask, initial states, go_backwards and return_sequences. Checked: the output and the
 * final states against the reference (float64: |Δ| ≤ 1e-12 + 1e-10·|ref|), and the gradients of
 * a random projection of output and states with respect to x, the initial states and every
 * weight, fused against composed (|Δ| ≤ 1e-10 + 1e-8·|composed|). A float32 fused layer is
 * checked against the same reference at |Δ| ≤ 1e-4 + 1e-4·|ref| (float32 rounding through the
 * steps, amplified by up to 1/sqrt(ε) = 32 in the layer norm).
 */
import fc from 'fast-check';
import { RNN } from '../../cells';
import type { RecurrentCell, BaseCell } from '../../cells';
import { Tensor } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import { add, mul, sum } from '../../engine/ops';
import { tapeOf } from '../../engine/tape';
import { referenceLayer, stateCountOf, firstMismatch, flat } from './reference';
import type { CellSpec, LayerSetup, Vec } from './reference';
import { CELL_ROWS, makeCell, installWeights, weightsArb, values, rows, tensorOf } from './cells-under-test';

const RUNS = 400;
const RUNS_F32 = 200;
const TOL = { f64: [1e-12, 1e-10], grad: [1e-10, 1e-8], f32: [1e-4, 1e-4] } as const;

const caseArb = (spec: CellSpec) => fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 4 }),
  units: fc.integer({ min: 1, max: 4 }),
  returnSequences: fc.boolean(),
  goBackwards: fc.boolean(),
  masked: fc.boolean(),
  withInitial: fc.boolean(),
}).chain((d) => fc.record({
  d: fc.constant(d),
  weights: weightsArb(spec, d.features, d.units),
  x: values(d.batch * d.time * d.features, 2),
  mask: fc.array(fc.constantFrom(0, 1, 1), { minLength: d.batch * d.time, maxLength: d.batch * d.time }),
  initial: fc.tuple(...Array.from({ length: stateCountOf(spec.kind) }, () => values(d.batch * d.units, 1))),
  // The projection Σ r ⊙ output + Σ r_k ⊙ state_k that is differentiated.
  projection: values(d.batch * d.time * d.units * (1 + stateCountOf(spec.kind)), 1),
}));
type Case = typeof caseArb extends (s: CellSpec) => fc.Arbitrary<infer C> ? C : never;

interface Pass {
  readonly output: Tensor;
  readonly states: Tensor[];
  readonly grads: Tensor[];
  readonly ops: string[];
}

/** Run the engine's layer (fused or composed) on the case; backward through the projection. */
function runLayer(spec: CellSpec, c: Case, fused: boolean, dtype: DType): { pass: Pass; cell: BaseCell & RecurrentCell } {
  const { batch, time, features, units } = c.d;
  const cell = makeCell(spec, units, dtype);
  installWeights(cell, spec, features, c.weights, dtype);
  const layer = new RNN(cell, { fused, returnSequences: c.d.returnSequences, goBackwards: c.d.goBackwards });
  const x = tensorOf(c.x, [batch, time, features], dtype, true);
  const initial = c.d.withInitial ? c.initial.map((s) => tensorOf(s, [batch, units], dtype, true)) : null;
  const mask = c.d.masked ? tensorOf(c.mask, [batch, time], dtype) : null;
  const { output, states } = layer.callWithState(x, { mask, initialState: initial });
  const ops = tapeOf(output).map((e) => e.op);
  let offset = 0;
  const project = (t: Tensor) => {
    const r = tensorOf(c.projection.slice(offset, offset + t.size), t.shape, dtype);
    offset += t.size;
    return sum(mul(t, r));
  };
  [output, ...states].map(project).reduce((a, b) => add(a, b)).backward();
  const leaves = [x, ...(initial ?? []), ...cell.weights().map((w) => w.tensor)];
  return { pass: { output, states, grads: leaves.map((t) => t.grad ?? tensorOf(new Array<number>(t.size).fill(0), t.shape, dtype)), ops }, cell };
}

function reference(spec: CellSpec, c: Case, cell: BaseCell): { output: number[]; states: number[][] } {
  const { batch, time, units } = c.d;
  const w = Object.fromEntries(cell.weights().map((p) => [p.name, p.tensor.rank === 1 ? Array.from(p.tensor.data) : rows(Array.from(p.tensor.data), p.tensor.shape[0])]));
  const setup: LayerSetup = {
    returnSequences: c.d.returnSequences,
    goBackwards: c.d.goBackwards,
    mask: c.d.masked ? rows(c.mask, batch) : null,
    initial: c.d.withInitial ? c.initial.map((s) => rows(s, batch)) : null,
  };
  const xs: Vec[][] = rows(c.x, batch).map((r) => rows(r, time));
  void units;
  const run = referenceLayer(spec, w, xs, setup);
  return { output: flat(run.output), states: run.states.map((s) => flat(s)) };
}

function agree(what: string, actual: ArrayLike<number>, expected: readonly number[], [atol, rtol]: readonly [number, number]): void {
  const bad = firstMismatch(actual, expected, atol, rtol);
  if (bad) throw new Error(`${what}: ${bad}`);
}

describe.each(CELL_ROWS)('$label: the RNN layer = the reference unroll', ({ spec }) => {
  test(`composed and fused, float64, ${RUNS} random cases; fused gradients = composed gradients`, () => {
    fc.assert(fc.property(caseArb(spec), (c) => {
      const composed = runLayer(spec, c, false, 'float64');
      const fused = runLayer(spec, c, true, 'float64');
      const ref = reference(spec, c, composed.cell);
      for (const [name, { pass }] of [['composed', composed], ['fused', fused]] as const) {
        agree(`${name} output`, pass.output.data, ref.output, TOL.f64);
        pass.states.forEach((s, k) => agree(`${name} final state ${k}`, s.data, ref.states[k], TOL.f64));
      }
      // The fused layer really took its fused op (it falls back only for a mask with given initial states).
      if (!(c.d.masked && c.d.withInitial)) expect(fused.pass.ops.some((op) => op.endsWith('Sequence'))).toBe(true);
      expect(composed.pass.ops.some((op) => op.endsWith('Sequence'))).toBe(false);
      composed.pass.grads.forEach((g, k) => agree(`gradient of input ${k}`, fused.pass.grads[k].data, Array.from(g.data), TOL.grad));
    }), { numRuns: RUNS, seed: 17 });
  });

  test(`fused float32, ${RUNS_F32} random cases, |Δ| ≤ ${TOL.f32[0]} + ${TOL.f32[1]}·|ref|`, () => {
    fc.assert(fc.property(caseArb(spec), (c) => {
      const { pass, cell } = runLayer(spec, c, true, 'float32');
      const ref = reference(spec, c, cell); // the float32 weights, read back exactly
      agree('output', pass.output.data, ref.output, TOL.f32);
      pass.states.forEach((s, k) => agree(`final state ${k}`, s.data, ref.states[k], TOL.f32));
    }), { numRuns: RUNS_F32, seed: 23 });
  });
});
