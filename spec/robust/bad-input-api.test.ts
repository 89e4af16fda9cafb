/**
 * Bad input through the library API, beyond what spec/engine, spec/cells and spec/train already
 * check (op shape errors in spec/engine/tensor.test.ts, layer-option errors in
 * spec/cells/dropout.test.ts and from-config.test.ts, clipping in spec/train/clipping.test.ts):
 * the fused sequence ops, a cell step handed the wrong states, the mask generators, constructors
 * with impossible sizes, optimizers with impossible clipping, unknown names, empty data.
 * Each must throw one message that names the function and says what was expected — never
 * compute on silently (a NaN result, an out-of-bounds read of a mask).
 */
import { lstmSequence, simpleRnnSequence, gruSequence, LSTMCell, GRUCell, SimpleRNNCell, NO_MASKS, dropoutMask, zoneoutMask } from '../../cells';
import { SimpleRNN, LSTM, GRU, RNN, LNSimpleRNNCell, PeepholeLSTMCell, Dense, cellLayer } from '../../cells';
import type { CellName } from '../../cells';
import { zeros } from '../../engine/creation';
import { mul, add, broadcastTo } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';
import { SGD, Adam, RMSprop, Sequential } from '../../train';
import type { LossName } from '../../train';

const [B, T, U] = [2, 3, 4];
const f64 = (shape: number[]) => zeros(shape, { dtype: 'float64' });
const f32 = (shape: number[]) => zeros(shape, { dtype: 'float32' });

