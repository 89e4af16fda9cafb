/**
 * The operand checks of the fused sequence ops and the mask generators, beyond the cases
 * spec/robust/bad-input-api.test.ts covers: the other operand of each pair (β next to γ, p_o next
 * to p_i, the reset_before bias next to reset_after's), non-finite ε, and the edges that must still
 * be accepted (a zoneout probability of 1, a dropout rate of 0, an operand of the right shape).
 */
import { lstmSequence, simpleRnnSequence, gruSequence, dropoutMask, zoneoutMask } from '../../cells';
import { zeros } from '../../engine/creation';
import { OpError } from '../../engine/shape';
import type { Tensor } from '../../engine/tensor';

const [B, T, U] = [2, 3, 4];
const f64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });
const f32 = (shape: number[]) => zeros(shape, { dtype: 'float32' });
const peepholes = (pO: Tensor): [Tensor, Tensor, Tensor] => [f64([U]), f64([U]), pO];
const ln = (gamma: Tensor, beta: Tensor, eps: number) => ({ layerNorm: { gamma, beta, eps } });

const lstm = (options = {}) => () => lstmSequence(f64([B, T, 4 * U]), f64([U, 4 * U]), f64([4 * U]), f64([B, U]), f64([B, U]), options);
const simple = (options = {}) => () => simpleRnnSequence(f64([B, T, U]), f64([U, U]), f64([U]), f64([B, U]), { activation: 'tanh', ...options });
const gru = (b: Tensor, resetAfter: boolean, options = {}) => () => gruSequence(f64([B, T, 3 * U]), f64([U, 3 * U]), b, f64([B, U]), { resetAfter, ...options });

describe('fused sequence ops: each operand is checked', () => {
  test.each([
    ['lstmSequence peephole p_o [5]', lstm({ peepholes: peepholes(f64([U + 1])) }), /^lstmSequence: peephole p_o has shape \[5\], expected \[4\]/],
    ['lstmSequence float32 p_o', lstm({ peepholes: peepholes(f32([U])) }), /^lstmSequence: dtypes differ: .*peephole p_o \[4\] float32/],
    ['lstmSequence float32 recurrent mask', lstm({ recurrentMask: f32([B, U]) }), /^lstmSequence: dtypes differ: .*recurrentMask \[2,4\] float32/],
    ['lstmSequence no time steps', () => lstmSequence(f64([B, 0, 4 * U]), f64([U, 4 * U]), f64([4 * U]), f64([B, U]), f64([B, U])), /^lstmSequence: the sequence xW \[2,0,16\] has no time steps/],
    ['simpleRnnSequence bias [1,4]', () => simpleRnnSequence(f64([B, T, U]), f64([U, U]), f64([1, U]), f64([B, U]), { activation: null }), /^simpleRnnSequence: .*b \[1,4\] disagree/],
    ['simpleRnnSequence layer-norm beta [1]', simple(ln(f64([U]), f64([1]), 1e-3)), /^simpleRnnSequence: layerNorm beta has shape \[1\], expected \[4\]/],
    ['simpleRnnSequence layer-norm eps NaN', simple(ln(f64([U]), f64([U]), NaN)), /^simpleRnnSequence: layerNorm eps must be a finite number > 0, got NaN/],
    ['simpleRnnSequence layer-norm eps −1', simple(ln(f64([U]), f64([U]), -1)), /^simpleRnnSequence: layerNorm eps .* got -1/],
    ['simpleRnnSequence float32 gamma', simple(ln(f32([U]), f64([U]), 1e-3)), /^simpleRnnSequence: dtypes differ: .*layerNorm gamma \[4\] float32/],
    ['gruSequence reset_before bias [2,12]', gru(f64([2, 3 * U]), false), /^gruSequence: .*b \[2,12\].*\[3u\]/],
    ['gruSequence U of rank 3', () => gruSequence(f64([B, T, 3 * U]), f64([U, 3 * U, 1]), f64([2, 3 * U]), f64([B, U]), { resetAfter: true }), /^gruSequence: .*U \[4,12,1\]/],
    ['gruSequence padding [3,2] (transposed)', gru(f64([2, 3 * U]), true, { padding: f64([T, B]) }), /^gruSequence: padding has shape \[3,2\], expected \[2,3\]/],
  ] as [string, () => unknown, RegExp][])('%s', (_name, call, message) => {
    expect(call).toThrow(OpError);
    expect(call).toThrow(message);
  });

  test.each([
    ['lstmSequence with peepholes, mask and padding', lstm({ peepholes: peepholes(f64([U])), recurrentMask: f64([B, U]), padding: f64([B, T]) })],
    ['simpleRnnSequence with layer norm and padding', simple({ ...ln(f64([U]), f64([U]), 1e-3), padding: f64([B, T]) })],
    ['gruSequence reset_after, bias [2,12]', gru(f64([2, 3 * U]), true, { recurrentMask: f64([B, U]) })],
    ['gruSequence reset_before, bias [12]', gru(f64([3 * U]), false, { padding: f32([B, T]) })],
  ] as [string, () => unknown][])('%s is accepted', (_name, call) => {
    expect(call).not.toThrow();
  });
});

describe('mask generators: the edges of the valid range', () => {
  test('a dropout rate of 0 keeps everything; 1 is refused (it would scale by 1/0)', () => {
    expect(Array.from(dropoutMask([2, 2], 0, 'float64').data)).toEqual([1, 1, 1, 1]);
    expect(() => dropoutMask([2], 1, 'float64')).toThrow('dropoutMask: the rate must be a number in [0, 1), got 1');
    expect(() => dropoutMask([2], Infinity, 'float64')).toThrow(/got Infinity$/);
  });
  test('a zoneout probability of 1 keeps every previous value', () => {
    expect(Array.from(zoneoutMask([3], 1, 'float64').data)).toEqual([1, 1, 1]);
  });
});
