/**
 * Every cell, and every dropout / masking / direction variant, through a whole unrolled
 * sequence in float64, at the suite's tolerance (atol 1e-7, rtol 1e-6).
 */
import { cellCases } from '../../cells/gradcheck-cases';
import { runCase, SUITE_TOLERANCE } from '../../engine/gradcheck-suite';
import { gradcheck } from '../../engine/gradcheck';

describe('cell gradient checks (float64, whole sequence)', () => {
  it('covers every cell and variant the CLI names', () => {
    const names = cellCases.map((c) => c.name);
    for (const n of ['simple', 'ln-simple', 'lstm', 'lstm-fused', 'peephole', 'gru', 'gru-reset-before', 'lstm+dropout',
      'lstm+recurrent-dropout', 'lstm+per-gate', 'lstm+per-step', 'lstm+semeniuta', 'lstm+zoneout']) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(cellCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const row = runCase(c);
    if (!row.passed) {
      // Re-run strictly for a readable failure naming the input, the element and both values.
      gradcheck(c.fn, c.inputs(), { ...SUITE_TOLERANCE, names: c.names, strict: true });
    }
    expect(row.passed).toBe(true);
    expect(row.maxAbsError).toBeLessThan(1e-7);
  });
});
