/**
 * Layers from Keras configs and back: round trips, TF.js defaults for null / missing options,
 * rejection of options rnngrad does not implement, configs exchanged with TF.js both ways,
 * and the weight names model files use.
 */
import * as tf from '@tensorflow/tfjs';
import {
  layerFromConfig, weightFileNames, matchesWeightName, tfjsIncompatibility, SimpleRNN, LSTM, GRU, RNN, Dense, TimeDistributed,
  SimpleRNNCell, LSTMCell, GRUCell, LNSimpleRNNCell, PeepholeLSTMCell, TFJS_LSTM_PRESET,
} from '../../cells';
import type { Layer, KerasLayerConfig } from '../../cells';
import { Random } from '../../engine/random';
import { randn } from '../../engine/creation';
import type { Tensor } from '../../engine/tensor';

beforeAll(async () => {
  tf.env().set('PROD', true); // no "install tfjs-node" notice in the test output
  await tf.setBackend('cpu');
});

const x = randn([2, 5, 3], { rng: new Random(1) });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function copyWeights(from: Layer, to: Layer): void {
  const src = from.weights();
  to.weights().forEach((w, k) => w.tensor.data.set(src[k].tensor.data));
}

const layers: [string, () => Layer][] = [
  ['SimpleRNN relu', () => new SimpleRNN(4, { activation: 'relu', returnSequences: true })],
  ['LSTM sigmoid', () => new LSTM(4, { returnState: true })],
  ['LSTM TF.js preset', () => new LSTM(4, { ...TFJS_LSTM_PRESET, returnSequences: true, goBackwards: true })],
  ['GRU reset_after', () => new GRU(4, { returnSequences: true })],
  ['GRU reset_before', () => new GRU(4, { resetAfter: false, recurrentActivation: 'hard_sigmoid' })],
  ['RNN(SimpleRNNCell)', () => new RNN(new SimpleRNNCell(4))],
  ['RNN(LSTMCell)', () => new RNN(new LSTMCell(4), { returnSequences: true })],
  ['RNN(GRUCell)', () => new RNN(new GRUCell(4))],
  ['RNN(LNSimpleRNNCell)', () => new RNN(new LNSimpleRNNCell(4), { returnSequences: true })],
  ['RNN(PeepholeLSTMCell) with dropout', () => new RNN(new PeepholeLSTMCell(4), { dropout: 0.2, recurrentDropout: 0.1, dropoutMode: 'semeniuta', zoneoutC: 0.1 })],
  ['Dense tanh', () => new Dense(3, { activation: 'tanh' })],
  ['Dense no bias', () => new Dense(3, { useBias: false })],
  ['TimeDistributed(Dense)', () => new TimeDistributed(new Dense(3))],
];

describe('toConfig → layerFromConfig round trip', () => {
  it.each(layers)('%s: same class, name, options, weight layout and outputs', (_label, make) => {
    const a = make();
    const y = a.call(x);
    const cfg = JSON.parse(JSON.stringify(a.toConfig())) as KerasLayerConfig;
    const b = layerFromConfig(cfg);
    expect(b.className).toBe(a.className);
    expect(b.name).toBe(a.name);
    expect(b.toConfig()).toEqual(a.toConfig());
    b.build(3);
    expect(b.weights().map((w) => [w.name, w.tensor.shape])).toEqual(a.weights().map((w) => [w.name, w.tensor.shape]));
    copyWeights(a, b);
    expect(maxDiff(b.call(x).data, y.data)).toBe(0);
  });
});

