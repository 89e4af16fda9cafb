import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { tensor } from '../../engine/creation';
import { Dense } from '../../cells/dense';
import { SimpleRNN } from '../../cells/recurrent-layers';
import { Sequential, NonFiniteLossError } from '../../train/model';
import { SGD, Adam } from '../../train/optimizers';
import type { BatchInfo } from '../../train/fit';

function denseModel(seed = 1, units = 1, features = 2): Sequential {
  return new Sequential([new Dense(units, { name: 'dense', rng: new Random(seed) })], { inputFeatures: features });
}

describe('Sequential', () => {
  it('names weights <layer>/<weight> in Keras order', () => {
    const m = new Sequential([new SimpleRNN(3, { name: 'rnn_a', rng: new Random(1) }), new Dense(2, { name: 'out', rng: new Random(2) })], { inputFeatures: 4 });
    expect(m.weights().map((p) => `${p.name} [${p.tensor.shape}]`)).toEqual([
      'rnn_a/kernel [4,3]',
      'rnn_a/recurrent_kernel [3,3]',
      'rnn_a/bias [3]',
      'out/kernel [3,2]',
      'out/bias [2]',
    ]);
    expect(m.inputShape).toEqual([null, null, 4]);
    expect(m.outputFeatures).toBe(2);
  });

  it('trainOnBatch returns the MSE before the step and applies w ← w − lr·∂L/∂w', () => {
    const m = denseModel();
    const [kernel, bias] = m.weights().map((p) => p.tensor);
    kernel.data.set([0.5, -1]);
    bias.data.set([0.25]);
    m.compile({ optimizer: new SGD({ learningRate: 0.1 }) });
    const x = tensor([[1, 2], [3, -1]]);
    const y = tensor([[0], [1]]);
    // predictions: 0.5 − 2 + 0.25 = −1.25, 1.5 + 1 + 0.25 = 2.75; errors −1.25, 1.75.
    const loss = m.trainOnBatch(x, y);
    expect(loss).toBeCloseTo((1.25 ** 2 + 1.75 ** 2) / 2, 6);
    // ∂L/∂W = 2/N Σ e·x = [−1.25·1 + 1.75·3, −1.25·2 + 1.75·(−1)] = [4, −4.25]; ∂L/∂b = −1.25 + 1.75 = 0.5.
    expect(Array.from(kernel.data)).toEqual([0.5 - 0.4, -1 + 0.425].map(Math.fround));
    expect(bias.data[0]).toBeCloseTo(0.25 - 0.05, 6);
  });

  it('builds on the first batch when no input size was given', () => {
    const m = new Sequential([new Dense(1, { name: 'd', rng: new Random(1) })]);
    expect(m.built).toBe(false);
    m.compile({ optimizer: new SGD() });
    m.trainOnBatch(tensor([[1, 2, 3]]), tensor([[1]]));
    expect(m.inputShape).toEqual([null, 3]);
    expect(m.weights()[0].tensor.shape).toEqual([3, 1]);
  });

  it('predict in batches equals one pass', () => {
    const m = new Sequential([new SimpleRNN(5, { rng: new Random(3), returnSequences: true }), new Dense(2, { rng: new Random(4) })], { inputFeatures: 3 });
    const rng = new Random(5);
    const x = new Tensor(Float32Array.from({ length: 7 * 4 * 3 }, () => rng.normal()), [7, 4, 3]);
    const whole = m.predict(x);
    const batched = m.predict(x, { batchSize: 3 });
    expect(batched.shape).toEqual([7, 4, 2]);
    expect(Array.from(batched.data)).toEqual(Array.from(whole.data));
    expect(whole.requiresGrad).toBe(false);
  });

  it('evaluate gives the MSE over all samples', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const y = tensor([[1], [2], [3]]);
    const p = m.predict(x).data;
    const want = ((p[0] - 1) ** 2 + (p[1] - 2) ** 2 + (p[2] - 3) ** 2) / 3;
    expect(m.evaluate(x, y, { batchSize: 2 })).toBeCloseTo(want, 6);
  });

  it('names the shapes when outputs and targets differ', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    expect(() => m.trainOnBatch(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(/outputs \[1,1\] but the targets are \[1,2\]/);
  });

  it('stops on a non-finite loss before touching the weights', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    const before = m.weights().map((p) => Array.from(p.tensor.data));
    const x = tensor([[1, 2], [3, 4]]);
    const y = tensor([[NaN], [1]]);
    expect(() => m.fit(x, y, { epochs: 1, batchSize: 1, shuffle: false })).toThrow(NonFiniteLossError);
    expect(() => m.fit(x, y, { epochs: 1, batchSize: 1, shuffle: false })).toThrow(/epoch 1, batch 1 of 2/);
    expect(m.weights().map((p) => Array.from(p.tensor.data))).toEqual(before);
  });

  it('trains with softmax cross-entropy', () => {
    const m = denseModel(7, 3, 2);
    m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'softmaxCrossEntropy' });
    const x = tensor([[1, 0], [0, 1], [1, 1]]);
    const y = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const first = m.evaluate(x, y);
    const h = m.fit(x, y, { epochs: 200, batchSize: 3 });
    expect(h.loss[199]).toBeLessThan(first / 4);
  });
});

