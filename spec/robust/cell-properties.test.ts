/**
 * Property: one step of every cell equals the plain float64 reference (spec/robust/reference.ts,
 * written from SEMANTICS.md) — on random batch sizes, feature and unit counts, weights, inputs,
 * states, and dropout masks (input and recurrent masks shared by the gates or one per gate,
 * Semeniuta's candidate mask). float64 cells must agree to |Δ| ≤ 1e-12 + 1e-10·|reference|;
 * any mismatch fails and fast-check shrinks it to a minimal shape and values. Seeds are fixed.
 */
import fc from 'fast-check';
import { Tensor } from '../../engine/tensor';
import type { StepMasks } from '../../cells';
import { referenceStep, gatesOf, stateCountOf, firstMismatch, flat } from './reference';
import type { RowMasks, Vec } from './reference';
import { CELL_ROWS, makeCell, installWeights, weightsArb, values, maskValues, rows, tensorOf } from './cells-under-test';

const RUNS = 1000;
const ATOL = 1e-12;
const RTOL = 1e-10;

type MaskMode = 'none' | 'shared' | 'per-gate';
const maskMode = fc.constantFrom<MaskMode>('none', 'shared', 'per-gate');
const maskCount = (mode: MaskMode, gates: number) => (mode === 'none' ? 0 : mode === 'shared' ? 1 : gates);

describe.each(CELL_ROWS)('$label: one step = the reference', ({ spec }) => {
  const gates = gatesOf(spec.kind);
  const stateCount = stateCountOf(spec.kind);
  const hasCandidate = spec.kind !== 'simple' && spec.kind !== 'ln-simple';

  const caseArb = fc.record({
    batch: fc.integer({ min: 1, max: 4 }),
    features: fc.integer({ min: 1, max: 5 }),
    units: fc.integer({ min: 1, max: 5 }),
    inputMode: maskMode,
    recurrentMode: maskMode,
    candidate: fc.boolean(),
  }).chain((d) => fc.record({
    d: fc.constant(d),
    weights: weightsArb(spec, d.features, d.units),
    x: values(d.batch * d.features, 3),
    // h in [−1, 1] as a tanh output would be; c unbounded in principle, drawn in [−3, 3].
    states: fc.tuple(...Array.from({ length: stateCount }, (_, s) => values(d.batch * d.units, s === 0 ? 1 : 3))),
    inputMasks: fc.tuple(...Array.from({ length: maskCount(d.inputMode, gates) }, () => maskValues(d.batch * d.features))),
    recurrentMasks: fc.tuple(...Array.from({ length: maskCount(d.recurrentMode, gates) }, () => maskValues(d.batch * d.units))),
    candidateMask: maskValues(d.batch * d.units),
  }));

  test(`float64, ${RUNS} random cases, |Δ| ≤ ${ATOL} + ${RTOL}·|ref|`, () => {
    fc.assert(fc.property(caseArb, ({ d, weights, x, states, inputMasks, recurrentMasks, candidateMask }) => {
      const { batch, features, units } = d;
      const cell = makeCell(spec, units, 'float64');
      const w = installWeights(cell, spec, features, weights, 'float64');
      const useCandidate = hasCandidate && d.candidate;
      const masks: StepMasks = {
        recurrent: recurrentMasks.length ? recurrentMasks.map((m) => tensorOf(m, [batch, units], 'float64')) : null,
        candidate: useCandidate ? tensorOf(candidateMask, [batch, units], 'float64') : null,
      };
      const xT = tensorOf(x, [batch, features], 'float64');
      const inputT = inputMasks.length ? inputMasks.map((m) => tensorOf(m, [batch, features], 'float64')) : null;
      const next = cell.step(cell.projectInput(xT, inputT), states.map((s) => tensorOf(s, [batch, units], 'float64')), masks);

      const expected: Vec[][] = Array.from({ length: stateCount }, () => []);
      for (let b = 0; b < batch; b++) {
        const row: RowMasks = {
          input: inputMasks.length ? inputMasks.map((m) => rows(m, batch)[b]) : null,
          recurrent: recurrentMasks.length ? recurrentMasks.map((m) => rows(m, batch)[b]) : null,
          candidate: useCandidate ? rows(candidateMask, batch)[b] : null,
        };
        referenceStep(spec, w, rows(x, batch)[b], states.map((s) => rows(s, batch)[b]), row).forEach((s, k) => expected[k].push(s));
      }
      expect(next.length).toBe(stateCount);
      next.forEach((t: Tensor, k) => {
        expect(t.shape).toEqual([batch, units]);
        const bad = firstMismatch(t.data, flat(expected[k]), ATOL, RTOL);
        if (bad) throw new Error(`state ${k} (${k === 0 ? 'h' : 'c'}): ${bad}`);
      });
    }), { numRuns: RUNS, seed: 7 });
  });
});
