/**
 * One table of ops (spec/engine/op-table.ts) drives:
 *  (a) value tests against plain float64 loops (spec/engine/reference.ts), in float64 and float32,
 *      on random shapes with broadcasting and size-1 dimensions;
 *  (b) the float64 gradient check of each op on random shapes of its own;
 * and the fixed gradient-check rows of engine/op-cases.ts (what `rnngrad gradcheck` prints) must
 * each pass at SUITE_TOLERANCE, with every op of the table represented there and vice versa.
 */
import { Random } from '../../engine/random';
import { Tensor } from '../../engine/tensor';
import { gradcheck } from '../../engine/gradcheck';
import { opCases } from '../../engine/op-cases';
import { runCase, SUITE_TOLERANCE } from '../../engine/gradcheck-suite';
import { opTable, Sample } from './op-table';
import { Plain, fromTensor, mismatch, toTensor } from './reference';

const VALUE_SAMPLES = 24;
const GRADCHECK_SAMPLES = 4;

const asList = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/** Run a sample in one dtype; the first mismatch against the reference, described, or null. */
function compare(s: Sample, dtype: 'float32' | 'float64', atol: number, rtol: number): string | null {
  // The reference sees exactly the values the op sees: float32 inputs are rounded first.
  const inputs: Plain[] = s.inputs.map((p) => (dtype === 'float32' ? { shape: p.shape, data: Float64Array.from(p.data, Math.fround) } : p));
  const actual = asList(s.run(...inputs.map((p) => toTensor(p, dtype))));
  const expected = asList(s.ref(...inputs));
  if (actual.length !== expected.length) return `${actual.length} outputs, expected ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    if (actual[k].dtype !== dtype) return `output ${k} is ${actual[k].dtype}, expected ${dtype}`;
    const bad = mismatch(fromTensor(actual[k]), expected[k], atol, rtol);
    if (bad) return `output ${k}: ${bad}`;
  }
  return null;
}

describe.each(opTable)('$op', (row) => {
  const seed = [...row.op].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7) >>> 0;

  test('float64 values match the plain-loop reference on random shapes', () => {
    const rng = new Random(seed);
    const failures: string[] = [];
    for (let i = 0; i < VALUE_SAMPLES; i++) {
      const s = row.sample(rng);
      const bad = compare(s, 'float64', 1e-12, 1e-10);
      if (bad) failures.push(`${s.label}: ${bad}`);
    }
    expect(failures).toEqual([]);
  });

  test('float32 values match the reference to float32 precision', () => {
    const rng = new Random(seed + 1);
    const failures: string[] = [];
    for (let i = 0; i < VALUE_SAMPLES; i++) {
      const s = row.sample(rng);
      const bad = compare(s, 'float32', 1e-5, 1e-5);
      if (bad) failures.push(`${s.label}: ${bad}`);
    }
    expect(failures).toEqual([]);
  });

  test('float64 gradcheck passes at SUITE_TOLERANCE on random shapes', () => {
    const rng = new Random(seed + 2);
    for (let i = 0; i < GRADCHECK_SAMPLES; i++) {
      const s = row.sample(rng);
      const inputs = s.inputs.map((p, k) => toTensor(p, 'float64', s.differentiable?.[k] ?? true));
      const report = gradcheck((...xs: Tensor[]) => s.run(...xs), inputs, { ...SUITE_TOLERANCE, strict: false });
      expect({ sample: s.label, passed: report.passed, inputs: report.inputs }).toMatchObject({ sample: s.label, passed: true });
    }
  });
});

describe('the gradcheck table of engine/op-cases.ts', () => {
  test.each(opCases.map((c) => [c.name, c] as const))('%s passes at atol 1e-7, rtol 1e-6', (_name, c) => {
    const row = runCase(c);
    expect(row).toMatchObject({ name: c.name, kind: 'op', passed: true });
    expect(row.maxAbsError).toBeLessThan(1e-7);
  });

  test('every op of the value table has gradcheck rows, and every row is an op of the table', () => {
    const tableOps = new Set(opTable.map((r) => r.op));
    const caseOps = new Set(opCases.map((c) => c.name.split('-')[0]));
    expect([...tableOps].filter((op) => !caseOps.has(op))).toEqual([]);
    expect([...caseOps].filter((op) => !tableOps.has(op))).toEqual([]);
  });

  test('row names are unique', () => {
    const names = opCases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the issue\'s list of ops is covered', () => {
    const required = ['add', 'sub', 'mul', 'div', 'neg', 'matmul', 'transpose', 'reshape', 'slice', 'split', 'concat', 'stack',
      'sum', 'mean', 'max', 'exp', 'log', 'tanh', 'sigmoid', 'hardSigmoid', 'relu', 'square', 'sqrt', 'pow', 'clip', 'where',
      'layerNorm', 'softmax', 'logSoftmax', 'mse', 'softmaxCrossEntropy'];
    const names = new Set(opCases.map((c) => c.name));
    expect(required.filter((op) => !names.has(op))).toEqual([]);
    for (const variant of ['transA', 'transB', 'transAB', 'batched', 'sequence']) {
      expect(opCases.some((c) => c.name.startsWith('matmul-') && c.name.includes(variant))).toBe(true);
    }
  });
});
