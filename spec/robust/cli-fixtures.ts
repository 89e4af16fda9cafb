/**
 * Fixtures and the failure contract for the command-line bad-input tests: a small valid model
 * file and ways to spoil it, and `expectCleanFailure` — what issue 5 and issue 7 ask of every
 * refused command: a non-zero exit, one message line on stderr (besides the kernels notice), no
 * stack trace, nothing on stdout, no output files, no temporary files left behind.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LSTM, Dense } from '../../cells';
import { Random } from '../../engine/random';
import { Sequential } from '../../train';
import { saveModel } from '../../node';
import type { CliRun } from '../cli/run-cli';

/** DIR/model.json + DIR/group1-shard1of1.bin: LSTM(2) → Dense(1) on 1 feature. */
export function writeGoodModel(dir: string): string {
  const model = new Sequential([new LSTM(2, { name: 'lstm', rng: new Random(1) }), new Dense(1, { name: 'dense', rng: new Random(2) })], { inputFeatures: 1 });
  return saveModel(model, dir);
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Ways to spoil a good model directory, each a fault of issue 7's list. */
export const MODEL_FAULTS: [string, (dir: string) => void, RegExp][] = [
  ['truncated model.json', (d) => truncate(path.join(d, 'model.json'), 150), /model\.json: malformed model\.json: .*\(the file looks truncated\)/],
  ['malformed model.json', (d) => fs.writeFileSync(path.join(d, 'model.json'), '{"format": layers-model}'), /model\.json: malformed model\.json/],
  ['empty model.json', (d) => fs.writeFileSync(path.join(d, 'model.json'), ''), /model\.json: malformed model\.json: .*\(the file is empty\)/],
  ['model.json that is not an object', (d) => fs.writeFileSync(path.join(d, 'model.json'), 'null'), /model\.json: expected a JSON object with modelTopology and weightsManifest/],
  ['weights .bin too short', (d) => truncate(path.join(d, 'group1-shard1of1.bin'), 12), /group1-shard1of1\.bin hold 12 bytes, but the manifest's weights need \d+ \(float32\)/],
  ['weights .bin too long', (d) => fs.appendFileSync(path.join(d, 'group1-shard1of1.bin'), Buffer.alloc(8)), /hold \d+ bytes, but the manifest's weights need \d+/],
  ['weights .bin missing', (d) => fs.rmSync(path.join(d, 'group1-shard1of1.bin')), /cannot read the weights file .*group1-shard1of1\.bin named in weightsManifest \(ENOENT\)/],
  ['a weight of the wrong shape', (d) => edit(d, (j) => (j.weightsManifest[0].weights[0].shape = [3, 8])), /weight 'lstm\/kernel' has shape \[3,8\] but the layer config makes 'lstm\/kernel' of shape \[1,8\]/],
  ['an unknown weight name', (d) => edit(d, (j) => (j.weightsManifest[0].weights[4].name = 'dense/gamma')), /no weight for 'dense\/bias'.*'dense\/gamma'/],
  ['an extra weight', (d) => edit(d, (j) => j.weightsManifest[0].weights.push({ name: 'lstm/extra', shape: [1], dtype: 'float32' })), /unknown weight name\(s\) 'lstm\/extra'/],
  ['an unknown layer class', (d) => edit(d, (j) => (j.modelTopology.config.layers[1].class_name = 'Conv1D')), /model\.json: layer 1: .*'Conv1D' is not supported/],
  ['zero units in the config', (d) => edit(d, (j) => (j.modelTopology.config.layers[0].config.units = 0)), /model\.json: layer 0: .*'units' must be a positive integer, got 0/],
  ['a dropout rate of 1.5 in the config', (d) => edit(d, (j) => (j.modelTopology.config.layers[0].config.dropout = 1.5)), /model\.json: layer 0: .*'dropout' must be a number in \[0, 1\), got 1\.5/],
];

function truncate(file: string, bytes: number): void {
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, bytes));
}

function edit(dir: string, change: (j: Json) => void): void {
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  change(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

/** Every path under dir (recursively), relative to it. */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (!e.isDirectory()) return [e.name];
    return [e.name, ...listTree(path.join(dir, e.name)).map((p) => path.join(e.name, p))];
  });
}

/** Lines of stderr that are not the kernels notice every command prints first. */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.length > 0 && !/^rnngrad: kernels /.test(l));
}

/**
 * The refusal contract. `dir` is the run's working directory: it must hold exactly `before`
 * afterwards (no output file, no report, no checkpoint, no `.tmp-` file).
 */
export function expectCleanFailure(run: CliRun, message: RegExp, dir: string, before: readonly string[]): void {
  const lines = messageLines(run.stderr);
  expect({ status: run.status, lines }).toEqual({ status: 2, lines: [expect.stringMatching(message)] });
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe('');
  expect(listTree(dir).sort()).toEqual([...before].sort());
}
