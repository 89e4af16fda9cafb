/**
 * The answer key (train/grads.ts) and the comparison (train/compare-grads.ts), through the API:
 * the float64 key agrees with central differences; rnngrad's own float32 gradients and TF.js's
 * (cpu and wasm backends, on models TF.js saved) pass against it at the float32 tolerance; one
 * planted wrong element fails and is named by weight, gate and index.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { tensor } from '../../engine/creation';
import type { DType } from '../../engine/tensor';
import { setBackend } from '../../kernels/backend';
import { loadModel } from '../../node/model-files';
import { computeGrads, lossOf, weightNames } from '../../train/grads';
import { computeTfjsGrads, TfjsBackend } from '../../node/grads-tfjs';
import { compareGrads, describeFailures, FLOAT32_TOLERANCE } from '../../train/compare-grads';
import { describeElement, gateLayouts } from '../../train/gate-blocks';
import type { GradsFile } from '../../train/grads-file';
import * as os from 'os';
import * as path from 'path';
import { REPORT_MODELS, AnswerKeyModel, saveTfjsModel, normalArray } from '../../docs/tools/answer-key-models';
import { fixture, Fixture } from './fixtures';

beforeAll(() => {
  tf.env().set('PROD', true);
  setBackend('cpu', { log: () => undefined });
});

const fixtures = new Map<AnswerKeyModel, Fixture>();
async function get(kind: AnswerKeyModel): Promise<Fixture> {
  if (!fixtures.has(kind)) fixtures.set(kind, await fixture(kind));
  return fixtures.get(kind) as Fixture;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** rnngrad's gradients of a fixture at a dtype. */
async function rnngradGrads(kind: AnswerKeyModel, dtype: DType): Promise<GradsFile> {
  const f = await get(kind);
  const model = loadModel(f.model, { dtype });
  return computeGrads(model, tensor(readJson(f.x), { dtype }), tensor(readJson(f.y), { dtype }), 'mse');
}

describe.each(REPORT_MODELS.map((k) => [k]))('%s, saved by TF.js', (kind) => {
  test('rnngrad float32 passes against the float64 key at float32 tolerance', async () => {
    const c = compareGrads(await rnngradGrads(kind, 'float64'), await rnngradGrads(kind, 'float32'));
    expect(describeFailures(c)).toEqual([]);
    expect(c.passed).toBe(true);
  });

  test.each([['cpu'], ['wasm']] as const)('TF.js %s backend passes against the key', async (backend: TfjsBackend) => {
    const f = await get(kind);
    const model = loadModel(f.model);
    const asArray = (file: string) => {
      const t = tensor(readJson(file));
      return { shape: t.shape.slice(), values: Array.from(t.data) };
    };
    const theirs = await computeTfjsGrads(f.model, backend, asArray(f.x), asArray(f.y), 'mse', weightNames(model), model.weights().map((w) => w.tensor.shape));
    const c = compareGrads(await rnngradGrads(kind, 'float64'), theirs);
    expect(describeFailures(c)).toEqual([]);
    expect(Object.keys(theirs.weights)).toEqual(weightNames(model));
  });
});

test.each([['softmax', 'probabilities'], ['linear', 'logits']] as const)('crossentropy, a Dense head with %s activation (%s): TF.js cpu passes against the key', async (activation, _reads) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-grads-ce-'));
  await tf.setBackend('cpu');
  const theirs = tf.sequential({ layers: [
    tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [null, 2] }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation }) }),
  ] });
  const file = await saveTfjsModel(theirs, dir);
  const x = normalArray([2, 5, 2], 7) as number[][][];
  const t = x.map((seq) => seq.map((_, k) => [0, 1, 2].map((c) => (c === k % 3 ? 1 : 0)))); // one-hot, [2, 5, 3]
  const model = loadModel(file, { dtype: 'float64' });
  const key = computeGrads(model, tensor(x, { dtype: 'float64' }), tensor(t, { dtype: 'float64' }), 'crossentropy');
  const flat = (v: number[][][]) => ({ shape: [v.length, v[0].length, v[0][0].length], values: v.flat(2) });
  const got = await computeTfjsGrads(file, 'cpu', flat(x), flat(t), 'crossentropy', weightNames(model), model.weights().map((w) => w.tensor.shape));
  expect(key.loss).toBeGreaterThan(0.5); // −log of a probability near 1/3 per position
  expect(describeFailures(compareGrads(key, got))).toEqual([]);
});

