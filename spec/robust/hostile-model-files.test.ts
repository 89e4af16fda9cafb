/**
 * Model files from strangers (issue 14): a manifest path outside the model's folder is refused
 * before anything is read, by every way a model is read; a config that asks for more than its
 * shards hold is refused before anything is allocated — checked in a child process with a small
 * heap (--max-old-space-size=256), with a generous timeout only as a hang guard (no timed
 * assertions); loading never runs the initializers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Random } from '../../engine/random';
import { modelFromJson, Sequential } from '../../train';
import { loadModel, saveModel } from '../../node';
import { LSTM, Dense, RNN, LNSimpleRNNCell } from '../../cells';
import { rnngrad, tempDir, ROOT } from '../cli/run-cli';
import { writeGoodModel, expectCleanFailure, listTree, messageLines } from './cli-fixtures';
import { errorMessage, oneLine } from '../../cli/main';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
const writeJson = (file: string, j: unknown): void => fs.writeFileSync(file, JSON.stringify(j));

/**
 * A work folder holding `model/` (a good model whose manifest names `shard`) and, beside the
 * model folder, `outside.bin`: a copy of the real weights, so that a loader that followed the
 * path would succeed and predict from them.
 */
function hostile(shard: (work: string) => string): { work: string; model: string } {
  const work = tempDir('hostile');
  const model = path.join(work, 'model');
  writeGoodModel(model);
  fs.copyFileSync(path.join(model, 'group1-shard1of1.bin'), path.join(work, 'outside.bin'));
  fs.rmSync(path.join(model, 'group1-shard1of1.bin'));
  const file = path.join(model, 'model.json');
  const j = readJson(file);
  j.weightsManifest[0].paths = [shard(work)];
  writeJson(file, j);
  fs.writeFileSync(path.join(work, 'x.json'), '[[[0.1],[0.2],[0.3]]]');
  return { work, model };
}

