/** `rnngrad train / predict / evaluate / gradcheck` end to end on small sizes, as subprocesses. */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir, jsonLine } from './run-cli';
import { loadModel } from '../../node/model-files';
import { tensor } from '../../engine/creation';

const small = ['--samples', '200', '--epochs', '2', '--units', '8', '--batch', '32'];
const dir = tempDir('train');

test('--json prints exactly one line with the run metrics; progress stays off stdout', () => {
  const run = rnngrad(['train', '--task', 'series', ...small, '--json']);
  expect(run.status).toBe(0);
  const r = jsonLine(run);
  expect(r).toMatchObject({ task: 'series', cell: 'lstm', backend: 'cpu', kernels: 'js', epochs: 2 });
  for (const k of ['trainLoss', 'valMse', 'seconds']) expect(typeof r[k]).toBe('number');
  expect(r.valMse as number).toBeGreaterThan(0);
  expect(run.stderr).toContain('rnngrad: kernels js');
});

test('the same seed gives bit-identical metrics; another seed does not', () => {
  const a = jsonLine(rnngrad(['train', '--task', 'series', '--cell', 'gru', ...small, '--seed', '3', '--json']));
  const b = jsonLine(rnngrad(['train', '--task', 'series', '--cell', 'gru', ...small, '--seed', '3', '--json']));
  const c = jsonLine(rnngrad(['train', '--task', 'series', '--cell', 'gru', ...small, '--seed', '4', '--json']));
  expect(b.trainLoss).toBe(a.trainLoss);
  expect(b.valMse).toBe(a.valMse);
  expect(c.valMse).not.toBe(a.valMse);
});

test('seq2seq reports Géron\'s last-step MSE; series10 predicts 10 values', () => {
  const s = jsonLine(rnngrad(['train', '--task', 'seq2seq', ...small, '--json']));
  expect(typeof s.valLastStepMse).toBe('number');
  const t = jsonLine(rnngrad(['train', '--task', 'series10', ...small, '--cell', 'simple', '--json']));
  expect(t.task).toBe('series10');
});

test('every cell, dropout mode, zoneout and clipping flag trains', () => {
  const variants: string[][] = [
    // Not input dropout on the 1-feature series with ln-simple: a sequence whose only feature is
    // dropped has a_t = 0 at every step, where LN's gain is 1/sqrt(ε) ≈ 31.6 per step, and its true
    // gradient overflows float32 through 50 steps (Keras computes the same).
    ['--cell', 'ln-simple', '--recurrent-dropout', '0.2'],
    ['--cell', 'peephole', '--zoneout-h', '0.1', '--zoneout-c', '0.1', '--clip-global-norm', '1'],
    ['--cell', 'lstm', '--recurrent-dropout', '0.3', '--dropout-mode', 'semeniuta', '--clip-norm', '1'],
    ['--cell', 'gru', '--dropout', '0.1', '--dropout-mode', 'per-gate', '--clip-value', '0.5', '--optimizer', 'rmsprop'],
    ['--cell', 'simple', '--recurrent-dropout', '0.2', '--dropout-mode', 'per-step', '--optimizer', 'nesterov', '--lr', '0.01'],
  ];
  for (const v of variants) {
    const run = rnngrad(['train', '--task', 'series', '--samples', '100', '--epochs', '1', '--units', '4', '--json', ...v]);
    expect({ args: v.join(' '), status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ args: v.join(' '), status: 0, stderr: '' });
    expect(Number.isFinite(jsonLine(run).valMse as number)).toBe(true);
  }
});

test('--save then predict round-trips exactly, and evaluate rebuilds the same validation set', () => {
  const save = path.join(dir, 'model');
  const trained = jsonLine(rnngrad(['train', '--task', 'series', ...small, '--seed', '7', '--save', save, '--json']));
  expect(fs.existsSync(path.join(save, 'model.json'))).toBe(true);
  const xs = [[[0.1], [0.2], [0.3], [0.4]], [[-0.5], [0.0], [0.5], [0.25]]];
  const input = path.join(dir, 'x.json');
  const output = path.join(dir, 'y.json');
  fs.writeFileSync(input, JSON.stringify(xs));
  const run = rnngrad(['predict', '--model', path.join(save, 'model.json'), '--input', input, '--output', output]);
  expect(run.status).toBe(0);
  const expected = loadModel(save).predict(tensor(xs)).toArray();
  expect(JSON.parse(fs.readFileSync(output, 'utf8'))).toEqual(expected);
  const evaluated = jsonLine(rnngrad(['evaluate', '--model', save, '--task', 'series', '--samples', '200', '--seed', '7', '--json']));
  expect(evaluated.valMse).toBe(trained.valMse);
});

