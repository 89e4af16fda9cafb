/**
 * The fused whole-sequence LSTM against the composed cell: same values, same gradients
 * (inputs, initial states, every weight), in float64 and float32, with and without dropout.
 */
import { RNN, LSTMCell, LSTM, SimpleRNNCell, LNSimpleRNNCell, PeepholeLSTMCell, GRUCell } from '../../cells';
import type { RNNLayerOptions } from '../../cells';
import { Random } from '../../engine/random';
import { randn, tensor } from '../../engine/creation';
import { sum, mul, add } from '../../engine/ops';
import type { Tensor, DType } from '../../engine/tensor';
import { tapeOf } from '../../engine/tape';

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

interface Run {
  out: Tensor;
  states: Tensor[];
  grads: Tensor[];
  entries: string[];
}

function run(fused: boolean, dtype: DType, options: RNNLayerOptions & { hard?: boolean; peephole?: boolean; padded?: boolean }, returnSequences: boolean): Run {
  const rng = new Random(3);
  const x = randn([4, 7, 3], { rng, dtype, requiresGrad: true });
  const h0 = randn([4, 5], { rng, dtype, requiresGrad: true, std: 0.5 });
  const c0 = randn([4, 5], { rng, dtype, requiresGrad: true, std: 0.5 });
  const cellOptions = { dtype, rng: new Random(11), recurrentActivation: options.hard ? ('hard_sigmoid' as const) : ('sigmoid' as const) };
  const cell = options.peephole ? new PeepholeLSTMCell(5, cellOptions) : new LSTMCell(5, cellOptions);
  const layer = new RNN(cell, { ...options, fused, returnSequences, rng: new Random(5) });
  // A padding mask is fused only from zero initial states, so the padded cases use those.
  const mask = options.padded ? tensor([[1, 1, 1, 1, 0, 0, 0], [0, 1, 1, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 0]], { dtype }) : null;
  const { output, states } = layer.callWithState(x, { training: true, mask, initialState: options.padded ? null : [h0, c0] });
  // A loss touching the output and both final states, so every path back is exercised.
  const projections = [output, ...states].map((t, k) => sum(mul(t, randn(t.shape, { rng: new Random(20 + k), dtype }))));
  const loss = projections.reduce((a, b) => add(a, b));
  const entries = tapeOf(output).map((e) => e.op);
  loss.backward();
  return { out: output, states, grads: [x, h0, c0, ...cell.weights().map((w) => w.tensor)].map((t) => t.grad as Tensor), entries };
}

const cases: [string, RNNLayerOptions & { hard?: boolean; peephole?: boolean; padded?: boolean }][] = [
  ['padding mask', { padded: true }],
  ['padding mask, peephole, dropout, backwards', { padded: true, peephole: true, dropout: 0.2, recurrentDropout: 0.2, goBackwards: true }],
  ['plain', {}],
  ['peephole', { peephole: true }],
  ['peephole, hard sigmoid, dropout', { peephole: true, hard: true, dropout: 0.2, recurrentDropout: 0.3 }],
  ['hard sigmoid', { hard: true }],
  ['input + recurrent dropout', { dropout: 0.25, recurrentDropout: 0.4 }],
  ['go backwards', { goBackwards: true }],
];

