/**
 * Bad input through the `rnngrad` command (run as a subprocess from dist/, like spec/cli): every
 * fault of issue 7's list reached through `train --init`, `predict --model`, `train --data`,
 * `predict --input`, `train --resume` and the flags, beyond the flag cases of
 * spec/cli/errors.test.ts. Each must give exit code 2, ONE message line naming what, where and
 * what was expected, no stack trace, nothing on stdout — and leave the working directory as it
 * was: no --save directory, no --report, no --output file, no `.tmp-` file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir } from '../cli/run-cli';
import { MODEL_FAULTS, writeGoodModel, expectCleanFailure, listTree } from './cli-fixtures';

const BASE = ['--task', 'series', '--epochs', '1', '--batch', '16'];
/** A small series run; --samples and --units unless `flags` sets them. */
const small = (flags: readonly string[] = []): string[] => [
  ...BASE, ...(flags.includes('--samples') ? [] : ['--samples', '60']), ...(flags.includes('--units') ? [] : ['--units', '3']), ...flags,
];
const OUTPUTS = ['--save', 'saved', '--report', 'report'];
const X = JSON.stringify([[[0.1], [0.2], [0.3]]]);

/** A fresh working directory holding the given files; returns it and its listing. */
function workDir(files: Record<string, string> = {}, model?: (dir: string) => void): { dir: string; before: string[] } {
  const dir = tempDir('robust-cli');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  if (model) {
    writeGoodModel(path.join(dir, 'bad'));
    model(path.join(dir, 'bad'));
  }
  return { dir, before: listTree(dir) };
}

describe('a spoiled model file: train --init and predict --model refuse it, writing nothing', () => {
  test.each(MODEL_FAULTS)('%s', (_name, spoil, message) => {
    const train = workDir({}, spoil);
    expectCleanFailure(rnngrad(['train', '--init', 'bad/model.json', ...BASE, '--samples', '60', ...OUTPUTS], { cwd: train.dir }), message, train.dir, train.before);
    const predict = workDir({ 'x.json': X }, spoil);
    expectCleanFailure(rnngrad(['predict', '--model', 'bad', '--input', 'x.json', '--output', 'y.json'], { cwd: predict.dir }), message, predict.dir, predict.before);
  });
});

describe('a bad --data file: one message naming the file and the position', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /data\.json: the data file is empty/],
    ['no samples', '{"x": [], "y": []}', /data\.json: 'x' is an empty array/],
    ['an empty feature axis', '{"x": [[[]]], "y": [[1]]}', /data\.json: 'x\[0\]\[0\]' is an empty array/],
    ['ragged time steps', '{"x": [[[1], [2]], [[3]]], "y": [[1], [2]]}', /data\.json: ragged array: x\[1\] has 1 entries; expected 2/],
    ['ragged features', '{"x": [[[1], [2, 5]]], "y": [[1]]}', /data\.json: ragged array: x\[0\]\[1\] has 2 entries; expected 1/],
    ['ragged targets', '{"x": [[[1]], [[2]]], "y": [[1], [2, 3]]}', /data\.json: ragged array: y\[1\] has 2 entries; expected 1/],
    ['a NaN literal', '{"x": [[[NaN]]], "y": [[1]]}', /data\.json: not valid JSON.*NaN and Infinity are not JSON numbers/],
    ['a null value', '{"x": [[[1], [null]]], "y": [[1]]}', /data\.json: x\[0\]\[1\]\[0\] is null; expected a finite number/],
    ['a string value', '{"x": [[[1], ["2"]]], "y": [[1]]}', /data\.json: x\[0\]\[1\]\[0\] is "2"; expected a finite number/],
    ['truncated JSON', '{"x": [[[1], [2]]], "y": [[', /data\.json: not valid JSON/],
    ['x and y of different lengths', '{"x": [[[1]], [[2]]], "y": [[1]]}', /data\.json: x holds 2 samples but y holds 1; they must match/],
    ['x of rank 2', '{"x": [[1, 2]], "y": [[1]]}', /data\.json: 'x' has 2 nested levels \(shape \[1,2\]\); expected a nested array \[N\]\[T\]\[F\]/],
    // 1e400 parses to Infinity: the message must say so, not "null" (JSON.stringify(Infinity)).
    ['a value that overflows to Infinity', '{"x": [[[1e400]]], "y": [[1]]}', /data\.json: x\[0\]\[0\]\[0\] is (Infinity|1e400)/],
    // Finite in JSON, but ±Infinity once stored as float32 (|v| > 3.4e38): today it trains on Infinity.
    ['a value beyond the float32 range', '{"x": [[[1e39]], [[2]]], "y": [[1], [2]]}', /data\.json: x\[0\]\[0\]\[0\] is 1e\+?39.*float32/],
  ];
  test.each(cases)('%s', (_name, text, message) => {
    const { dir, before } = workDir({ 'data.json': text });
    expectCleanFailure(rnngrad(['train', '--data', 'data.json', '--epochs', '1', ...OUTPUTS], { cwd: dir }), message, dir, before);
  });
});