test('--resume continues a run to bit-identical weights', () => {
  const whole = path.join(dir, 'whole');
  const part = path.join(dir, 'part');
  const args = ['train', '--task', 'series', '--samples', '200', '--units', '6', '--dropout', '0.2', '--seed', '11', '--json'];
  expect(rnngrad([...args, '--epochs', '3', '--save', whole]).status).toBe(0);
  expect(rnngrad([...args, '--epochs', '1', '--save', part]).status).toBe(0);
  const resumed = rnngrad(['train', '--resume', part, '--epochs', '3', '--json']);
  expect(resumed.status).toBe(0);
  const bin = (d: string) => fs.readFileSync(path.join(d, 'group1-shard1of1.bin'));
  expect(Buffer.compare(bin(part), bin(whole))).toBe(0);
  expect(jsonLine(resumed).valMse).toBe(jsonLine(rnngrad([...args, '--epochs', '3'])).valMse);
});

test('--resume refuses to change the architecture', () => {
  const run = rnngrad(['train', '--resume', path.join(dir, 'part'), '--cell', 'gru']);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/--resume takes the run's settings from .*; --cell cannot be changed/);
});

test('--data trains the model the data implies; --init trains a given model file', () => {
  const data = path.join(dir, 'data.json');
  const x = Array.from({ length: 40 }, (_, n) => Array.from({ length: 6 }, (_, t) => [Math.sin(n + t), Math.cos(n * t)]));
  const y = x.map((s) => [s[5][0] + s[4][1]]);
  fs.writeFileSync(data, JSON.stringify({ x, y }));
  const save = path.join(dir, 'from-data');
  const a = rnngrad(['train', '--data', data, '--cell', 'simple', '--units', '5', '--layers', '2', '--epochs', '2', '--batch', '8', '--save', save, '--json']);
  expect(a.status).toBe(0);
  const model = JSON.parse(fs.readFileSync(path.join(save, 'model.json'), 'utf8'));
  const layers = model.modelTopology.model_config?.config?.layers ?? model.modelTopology.config.layers;
  expect(layers.map((l: { class_name: string }) => l.class_name)).toEqual(['SimpleRNN', 'SimpleRNN', 'Dense']);
  const b = rnngrad(['train', '--init', path.join(save, 'model.json'), '--data', data, '--optimizer', 'sgd', '--lr', '0.01', '--epochs', '1', '--batch', '8', '--save', path.join(dir, 'again'), '--json']);
  expect(b.status).toBe(0);
});

test('--report writes an offline HTML page and SVG charts', () => {
  const report = path.join(dir, 'report');
  expect(rnngrad(['train', '--task', 'series', ...small, '--report', report, '--json']).status).toBe(0);
  const html = fs.readFileSync(path.join(report, 'index.html'), 'utf8');
  expect(html).toContain('<svg');
  expect(html).not.toMatch(/<script src=|<link [^>]*href="http/);
  expect(fs.readdirSync(report).filter((f) => f.endsWith('.svg')).sort()).toEqual(['forecast-series-lstm.svg', 'loss-series-lstm.svg']);
});

test('the adding task reports the gradient-norm picture', () => {
  const report = path.join(dir, 'adding');
  const run = rnngrad(['train', '--task', 'adding', '--length', '12', '--samples', '100', '--epochs', '1', '--units', '6', '--report', report, '--json']);
  expect(run.status).toBe(0);
  const svg = fs.readFileSync(path.join(report, 'gradient-norms.svg'), 'utf8');
  expect(svg).toContain('simple, at init');
  expect(svg).toContain('lstm, at init');
});

test('gradcheck --json lists rows that pass at the suite tolerance', () => {
  const run = rnngrad(['gradcheck', '--json', '--only', 'matmul']);
  expect(run.status).toBe(0);
  const out = JSON.parse(run.stdout) as { rows: { name: string; kind: string; maxAbsError: number; maxRelError: number; passed: boolean }[] };
  expect(out.rows.length).toBeGreaterThan(0);
  for (const r of out.rows) {
    expect(r.name).toContain('matmul');
    expect(r).toMatchObject({ kind: 'op', passed: true });
    expect(r.maxAbsError).toBeLessThan(1e-7);
  }
});
