/**
 * Model files: TF.js interop both ways, exact round trips, converted names and layouts, and one
 * clear error per kind of bad file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { Dense, TimeDistributed } from '../../cells/dense';
import { LSTM, GRU, SimpleRNN } from '../../cells/recurrent-layers';
import { RNN } from '../../cells/rnn';
import { LNSimpleRNNCell } from '../../cells/ln-simple-rnn';
import { PeepholeLSTMCell } from '../../cells/peephole-lstm';
import { LSTMCell } from '../../cells/lstm';
import { Sequential } from '../../train/model';
import { loadModel, saveModel } from '../../node/model-files';
import { modelToJson, tfjsIncompatibilities } from '../../train/model-json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-files-'));
const randomInput = (shape: number[], seed = 9) => {
  const rng = new Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Write TF.js artifacts the way tfjs-node's file:// handler does. */
async function saveTfjs(model: tf.LayersModel, dir: string, shards = 1): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const bytes = new Uint8Array(a.weightData as ArrayBuffer);
  const cut = Math.floor(bytes.length / 2 / 4) * 4;
  const paths = shards === 1 ? ['weights.bin'] : ['part-a.bin', 'sub/part-b.bin'];
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  if (shards === 1) fs.writeFileSync(path.join(dir, paths[0]), bytes);
  else {
    fs.writeFileSync(path.join(dir, paths[0]), bytes.subarray(0, cut));
    fs.writeFileSync(path.join(dir, paths[1]), bytes.subarray(cut));
  }
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    modelTopology: a.modelTopology, format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
    weightsManifest: [{ paths, weights: a.weightSpecs }],
  }));
}

describe('a TF.js-saved model loads here and predicts what TF.js predicts', () => {
  const cases: { name: string; build: () => tf.Sequential; input: number[]; shards: number }[] = [
    {
      name: 'LSTM (hard sigmoid) → GRU (reset_after false) → Dense',
      build: () => tf.sequential({ layers: [
        tf.layers.lstm({ units: 4, inputShape: [null, 2], returnSequences: true }),
        tf.layers.gru({ units: 3 }),
        tf.layers.dense({ units: 2 }),
      ] }),
      input: [3, 6, 2],
      shards: 1,
    },
    {
      name: 'SimpleRNN → TimeDistributed(Dense), fixed length, two shards',
      build: () => tf.sequential({ layers: [
        tf.layers.simpleRNN({ units: 5, batchInputShape: [null, 7, 3], returnSequences: true }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
      ] }),
      input: [2, 7, 3],
      shards: 2,
    },
    {
      name: 'LSTM with sigmoid, stacked',
      build: () => tf.sequential({ layers: [
        tf.layers.lstm({ units: 3, inputShape: [null, 1], recurrentActivation: 'sigmoid', returnSequences: true }),
        tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 1 }),
      ] }),
      input: [4, 5, 1],
      shards: 1,
    },
  ];
  it.each(cases)('$name', async ({ build, input, shards }) => {
    const theirs = build();
    const dir = tmp();
    await saveTfjs(theirs, dir, shards);
    const ours = loadModel(path.join(dir, 'model.json'));
    const x = randomInput(input);
    const want = (theirs.predict(tf.tensor(Array.from(x.data), input)) as tf.Tensor).dataSync();
    expect(maxDiff(ours.predict(x).data, want)).toBeLessThanOrEqual(1e-5);
  });
});

