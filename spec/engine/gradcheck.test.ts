/**
 * The public gradcheck: its report, its modes, which inputs it checks, and the readable message
 * of strict mode — exercised on correct ops and on an op recorded with a deliberately wrong rule.
 */
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { record } from '../../engine/tape';
import { gradcheck } from '../../engine/gradcheck';
import { mul, sum, tanh, matmul, exp } from '../../engine/ops';
import { empty } from '../../engine/ops/util';

/** y = 2x, whose rule sends back 2·dOut everywhere except `wrongAt`, where it adds `error`. */
function doubledWithWrongRule(x: Tensor, wrongAt: number, error: number): Tensor {
  const out = empty(x.shape, x.dtype);
  for (let i = 0; i < x.size; i++) out.data[i] = 2 * x.data[i];
  return record('doubled', [x], out, (dOut) => {
    const dx = empty(x.shape, x.dtype);
    for (let i = 0; i < x.size; i++) dx.data[i] = 2 * dOut.data[i] + (i === wrongAt ? error : 0);
    return [dx];
  });
}

const x23 = () => tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], { dtype: 'float64' });

describe('gradcheck', () => {
  test('a correct op passes, with the report fields filled in', () => {
    const report = gradcheck((x) => sum(tanh(x)), [x23()], { atol: 1e-7, rtol: 1e-6 });
    expect(report).toMatchObject({ passed: true, mode: 'jacobian' });
    expect(report.inputs).toHaveLength(1);
    const r = report.inputs[0];
    expect(r).toMatchObject({ name: 'x0', shape: [2, 3], passed: true });
    expect(r.maxAbsError).toBeLessThan(1e-8);
    expect(r.maxRelError).toBeLessThanOrEqual(r.maxAbsError); // |numeric| ≤ 1 here, so rel = abs / 1
    expect(r.worst.index).toHaveLength(2);
    expect(Math.abs(r.worst.analytic - r.worst.numeric)).toBeLessThan(1e-8);
    expect(report.maxAbsError).toBe(r.maxAbsError);
  });

  test('many outputs are checked through a random projection, few through the Jacobian', () => {
    expect(gradcheck((x) => tanh(x), [x23()]).mode).toBe('jacobian'); // 6 outputs
    const big = tensor(Float64Array.from({ length: 12 }, (_, i) => i / 10), [3, 4]);
    const report = gradcheck((x) => exp(x), [big], { atol: 1e-7, rtol: 1e-6 });
    expect(report).toMatchObject({ mode: 'projection', passed: true });
    expect(gradcheck((x) => exp(x), [big], { mode: 'jacobian' }).mode).toBe('jacobian');
  });

  test('several outputs at once', () => {
    const report = gradcheck((x) => [mul(x, x), sum(x)], [x23()], { atol: 1e-7, rtol: 1e-6, mode: 'jacobian' });
    expect(report.passed).toBe(true);
  });

  test('a wrong rule fails, and the report points at the wrong element with both values', () => {
    const report = gradcheck((x) => sum(doubledWithWrongRule(x, 5, 0.5)), [x23()]);
    expect(report.passed).toBe(false);
    const r = report.inputs[0];
    expect(r.passed).toBe(false);
    expect(r.worst.index).toEqual([1, 2]);
    expect(r.worst.analytic).toBeCloseTo(2.5, 12);
    expect(r.worst.numeric).toBeCloseTo(2, 8);
    expect(r.maxAbsError).toBeCloseTo(0.5, 8);
    expect(r.maxRelError).toBeCloseTo(0.25, 8); // |2.5 − 2| / max(|2|, 1)
  });

  test('a NaN gradient fails and is reported as the worst element, whatever follows', () => {
    const report = gradcheck((x) => sum(doubledWithWrongRule(x, 1, NaN)), [x23()]);
    expect(report.passed).toBe(false);
    expect(report.inputs[0].maxAbsError).toBeNaN();
    expect(report.inputs[0].maxRelError).toBeNaN();
    expect(report.inputs[0].worst.index).toEqual([0, 1]);
  });

  test('the relative error is |analytic − numeric| / max(|numeric|, 1): absolute where the gradient is small', () => {
    const tiny = tensor([0.001], { dtype: 'float64' });
    const report = gradcheck((x) => sum(mul(doubledWithWrongRule(x, 0, 1e-3), 1e-3)), [tiny]);
    expect(report.inputs[0].maxRelError).toBeCloseTo(report.inputs[0].maxAbsError, 12);
  });

  test('strict mode throws a message naming the input, the element and both values', () => {
    const w = tensor([[0.5, -1], [2, 0.25]], { dtype: 'float64', requiresGrad: true });
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64', requiresGrad: true });
    const fn = (wt: Tensor, xt: Tensor) => sum(matmul(wt, doubledWithWrongRule(xt, 4, -0.75)));
    expect(() => gradcheck(fn, [w, x], { strict: true, names: ['W', 'x'] })).toThrow(
      /^gradcheck failed \(jacobian, atol 0\.00001, rtol 0\.001; outputs \[\]\):\n {2}input 'x' \[2,3\]: worst element \[1,1\] of output element 0: analytic -?[0-9.]+, numeric -?[0-9.]+, max abs error 7\.50e-1, max rel error [0-9.e-]+$/,
    );
  });

  test('only the inputs that require a gradient are checked, when any does', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64' });
    const report = gradcheck((p, q) => sum(mul(p, q)), [a, b], { names: ['a', 'b'] });
    expect(report.inputs.map((r) => r.name)).toEqual(['a']);
  });

  test('float32 inputs are checked in float64 copies, leaving the originals alone', () => {
    const a = tensor([0.3, -0.7]);
    const report = gradcheck((p) => sum(tanh(p)), [a], { atol: 1e-7, rtol: 1e-6 });
    expect(report.passed).toBe(true);
    expect(a.grad).toBeNull();
    expect(a.dtype).toBe('float32');
  });

  test('a function that drops to float32 is told so', () => {
    expect(() => gradcheck(() => sum(tensor([1, 2], { requiresGrad: true })), [x23()])).toThrow(/gradcheck: fn produced a float32 output/);
  });
});