describe('null and missing options take TF.js defaults', () => {
  it('LSTM: recurrent_activation null → hard_sigmoid, activation null → tanh', () => {
    const l = layerFromConfig({ class_name: 'LSTM', config: { units: 3, recurrent_activation: null, activation: null, unit_forget_bias: null, implementation: null } }) as LSTM;
    expect((l.cell as LSTMCell).recurrentActivation).toBe('hard_sigmoid');
    expect((l.cell as LSTMCell).activation).toBe('tanh');
    expect(l.returnSequences).toBe(false);
  });
  it('GRU: reset_after missing → false (the TF.js form); Dense: activation missing → linear', () => {
    expect(((layerFromConfig({ class_name: 'GRU', config: { units: 2 } }) as GRU).cell as GRUCell).resetAfter).toBe(false);
    expect((layerFromConfig({ class_name: 'Dense', config: { units: 2 } }) as Dense).activation).toBe('linear');
  });
  it("accepts TF.js's camelCase hardSigmoid and Keras 3's dtype objects", () => {
    const l = layerFromConfig({ class_name: 'SimpleRNN', config: { units: 2, dtype: { class_name: 'DTypePolicy', config: { name: 'float32' } } } });
    expect(l.className).toBe('SimpleRNN');
  });
});

describe('options rnngrad does not implement are rejected, named', () => {
  it.each([
    [{ class_name: 'LSTM', config: { units: 2, time_major: true } }, 'time_major=true'],
    [{ class_name: 'GRU', config: { units: 2, kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } } }, 'kernel_regularizer='],
    [{ class_name: 'SimpleRNN', config: { units: 2, recurrent_constraint: { class_name: 'MaxNorm', config: {} } } }, 'recurrent_constraint='],
    [{ class_name: 'LSTM', config: { units: 2, use_bias: false } }, 'use_bias=false'],
    [{ class_name: 'LSTM', config: { units: 2, trainable: false } }, 'trainable=false'],
    [{ class_name: 'LSTM', config: { units: 2, zero_output_for_mask: true } }, 'zero_output_for_mask=true'],
    [{ class_name: 'LSTM', config: { units: 2, some_new_option: 3 } }, 'some_new_option=3'],
    [{ class_name: 'LSTM', config: { units: 2, activation: 'selu' } }, 'unsupported activation "selu"'],
    [{ class_name: 'LSTM', config: { units: 0 } }, "'units' must be a positive integer"],
    [{ class_name: 'Dense', config: { units: 2, activity_regularizer: { class_name: 'L1' } } }, 'activity_regularizer='],
    [{ class_name: 'Conv1D', config: {} }, "layer class 'Conv1D' is not supported"],
    [{ class_name: 'TimeDistributed', config: { layer: { class_name: 'LSTM', config: { units: 2 } } } }, 'only TimeDistributed(Dense)'],
    [{ class_name: 'RNN', config: { cell: [{ class_name: 'LSTMCell', config: { units: 2 } }] } }, 'stacked cell lists are not supported'],
    [{ class_name: 'RNN', config: { cell: { class_name: 'ConvLSTM2DCell', config: { units: 2 } } } }, "cell class 'ConvLSTM2DCell' is not supported"],
    [{ class_name: 'RNN', config: { cell: { class_name: 'LSTMCell', config: { units: 2, bias_regularizer: { class_name: 'L2' } } } } }, 'bias_regularizer='],
  ] as [KerasLayerConfig, string][])('%j', (cfg, message) => {
    expect(() => layerFromConfig(cfg)).toThrow(message);
  });
  it('the message names the layer', () => {
    expect(() => layerFromConfig({ class_name: 'LSTM', config: { name: 'enc', units: 2, time_major: true } })).toThrow("LSTM layer 'enc': options not implemented by rnngrad: time_major=true");
  });
});