test('the float64 key agrees with central differences (LSTM, a few elements of every weight)', async () => {
  const f = await get('lstm-small');
  const model = loadModel(f.model, { dtype: 'float64' });
  const x = tensor(readJson(f.x), { dtype: 'float64' });
  const y = tensor(readJson(f.y), { dtype: 'float64' });
  const key = computeGrads(model, x, y, 'mse');
  const loss = () => lossOf(model, 'mse')(model.predict(x), y).item();
  const eps = 1e-6;
  model.weights().forEach((w, k) => {
    for (const i of [0, Math.floor(w.tensor.size / 2), w.tensor.size - 1]) {
      const keep = w.tensor.data[i];
      w.tensor.data[i] = keep + eps;
      const up = loss();
      w.tensor.data[i] = keep - eps;
      const down = loss();
      w.tensor.data[i] = keep;
      expect(Math.abs(key.weights[weightNames(model)[k]].values[i] - (up - down) / (2 * eps))).toBeLessThan(1e-8);
    }
  });
});

test('one planted wrong element fails, named by weight, gate and index', async () => {
  const key = await rnngradGrads('lstm', 'float64');
  const name = Object.keys(key.weights).find((n) => n.endsWith('/recurrent_kernel')) as string;
  const units = key.weights[name].shape[0];
  const [row, col] = [2, units + 5]; // the forget gate's block, unit 5
  const values = key.weights[name].values.slice();
  values[row * 4 * units + col] *= 1.01;
  values[row * 4 * units + col] += 1e-3;
  const planted: GradsFile = { ...key, weights: { ...key.weights, [name]: { shape: key.weights[name].shape, values } } };
  const c = compareGrads(key, planted, FLOAT32_TOLERANCE);
  expect(c.passed).toBe(false);
  const bad = c.rows.filter((r) => r.status !== 'pass');
  expect(bad.map((r) => [r.name, r.failing])).toEqual([[name, 1]]);
  expect(bad[0].worst?.index).toEqual([row, col]);
  expect(bad[0].worst?.where).toBe(`forget gate (f), row 2 col ${col} (unit 5)`);
  expect(describeFailures(c)[0]).toMatch(new RegExp(`^${name}: 1 element out of tolerance \\(by gate: input gate \\(i\\) 0, forget gate \\(f\\) 1, candidate \\(c\\) 0, output gate \\(o\\) 0\\); worst forget gate \\(f\\), row 2 col ${col}`));
});

test('missing, extra and reshaped weights are rows of their own', async () => {
  const key = await rnngradGrads('simple-rnn', 'float64');
  const [first, second] = Object.keys(key.weights);
  const { [first]: _dropped, ...rest } = key.weights;
  const actual: GradsFile = { ...key, weights: { ...rest, [second]: { shape: [1], values: [0] }, 'nope/kernel': { shape: [1], values: [0] } } };
  const statuses = Object.fromEntries(compareGrads(key, actual).rows.map((r) => [r.name, r.status]));
  expect(statuses).toMatchObject({ [first]: 'missing', [second]: 'shape mismatch', 'nope/kernel': 'extra', input: 'pass', loss: 'pass' });
});

// The gate names, Keras order, from names and shapes alone.
const layoutCases: [string, Record<string, number[]>, string, number, string][] = [
  ['LSTM recurrent_kernel', { 'l/kernel': [3, 8], 'l/recurrent_kernel': [2, 8], 'l/bias': [8] }, 'l/recurrent_kernel', 1 * 8 + 3, 'forget gate (f), row 1 col 3 (unit 1)'],
  ['LSTM bias', { 'l/kernel': [3, 8], 'l/recurrent_kernel': [2, 8], 'l/bias': [8] }, 'l/bias', 7, 'output gate (o), index 7 (unit 1)'],
  ['GRU kernel', { 'g/kernel': [3, 6], 'g/recurrent_kernel': [2, 6], 'g/bias': [6] }, 'g/kernel', 2 * 6 + 2, 'reset gate (r), row 2 col 2 (unit 0)'],
  ['GRU reset_after bias [2, 3u]', { 'g/kernel': [3, 6], 'g/recurrent_kernel': [2, 6], 'g/bias': [2, 6] }, 'g/bias', 6 + 5, 'candidate (h), row 1 (recurrent bias) col 5 (unit 1)'],
  ['SimpleRNN: no gates', { 's/kernel': [3, 2], 's/recurrent_kernel': [2, 2], 's/bias': [2] }, 's/kernel', 5, 'row 2 col 1'],
  ['Dense beside an LSTM: no gates', { 'l/recurrent_kernel': [2, 8], 'd/kernel': [2, 8] }, 'd/kernel', 9, 'row 1 col 1'],
];
test.each(layoutCases)('gate layout: %s', (_name, shapes, weight, flat, where) => {
  expect(describeElement(weight, shapes[weight], flat, gateLayouts(shapes).get(weight))).toBe(where);
});