describe('a bad --input for predict', () => {
  const cases: [string, string, RegExp][] = [
    ['a NaN literal', '[[[NaN]]]', /--input x\.json: not valid JSON/],
    ['ragged', '[[[0.1], [0.2]], [[1]]]', /--input x\.json: .*ragged nested array/],
    ['empty', '[]', /--input x\.json: expected a non-empty nested array of numbers/],
    ['a null value', '[[[0.1], [null]]]', /--input x\.json: \[0\]\[1\]\[0\] is null, expected a finite number/],
    ['rank 2 for a recurrent model', '[[0.1], [0.2]]', /--input x\.json has shape \[2,1\], the model expects rank 3/],
    // Not named today: the file, or the flag, is missing from these messages.
    ['an empty feature axis', '[[[]]]', /--input x\.json/],
    ['2 features for a model of 1', '[[[0.1, 0.3], [0.2, 0.1]]]', /--input x\.json.*2 features.*1|--input x\.json.*1 feature/],
    ['a value that overflows to Infinity', '[[[1e400]]]', /--input x\.json: \[0\]\[0\]\[0\] is (Infinity|1e400)/],
    ['a value beyond the float32 range', '[[[1e39]]]', /--input x\.json: \[0\]\[0\]\[0\] is 1e\+?39.*float32/],
  ];
  test.each(cases)('%s', (_name, text, message) => {
    const { dir, before } = workDir({ 'x.json': text }, () => undefined);
    expectCleanFailure(rnngrad(['predict', '--model', 'bad', '--input', 'x.json', '--output', 'y.json'], { cwd: dir }), message, dir, before);
  });
});

describe('flags and combinations that cannot mean anything', () => {
  const data = JSON.stringify({ x: [[[1, 2]], [[3, 4]]], y: [[1], [2]] });
  const cases: [string, string[], RegExp][] = [
    ['negative units', ['--units', '-3'], /--units: -3 is outside \[1, ∞\)/],
    ['zero layers', ['--layers', '0'], /--layers: 0 is outside \[1, ∞\)/],
    ['dropout 1', ['--dropout', '1'], /--dropout: 1 is outside \[0, 1\)/],
    ['dropout NaN', ['--dropout', 'NaN'], /--dropout: 'NaN' is not a number/],
    ['zoneout 1', ['--zoneout-h', '1'], /--zoneout-h: 1 is outside \[0, 1\)/],
    ['negative clip value', ['--clip-value=-1'], /--clip-value: -1 is outside \(0, ∞\)/],
    ['zero global norm', ['--clip-global-norm', '0'], /--clip-global-norm: 0 is outside \(0, ∞\)/],
    ['three clipping modes', ['--clip-value', '1', '--clip-norm', '1', '--clip-global-norm', '1'], /--clip-value and --clip-norm and --clip-global-norm given together/],
    ['zero learning rate', ['--lr', '0'], /--lr: 0 is outside \(0, ∞\)/],
    // Found here: these train first and fail (or succeed) afterwards.
    ['--samples 1 leaves no validation set', ['--samples', '1'], /--samples 1.*(validation|too few)/],
    ['--save names a file', ['--save', 'afile'], /--save afile/],
  ];
  test.each(cases)('%s', (_name, flags, message) => {
    const { dir, before } = workDir({ afile: 'not a directory' });
    expectCleanFailure(rnngrad(['train', ...small(flags), '--report', 'report'], { cwd: dir }), message, dir, before);
  });

  test('--init with a --data file of another feature count names both files', () => {
    const { dir, before } = workDir({ 'data.json': data }, () => undefined);
    expectCleanFailure(rnngrad(['train', '--init', 'bad/model.json', '--data', 'data.json', '--epochs', '1', ...OUTPUTS], { cwd: dir }), /bad\/model\.json.*data\.json|data\.json.*bad\/model\.json/, dir, before);
  });

  test('--report into a file fails before anything is trained or saved', () => {
    const { dir, before } = workDir({ afile: 'not a directory' });
    expectCleanFailure(rnngrad(['train', ...small(), '--save', 'saved', '--report', 'afile/report'], { cwd: dir }), /--report afile\/report/, dir, before);
  });

  test('predict --output into a file names the output, not a temporary file', () => {
    const { dir, before } = workDir({ 'x.json': X, afile: 'not a directory' }, () => undefined);
    const run = rnngrad(['predict', '--model', 'bad', '--input', 'x.json', '--output', 'afile/y.json'], { cwd: dir });
    expectCleanFailure(run, /cannot write afile\/y\.json/, dir, before);
    expect(run.stderr).not.toContain('.tmp-');
  });
});

describe('evaluate and predict: the same contract', () => {
  test('predict refuses a stray positional argument (train does)', () => {
    const { dir, before } = workDir({ 'x.json': X }, () => undefined);
    expectCleanFailure(rnngrad(['predict', '--model', 'bad', '--input', 'x.json', '--output', 'y.json', 'extra'], { cwd: dir }), /unexpected argument 'extra'/, dir, before);
  });

  test('evaluate with a --data file of another feature count names the file', () => {
    const { dir, before } = workDir({ 'data.json': JSON.stringify({ x: [[[1, 2]], [[3, 4]]], y: [[1], [2]] }) }, () => undefined);
    expectCleanFailure(rnngrad(['evaluate', '--model', 'bad', '--data', 'data.json'], { cwd: dir }), /data\.json/, dir, before);
  });

  test('evaluate on a task with no validation samples is refused, not reported as MSE NaN', () => {
    const { dir, before } = workDir({}, () => undefined);
    expectCleanFailure(rnngrad(['evaluate', '--model', 'bad', '--task', 'series', '--samples', '1'], { cwd: dir }), /--samples 1/, dir, before);
  });
});
