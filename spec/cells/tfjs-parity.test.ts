/**
 * Parity with TensorFlow.js (a dev dependency, tests only): the same layers with the same
 * weights give the same outputs, input gradients and weight gradients, to 1e-5 relative in float32.
 */
import * as tf from '@tensorflow/tfjs';
import { SimpleRNN, LSTM, GRU, Dense, TimeDistributed, RNN, LSTMCell } from '../../cells';
import type { Layer } from '../../cells';
import { Random } from '../../engine/random';
import { randn, tensor } from '../../engine/creation';
import { sum, mul } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';

beforeAll(async () => {
  tf.env().set('PROD', true); // no "install tfjs-node" notice in the test output
  await tf.setBackend('cpu');
});

const BATCH = 3;
const TIME = 6;
const FEATURES = 2;

/** max |a − b| / max(1, max |b|) — relative to the reference's scale. */
function relErr(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(ours.length).toBe(ref.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / scale;
}

interface Pair {
  readonly ours: Layer[];
  readonly theirs: tf.layers.Layer[];
}

/** Run both stacks on the same x with loss = Σ out ⊙ R; compare out, dL/dx and every dL/dW. */
function compare(pair: Pair): void {
  const rng = new Random(17);
  const x = randn([BATCH, TIME, FEATURES], { rng, requiresGrad: true });
  // Build ours, then copy our (random) weights into TF.js in Keras order.
  let h: Tensor = x;
  for (const l of pair.ours) h = l.call(h);
  const R = randn(h.shape, { rng });
  const model = tf.sequential();
  pair.theirs.forEach((l) => model.add(l));
  model.build([null, TIME, FEATURES]);
  const ourWeights = pair.ours.flatMap((l) => l.weights());
  const theirVars = model.trainableWeights;
  expect(theirVars.map((v) => v.shape)).toEqual(ourWeights.map((w) => w.tensor.shape));
  model.setWeights(ourWeights.map((w) => tf.tensor(Array.from(w.tensor.data), w.tensor.shape as number[])));

  // Ours: forward and backward.
  const loss = sum(mul(h, R));
  loss.backward();

  // Theirs.
  const xT = tf.tensor3d(Array.from(x.data), [BATCH, TIME, FEATURES]);
  const RT = tf.tensor(Array.from(R.data), R.shape as number[]);
  const f = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(model.apply(input) as tf.Tensor, RT));
  const out = model.apply(xT) as tf.Tensor;
  expect(out.shape).toEqual(h.shape);
  expect(relErr(h.data, out.dataSync())).toBeLessThan(1e-5);
  const dx = tf.grad(f)(xT);
  expect(relErr((x.grad as Tensor).data, dx.dataSync())).toBeLessThan(1e-5);
  const { grads } = tf.variableGrads(() => f(xT));
  theirVars.forEach((v, k) => {
    const ours = ourWeights[k].tensor.grad as Tensor;
    const e = relErr(ours.data, grads[v.name].dataSync());
    if (!(e < 1e-5)) throw new Error(`gradient of ${ourWeights[k].name} (${v.name}) differs from TF.js: ${e}`);
  });
}

describe('parity with TF.js 4.22 (cpu backend, float32)', () => {
  it('SimpleRNN (tanh), sequences out', () => {
    compare({
      ours: [new SimpleRNN(4, { returnSequences: true, rng: new Random(1) })],
      theirs: [tf.layers.simpleRNN({ units: 4, returnSequences: true, inputShape: [TIME, FEATURES] })],
    });
  });

  it.each([['sigmoid'], ['hard_sigmoid']] as const)('LSTM, recurrent activation %s, last step out', (act) => {
    compare({
      ours: [new LSTM(5, { recurrentActivation: act, rng: new Random(2) })],
      theirs: [tf.layers.lstm({ units: 5, recurrentActivation: act === 'sigmoid' ? 'sigmoid' : 'hardSigmoid', inputShape: [TIME, FEATURES] })],
    });
  });

  it('LSTM composed path (RNN(LSTMCell)) matches too', () => {
    compare({
      ours: [new RNN(new LSTMCell(5, { rng: new Random(3) }), { returnSequences: true })],
      theirs: [tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [TIME, FEATURES] })],
    });
  });

  it.each([['sigmoid'], ['hard_sigmoid']] as const)('GRU reset_after = false (the form TF.js has), recurrent activation %s', (act) => {
    compare({
      ours: [new GRU(4, { resetAfter: false, recurrentActivation: act, returnSequences: true, rng: new Random(4) })],
      theirs: [tf.layers.gru({ units: 4, recurrentActivation: act === 'sigmoid' ? 'sigmoid' : 'hardSigmoid', returnSequences: true, inputShape: [TIME, FEATURES] })],
    });
  });

  it('goBackwards LSTM', () => {
    compare({
      ours: [new LSTM(3, { goBackwards: true, returnSequences: true, rng: new Random(5) })],
      theirs: [tf.layers.lstm({ units: 3, goBackwards: true, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [TIME, FEATURES] })],
    });
  });

  it('stacked: LSTM(seq) → GRU(seq) → SimpleRNN(seq) → TimeDistributed(Dense)', () => {
    compare({
      ours: [
        new LSTM(5, { returnSequences: true, rng: new Random(6) }),
        new GRU(4, { resetAfter: false, returnSequences: true, rng: new Random(7) }),
        new SimpleRNN(3, { returnSequences: true, rng: new Random(8) }),
        new TimeDistributed(new Dense(2, { rng: new Random(9) })),
      ],
      theirs: [
        tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [TIME, FEATURES] }),
        tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true }),
        tf.layers.simpleRNN({ units: 3, returnSequences: true }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
      ],
    });
  });

  it("stacked: Géron's W1 model — LSTM(seq) → LSTM(seq) → Dense on every step", () => {
    compare({
      ours: [new LSTM(6, { returnSequences: true, rng: new Random(10) }), new LSTM(6, { returnSequences: true, rng: new Random(11) }), new Dense(3, { rng: new Random(12) })],
      theirs: [
        tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [TIME, FEATURES] }),
        tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid', returnSequences: true }),
        tf.layers.dense({ units: 3 }),
      ],
    });
  });

  it('masking with padded batches matches TF.js (Masking layer, mask value 0)', () => {
    const x = tensor([[[1, 2], [0.5, -1], [0, 0], [0, 0]], [[0.3, 0.1], [-0.2, 0.4], [1, 1], [0.7, -0.3]]]);
    const mask = tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
    const ours = new LSTM(3, { returnSequences: true, rng: new Random(13) });
    const y = ours.call(x, { mask });
    const model = tf.sequential();
    model.add(tf.layers.masking({ maskValue: 0, inputShape: [4, 2] }));
    model.add(tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }));
    model.setWeights(ours.weights().map((w) => tf.tensor(Array.from(w.tensor.data), w.tensor.shape as number[])));
    const ref = model.predict(tf.tensor3d(x.toArray() as number[][][])) as tf.Tensor;
    expect(relErr(y.data, ref.dataSync())).toBeLessThan(1e-5);
  });
});