describe('a model saved here loads in TF.js and predicts the same', () => {
  const cases: { name: string; build: () => Sequential; input: number[] }[] = [
    {
      name: 'LSTM (sigmoid, Keras defaults) → Dense',
      build: () => new Sequential([new LSTM(4, { name: 'lstm', rng: new Random(1) }), new Dense(1, { name: 'dense', rng: new Random(2) })], { inputFeatures: 2 }),
      input: [3, 6, 2],
    },
    {
      name: 'GRU (reset_after false) → SimpleRNN → TimeDistributed(Dense)',
      build: () => new Sequential([
        new GRU(3, { name: 'gru', resetAfter: false, returnSequences: true, rng: new Random(3) }),
        new SimpleRNN(4, { name: 'simple_rnn', returnSequences: true, rng: new Random(4) }),
        new TimeDistributed(new Dense(2, { name: 'inner', rng: new Random(5) }), { name: 'time_distributed' }),
      ], { inputFeatures: 3 }),
      input: [2, 5, 3],
    },
  ];
  it.each(cases)('$name', async ({ build, input }) => {
    const ours = build();
    // Make the biases non-zero so that they are tested too.
    for (const p of ours.weights()) if (p.name.endsWith('bias')) p.tensor.data.forEach((_, i, d) => (d[i] = 0.1 * ((i % 5) - 2)));
    const dir = tmp();
    saveModel(ours, dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const weightData = new Uint8Array(fs.readFileSync(path.join(dir, 'group1-shard1of1.bin'))).buffer;
    const theirs = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
    const x = randomInput(input);
    const want = (theirs.predict(tf.tensor(Array.from(x.data), input)) as tf.Tensor).dataSync();
    expect(maxDiff(ours.predict(x).data, want)).toBeLessThanOrEqual(1e-5);
  });
});

describe('round trip', () => {
  const build = () => new Sequential([
    new LSTM(4, { name: 'lstm', returnSequences: true, rng: new Random(1) }),
    new RNN(new LNSimpleRNNCell(3, { rng: new Random(2) }), { name: 'rnn', returnSequences: true }),
    new RNN(new PeepholeLSTMCell(3, { rng: new Random(3) }), { name: 'rnn_1', returnSequences: true }),
    new RNN(new LSTMCell(2, { rng: new Random(6) }), { name: 'rnn_2', returnSequences: true }),
    new GRU(3, { name: 'gru', returnSequences: true, rng: new Random(4) }),
    new TimeDistributed(new Dense(2, { rng: new Random(5) }), { name: 'time_distributed' }),
  ], { inputFeatures: 2, name: 'course_model' });

  it('is exact: same weights bit for bit, same predictions, same model.json', () => {
    const model = build();
    const dir = tmp();
    const file = saveModel(model, dir);
    const loaded = loadModel(file);
    expect(loaded.name).toBe('course_model');
    expect(loaded.weights().map((p) => p.name)).toEqual(model.weights().map((p) => p.name));
    loaded.weights().forEach((p, k) => expect(Array.from(p.tensor.data)).toEqual(Array.from(model.weights()[k].tensor.data)));
    const x = randomInput([2, 5, 2]);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    const again = tmp();
    saveModel(loaded, again);
    expect(fs.readFileSync(path.join(again, 'model.json'), 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    expect(fs.readFileSync(path.join(again, 'group1-shard1of1.bin')).equals(fs.readFileSync(path.join(dir, 'group1-shard1of1.bin')))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']); // no temporary files left
  });

  it('names the layers TF.js could not load', () => {
    expect(tfjsIncompatibilities(build())).toEqual([
      "layer 'rnn': TF.js has no LNSimpleRNNCell of its own; the file loads in TF.js after registerLayers(tf) from 'rnngrad/tfjs'",
      "layer 'rnn_1': TF.js has no PeepholeLSTMCell of its own; the file loads in TF.js after registerLayers(tf) from 'rnngrad/tfjs'",
      "layer 'gru': TF.js's own GRU has only reset_after = false; the file loads in TF.js after registerLayers(tf) from 'rnngrad/tfjs' (or build it with resetAfter: false)",
    ]);
    expect(tfjsIncompatibilities(new Sequential([new GRU(2, { name: 'g', resetAfter: false, rng: new Random(1) })], { inputFeatures: 1 }))).toEqual([]);
  });

  it('a directory path loads its model.json', () => {
    const dir = tmp();
    saveModel(build(), dir);
    expect(loadModel(dir).layers.length).toBe(6);
  });
});

/** A hand-written converter-style file: model_config wrapping, null options, long names, odd order. */
function convertedFile(dir: string): { kernel: number[]; recurrent: number[]; bias: number[]; dense: number[] } {
  const kernel = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8];
  const recurrent = [0.05, 0.1, -0.15, 0.2, 0.25, -0.3, 0.35, 0.4];
  const bias = [0, 1, 0, 0.5];
  const dense = [2, -1];
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 50, 2], dtype: 'float32', sparse: false, ragged: false, name: 'lstm_input' } },
            { class_name: 'LSTM', config: { name: 'lstm', units: 1, activation: 'tanh', recurrent_activation: 'sigmoid', return_sequences: false, stateful: false, kernel_regularizer: null, dropout: 0.0, implementation: 2 } },
            { class_name: 'Dense', config: { name: 'dense', units: 1, activation: 'linear', use_bias: true, bias_regularizer: null } },
          ],
        },
      },
      training_config: { loss: 'mse' },
    },
    weightsManifest: [
      { paths: ['a.bin'], weights: [{ name: 'dense/kernel', shape: [1, 1], dtype: 'float32' }, { name: 'lstm/lstm_cell/kernel', shape: [2, 4], dtype: 'float32' }] },
      { paths: ['b1.bin', 'b2.bin'], weights: [{ name: 'lstm/lstm_cell/recurrent_kernel', shape: [1, 4], dtype: 'float32' }, { name: 'lstm/lstm_cell/bias', shape: [4], dtype: 'float32' }, { name: 'dense/bias', shape: [1], dtype: 'float32' }] },
    ],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.from(new Float32Array([dense[0], ...kernel]).buffer));
  const b = Buffer.from(new Float32Array([...recurrent.slice(0, 4), ...bias, dense[1]]).buffer);
  fs.writeFileSync(path.join(dir, 'b1.bin'), b.subarray(0, 10));
  fs.writeFileSync(path.join(dir, 'b2.bin'), b.subarray(10));
  return { kernel, recurrent: recurrent.slice(0, 4), bias, dense };
}

