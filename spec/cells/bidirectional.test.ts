/**
 * Bidirectional (issue 15, Keras/TF.js semantics): TF.js-saved Bidirectional models — every merge
 * mode a file can hold, stacked, over SimpleRNN, LSTM and GRU — load here and predict what TF.js
 * predicts (≤ 1e-5); rnngrad saves them in TF.js's form (TF.js loads them and predicts the same);
 * masking matches TF.js's Masking layer; merge mode null is API-only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { Random } from '../../engine/random';
import { LSTM, GRU, SimpleRNN, Dense, Bidirectional, RNN, LNSimpleRNNCell, layerFromConfig } from '../../cells';
import { Sequential, modelToJson } from '../../train';
import { loadModel, saveModel } from '../../node/model-files';
import { fileLoader, fileSaver } from '../tfjs/model-io';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-bidi-'));
const input = (shape: [number, number, number], seed = 3): number[][][] => {
  const rng = new Random(seed);
  return Array.from({ length: shape[0] }, () => Array.from({ length: shape[1] }, () => Array.from({ length: shape[2] }, () => rng.normal())));
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

type Merge = 'concat' | 'sum' | 'mul' | 'ave';
const RECURRENT: Record<string, (units: number, returnSequences: boolean) => tf.layers.Layer> = {
  lstm: (units, returnSequences) => tf.layers.lstm({ units, returnSequences, recurrentActivation: 'sigmoid' }),
  gru: (units, returnSequences) => tf.layers.gru({ units, returnSequences }),
  simple: (units, returnSequences) => tf.layers.simpleRNN({ units, returnSequences }),
};

/** A TF.js model: Bidirectional(kind) [stacked: twice] → Dense(1); random weights. */
function tfjsModel(kind: string, merge: Merge, stacked: boolean, features = 3): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.bidirectional({ layer: RECURRENT[kind](4, stacked) as tf.RNN, mergeMode: merge, inputShape: [null, features] }));
  if (stacked) m.add(tf.layers.bidirectional({ layer: RECURRENT[kind](3, false) as tf.RNN, mergeMode: merge }));
  m.add(tf.layers.dense({ units: 1 }));
  return m;
}

describe('TF.js-saved Bidirectional models load and predict what TF.js predicts', () => {
  const cases: [string, Merge, boolean][] = [
    ['lstm', 'concat', false], ['lstm', 'sum', false], ['lstm', 'mul', false], ['lstm', 'ave', false],
    ['gru', 'concat', true], ['simple', 'ave', true], ['lstm', 'concat', true], ['gru', 'mul', false],
  ];
  it.each(cases)('%s, merge %s, stacked %p', async (kind, merge, stacked) => {
    const dir = tmp();
    const model = tfjsModel(kind, merge, stacked);
    await model.save(fileSaver(dir));
    const x = input([2, 5, 3]);
    const expected = (model.predict(tf.tensor3d(x)) as tf.Tensor).dataSync();
    const loaded = loadModel(dir);
    expect(loaded.layers[0]).toBeInstanceOf(Bidirectional);
    expect(maxDiff(loaded.predict(tensor(x)).data, expected)).toBeLessThanOrEqual(1e-5);
  });
});