/** The fused ops are public (cells/index.ts): every operand is checked, like any other op. */
describe('fused sequence ops reject inconsistent operands', () => {
  const lstm = (o: Partial<Record<'xW' | 'U' | 'b' | 'h0' | 'c0', Tensor>>, options = {}) => () =>
    lstmSequence(o.xW ?? f64([B, T, 4 * U]), o.U ?? f64([U, 4 * U]), o.b ?? f64([4 * U]), o.h0 ?? f64([B, U]), o.c0 ?? f64([B, U]), options);
  const simple = (o: Partial<Record<'xW' | 'U' | 'b' | 'h0', Tensor>>, options = {}) => () =>
    simpleRnnSequence(o.xW ?? f64([B, T, U]), o.U ?? f64([U, U]), o.b ?? f64([U]), o.h0 ?? f64([B, U]), { activation: 'tanh', ...options });
  const gru = (o: Partial<Record<'xW' | 'U' | 'b' | 'h0', Tensor>>, options = {}) => () =>
    gruSequence(o.xW ?? f64([B, T, 3 * U]), o.U ?? f64([U, 3 * U]), o.b ?? f64([2, 3 * U]), o.h0 ?? f64([B, U]), { resetAfter: true, ...options });

  test.each([
    // Already checked today (kept so the table covers every operand):
    ['lstmSequence xW rank 2', lstm({ xW: f64([B, 4 * U]) }), /^lstmSequence: expected xW \[batch, time, 4u\]/],
    ['lstmSequence c0', lstm({ c0: f64([B + 1, U]) }), /^lstmSequence: c0 has shape \[3,4\], expected \[2,4\]/],
    ['lstmSequence recurrent mask', lstm({}, { recurrentMask: f64([1, U]) }), /^lstmSequence: recurrentMask has shape \[1,4\]/],
    ['simpleRnnSequence h0', simple({ h0: f64([B, U + 1]) }), /^simpleRnnSequence: h0 has shape \[2,5\]/],
    ['gruSequence U', gru({ U: f64([U, 2 * U]) }), /^gruSequence: .*disagree/],
    // Not checked (each reads past or ignores an operand of the wrong shape):
    ['lstmSequence padding [1,2] for [batch 2, time 3]', lstm({}, { padding: f64([1, 2]) }), /^lstmSequence: .*padding.*\[1,2\].*\[2,3\]/],
    ['lstmSequence peepholes of 1 unit for 4', lstm({}, { peepholes: [f64([1]), f64([1]), f64([1])] }), /^lstmSequence: .*peephole.*\[1\].*\[4\]/],
    ['lstmSequence float32 U with float64 xW', lstm({ U: f32([U, 4 * U]) }), /^lstmSequence: dtypes differ/],
    ['simpleRnnSequence padding [2]', simple({}, { padding: f64([B]) }), /^simpleRnnSequence: .*padding.*\[2\].*\[2,3\]/],
    ['simpleRnnSequence recurrent mask [1]', simple({}, { recurrentMask: f64([1]) }), /^simpleRnnSequence: .*recurrentMask.*\[1\].*\[2,4\]/],
    ['simpleRnnSequence layer-norm gamma [1]', simple({}, { layerNorm: { gamma: f64([1]), beta: f64([U]), eps: 1e-3 } }), /^simpleRnnSequence: .*gamma.*\[1\].*\[4\]/],
    ['simpleRnnSequence layer-norm epsilon 0', simple({}, { layerNorm: { gamma: f64([U]), beta: f64([U]), eps: 0 } }), /^simpleRnnSequence: .*eps.*0/],
    ['simpleRnnSequence no time steps', simple({ xW: f64([B, 0, U]) }), /^simpleRnnSequence: .*no time steps/],
    ['simpleRnnSequence float32 U with float64 xW', simple({ U: f32([U, U]) }), /^simpleRnnSequence: dtypes differ/],
    ['gruSequence padding [2,5] for time 3', gru({}, { padding: f64([B, T + 2]) }), /^gruSequence: .*padding.*\[2,5\].*\[2,3\]/],
    ['gruSequence recurrent mask [2]', gru({}, { recurrentMask: f64([B]) }), /^gruSequence: .*recurrentMask.*\[2\].*\[2,4\]/],
    ['gruSequence h0 of rank 3', gru({ h0: f64([B, U, 1]) }), /^gruSequence: .*h0 \[2,4,1\]/],
    ['gruSequence reset_after bias flat [24] instead of [2,12]', gru({ b: f64([6 * U]) }), /^gruSequence: .*b \[24\]/],
    ['gruSequence no time steps', gru({ xW: f64([B, 0, 3 * U]) }), /^gruSequence: .*no time steps/],
    ['gruSequence float32 U with float64 xW', gru({ U: f32([U, 3 * U]) }), /^gruSequence: dtypes differ/],
  ] as [string, () => unknown, RegExp][])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('a cell step handed the wrong states names the shapes, never returns NaN', () => {
  const lstm = new LSTMCell(U, { dtype: 'float64' });
  lstm.build(2);
  const gru = new GRUCell(U, { dtype: 'float64' });
  gru.build(2);
  const simple = new SimpleRNNCell(U, { dtype: 'float64' });
  simple.build(2);
  test.each([
    ['LSTM h of 5 units', () => lstm.step(f64([B, 4 * U]), [f64([B, U + 1]), f64([B, U])], NO_MASKS), /\[2,5\].*\[4,16\]/],
    ['LSTM c of batch 3', () => lstm.step(f64([B, 4 * U]), [f64([B, U]), f64([B + 1, U])], NO_MASKS), /\[2,4\] and \[3,4\]/],
    ['LSTM projected row of 3 gates', () => lstm.step(f64([B, 3 * U]), [f64([B, U]), f64([B, U])], NO_MASKS), /\[2,12\].*\[2,16\]|\[2,16\].*\[2,12\]/],
    ['LSTM 3 per-gate masks for 4 gates', () => lstm.step(f64([B, 4 * U]), [f64([B, U]), f64([B, U])], { recurrent: [f64([B, U]), f64([B, U]), f64([B, U])], candidate: null }), /16.*12|12.*16/],
    ['GRU h of 5 units', () => gru.step(f64([B, 3 * U]), [f64([B, U + 1])], NO_MASKS), /\[2,5\]/],
    ['SimpleRNN h of batch 3', () => simple.step(f64([B, U]), [f64([B + 1, U])], NO_MASKS), /\[2,4\] and \[3,4\]/],
    // The LSTM needs [h, c]: without c, c_{t−1} is undefined and the step returns NaN.
    ['LSTM given [h] only', () => lstm.step(f64([B, 4 * U]), [f64([B, U])], NO_MASKS), /LSTMCell.*(2 states|\[h, c\]|c)/],
  ] as [string, () => unknown, RegExp][])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  test('an op given a non-number, non-tensor operand throws (mul(x, undefined) is NaN today)', () => {
    expect(() => mul(f64([2]), undefined as unknown as number)).toThrow(/^mul: /);
    expect(() => add(f64([2]), '1' as unknown as number)).toThrow(/^add: /);
  });

  test('broadcastTo a negative dimension names the op', () => {
    expect(() => broadcastTo(f64([1]), [-2])).toThrow(/^broadcastTo: /);
  });
});

describe('dropout rates outside [0, 1)', () => {
  test.each([1.5, -0.5, NaN])('dropoutMask(shape, %p) throws naming the rate', (rate) => {
    expect(() => dropoutMask([2, 3], rate, 'float32')).toThrow(/dropoutMask: .*rate.*\[0, 1\)/);
  });
  test.each([2, -0.1, NaN])('zoneoutMask(shape, %p) throws naming the probability', (z) => {
    expect(() => zoneoutMask([2, 3], z, 'float32')).toThrow(/zoneoutMask: .*\[0, 1\]/);
  });
  test('a NaN rate is reported as NaN, not as null', () => {
    expect(() => new LSTM(2, { dropout: NaN })).toThrow(/option 'dropout' must be a number in \[0, 1\), got NaN/);
  });
});

describe('zero, negative or fractional units', () => {
  const makers: [string, (units: number) => unknown][] = [
    ['SimpleRNN', (u) => new SimpleRNN(u)],
    ['LSTM', (u) => new LSTM(u)],
    ['GRU', (u) => new GRU(u)],
    ['RNN(LNSimpleRNNCell)', (u) => new RNN(new LNSimpleRNNCell(u))],
    ['RNN(PeepholeLSTMCell)', (u) => new RNN(new PeepholeLSTMCell(u))],
    ['Dense', (u) => new Dense(u)],
    ...(['simple', 'ln-simple', 'lstm', 'peephole', 'gru'] as CellName[]).map((c): [string, (u: number) => unknown] => [`cellLayer('${c}')`, (u) => cellLayer(c, u)]),
  ];
  test.each(makers)('%s rejects 0, −3, 2.5 and NaN units', (_name, make) => {
    for (const units of [0, -3, 2.5, NaN]) expect(() => make(units)).toThrow(/units must be a positive integer, got/);
  });
});

describe('clipping values ≤ 0, non-finite, or two modes at once, when the optimizer is made', () => {
  test.each([
    ['SGD clipValue 0', () => new SGD({ clipValue: 0 }), /clipValue \(--clip-value\) must be a finite number > 0, got 0/],
    ['Adam clipValue −1', () => new Adam({ clipValue: -1 }), /clipValue .* got -1/],
    ['RMSprop clipNorm 0', () => new RMSprop({ clipNorm: 0 }), /clipNorm .* got 0/],
    ['Adam clipNorm ∞', () => new Adam({ clipNorm: Infinity }), /clipNorm .* got Infinity/],
    ['SGD clipGlobalNorm −2', () => new SGD({ clipGlobalNorm: -2 }), /clipGlobalNorm .* got -2/],
    ['all three modes', () => new Adam({ clipValue: 1, clipNorm: 1, clipGlobalNorm: 1 }), /at most one clipping mode/],
  ] as [string, () => unknown, RegExp][])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('unknown names and empty data', () => {
  test('cellLayer with an unknown cell lists the known ones', () => {
    expect(() => cellLayer('transformer' as CellName, 2)).toThrow('cellLayer: unknown cell "transformer" (one of simple, ln-simple, lstm, peephole, gru)');
  });
  test('compile with an unknown loss lists the known ones', () => {
    const m = new Sequential([new Dense(1)], { inputFeatures: 2 });
    expect(() => m.compile({ optimizer: new SGD(), loss: 'hinge' as LossName })).toThrow("Sequential.compile: unknown loss 'hinge'");
  });
  test('fit with no samples, or x and y of different lengths', () => {
    const m = new Sequential([new Dense(1)], { inputFeatures: 2 });
    m.compile({ optimizer: new SGD() });
    expect(() => m.fit(zeros([0, 2]), zeros([0, 1]), { epochs: 1 })).toThrow('fit: no training samples');
    expect(() => m.fit(zeros([3, 2]), zeros([2, 1]), { epochs: 1 })).toThrow('fit: x holds 3 samples but y holds 2');
  });
  test('a sequence of zero steps, and the wrong feature count, name the layer and the shapes', () => {
    expect(() => new LSTM(2, { name: 'enc' }).call(zeros([1, 0, 2]))).toThrow('enc: the input sequence [1,0,2] has no time steps');
    const m = new Sequential([new LSTM(2), new Dense(1)], { inputFeatures: 2 });
    expect(() => m.predict(zeros([1, 3, 5]))).toThrow(/built for inputs with 2 features, got 5/);
  });
});
