/**
 * The RNN layer's Keras semantics: masking, goBackwards, returnState, initial states, any
 * sequence length, stacking; Dense and TimeDistributed; weights in Keras order, names, inits.
 */
import {
  RNN, SimpleRNN, LSTM, GRU, Dense, TimeDistributed, LSTMCell, SimpleRNNCell, GRUCell, PeepholeLSTMCell, LNSimpleRNNCell,
  TFJS_LSTM_PRESET, cellLayer, CELL_NAMES, resetLayerNames, reverseTime, timeStep,
} from '../../cells';
import type { RecurrentCell } from '../../cells';
import { Random } from '../../engine/random';
import { randn, tensor, zeros } from '../../engine/creation';
import { slice } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';

function close(a: Tensor, b: Tensor, tol = 1e-6): void {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  expect(m).toBeLessThanOrEqual(tol);
}

const cellMakers: [string, () => RecurrentCell][] = [
  ['SimpleRNNCell', () => new SimpleRNNCell(4, { rng: new Random(1) })],
  ['LNSimpleRNNCell', () => new LNSimpleRNNCell(4, { rng: new Random(1) })],
  ['LSTMCell', () => new LSTMCell(4, { rng: new Random(1) })],
  ['PeepholeLSTMCell', () => new PeepholeLSTMCell(4, { rng: new Random(1) })],
  ['GRUCell', () => new GRUCell(4, { rng: new Random(1) })],
  ['GRUCell reset_after=false', () => new GRUCell(4, { rng: new Random(1), resetAfter: false })],
];

const x = randn([2, 5, 3], { rng: new Random(2) });

describe('masking (Keras semantics)', () => {
  it.each(cellMakers)('%s: trailing padding = the unpadded sequence; masked steps repeat the previous output', (_n, make) => {
    const layer = new RNN(make(), { returnSequences: true });
    const mask = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const { output, states } = layer.callWithState(x, { mask });
    // Row 0 after step 2 repeats its step-2 output; its final state equals that of the first 3 steps alone.
    for (const t of [3, 4]) close(slice(output, [0, t, 0], [1, 1, 4]), slice(output, [0, 2, 0], [1, 1, 4]), 0);
    const short = layer.callWithState(slice(x, [0, 0, 0], [1, 3, 3]));
    close(slice(states[0], [0, 0], [1, 4]), short.states[0]);
    // Row 1 is unmasked: same as without a mask.
    close(slice(output, [1, 0, 0], [1, 5, 4]), slice(layer.call(x), [1, 0, 0], [1, 5, 4]));
  });

  it('a masked step in the middle is skipped: the state carries through, the output repeats', () => {
    const layer = new LSTM(4, { returnSequences: true, rng: new Random(3) });
    const mask = tensor([[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]]);
    const { output, states } = layer.callWithState(x, { mask });
    close(slice(output, [0, 1, 0], [1, 1, 4]), slice(output, [0, 0, 0], [1, 1, 4]), 0);
    const skipped = tensor([[(x.toArray() as number[][][])[0][0], ...(x.toArray() as number[][][])[0].slice(2)]]);
    const ref = layer.callWithState(skipped);
    close(slice(states[0], [0, 0], [1, 4]), ref.states[0]);
    close(slice(states[1], [0, 0], [1, 4]), ref.states[1]);
  });

  it('a masked first step outputs zeros and keeps the initial state', () => {
    const layer = new SimpleRNN(4, { returnSequences: true, rng: new Random(3) });
    const h0 = randn([2, 4], { rng: new Random(4) });
    const mask = tensor([[0, 1, 1, 1, 1], [1, 1, 1, 1, 1]]);
    const { output } = layer.callWithState(x, { mask, initialState: [h0] });
    close(slice(output, [0, 0, 0], [1, 1, 4]), zeros([1, 1, 4]), 0);
  });

  it('rejects a mask of the wrong shape, naming the layer', () => {
    expect(() => new LSTM(2, { name: 'lstm_m' }).call(x, { mask: tensor([[1, 1]]) })).toThrow("lstm_m: mask has shape [1,2], expected [2,5]");
  });
});