describe('fit', () => {
  const rng = new Random(11);
  const x = new Tensor(Float32Array.from({ length: 50 * 2 }, () => rng.normal()), [50, 2]);
  const y = new Tensor(Float32Array.from({ length: 50 }, (_, i) => 3 * x.data[2 * i] - 2 * x.data[2 * i + 1] + 0.5), [50, 1]);

  it('learns a linear map', () => {
    const m = denseModel();
    m.compile({ optimizer: new Adam({ learningRate: 0.05 }) });
    const h = m.fit(x, y, { epochs: 60, batchSize: 8, seed: 1, validationData: { x, y } });
    expect(h.loss[0]).toBeGreaterThan(1);
    expect(h.valLoss[59]).toBeLessThan(1e-3);
    expect(h.epoch).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('runs ceil(N / batch) batches per epoch, the last one smaller', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    const seen: BatchInfo[] = [];
    m.fit(x, y, { epochs: 2, batchSize: 16, onBatch: (b) => seen.push(b) });
    expect(seen.map((b) => `${b.epoch}:${b.batch}/${b.batches}`)).toEqual(['0:0/4', '0:1/4', '0:2/4', '0:3/4', '1:0/4', '1:1/4', '1:2/4', '1:3/4']);
  });

  it('the epoch loss is the batch losses weighted by batch size', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD({ learningRate: 1e-9 }) }); // the weights barely move
    const seen: number[] = [];
    const h = m.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, onBatch: (b) => seen.push(b.loss) });
    expect(h.loss[0]).toBeCloseTo((16 * (seen[0] + seen[1] + seen[2]) + 2 * seen[3]) / 50, 6);
  });

  const run = (seed: number) => {
    const m = new Sequential([new SimpleRNN(4, { rng: new Random(2) }), new Dense(1, { rng: new Random(3) })], { inputFeatures: 1 });
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }) });
    const xs = new Tensor(x.data.slice(0, 48), [12, 4, 1]);
    const ys = new Tensor(y.data.slice(0, 12), [12, 1]);
    m.fit(xs, ys, { epochs: 3, batchSize: 5, seed });
    return m.weights().flatMap((p) => Array.from(p.tensor.data));
  };
  it('the same seed gives bit-identical weights; another seed does not', () => {
    expect(run(5)).toEqual(run(5));
    expect(run(6)).not.toEqual(run(5));
  });

  it('stops when onEpoch returns false', () => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    const h = m.fit(x, y, { epochs: 10, onEpoch: (e) => e.epoch < 2 });
    expect(h.epoch).toEqual([0, 1, 2]);
  });

  it.each([
    [{ epochs: 1, batchSize: 0 }, /batchSize must be a positive integer/],
    [{ epochs: -1 }, /epochs must be an integer ≥ 0/],
    [{ epochs: 1, initialEpoch: 0.5 }, /initialEpoch/],
  ])('rejects %p', (options, message) => {
    const m = denseModel();
    m.compile({ optimizer: new SGD() });
    expect(() => m.fit(x, y, options)).toThrow(message);
  });
});