describe('rnngrad saves Bidirectional in TF.js form', () => {
  it.each([['concat'], ['sum'], ['mul'], ['ave']] as [Merge][])('merge %s: TF.js loads the file and predicts the same; it reloads here exactly', async (merge) => {
    const rng = new Random(8);
    const m = new Sequential([
      new Bidirectional(new LSTM(3, { rng, returnSequences: true, recurrentActivation: 'sigmoid' }), { mergeMode: merge }),
      new Bidirectional(new GRU(2, { rng, resetAfter: false }), { mergeMode: merge }),
      new Dense(1, { rng }),
    ], { inputFeatures: 2 });
    const dir = tmp();
    saveModel(m, dir);
    const names = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(names.slice(0, 3)).toEqual([`${m.layers[0].name}/forward_${(m.layers[0] as Bidirectional).forward.name}/kernel`, expect.stringMatching(/forward_.*\/recurrent_kernel$/), expect.stringMatching(/forward_.*\/bias$/)]);
    const x = input([3, 4, 2], 5);
    const ours = m.predict(tensor(x)).data;
    const theirs = await tf.loadLayersModel(fileLoader(tf, path.join(dir, 'model.json')));
    expect(maxDiff(ours, (theirs.predict(tf.tensor3d(x)) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-5);
    expect(Array.from(loadModel(dir).predict(tensor(x)).data)).toEqual(Array.from(ours));
  });

  it('a Bidirectional over a custom-cell RNN (the LN cell) round-trips through its file', () => {
    const m = new Sequential([new Bidirectional(new RNN(new LNSimpleRNNCell(3, { rng: new Random(2), epsilon: 0.01 }), { returnSequences: false })), new Dense(1, { rng: new Random(3) })], { inputFeatures: 2 });
    const dir = tmp();
    saveModel(m, dir);
    const x = tensor(input([2, 3, 2], 9));
    expect(Array.from(loadModel(dir).predict(x).data)).toEqual(Array.from(m.predict(x).data));
  });
});

describe('masking', () => {
  it('a padded batch gives what TF.js gives behind a Masking layer (return sequences, concat)', () => {
    const tfModel = tf.sequential();
    tfModel.add(tf.layers.masking({ maskValue: 0, inputShape: [null, 2] }));
    tfModel.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat' }));
    const x = input([2, 5, 2], 4);
    // Row 0: its last two steps padded (all-zero features, TF.js's Masking); row 1: none.
    x[0][3] = [0, 0];
    x[0][4] = [0, 0];
    const expected = (tfModel.predict(tf.tensor3d(x)) as tf.Tensor).dataSync();
    const weights = tfModel.layers[1].getWeights().map((w) => new Tensor(Float32Array.from(w.dataSync()), w.shape));
    const layer = new Bidirectional(new LSTM(3, { returnSequences: true, recurrentActivation: 'sigmoid', name: 'm_lstm' }));
    layer.build(2);
    layer.forward.setWeights(weights.slice(0, 3));
    layer.backward.setWeights(weights.slice(3));
    const mask = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const ours = layer.call(tensor(x), { mask });
    // At a padded step both TF.js and rnngrad carry the states and repeat the previous output.
    expect(maxDiff(ours.data, expected)).toBeLessThanOrEqual(1e-5);
  });
});

describe('merge mode null and refusals', () => {
  it('null gives both outputs in the API, and cannot be written to (or read from) a Sequential file', () => {
    const layer = new Bidirectional(new SimpleRNN(2, { returnSequences: true, rng: new Random(1) }), { mergeMode: null });
    const [forward, backward] = layer.callBoth(tensor(input([1, 3, 2])));
    expect(forward.shape).toEqual([1, 3, 2]);
    expect(backward.shape).toEqual([1, 3, 2]);
    expect(() => layer.call(tensor(input([1, 3, 2])))).toThrow(/mergeMode null gives two outputs; use callBoth/);
    const m = new Sequential([layer], { inputFeatures: 2 });
    expect(() => modelToJson(m)).toThrow(/merge_mode null has two outputs, which a Sequential model file cannot hold/);
    expect(() => layerFromConfig({ class_name: 'Bidirectional', config: { merge_mode: null, layer: { class_name: 'LSTM', config: { units: 2 } } } }))
      .toThrow(/merge_mode null gives two outputs, which a Sequential model file cannot hold/);
  });
  it('refuses a merge mode it does not know, and a wrapped layer that is not recurrent, by name', () => {
    expect(() => layerFromConfig({ class_name: 'Bidirectional', config: { merge_mode: 'max', layer: { class_name: 'LSTM', config: { units: 2 } } } })).toThrow(/merge_mode must be one of concat, sum, mul, ave, got "max"/);
    expect(() => layerFromConfig({ class_name: 'Bidirectional', config: { layer: { class_name: 'Dense', config: { units: 2 } } } })).toThrow(/'layer' is a Dense; Bidirectional wraps a recurrent layer/);
  });
});