describe('goBackwards, returnState, initial state, lengths, stacking', () => {
  it.each(cellMakers)('%s: goBackwards reads the reversed sequence and returns outputs in that order', (_n, make) => {
    const cell = make();
    const back = new RNN(cell, { returnSequences: true, goBackwards: true });
    const fwd = new RNN(cell, { returnSequences: true });
    close(back.call(x), fwd.call(reverseTime(x)));
  });

  it('returnState gives [h, c] for LSTM cells and [h] for the others; h is the last output', () => {
    for (const [name, make] of cellMakers) {
      const layer = new RNN(make(), { returnSequences: true, returnState: true });
      const { output, states } = layer.callWithState(x);
      expect(states).toHaveLength(name.includes('LSTM') ? 2 : 1);
      close(states[0], timeStep(output, 4), 0);
    }
    const fused = new LSTM(4, { returnState: true }).callWithState(x);
    close(fused.states[0], fused.output, 0);
  });

  it('an initial state changes the result and is shape-checked', () => {
    const layer = new LSTM(4, { rng: new Random(5) });
    const h0 = randn([2, 4], { rng: new Random(6) });
    const c0 = randn([2, 4], { rng: new Random(7) });
    const a = layer.call(x);
    const b = layer.callWithState(x, { initialState: [h0, c0] }).output;
    expect(a.data.some((v, i) => v !== b.data[i])).toBe(true);
    close(layer.callWithState(x, { initialState: [zeros([2, 4]), zeros([2, 4])] }).output, a, 0);
    expect(() => layer.callWithState(x, { initialState: [h0] })).toThrow('initialState needs 2 tensor(s)');
    expect(() => layer.callWithState(x, { initialState: [h0, zeros([3, 4])] })).toThrow('initialState[1] has shape [3,4], expected [2,4]');
  });

  it('a layer built for F features takes sequences of any length', () => {
    for (const name of CELL_NAMES) {
      const layer = cellLayer(name, 3, { returnSequences: true, inputFeatures: 2 });
      for (const T of [1, 4, 17]) expect(layer.call(randn([3, T, 2], { rng: new Random(T) })).shape).toEqual([3, T, 3]);
      expect(() => layer.call(randn([3, 4, 5]))).toThrow('built for 2 input features, called with 5');
    }
  });

  it('stacked layers: returnSequences feeds the next; the last returns [batch, units]', () => {
    const l1 = new LSTM(6, { returnSequences: true });
    const l2 = new GRU(5);
    const d = new Dense(2);
    const y = d.call(l2.call(l1.call(x)));
    expect(y.shape).toEqual([2, 2]);
    expect(l1.returnsSequences && !l2.returnsSequences).toBe(true);
  });
});

describe('Dense and TimeDistributed', () => {
  it('Dense contracts the last axis of rank-2 and rank-3 inputs; TimeDistributed(Dense) is the same map', () => {
    const d = new Dense(3, { activation: 'tanh', rng: new Random(1) });
    const y3 = d.call(x);
    expect(y3.shape).toEqual([2, 5, 3]);
    close(d.call(timeStep(x, 2)), timeStep(y3, 2));
    const td = new TimeDistributed(d);
    close(td.call(x), y3, 0);
    expect(() => td.call(timeStep(x, 0))).toThrow('expected [batch, time, features]');
    expect(td.weights().map((w) => w.name)).toEqual(['kernel', 'bias']);
  });
});