describe('fused simple / LN simple RNN / GRU = composed cells', () => {
  const makers: [string, (dtype: DType) => SimpleRNNCell | GRUCell][] = [
    ['GRUCell reset_after', (dtype) => new GRUCell(5, { dtype, rng: new Random(11) })],
    ['GRUCell reset_before, hard sigmoid', (dtype) => new GRUCell(5, { dtype, rng: new Random(11), resetAfter: false, recurrentActivation: 'hard_sigmoid' })],
    ['SimpleRNNCell tanh', (dtype) => new SimpleRNNCell(5, { dtype, rng: new Random(11) })],
    ['SimpleRNNCell relu', (dtype) => new SimpleRNNCell(5, { dtype, rng: new Random(11), activation: 'relu' })],
    ['LNSimpleRNNCell', (dtype) => new LNSimpleRNNCell(5, { dtype, rng: new Random(11) })],
  ];
  it.each(makers)('%s: values and gradients agree, with and without dropout', (_label, make) => {
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
      for (const options of [{}, { dropout: 0.3, recurrentDropout: 0.3 }, { goBackwards: true }, { padded: true }] as (RNNLayerOptions & { padded?: boolean })[]) {
        const results = [true, false].map((fused) => {
          const rng = new Random(3);
          const x = randn([4, 7, 3], { rng, dtype, requiresGrad: true });
          const h0 = randn([4, 5], { rng, dtype, requiresGrad: true, std: 0.5 });
          const cell = make(dtype);
          const layer = new RNN(cell, { ...options, fused, returnSequences: true, rng: new Random(5) });
          const mask = options.padded ? tensor([[1, 1, 1, 1, 0, 0, 0], [0, 1, 1, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 0]], { dtype }) : null;
          const { output, states } = layer.callWithState(x, { training: true, mask, initialState: options.padded ? null : [h0] });
          const ops = tapeOf(output).map((e) => e.op);
          add(sum(mul(output, randn(output.shape, { rng: new Random(20), dtype }))), sum(mul(states[0], randn(states[0].shape, { rng: new Random(21), dtype })))).backward();
          return { output, ops, grads: [x, h0, ...cell.weights().map((w) => w.tensor)].map((t) => t.grad as Tensor) };
        });
        const [f, c] = results;
        expect(f.ops.some((op) => op.endsWith('Sequence'))).toBe(true);
        expect(c.ops.some((op) => op.endsWith('Sequence'))).toBe(false);
        expect(maxDiff(f.output, c.output)).toBeLessThan(tol);
        f.grads.forEach((g, k) => {
          if (options.padded && k === 1) return; // h0 unused with a padding mask
          expect(maxDiff(g, c.grads[k])).toBeLessThan(tol * 10);
        });
      }
    }
  });
});

describe('fused LSTM / peephole LSTM = composed cells', () => {
  it.each(cases)('%s: values and gradients agree (float64 to 1e-12, float32 to 1e-5)', (_label, options) => {
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
      for (const seq of [true, false]) {
        const f = run(true, dtype, options, seq);
        const c = run(false, dtype, options, seq);
        expect(f.entries.some((op) => /^(peepholeL|l)stmSequence$/.test(op))).toBe(true);
        expect(c.entries.some((op) => /stmSequence/.test(op))).toBe(false);
        expect(maxDiff(f.out, c.out)).toBeLessThan(tol);
        f.states.forEach((s, k) => expect(maxDiff(s, c.states[k])).toBeLessThan(tol));
        f.grads.forEach((g, k) => {
          if (options.padded && (k === 1 || k === 2)) return; // h0, c0 unused with a padding mask
          expect(maxDiff(g, c.grads[k])).toBeLessThan(tol * 10);
        });
      }
    }
  });

  it('records one tape entry for the whole recurrence instead of one per gate and step', () => {
    const x = randn([2, 30, 1], { rng: new Random(1), requiresGrad: true });
    const fused = new LSTM(4).call(x);
    const composed = new LSTM(4, { fused: false }).call(x);
    expect(tapeOf(fused).length).toBeLessThan(10);
    expect(tapeOf(composed).length).toBeGreaterThan(30 * 10);
  });

  it('LSTM takes the composed path when the fused kernel cannot express the options', () => {
    const x = randn([2, 5, 1], { rng: new Random(1), requiresGrad: true });
    const perGate = new LSTM(3, { dropout: 0.2, dropoutMode: 'per-gate', rng: new Random(1) }).call(x, { training: true });
    expect(tapeOf(perGate).map((e) => e.op)).not.toContain('lstmSequence');
    const zone = new LSTM(3, { zoneoutH: 0.2 }).call(x);
    expect(tapeOf(zone).map((e) => e.op)).not.toContain('lstmSequence');
  });
});
