/**
 * Anomalies at the training level (`rnngrad train`, --stop-on-nan on by default): a run whose
 * loss stops being finite ends with exit code 1 and a clear message naming the epoch and batch,
 * writes no final model, and leaves in --save DIR the last good checkpoint — one that loads
 * (library and `rnngrad predict`), with finite weights and finite recorded losses.
 * Divergence is provoked with plain SGD at a huge learning rate; NaN arrives in a model file too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir, jsonLine } from '../cli/run-cli';
import { listTree, writeGoodModel, expectCleanFailure } from './cli-fixtures';
import { loadCheckpoint, hasCheckpoint } from '../../node';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';

const dir = tempDir('robust-nan');
const RUN = ['train', '--task', 'series', '--samples', '100', '--units', '4', '--layers', '1', '--optimizer', 'sgd', '--json'];
const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

test('a run that diverges stops with exit 1, names where, and keeps a checkpoint that loads', () => {
  // SGD at lr 20 grows the loss ~10⁷× per epoch: epochs 1–5 finish, epoch 6 overflows.
  const save = path.join(dir, 'diverged');
  const run = rnngrad([...RUN, '--lr', '20', '--batch', '35', '--epochs', '12', '--save', save]);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/rnngrad: training stopped: the loss is (NaN|Infinity|-Infinity) \(non-finite\) at epoch \d+, batch \d+ of \d+; .*the last good checkpoint is in .*diverged/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  const result = jsonLine(run);
  expect(result.stoppedOnNaN).toMatch(/at epoch \d+, batch/);
  const stoppedAt = Number(/at epoch (\d+)/.exec(String(result.stoppedOnNaN))![1]);
  expect(stoppedAt).toBeGreaterThan(1);

  // No final model (it would be the diverged one), no temporary files: the checkpoint only.
  expect(listTree(save).filter((f) => !f.startsWith('epoch-')).sort()).toEqual(['checkpoint.json']);
  const cp = loadCheckpoint(save);
  expect(cp.epoch).toBe(stoppedAt - 1);
  expect(cp.history?.loss.every(finite)).toBe(true);
  expect(cp.history?.valLoss.every(finite)).toBe(true);
  for (const w of cp.model.weights()) expect({ name: w.name, finite: Array.from(w.tensor.data).every(Number.isFinite) }).toEqual({ name: w.name, finite: true });
  const y = cp.model.predict(randn([3, 20, 1], { rng: new Random(1) }));
  expect(Array.from(y.data).every(Number.isFinite)).toBe(true);

  // And the command line reads it.
  const input = path.join(dir, 'x.json');
  fs.writeFileSync(input, JSON.stringify([[[0.1], [0.2], [0.3]]]));
  const predicted = rnngrad(['predict', '--model', cp.path, '--input', input, '--output', path.join(dir, 'y.json')]);
  expect(predicted.status).toBe(0);
  expect((JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8')) as number[][]).flat().every(Number.isFinite)).toBe(true);
});

test('a step that makes the weights non-finite does not become the "last good checkpoint"', () => {
  // One batch per epoch; lr 1e40 turns the first update into ±Infinity in float32 while the loss
  // of that batch (computed before the step) is finite. The epoch's checkpoint must not keep
  // those weights (today it does, and the run then announces it as the last good one).
  const save = path.join(dir, 'overflow');
  const run = rnngrad([...RUN, '--lr', '1e40', '--batch', '100', '--epochs', '3', '--save', save]);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/training stopped: .*non-finite/);
  if (!hasCheckpoint(save)) return; // stopping before any checkpoint is written is fine too
  const cp = loadCheckpoint(save);
  const bad = cp.model.weights().filter((w) => !Array.from(w.tensor.data).every(Number.isFinite)).map((w) => w.name);
  expect({ epoch: cp.epoch, nonFiniteWeights: bad, valLoss: cp.history?.valLoss }).toEqual({ epoch: cp.epoch, nonFiniteWeights: [], valLoss: cp.history?.valLoss.map(() => expect.any(Number)) });
});

describe('NaN in a model file', () => {
  /** A good model whose first weight (lstm/kernel[0]) is NaN. */
  function nanModel(): string {
    const model = path.join(tempDir('robust-nan-model'), 'm');
    writeGoodModel(model);
    const bin = path.join(model, 'group1-shard1of1.bin');
    const bytes = fs.readFileSync(bin);
    bytes.writeFloatLE(NaN, 0);
    fs.writeFileSync(bin, bytes);
    return model;
  }

  test('predict refuses it, naming the weight, instead of writing null predictions', () => {
    const work = tempDir('robust-nan-predict');
    fs.writeFileSync(path.join(work, 'x.json'), JSON.stringify([[[0.1], [0.2]]]));
    const before = listTree(work);
    const run = rnngrad(['predict', '--model', nanModel(), '--input', 'x.json', '--output', 'y.json'], { cwd: work });
    expectCleanFailure(run, /lstm\/kernel.*NaN|NaN.*lstm\/kernel/, work, before);
  });

  test('a run stopped before its first checkpoint does not claim one', () => {
    const save = path.join(tempDir('robust-nan-init'), 'saved');
    const run = rnngrad(['train', '--init', path.join(nanModel(), 'model.json'), '--task', 'series', '--samples', '60', '--epochs', '2', '--save', save]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    if (!hasCheckpoint(save)) expect(run.stderr).not.toMatch(/the last good checkpoint is in/);
  });
});