describe('weights: Keras names, order, shapes and initializers', () => {
  it.each([
    [() => new SimpleRNNCell(4), ['kernel:3,4', 'recurrent_kernel:4,4', 'bias:4']],
    [() => new LNSimpleRNNCell(4), ['kernel:3,4', 'recurrent_kernel:4,4', 'bias:4', 'gamma:4', 'beta:4']],
    [() => new LSTMCell(4), ['kernel:3,16', 'recurrent_kernel:4,16', 'bias:16']],
    [() => new PeepholeLSTMCell(4), ['kernel:3,16', 'recurrent_kernel:4,16', 'bias:16', 'input_gate_peephole_weights:4',
      'forget_gate_peephole_weights:4', 'output_gate_peephole_weights:4']],
    [() => new GRUCell(4), ['kernel:3,12', 'recurrent_kernel:4,12', 'bias:2,12']],
    [() => new GRUCell(4, { resetAfter: false }), ['kernel:3,12', 'recurrent_kernel:4,12', 'bias:12']],
  ] as [() => RecurrentCell & { build(f: number): void }, string[]][])('%#', (make, expected) => {
    const cell = make();
    cell.build(3);
    expect(cell.weights().map((w) => `${w.name}:${w.tensor.shape.join(',')}`)).toEqual(expected);
  });

  it('initializers: orthogonal recurrent kernel, unit forget bias, LN gamma 1 / beta 0, peepholes within ±sqrt(3/u)', () => {
    const lstm = new LSTMCell(5, { rng: new Random(1) });
    lstm.build(3);
    const [, U, b] = lstm.weights().map((w) => w.tensor);
    // U [5, 20] has orthonormal rows: U·Uᵀ = I.
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      let dot = 0;
      for (let k = 0; k < 20; k++) dot += U.data[i * 20 + k] * U.data[j * 20 + k];
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
    }
    expect(Array.from(b.data)).toEqual([...Array(5).fill(0), ...Array(5).fill(1), ...Array(10).fill(0)]);
    const tfjs = new LSTMCell(5, TFJS_LSTM_PRESET);
    tfjs.build(3);
    expect(Array.from(tfjs.weights()[2].tensor.data).every((v) => v === 0)).toBe(true);
    expect(tfjs.recurrentActivation).toBe('hard_sigmoid');
    const ln = new LNSimpleRNNCell(5);
    ln.build(2);
    expect(Array.from(ln.weights()[3].tensor.data)).toEqual(Array(5).fill(1));
    expect(Array.from(ln.weights()[4].tensor.data)).toEqual(Array(5).fill(0));
    const p = new PeepholeLSTMCell(5, { rng: new Random(3) });
    p.build(2);
    for (const w of p.weights().slice(3)) expect(Array.from(w.tensor.data).every((v) => Math.abs(v) <= Math.sqrt(3 / 5))).toBe(true);
  });

  it('getWeights / setWeights round-trip in Keras order and check shapes', () => {
    const a = new LSTM(3, { inputFeatures: 2, rng: new Random(1) });
    const b = new LSTM(3, { inputFeatures: 2, rng: new Random(2) });
    b.setWeights(a.getWeights());
    close(b.call(randn([1, 4, 2], { rng: new Random(3) })), a.call(randn([1, 4, 2], { rng: new Random(3) })), 0);
    expect(() => b.setWeights(a.getWeights().slice(1))).toThrow('expected 3 arrays');
    expect(() => b.setWeights([a.getWeights()[1], a.getWeights()[0], a.getWeights()[2]])).toThrow("'kernel' has shape [2,12], got [3,12]");
    // copies, as Keras's getWeights: a later setWeights does not change what was taken
    const taken = a.getWeights();
    const before = Array.from(taken[0].data);
    a.setWeights(new LSTM(3, { inputFeatures: 2, rng: new Random(9) }).getWeights());
    expect(Array.from(taken[0].data)).toEqual(before);
  });
});

describe('layer names', () => {
  it('are Keras-style and unique per process: lstm, lstm_1, …; explicit names are kept', () => {
    resetLayerNames();
    expect([new LSTM(2).name, new LSTM(2).name, new SimpleRNN(2).name, new GRU(2).name, new Dense(1).name, new TimeDistributed(new Dense(1)).name])
      .toEqual(['lstm', 'lstm_1', 'simple_rnn', 'gru', 'dense', 'time_distributed']);
    expect(new RNN(new LSTMCell(2)).name).toBe('rnn');
    expect(new LSTM(2, { name: 'encoder' }).name).toBe('encoder');
  });
});
