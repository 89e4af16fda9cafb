/**
 * Operands the ops must refuse with their own error, beyond spec/robust (which draws shapes at
 * random): a non-number second operand of each arithmetic op, non-integer target dimensions, and
 * the 3-D × 2-D matmul naming the caller's shape rather than the folded [B·T, F].
 */
import { zeros } from '../../engine/creation';
import { OpError } from '../../engine/shape';
import { add, sub, mul, div, reshape, broadcastTo, matmul } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';

const x = () => zeros([2, 3], { dtype: 'float64' });

describe('ops refuse operands that are neither tensors nor numbers', () => {
  const ops: [string, (a: Tensor, b: number) => Tensor][] = [['add', add], ['sub', sub], ['mul', mul], ['div', div]];
  test.each(ops)('%s', (name, op) => {
    for (const bad of [undefined, null, '1', true, [1]]) {
      expect(() => op(x(), bad as unknown as number)).toThrow(OpError);
      expect(() => op(x(), bad as unknown as number)).toThrow(new RegExp(`^${name}: the second operand must be a Tensor or a number, got ${bad === null ? 'null' : typeof bad}`));
    }
    expect(() => op(undefined as unknown as Tensor, 1)).toThrow(new RegExp(`^${name}: the first operand must be a Tensor, got undefined`));
    expect(op(x(), 2).shape).toEqual([2, 3]); // a number is still welcome
  });
});

describe('target shapes with impossible dimensions', () => {
  test.each([[[2.5, -1]], [[NaN, 6]], [[-3, -2]]])('reshape to %p', (shape) => {
    expect(() => reshape(x(), shape)).toThrow(/^reshape: \[2,3\] → .*: dimensions must be integers ≥ 0, or one −1/);
  });
  test.each([[[2, -3]], [[2, 3.5]], [[NaN, 3]]])('broadcastTo %p', (shape) => {
    expect(() => broadcastTo(x(), shape)).toThrow(/^broadcastTo: cannot broadcast \[2,3\] to .*: dimensions must be integers ≥ 0/);
  });
  test('valid targets still work', () => {
    expect(reshape(x(), [3, -1]).shape).toEqual([3, 2]);
    expect(broadcastTo(x(), [4, 2, 3]).shape).toEqual([4, 2, 3]);
  });
});

test('matmul [B,T,F] × [F,U] names the caller\'s shapes when F disagrees', () => {
  const a = zeros([2, 5, 3], { dtype: 'float64' });
  expect(() => matmul(a, zeros([4, 6], { dtype: 'float64' }))).toThrow('matmul: [2,5,3] × [4,6]: inner dimensions 3 ≠ 4');
  expect(() => matmul(a, zeros([6, 4], { dtype: 'float64' }), { transB: true })).toThrow('matmul: [2,5,3] × [6,4]ᵀ: inner dimensions 3 ≠ 4');
  expect(matmul(a, zeros([3, 6], { dtype: 'float64' })).shape).toEqual([2, 5, 6]);
});
