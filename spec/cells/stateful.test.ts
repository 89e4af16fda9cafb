/**
 * Stateful RNNs (issue 15, Keras semantics): the final states of batch k are the initial states
 * of batch k+1 (sample i continues sample i), `resetStates()` forgets them, gradients stop at the
 * border between batches (truncated BPTT), the batch size is fixed; fit never shuffles a stateful
 * model (a shuffle request is refused by name) and drops a partial last batch; model files keep
 * `stateful: true` and the batch size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random } from '../../engine/random';
import { tensor } from '../../engine/creation';
import { sum } from '../../engine/ops';
import { Tensor } from '../../engine/tensor';
import { LSTM, GRU, SimpleRNN, Dense, RNN } from '../../cells';
import { Sequential, Adam } from '../../train';
import { saveModel, loadModel } from '../../node/model-files';

const sequence = (batch: number, time: number, features: number, seed = 1): number[][][] => {
  const rng = new Random(seed);
  return Array.from({ length: batch }, () => Array.from({ length: time }, () => Array.from({ length: features }, () => rng.normal())));
};
const half = (x: number[][][], from: number, to: number) => x.map((row) => row.slice(from, to));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

const LAYERS: [string, (stateful: boolean) => RNN][] = [
  ['LSTM (fused)', (stateful) => new LSTM(4, { stateful, rng: new Random(2), returnSequences: true })],
  ['LSTM (composed)', (stateful) => new LSTM(4, { stateful, rng: new Random(2), returnSequences: true, fused: false })],
  ['GRU', (stateful) => new GRU(3, { stateful, rng: new Random(2), returnSequences: true })],
  ['SimpleRNN', (stateful) => new SimpleRNN(3, { stateful, rng: new Random(2), returnSequences: true })],
];

describe('a stateful layer carries its states across calls', () => {
  it.each(LAYERS)('%s: two halves give what one call on the whole sequence gives; resetStates starts over', (_label, make) => {
    const x = sequence(2, 6, 3);
    const whole = make(false).call(tensor(x));
    const layer = make(true);
    const first = layer.call(tensor(half(x, 0, 3)));
    const second = layer.call(tensor(half(x, 3, 6)));
    const units = whole.shape[2];
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 6; t++) {
        const part = t < 3 ? first : second;
        const tt = t < 3 ? t : t - 3;
        for (let u = 0; u < units; u++) {
          expect(Math.abs(part.data[(b * 3 + tt) * units + u] - whole.data[(b * 6 + t) * units + u])).toBeLessThan(1e-6);
        }
      }
    }
    layer.resetStates();
    expect(maxDiff(layer.call(tensor(half(x, 0, 3))).data, first.data)).toBe(0);
  });

  it('gradients stop at the border between calls (truncated BPTT)', () => {
    const layer = new LSTM(3, { stateful: true, rng: new Random(4), fused: false });
    const x1 = tensor(sequence(2, 4, 2, 5), { requiresGrad: true });
    const x2 = tensor(sequence(2, 4, 2, 6), { requiresGrad: true });
    layer.call(x1);
    sum(layer.call(x2)).backward();
    expect(x2.grad).not.toBeNull();
    expect(x1.grad).toBeNull();
  });

  it('refuses another batch size, naming both', () => {
    const layer = new SimpleRNN(2, { stateful: true, rng: new Random(1) });
    layer.call(tensor(sequence(3, 2, 1)));
    expect(() => layer.call(tensor(sequence(2, 2, 1)))).toThrow(/carries states for batches of 3 sequences, got 2 \(keep the batch size fixed, or call resetStates\(\)\)/);
  });
});

describe('fit with a stateful model', () => {
  const model = () => {
    const m = new Sequential([new LSTM(4, { stateful: true, rng: new Random(7) }), new Dense(1, { rng: new Random(8) })], { inputShape: [8, null, 1] });
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    return m;
  };
  const data = (n: number) => ({ x: tensor(sequence(n, 5, 1, 9)), y: tensor(sequence(n, 1, 1, 10).map((r) => r[0])) });

  it('refuses a shuffle request by name, and never shuffles', () => {
    const { x, y } = data(24);
    expect(() => model().fit(x, y, { epochs: 1, batchSize: 8, shuffle: true })).toThrow(/option 'shuffle' is true, but the model is stateful/);
    // The same run twice with different shuffling seeds: identical, as nothing is shuffled.
    const a = model().fit(x, y, { epochs: 2, batchSize: 8, seed: 1 });
    const b = model().fit(x, y, { epochs: 2, batchSize: 8, seed: 2 });
    expect(a.loss).toEqual(b.loss);
  });

  it('drops a partial last batch', () => {
    const { x, y } = data(30);
    const seen: number[] = [];
    model().fit(x, y, { epochs: 1, batchSize: 8, onBatch: (b) => seen.push(b.batches) });
    expect(seen).toEqual([3, 3, 3]);
  });

  it('validates from zero states in full batches and gives the training states back', () => {
    const { x, y } = data(24);
    const m = model();
    let before: Tensor[] | null = null;
    m.fit(x, y, {
      epochs: 1, batchSize: 8, validationData: data(20),
      onBatch: (b) => { if (b.batch === b.batches - 1) before = m.statefulLayers[0].carriedStates(); },
    });
    const after = m.statefulLayers[0].carriedStates() as Tensor[];
    expect(before).not.toBeNull();
    (before as unknown as Tensor[]).forEach((s, k) => expect(Array.from(after[k].data)).toEqual(Array.from(s.data)));
  });
});

describe('model files', () => {
  it('keep stateful: true and the batch size; the loaded layer is stateful', () => {
    const m = new Sequential([new GRU(3, { stateful: true, rng: new Random(1), returnSequences: true }), new Dense(2, { rng: new Random(2) })], { inputShape: [4, null, 2] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-stateful-'));
    saveModel(m, dir);
    const layer0 = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(layer0.stateful).toBe(true);
    expect(layer0.batch_input_shape).toEqual([4, null, 2]);
    const loaded = loadModel(dir);
    expect((loaded.layers[0] as RNN).stateful).toBe(true);
    const x = tensor(sequence(4, 3, 2));
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    // … and both now carry the same states into the next batch.
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
  });
});