const OUTSIDE: [string, (work: string) => string, RegExp][] = [
  ["'../outside.bin'", () => '../outside.bin', /'\.\.\/outside\.bin', a path with a '\.\.' segment/],
  ['an absolute path', (w) => path.join(w, 'outside.bin'), /, an absolute path; shard paths must be relative to the model's folder/],
  ["'sub/../../outside.bin'", () => 'sub/../../outside.bin', /'\.\.' segment/],
  ["'%2e%2e/outside.bin'", () => '%2e%2e/outside.bin', /'%2e%2e\/outside\.bin', a path with a '\.\.' segment/],
  ["'..\\outside.bin'", () => '..\\outside.bin', /'\.\.' segment/],
  ['a file: URL', (w) => `file://${path.join(w, 'outside.bin')}`, /a URL with a scheme/],
];

describe('a shard path outside the model folder is refused before anything is read', () => {
  it.each(OUTSIDE)('loadModel: %s', (_label, shard, message) => {
    const { model } = hostile(shard);
    expect(() => loadModel(model)).toThrow(message);
  });

  it('modelFromJson refuses before calling the reader', () => {
    const { model } = hostile(() => '../outside.bin');
    const read = jest.fn(() => new Uint8Array(0));
    expect(() => modelFromJson(readJson(path.join(model, 'model.json')), read, 'model.json')).toThrow(/'\.\.' segment/);
    expect(read).not.toHaveBeenCalled();
  });

  it.each(OUTSIDE)('rnngrad predict: %s — exit 2, one line, nothing written', (_label, shard, message) => {
    const { work } = hostile(shard);
    const before = listTree(work);
    const run = rnngrad(['predict', '--model', 'model', '--input', 'x.json', '--output', 'y.json'], { cwd: work });
    expectCleanFailure(run, message, work, before);
  });

  it('rnngrad evaluate and train --init refuse it the same way', () => {
    const { work } = hostile(() => '../outside.bin');
    const before = listTree(work);
    expectCleanFailure(rnngrad(['evaluate', '--model', 'model', '--task', 'series'], { cwd: work }), /'\.\.' segment/, work, before);
    const train = rnngrad(['train', '--task', 'series', '--samples', '100', '--epochs', '1', '--init', 'model', '--save', 'out'], { cwd: work });
    expectCleanFailure(train, /'\.\.' segment/, work, before);
  });

  it('a checkpoint for --resume whose model names a shard outside its folder is refused, and left as it was', () => {
    const work = tempDir('hostile-ckpt');
    const first = rnngrad(['train', '--task', 'series', '--cell', 'simple', '--units', '2', '--samples', '100', '--epochs', '1', '--seed', '3', '--save', 'ck'], { cwd: work });
    expect(first.status).toBe(0);
    const latest = (readJson(path.join(work, 'ck', 'checkpoint.json')) as { latest: string }).latest;
    const file = path.join(work, 'ck', latest, 'model.json');
    const j = readJson(file);
    fs.copyFileSync(path.join(work, 'ck', latest, j.weightsManifest[0].paths[0]), path.join(work, 'stolen.bin'));
    j.weightsManifest[0].paths = ['../../stolen.bin'];
    writeJson(file, j);
    const before = listTree(work);
    const run = rnngrad(['train', '--epochs', '2', '--resume', 'ck'], { cwd: work });
    expect(run.status).toBe(2);
    expect(messageLines(run.stderr).filter((l) => /'\.\.' segment/.test(l))).toHaveLength(1);
    expect(listTree(work).sort()).toEqual(before.sort());
  });

  it('subfolders are fine, and a symlink inside the folder is followed (the user made it)', () => {
    const dir = tempDir('subfolder');
    const m = new Sequential([new LSTM(3, { name: 'lstm', rng: new Random(1) }), new Dense(1, { name: 'dense', rng: new Random(2) })], { inputFeatures: 2 });
    saveModel(m, dir);
    fs.mkdirSync(path.join(dir, 'shards', 'deep'), { recursive: true });
    fs.renameSync(path.join(dir, 'group1-shard1of1.bin'), path.join(dir, 'shards', 'deep', 'w.bin'));
    fs.symlinkSync(path.join(dir, 'shards', 'deep', 'w.bin'), path.join(dir, 'link.bin'));
    const file = path.join(dir, 'model.json');
    const j = readJson(file);
    for (const p of ['shards/deep/w.bin', './shards/deep/w.bin', 'link.bin']) {
      j.weightsManifest[0].paths = [p];
      writeJson(file, j);
      const loaded = loadModel(dir);
      loaded.weights().forEach((w, k) => expect(Array.from(w.tensor.data)).toEqual(Array.from(m.weights()[k].tensor.data)));
    }
  });
});

/** The good model's files with the LSTM's units (and the manifest's shapes, when `manifestToo`) set to `units`. */
function oversized(units: number, manifestToo: boolean): string {
  const work = tempDir('oversized');
  const model = path.join(work, 'model');
  writeGoodModel(model);
  const file = path.join(model, 'model.json');
  const j = readJson(file);
  j.modelTopology.config.layers[0].config.units = units;
  if (manifestToo) {
    const shapes: Record<string, number[]> = { 'lstm/kernel': [1, 4 * units], 'lstm/recurrent_kernel': [units, 4 * units], 'lstm/bias': [4 * units], 'dense/kernel': [units, 1], 'dense/bias': [1] };
    for (const w of j.weightsManifest[0].weights) w.shape = shapes[w.name];
  }
  writeJson(file, j);
  fs.writeFileSync(path.join(model, 'group1-shard1of1.bin'), Buffer.alloc(16));
  fs.writeFileSync(path.join(work, 'x.json'), '[[[0.1],[0.2]]]');
  return work;
}

/** `rnngrad ARGS` under a 256 MB heap; the timeout is a hang guard only. */
function smallHeap(args: readonly string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], {
    cwd, env: { ...process.env, RNNGRAD_BACKEND: '' }, encoding: 'utf8', timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

describe('a config that asks for more than its shards hold is refused before allocation', () => {
  it.each([
    ['units 40000, manifest unchanged', 40000, false, /weight 'lstm\/kernel' has shape \[1,8\] but the layer config makes 'lstm\/kernel' of shape \[1,160000\]/],
    ['units 40000, manifest to match, 16-byte shard', 40000, true, /hold 16 bytes, but the manifest's weights need 25601440004 \(float32\)/],
    ['units 2000000000, manifest to match', 2_000_000_000, true, /hold 16 bytes, but the manifest's weights need \d/],
  ])('rnngrad predict with %s: exit 2, one line, under a 256 MB heap', (_label, units, manifestToo, message) => {
    const work = oversized(units, manifestToo);
    const before = listTree(work);
    const run = smallHeap(['predict', '--model', 'model', '--input', 'x.json', '--output', 'y.json'], work);
    expect(run.signal).toBeNull();
    expectCleanFailure(run, message, work, before);
  });

  it('a deeply nested or huge value in a config gives a short clean error', () => {
    const work = oversized(2, false);
    const file = path.join(work, 'model', 'model.json');
    const text = fs.readFileSync(file, 'utf8');
    const deep = `${'['.repeat(50_000)}1${']'.repeat(50_000)}`;
    fs.writeFileSync(file, text.replace('"units":2', `"units":${deep}`));
    const run = smallHeap(['predict', '--model', 'model', '--input', 'x.json', '--output', 'y.json'], work);
    const lines = messageLines(run.stderr);
    expect(run.status).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/'units' must be a positive integer, got \[\[\[\[/)]);
    expect(lines[0].length).toBeLessThan(400);
  });
});

describe('loading runs no initializer', () => {
  it('draws nothing from the generator and makes no orthogonal QR: the weights are the file’s', () => {
    const dir = tempDir('no-init');
    const m = new Sequential([new RNN(new LNSimpleRNNCell(4, { rng: new Random(5) }), { name: 'rnn' }), new Dense(1, { name: 'dense', rng: new Random(6) })], { inputFeatures: 3 });
    saveModel(m, dir);
    const rng = new Random(11);
    const before = rng.getState();
    const loaded = loadModel(dir, { rng });
    expect(rng.getState()).toEqual(before);
    loaded.weights().forEach((w, k) => expect(Array.from(w.tensor.data)).toEqual(Array.from(m.weights()[k].tensor.data)));
  });
});

describe('allocation failures in the CLI are one clear line', () => {
  it('a RangeError from an allocation becomes an out-of-memory line naming the command', () => {
    let caught: unknown;
    try {
      new Float32Array(2 ** 40);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(errorMessage(caught, 'predict')).toMatch(/^rnngrad predict: out of memory: a buffer of the size asked for could not be allocated \(.+\); use a smaller model, batch or input$/);
  });
  it('control characters from a file are escaped, so the message stays one line', () => {
    expect(oneLine('a\nb\u0000c')).toBe('a\\u000ab\\u0000c');
  });
});
