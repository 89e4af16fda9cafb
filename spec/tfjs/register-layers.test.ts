/**
 * rnngrad/tfjs: every rnngrad cell's model file loads in TF.js (`tf.loadLayersModel`) and predicts
 * what rnngrad predicts, and a model TF.js saves with the registered classes loads back into
 * rnngrad (`loadModel`) and predicts what TF.js predicts — max |difference| ≤ 1e-5, both ways.
 * A table of cases: adding a row enrols it in both directions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { registerLayers, RnngradLayers } from '../../tfjs';
import { Sequential, cellLayer, Dense, RNN, LNSimpleRNNCell, loadModel, saveModel, randn, Random } from '../../index';
import type { CellName, Layer, Tensor } from '../../index';
import { fileLoader, fileSaver } from './model-io';

const BATCH = 3;
const TIME = 7;
const FEATURES = 2;
const UNITS = 5;
const TOLERANCE = 1e-5;

let L: RnngradLayers;
let tmp: string;
/** The measured max |difference| per case and direction (printed at the end). */
const measured: string[] = [];

beforeAll(async () => {
  tf.env().set('PROD', true); // no "install tfjs-node" notice in the test output
  await tf.setBackend('cpu');
  L = registerLayers(tf);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-tfjs-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`max |rnngrad − TF.js| per case:\n${measured.join('\n')}`);
});

interface Case {
  readonly cell: CellName;
  readonly resetAfter?: boolean;
  readonly zoneoutH?: number;
  readonly zoneoutC?: number;
  readonly epsilon?: number;
  readonly returnSequences?: boolean;
  readonly goBackwards?: boolean;
}

const CASES: readonly Case[] = [
  { cell: 'simple' },
  { cell: 'ln-simple' },
  { cell: 'lstm' },
  { cell: 'peephole' },
  { cell: 'gru', resetAfter: true },
  { cell: 'gru', resetAfter: false },
  // rnngrad's zoneout (inference: the expectation), other options, sequences out
  { cell: 'simple', zoneoutH: 0.3, returnSequences: true },
  { cell: 'ln-simple', zoneoutH: 0.2, epsilon: 0.05 },
  { cell: 'lstm', zoneoutH: 0.1, zoneoutC: 0.4 },
  { cell: 'peephole', zoneoutH: 0.25, zoneoutC: 0.15, returnSequences: true },
  { cell: 'gru', resetAfter: true, zoneoutH: 0.3, returnSequences: true },
  { cell: 'gru', resetAfter: false, zoneoutH: 0.2 },
  { cell: 'peephole', goBackwards: true },
  { cell: 'gru', resetAfter: true, goBackwards: true, returnSequences: true },
];

const label = (c: Case): string =>
  [c.cell, c.resetAfter !== undefined ? `reset_after=${c.resetAfter}` : '', c.zoneoutH ? `zoneout_h=${c.zoneoutH}` : '', c.zoneoutC ? `zoneout_c=${c.zoneoutC}` : '',
    c.epsilon ? `epsilon=${c.epsilon}` : '', c.returnSequences ? 'sequences' : '', c.goBackwards ? 'go_backwards' : ''].filter((s) => s !== '').join(' ');

/** The case as rnngrad layers: the recurrent layer, then Dense(1). */
function rnngradLayers(c: Case, rng: Random): Layer[] {
  const options = { rng, zoneoutH: c.zoneoutH, zoneoutC: c.zoneoutC, returnSequences: c.returnSequences, goBackwards: c.goBackwards, resetAfter: c.resetAfter };
  const recurrent = c.epsilon !== undefined
    ? new RNN(new LNSimpleRNNCell(UNITS, { rng, epsilon: c.epsilon }), { zoneoutH: c.zoneoutH, returnSequences: c.returnSequences })
    : cellLayer(c.cell, UNITS, options);
  return [recurrent, new Dense(1, { rng })];
}

/** The case in TF.js, built with the classes registerLayers returned. */
function tfjsLayers(c: Case): tf.layers.Layer[] {
  const cell = { units: UNITS, rnngradZoneoutH: c.zoneoutH, rnngradZoneoutC: c.zoneoutC };
  const layer = { returnSequences: c.returnSequences, goBackwards: c.goBackwards, inputShape: [null, FEATURES] };
  const recurrent = (() => {
    switch (c.cell) {
      case 'simple': return new L.SimpleRNN({ ...cell, ...layer });
      case 'ln-simple': return tf.layers.rnn({ cell: new L.LNSimpleRNNCell({ ...cell, epsilon: c.epsilon }), ...layer });
      case 'lstm': return new L.LSTM({ ...cell, recurrentActivation: 'sigmoid', ...layer });
      case 'peephole': return tf.layers.rnn({ cell: new L.PeepholeLSTMCell({ ...cell, recurrentActivation: 'sigmoid' }), ...layer });
      case 'gru': return new L.GRU({ ...cell, resetAfter: c.resetAfter, recurrentActivation: c.resetAfter ? 'sigmoid' : undefined, ...layer });
    }
  })();
  return [recurrent, tf.layers.dense({ units: 1 })];
}

