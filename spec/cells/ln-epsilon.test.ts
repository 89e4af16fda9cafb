/**
 * The layer-norm cell's ε (Keras LayerNormalization's `epsilon`, issue 14): a cell option read
 * from and written to model files, refused by name where it is invalid or on a cell without a
 * layer norm, and used by every path — composed, fused, and the gpu.js kernels — which all
 * predict like the plain float64 reference of spec/robust/reference.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random } from '../../engine/random';
import { tensor } from '../../engine/creation';
import { setKernels } from '../../kernels/registry';
import { cpuKernels } from '../../kernels/cpu';
import { RNN, LNSimpleRNNCell, layerFromConfig } from '../../cells';
import { Sequential } from '../../train';
import { saveModel, loadModel } from '../../node';
import { referenceLayer, flat, Mat, Vec } from '../robust/reference';
import { gpuKernels } from '../gpu/helpers';

const [batch, time, features, units] = [2, 6, 3, 5];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-ln-eps-'));
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

/** Rows of a row-major weight as the reference takes them. */
function rows(data: ArrayLike<number>, shape: readonly number[]): Mat | Vec {
  if (shape.length === 1) return Array.from(data);
  return Array.from({ length: shape[0] }, (_, i) => Array.from(data).slice(i * shape[1], (i + 1) * shape[1]));
}

function lnModel(epsilon: number | undefined, fused: boolean): Sequential {
  const rng = new Random(17);
  const cell = new LNSimpleRNNCell(units, { rng, ...(epsilon === undefined ? {} : { epsilon }) });
  const model = new Sequential([new RNN(cell, { name: 'rnn', returnSequences: true, fused })], { inputFeatures: features });
  // γ and β away from 1 and 0, so that a wrong ε could not hide behind the defaults.
  const [, , , gamma, beta] = cell.weights();
  gamma.tensor.data.set(Array.from({ length: units }, (_, j) => 0.5 + 0.3 * j));
  beta.tensor.data.set(Array.from({ length: units }, (_, j) => 0.1 * j - 0.2));
  return model;
}

const input = () => {
  const rng = new Random(5);
  // Small inputs: the pre-activation's variance is then comparable with a large ε.
  return Array.from({ length: batch }, () => Array.from({ length: time }, () => Array.from({ length: features }, () => 0.3 * rng.normal())));
};

function reference(model: Sequential, x: number[][][], epsilon: number): number[] {
  const cell = (model.layers[0] as RNN).cell;
  const w = Object.fromEntries(cell.weights().map((p) => [p.name, rows(p.tensor.data, p.tensor.shape)]));
  return flat(referenceLayer({ kind: 'ln-simple', hard: false, activation: 'tanh', epsilon }, w, x, { returnSequences: true, goBackwards: false, mask: null, initial: null }).output);
}

const maxDiff = (a: ArrayLike<number>, b: readonly number[]) => {
  expect(a.length).toBe(b.length);
  return Math.max(...b.map((v, i) => Math.abs(a[i] - v)));
};

describe('an LN model with any valid epsilon loads and predicts like a float64 reference', () => {
  it.each([1e-5, 1e-3, 0.05, 0.5, 4])('epsilon %p: saved, loaded, composed and fused within 2e-5', (epsilon) => {
    const dir = tmp();
    saveModel(lnModel(epsilon, true), dir);
    const cellConfig = readJson(path.join(dir, 'model.json')).modelTopology.config.layers[0].config.cell.config;
    expect(cellConfig.epsilon).toBe(epsilon);
    const x = input();
    for (const fused of [true, false]) {
      const loaded = loadModel(dir);
      const layer = loaded.layers[0] as RNN;
      expect((layer.cell as LNSimpleRNNCell).epsilon).toBe(epsilon);
      const run = new Sequential([new RNN(layer.cell, { name: `rnn_${fused}`, returnSequences: true, fused })], { inputFeatures: features });
      const y = run.predict(tensor(x));
      expect(maxDiff(y.data, reference(loaded, x, epsilon))).toBeLessThanOrEqual(2e-5);
    }
  });

  it('the epsilons really differ in what they compute (the test would see a fixed ε)', () => {
    const x = input();
    const a = lnModel(1e-5, true).predict(tensor(x)).data;
    const b = lnModel(0.5, true).predict(tensor(x)).data;
    expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1e-2);
  });

  it('on the gpu.js kernels (the composed step on the device) within 1e-4', () => {
    const x = input();
    const model = lnModel(0.5, false);
    const expected = reference(model, x, 0.5);
    setKernels(gpuKernels());
    try {
      const y = model.predict(tensor(x));
      expect(maxDiff(y.data, expected)).toBeLessThanOrEqual(1e-4);
    } finally {
      setKernels(cpuKernels);
    }
  });

  it("a Keras-style config with \"epsilon\": 0.001 (its own default) loads; a missing or null one means 1e-3", () => {
    for (const epsilon of [0.001, null, undefined]) {
      const layer = layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'LNSimpleRNNCell', config: { units: 3, ...(epsilon === undefined ? {} : { epsilon }) } } } }) as RNN;
      expect((layer.cell as LNSimpleRNNCell).epsilon).toBe(0.001);
    }
  });
});

describe('a bad epsilon is refused by name', () => {
  it.each([0, -1e-3, 'small', true, [0.1]])('epsilon %p', (epsilon) => {
    expect(() => layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'LNSimpleRNNCell', config: { units: 3, epsilon } } } })).toThrow(/LNSimpleRNNCell: .*'epsilon'/);
  });
  it('on a cell without a layer norm', () => {
    expect(() => layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'SimpleRNNCell', config: { units: 3, epsilon: 0.001 } } } })).toThrow(/SimpleRNNCell: options not implemented by rnngrad: epsilon=0\.001/);
    expect(() => layerFromConfig({ class_name: 'LSTM', config: { units: 3, epsilon: 0.001 } })).toThrow(/options not implemented by rnngrad: epsilon=0\.001/);
  });
  it('in the API', () => {
    expect(() => new LNSimpleRNNCell(3, { epsilon: 0 })).toThrow(/LNSimpleRNNCell: epsilon must be a finite number > 0, got 0/);
    expect(() => new LNSimpleRNNCell(3, { epsilon: Number.NaN })).toThrow(/epsilon must be a finite number > 0, got NaN/);
  });
});