describe('converted files', () => {
  it('reads model_config wrapping, InputLayer, null options, converter names, several groups and shards', () => {
    const dir = tmp();
    const want = convertedFile(dir);
    const model = loadModel(path.join(dir, 'model.json'));
    expect(model.inputShape).toEqual([null, 50, 2]);
    const byName = Object.fromEntries(model.weights().map((p) => [p.name, Array.from(p.tensor.data)]));
    expect(byName['lstm/kernel']).toEqual(want.kernel.map(Math.fround));
    expect(byName['lstm/recurrent_kernel']).toEqual(want.recurrent.map(Math.fround));
    expect(byName['lstm/bias']).toEqual(want.bias.map(Math.fround));
    expect(byName['dense/kernel']).toEqual([2]);
    expect(byName['dense/bias']).toEqual([-1]);
  });

  it('saving keeps the file weight names and manifest order', () => {
    const dir = tmp();
    convertedFile(dir);
    const { json } = modelToJson(loadModel(path.join(dir, 'model.json')));
    expect(json.weightsManifest[0].weights.map((w) => w.name)).toEqual([
      'dense/kernel', 'lstm/lstm_cell/kernel', 'lstm/lstm_cell/recurrent_kernel', 'lstm/lstm_cell/bias', 'dense/bias',
    ]);
    expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 50, 2]);
  });
});

describe('bad files: one clear error each, naming the file', () => {
  type Edit = (dir: string, json: Record<string, any>) => void;
  const rewrite = (dir: string, f: (j: Record<string, any>) => void) => {
    const p = path.join(dir, 'model.json');
    const j = JSON.parse(fs.readFileSync(p, 'utf8'));
    f(j);
    fs.writeFileSync(p, JSON.stringify(j));
  };
  const cases: [string, Edit, RegExp][] = [
    ['malformed JSON', (d) => fs.writeFileSync(path.join(d, 'model.json'), '{"format": layers}'), /model\.json: malformed model\.json/],
    ['truncated model.json', (d) => fs.writeFileSync(path.join(d, 'model.json'), fs.readFileSync(path.join(d, 'model.json'), 'utf8').slice(0, 200)), /model\.json: malformed model\.json.*truncated/],
    ['empty model.json', (d) => fs.writeFileSync(path.join(d, 'model.json'), ''), /empty/],
    ['missing model.json', (d) => fs.rmSync(path.join(d, 'model.json')), /model\.json: cannot read the model file \(ENOENT\)/],
    ['.bin too short', (d) => fs.writeFileSync(path.join(d, 'group1-shard1of1.bin'), Buffer.alloc(12)), /group1-shard1of1\.bin hold 12 bytes, but the manifest's weights need \d+/],
    ['.bin too long', (d) => fs.appendFileSync(path.join(d, 'group1-shard1of1.bin'), Buffer.alloc(4)), /hold \d+ bytes, but the manifest's weights need/],
    ['missing .bin', (d) => fs.rmSync(path.join(d, 'group1-shard1of1.bin')), /cannot read the weights file .*group1-shard1of1\.bin/],
    ['wrong weight shape', (d) => rewrite(d, (j) => (j.weightsManifest[0].weights[0].shape = [3, 8])), /weight 'lstm\/kernel' has shape \[3,8\] but the layer config makes 'lstm\/kernel' of shape \[2,8\]/],
    ['unknown weight name', (d) => rewrite(d, (j) => j.weightsManifest[0].weights.push({ name: 'lstm/peephole', shape: [1], dtype: 'float32' })), /unknown weight name\(s\) 'lstm\/peephole'/],
    ['missing weight', (d) => rewrite(d, (j) => (j.weightsManifest[0].weights[2].name = 'other/bias')), /no weight for 'lstm\/bias' \(shape \[8\]\)/],
    ['unknown layer class', (d) => rewrite(d, (j) => (j.modelTopology.config.layers[1].class_name = 'Conv1D')), /model\.json: layer 1: .*'Conv1D' is not supported/],
    ['unsupported option set', (d) => rewrite(d, (j) => (j.modelTopology.config.layers[0].config.time_major = true)), /model\.json: layer 0: .*time_major=true/],
    ['not Sequential', (d) => rewrite(d, (j) => (j.modelTopology.class_name = 'Functional')), /'Functional'; rnngrad reads Sequential models only/],
    ['no input shape', (d) => rewrite(d, (j) => delete j.modelTopology.config.layers[0].config.batch_input_shape), /no batch_input_shape/],
    ['graph model', (d) => rewrite(d, (j) => (j.format = 'graph-model')), /format 'graph-model' is not supported/],
    ['float16 weights', (d) => rewrite(d, (j) => (j.weightsManifest[0].weights[0].dtype = 'float16')), /'lstm\/kernel' is float16/],
    ['no manifest', (d) => rewrite(d, (j) => delete j.weightsManifest), /'weightsManifest' is missing/],
  ];
  it.each(cases)('%s', (_, edit, message) => {
    const dir = tmp();
    saveModel(new Sequential([new LSTM(2, { name: 'lstm', rng: new Random(1) }), new Dense(1, { name: 'dense', rng: new Random(2) })], { inputFeatures: 2 }), dir);
    edit(dir, {});
    expect(() => loadModel(path.join(dir, 'model.json'))).toThrow(message);
    expect(() => loadModel(path.join(dir, 'model.json'))).toThrow(new RegExp(path.join(dir, 'model.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  });
});