/** Every weight drawn from U(−0.5, 0.5), so biases, γ, β and peepholes all matter. */
function randomizeWeights(model: Sequential, rng: Random): void {
  for (const w of model.weights()) {
    const data = w.tensor.data;
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-0.5, 0.5);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const toTf = (x: Tensor): tf.Tensor => tf.tensor(Array.from(x.data), x.shape as number[]);

describe.each(CASES.map((c) => [label(c), c] as const))('%s', (name, c) => {
  it('rnngrad → TF.js: tf.loadLayersModel reads the file and predicts what rnngrad predicts', async () => {
    const rng = new Random(11);
    const model = new Sequential(rnngradLayers(c, rng), { inputShape: [null, null, FEATURES] });
    randomizeWeights(model, rng);
    const dir = path.join(tmp, `to-tfjs ${name}`);
    const jsonPath = saveModel(model, dir);
    const x = randn([BATCH, TIME, FEATURES], { rng });
    const ours = loadModel(jsonPath).predict(x); // what `rnngrad predict` runs
    const theirModel = await tf.loadLayersModel(fileLoader(tf, jsonPath));
    const theirs = theirModel.predict(toTf(x)) as tf.Tensor;
    expect(theirs.shape).toEqual(ours.shape);
    const d = maxAbsDiff(ours.data, theirs.dataSync());
    measured.push(`  ${name.padEnd(48)} rnngrad → TF.js  ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
  });

  it('TF.js → rnngrad: a model TF.js saves with these classes loads in rnngrad and predicts the same', async () => {
    const theirModel = tf.sequential({ layers: tfjsLayers(c) });
    theirModel.setWeights(theirModel.weights.map((w, k) => tf.randomUniform(w.shape as number[], -0.5, 0.5, 'float32', 100 + k)));
    const dir = path.join(tmp, `from-tfjs ${name}`);
    await theirModel.save(fileSaver(dir));
    const x = randn([BATCH, TIME, FEATURES], { rng: new Random(12) });
    const theirs = theirModel.predict(toTf(x)) as tf.Tensor;
    const ours = loadModel(path.join(dir, 'model.json')).predict(x);
    expect(ours.shape).toEqual(theirs.shape);
    const d = maxAbsDiff(ours.data, theirs.dataSync());
    measured.push(`  ${name.padEnd(48)} TF.js → rnngrad  ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('the replaced classes', () => {
  it('GRU with reset_after = false computes exactly what TF.js’s own GRU computes', () => {
    const ours = tf.sequential({ layers: [new L.GRU({ units: 4, returnSequences: true, inputShape: [TIME, FEATURES] })] });
    const stock = tf.sequential({ layers: [tf.layers.gru({ units: 4, returnSequences: true, inputShape: [TIME, FEATURES] })] });
    stock.setWeights(ours.weights.map((w, k) => tf.randomUniform(w.shape as number[], -0.5, 0.5, 'float32', k)));
    ours.setWeights(stock.getWeights());
    const x = tf.randomNormal([BATCH, TIME, FEATURES], 0, 1, 'float32', 7);
    expect(Array.from((ours.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((stock.predict(x) as tf.Tensor).dataSync()));
  });

  it('registerLayers is idempotent per tf, and tf.layers.gru still builds TF.js’s own class', () => {
    expect(registerLayers(tf)).toBe(L);
    expect(tf.serialization.SerializationMap.getMap().classNameMap.GRU[0]).toBe(L.GRU);
    expect(() => tf.layers.gru({ units: 2, resetAfter: true } as Parameters<typeof tf.layers.gru>[0])).toThrow(/reset_after/);
  });

  it('trains in TF.js: GRU reset_after = true with dropout, and zoneout masks in training', async () => {
    const model = tf.sequential({
      layers: [new L.GRU({ units: 3, resetAfter: true, dropout: 0.2, recurrentDropout: 0.2, rnngradZoneoutH: 0.3, inputShape: [TIME, FEATURES] }), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const h = await model.fit(tf.randomNormal([8, TIME, FEATURES], 0, 1, 'float32', 1), tf.zeros([8, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
    expect(h.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
  });
});

describe('options rnngrad/tfjs does not implement are refused by name', () => {
  it('zoneout on c for a cell with no c, a zoneout outside [0, 1), an unknown rnngrad key, a bad epsilon', () => {
    expect(() => new L.GRUCell({ units: 2, rnngradZoneoutC: 0.1 })).toThrow(/rnngrad_zoneout_c/);
    expect(() => new L.LSTMCell({ units: 2, rnngradZoneoutH: 1.5 })).toThrow(/rnngrad_zoneout_h.*\[0, 1\)/);
    expect(() => new L.PeepholeLSTMCell({ units: 2, rnngradFoo: 1 } as Parameters<typeof tf.layers.lstmCell>[0])).toThrow(/rnngrad_foo/);
    expect(() => new L.LNSimpleRNNCell({ units: 2, epsilon: 0 })).toThrow(/epsilon/);
    expect(() => new L.SimpleRNNCell({ units: 2, rnngradDropoutMode: 'sometimes' as 'per-gate' })).toThrow(/rnngrad_dropout_mode/);
  });

  it('in a model file too: tf.loadLayersModel names the option', async () => {
    const model = new Sequential([cellLayer('gru', 2, { rng: new Random(1), zoneoutH: 0.1 }), new Dense(1, { rng: new Random(2) })], { inputShape: [null, null, 1] });
    const jsonPath = saveModel(model, path.join(tmp, 'bad-option'));
    const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    json.modelTopology.config.layers[0].config.rnngrad_zoneout_c = 0.2;
    fs.writeFileSync(jsonPath, JSON.stringify(json));
    await expect(tf.loadLayersModel(fileLoader(tf, jsonPath))).rejects.toThrow(/rnngrad_zoneout_c/);
  });

  it('training: dropout in an rnngrad-only mode, and dropout in the custom cells (inference is unaffected)', async () => {
    const fitOnce = async (layer: tf.layers.Layer): Promise<void> => {
      const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 1 })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = tf.randomNormal([2, TIME, FEATURES]);
      model.predict(x); // inference runs
      await model.fit(x, tf.zeros([2, 1]), { epochs: 1, verbose: 0 });
    };
    await expect(fitOnce(new L.LSTM({ units: 2, dropout: 0.2, rnngradDropoutMode: 'per-gate', inputShape: [TIME, FEATURES] }))).rejects.toThrow(/rnngrad_dropout_mode 'per-gate'/);
    await expect(fitOnce(tf.layers.rnn({ cell: new L.LNSimpleRNNCell({ units: 2, recurrentDropout: 0.1 }), inputShape: [TIME, FEATURES] }))).rejects.toThrow(/recurrent_dropout=0.1/);
    await expect(fitOnce(tf.layers.rnn({ cell: new L.PeepholeLSTMCell({ units: 2, dropout: 0.1 }), inputShape: [TIME, FEATURES] }))).rejects.toThrow(/dropout=0.1/);
  });
});

/**
 * As a user does it: `rnngrad train --save` and `rnngrad predict` (the built CLI in dist/), and
 * TF.js with `require('rnngrad/tfjs')` (the package's own entry, resolved through its exports to
 * dist/; `npm test` builds first). Last in this file: it registers the built classes in `tf`.
 */
describe('the rnngrad command and the package entry rnngrad/tfjs', () => {
  const root = path.resolve(__dirname, '..', '..');
  const cli = path.join(root, 'dist', 'cli', 'main.js');
  const runs: readonly (readonly [string, readonly string[]])[] = [
    ['simple', ['--cell', 'simple']],
    ['ln-simple', ['--cell', 'ln-simple']],
    ['lstm', ['--cell', 'lstm']],
    ['peephole', ['--cell', 'peephole']],
    ['gru (reset_after=true)', ['--cell', 'gru']],
    ['lstm with --zoneout-h 0.2 --zoneout-c 0.3', ['--cell', 'lstm', '--zoneout-h', '0.2', '--zoneout-c', '0.3']],
  ];

  it('the built entry loads nothing outside dist/tfjs (no @tensorflow/tfjs, no engine): rnngrad works without TF.js', () => {
    const dir = path.join(root, 'dist', 'tfjs');
    const required = fs.readdirSync(dir).filter((f) => f.endsWith('.js'))
      .flatMap((f) => Array.from(fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/require\("([^"]+)"\)/g), (m) => m[1]));
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((r) => !r.startsWith('./'))).toEqual([]);
  });

  it.each(runs)('%s: tf.loadLayersModel predicts what `rnngrad predict` wrote', async (name, flags) => {
    const pkg = require('rnngrad/tfjs') as typeof import('../../tfjs');
    expect(require.resolve('rnngrad/tfjs')).toBe(path.join(root, 'dist', 'tfjs', 'index.js'));
    pkg.registerLayers(tf);
    const dir = path.join(tmp, `cli ${name}`);
    const { execFileSync } = await import('child_process');
    execFileSync(process.execPath, [cli, 'train', '--task', 'series', ...flags, '--epochs', '1', '--samples', '64', '--units', '4', '--layers', '1', '--save', dir], { stdio: 'pipe' });
    const rng = new Random(5);
    const x = randn([4, 9, 1], { rng });
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify(x.toArray()));
    execFileSync(process.execPath, [cli, 'predict', '--model', dir, '--input', path.join(dir, 'x.json'), '--output', path.join(dir, 'y.json')], { stdio: 'pipe' });
    const ours = (JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8')) as number[][]).flat();
    const theirModel = await tf.loadLayersModel(fileLoader(tf, path.join(dir, 'model.json')));
    const theirs = (theirModel.predict(toTf(x)) as tf.Tensor).dataSync();
    const d = maxAbsDiff(ours, theirs);
    measured.push(`  ${`CLI ${name}`.padEnd(48)} rnngrad predict → TF.js  ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
  });
});
