/**
 * `rnngrad grads` and `rnngrad compare-grads` end to end: the key of a TF.js-saved model, TF.js's
 * gradients of it passing (exit 0), one perturbed value failing by weight, gate and index (exit 1),
 * and bad files refused with one line and exit 2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad } from '../cli/run-cli';
import { Sequential } from '../../train/model';
import { GRU, Dense } from '../../cells';
import { Random } from '../../engine/random';
import { saveModel } from '../../node/model-files';
import { fixture, Fixture } from './fixtures';

let f: Fixture;
let key: string;
let tfjs: string;

beforeAll(async () => {
  f = await fixture('lstm');
  key = path.join(f.dir, 'key.json');
  tfjs = path.join(f.dir, 'tfjs-cpu.json');
  const run = rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--output', key]);
  expect(run.stderr).toMatch(/wrote the float64 gradients \(rnngrad\) of 8 weights and the input/);
  expect(run.status).toBe(0);
  expect(rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--engine', 'tfjs-cpu', '--output', tfjs]).status).toBe(0);
});

const write = (name: string, value: unknown): string => {
  const file = path.join(f.dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};
const readKey = () => JSON.parse(fs.readFileSync(key, 'utf8'));

test('the key has the documented form: loss, every weight by its model.json name, the input', () => {
  const k = readKey();
  const manifest = JSON.parse(fs.readFileSync(f.model, 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
  expect(Object.keys(k).sort()).toEqual(['input', 'loss', 'weights']);
  expect(Object.entries(k.weights).map(([n, g]) => [n, (g as { shape: number[] }).shape])).toEqual(manifest.map((w) => [w.name, w.shape]));
  expect(k.input.shape).toEqual([4, 20, 3]);
  expect(k.input.values).toHaveLength(240);
});

test("TF.js's gradients pass: exit 0, every row yes", () => {
  const run = rnngrad(['compare-grads', '--expected', key, '--actual', tfjs]);
  expect(run.stdout).toMatch(/10 of 10 rows pass at atol 1e-5, rtol 1e-4/);
  expect(run.status).toBe(0);
});

test('one perturbed value fails: exit 1, the weight, gate and index named', () => {
  const k = JSON.parse(fs.readFileSync(tfjs, 'utf8'));
  const name = Object.keys(k.weights).find((n) => n.endsWith('/recurrent_kernel')) as string;
  k.weights[name].values[2 * 64 + 16 + 5] += 0.01; // row 2, forget gate block (16 units), unit 5
  const run = rnngrad(['compare-grads', '--expected', key, '--actual', write('perturbed.json', k)]);
  expect(run.status).toBe(1);
  expect(run.stdout).toContain(`${name}: 1 element out of tolerance`);
  expect(run.stdout).toContain('worst forget gate (f), row 2 col 21 (unit 5)');
  const json = JSON.parse(rnngrad(['compare-grads', '--expected', key, '--actual', write('perturbed.json', k), '--json']).stdout);
  expect(json.passed).toBe(false);
  expect(json.rows.find((r: { name: string }) => r.name === name).worst.index).toEqual([2, 21]);
});

test('rnngrad float32 (--dtype float32) passes against the float64 key', () => {
  const out = path.join(f.dir, 'f32.json');
  expect(rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--dtype', 'float32', '--output', out]).status).toBe(0);
  expect(rnngrad(['compare-grads', '--expected', key, '--actual', out]).status).toBe(0);
});

describe('bad files: one line, exit 2', () => {
  const badModel = (name: string, edit: (manifest: { name: string; shape: number[] }[]) => void): string => {
    const json = JSON.parse(fs.readFileSync(f.model, 'utf8'));
    edit(json.weightsManifest[0].weights);
    fs.mkdirSync(path.join(f.dir, name), { recursive: true });
    fs.copyFileSync(path.join(f.dir, 'weights.bin'), path.join(f.dir, name, 'weights.bin'));
    return write(path.join(name, 'model.json'), json);
  };
  const withKey = (edit: (k: { weights: Record<string, { shape: number[]; values: unknown[] }> }) => void, name: string): string => {
    const k = readKey();
    edit(k);
    return write(name, k);
  };
  const cases: [string, () => string[], RegExp][] = [
    ['a target whose shape does not fit the model', () => ['grads', '--model', f.model, '--input', f.x, '--target', write('y-bad.json', [[1, 2, 3]])],
      /--target .*y-bad\.json has shape \[1,3\], but the model outputs \[4,2\] for this input/],
    ['an input with the wrong feature count', () => ['grads', '--model', f.model, '--input', write('x-bad.json', [[[1, 2]]]), '--target', f.y],
      /--input .*x-bad\.json has 2 features per step, but the model .* takes 3/],
    ['a model weight of the wrong shape', () => ['grads', '--model', badModel('reshaped', (m) => { m[1].shape = [64, 16]; }), '--input', f.x, '--target', f.y],
      /has shape \[64,16\] but the layer config makes/],
    ['an unknown weight in the model', () => ['grads', '--model', badModel('unknown', (m) => { m.push({ name: 'stray/kernel', shape: [1] } as { name: string; shape: number[] }); }), '--input', f.x, '--target', f.y],
      /unknown weight name\(s\) 'stray\/kernel'/],
    ['NaN in a grads file (null, as JSON.stringify writes it)', () => ['compare-grads', '--expected', key, '--actual', withKey((k) => { Object.values(k.weights)[0].values[3] = null; }, 'nan.json')],
      /--actual .*nan\.json: weights\['[^']+'\]\.values\[3\] is null \(NaN or ±Infinity once JSON\.stringify wrote it\)/],
    ['"NaN" as a string in a grads file', () => ['compare-grads', '--expected', withKey((k) => { Object.values(k.weights)[2].values[0] = 'NaN'; }, 'nan-key.json'), '--actual', tfjs],
      /--expected .*nan-key\.json: weights\['[^']+'\]\.values\[0\] is "NaN", expected a finite number/],
    ['a shape that does not hold its values', () => ['compare-grads', '--expected', key, '--actual', withKey((k) => { Object.values(k.weights)[0].shape = [5, 5]; }, 'short.json')],
      /shape \[5,5\] holds 25 values, but values has 192/],
    ['a weight of another shape in the actual file', () => ['compare-grads', '--expected', key, '--actual', withKey((k) => { const w = Object.values(k.weights)[0]; w.shape = [w.values.length]; }, 'flat.json')],
      /does not match the key .*: '[^']+\/kernel' has shape \[192\], the key \[3,64\]/],
    ['an unknown weight in the actual file', () => ['compare-grads', '--expected', key, '--actual', withKey((k) => { k.weights['stray/bias'] = { shape: [1], values: [0] }; }, 'extra.json')],
      /does not match the key .*: unknown weight 'stray\/bias'/],
    ['a missing grads file', () => ['compare-grads', '--expected', key, '--actual', path.join(f.dir, 'none.json')], /--actual .*none\.json: cannot read \(ENOENT\)/],
    ['--dtype with a TF.js engine', () => ['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--engine', 'tfjs-cpu', '--dtype', 'float32'], /--dtype applies to --engine rnngrad/],
  ];
  test.each(cases)('%s', (_name, args, message) => {
    const run = rnngrad(args());
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

test('without --output the key goes to stdout, nothing else there', () => {
  const run = rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y]);
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual(readKey());
});

test('a model TF.js cannot load (GRU reset_after = true): one line, exit 2', () => {
  const dir = path.join(f.dir, 'gru-reset-after');
  saveModel(new Sequential([new GRU(3, { resetAfter: true, rng: new Random(1) }), new Dense(2, { rng: new Random(2) })], { inputFeatures: 3 }), dir);
  expect(rnngrad(['grads', '--model', dir, '--input', f.x, '--target', f.y]).status).toBe(0); // rnngrad reads it
  const run = rnngrad(['grads', '--model', dir, '--input', f.x, '--target', f.y, '--engine', 'tfjs-cpu']);
  expect(run.status).toBe(2);
  expect(run.stderr.trim()).toMatch(/^rnngrad: TF\.js cannot load .*gru-reset-after: GRUCell does not support reset_after parameter set to true\.$/);
});

test('--engine tfjs-cpu without TF.js installed: one line saying what to install', () => {
  // Hide @tensorflow/* from require, as on a machine that installed rnngrad without its dev dependencies.
  const hide = write('hide-tfjs.js', `const M = require('module'); const resolve = M._resolveFilename;
M._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@tensorflow/')) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
  return resolve.call(this, request, ...rest);
};`);
  const run = rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--engine', 'tfjs-cpu'], { env: { NODE_OPTIONS: `--require ${hide}` } });
  expect(run.status).toBe(2);
  expect(run.stderr.trim()).toBe('rnngrad: --engine tfjs-cpu needs @tensorflow/tfjs, which is not installed (npm install --save-dev @tensorflow/tfjs)');
  expect(run.stdout).toBe('');
});

test.each(['grads', 'compare-grads'])('rnngrad %s --help states its defaults', (command) => {
  const run = rnngrad([command, '--help']);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`usage: rnngrad ${command}`);
  if (command === 'compare-grads') expect(run.stdout).toMatch(/--atol N +absolute tolerance \(default: 1e-5\)/);
});