describe('configs exchanged with TF.js', () => {
  it('a TF.js model\'s layer configs load here and, with its weights, predict what TF.js predicts', () => {
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: 4, inputShape: [null, 3], returnSequences: true }));
    model.add(tf.layers.gru({ units: 3, returnSequences: true }));
    model.add(tf.layers.simpleRNN({ units: 3, returnSequences: true }));
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }));
    const topology = model.toJSON(null, false) as unknown as { config: { layers: KerasLayerConfig[] } };
    const ours = topology.config.layers.map((c) => layerFromConfig(c));
    expect(ours.map((l) => l.className)).toEqual(['LSTM', 'GRU', 'SimpleRNN', 'TimeDistributed']);
    let h: Tensor = x;
    for (const l of ours) h = l.call(h);
    const values = model.getWeights();
    ours.flatMap((l) => l.weights()).forEach((w, k) => w.tensor.data.set(values[k].dataSync()));
    h = x;
    for (const l of ours) h = l.call(h);
    const ref = model.predict(tf.tensor3d(x.toArray() as number[][][])) as tf.Tensor;
    expect(maxDiff(h.data, ref.dataSync())).toBeLessThan(1e-5);
    // TF.js names its weights lstm_LSTM1/kernel …: they match our layers by name.
    const names = model.weights.map((w) => w.name);
    ours.forEach((l) => l.weights().forEach((w) => expect(names.some((n) => matchesWeightName(n, l.name, w.name))).toBe(true)));
  });

  it('our configs load in TF.js and predict what we predict', async () => {
    const ours: Layer[] = [new LSTM(4, { returnSequences: true }), new GRU(3, { resetAfter: false, returnSequences: true }),
      new SimpleRNN(3, { returnSequences: true }), new TimeDistributed(new Dense(3)), new LSTM(2, { ...TFJS_LSTM_PRESET, goBackwards: true }),
      new Dense(2, { activation: 'tanh' })];
    ours.forEach((l) => expect(tfjsIncompatibility(l)).toBeNull());
    let h: Tensor = x;
    for (const l of ours) h = l.call(h);
    const layerConfigs = ours.map((l) => l.toConfig());
    (layerConfigs[0].config as Record<string, unknown>).batch_input_shape = [null, null, 3];
    const model = await tf.models.modelFromJSON({ class_name: 'Sequential', config: { name: 'sequential', layers: layerConfigs } } as never);
    model.setWeights(ours.flatMap((l) => l.weights()).map((w) => tf.tensor(Array.from(w.tensor.data), w.tensor.shape as number[])));
    const ref = model.predict(tf.tensor3d(x.toArray() as number[][][])) as tf.Tensor;
    expect(maxDiff(h.data, ref.dataSync())).toBeLessThan(1e-5);
    expect(model.layers.map((l) => l.name)).toEqual(ours.map((l) => l.name));
  });
});

describe('tfjsIncompatibility', () => {
  it.each([
    [() => new GRU(2), 'reset_after = false'],
    [() => new RNN(new LNSimpleRNNCell(2)), 'TF.js has no LNSimpleRNNCell'],
    [() => new RNN(new PeepholeLSTMCell(2)), 'TF.js has no PeepholeLSTMCell'],
    [() => new LSTM(2, { zoneoutH: 0.1 }), 'zoneout'],
  ] as [() => Layer, string][])('%#: %s', (make, message) => {
    expect(tfjsIncompatibility(make())).toContain(message);
  });
});

describe('weight names in model files', () => {
  it('<layer>/<weight>, plus the converter\'s <layer>/<cell>/<weight>', () => {
    const l = new LSTM(2, { name: 'lstm_1', inputFeatures: 1 });
    expect(weightFileNames(l).map((w) => [w.name, ...w.aliases])).toEqual([
      ['lstm_1/kernel', 'lstm_1/lstm_cell/kernel'],
      ['lstm_1/recurrent_kernel', 'lstm_1/lstm_cell/recurrent_kernel'],
      ['lstm_1/bias', 'lstm_1/lstm_cell/bias'],
    ]);
    expect(weightFileNames(new Dense(2, { name: 'dense', inputFeatures: 2 })).map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    expect(weightFileNames(new TimeDistributed(new Dense(2, { inputFeatures: 2 }), { name: 'td' })).map((w) => w.name)).toEqual(['td/kernel', 'td/bias']);
  });
  it.each([
    ['lstm/kernel', true], ['lstm/lstm_cell/kernel', true], ['lstm/lstm_cell/kernel:0', true],
    ['rnn/ln_simple_rnn_cell/layer_normalization/gamma', false], ['lstm_1/kernel', false], ['lstm/recurrent_kernel', false],
  ] as [string, boolean][])('%s matches lstm/kernel: %s', (name, expected) => {
    expect(matchesWeightName(name, 'lstm', 'kernel')).toBe(expected);
  });
});
