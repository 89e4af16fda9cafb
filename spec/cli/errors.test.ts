/**
 * Bad input on the command line: one clear message naming the flag or file, a non-zero exit,
 * no stack trace, nothing on stdout and no partial output file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir } from './run-cli';

const dir = tempDir('errors');
const badJson = path.join(dir, 'bad.json');
fs.writeFileSync(badJson, '{"x": [[[1]], [[2]]], "y": [[1]]}');
const ragged = path.join(dir, 'ragged.json');
fs.writeFileSync(ragged, '{"x": [[[1], [2]], [[1]]], "y": [[1], [2]]}');

const cases: [string, string[], RegExp][] = [
  ['dropout out of range', ['train', '--dropout', '1.5'], /--dropout: 1\.5 is outside \[0, 1\)/],
  ['recurrent dropout negative', ['train', '--recurrent-dropout', '-0.1'], /--recurrent-dropout: -0\.1 is outside/],
  ['two clipping modes', ['train', '--clip-value', '1', '--clip-global-norm', '1'], /--clip-value and --clip-global-norm given together/],
  ['clip value not positive', ['train', '--clip-norm', '0'], /--clip-norm: 0 is outside \(0/],
  ['unknown cell', ['train', '--cell', 'transformer'], /--cell 'transformer' is not a cell \(expected simple, ln-simple, lstm, peephole, gru, or a cell class registered by --require FILE\)/],
  ['unknown optimizer', ['train', '--optimizer', 'adagrad'], /--optimizer: unknown value 'adagrad'/],
  ['unknown task', ['train', '--task', 'weather'], /--task: unknown value 'weather'/],
  ['zero units', ['train', '--units', '0'], /--units: 0 is outside \[1/],
  ['fractional units', ['train', '--units', '2.5'], /--units: '2\.5' is not a whole number/],
  ['unknown flag', ['train', '--colour', 'red'], /unknown flag --colour/],
  ['missing value', ['train', '--epochs'], /--epochs needs a value/],
  ['missing data file', ['train', '--data', path.join(dir, 'nope.json'), '--cell', 'simple'], /nope\.json: cannot read the data file \(ENOENT\)/],
  ['mismatched N in data', ['train', '--data', badJson], /bad\.json/],
  ['ragged data', ['train', '--data', ragged], /ragged\.json/],
  ['init with cell', ['train', '--init', 'm/model.json', '--cell', 'lstm'], /--init fixes the architecture; --cell cannot be given with it/],
  ['task and data', ['train', '--task', 'series', '--data', badJson], /--task and --data given together/],
  ['zoneout-c on a simple RNN', ['train', '--cell', 'simple', '--zoneout-c', '0.1'], /--zoneout-c applies to cells with a cell state/],
  ['unknown command', ['fly'], /unknown command 'fly'/],
  ['predict without a model', ['predict', '--input', 'x.json', '--output', 'y.json'], /--model is required/],
  ['predict with a missing model', ['predict', '--model', path.join(dir, 'none', 'model.json'), '--input', badJson, '--output', path.join(dir, 'y.json')], /model\.json: cannot read the model file \(ENOENT\)/],
  ['evaluate without task or data', ['evaluate', '--model', 'm'], /give exactly one of --task and --data/],
];

test.each(cases)('%s', (_name, args, message) => {
  const run = rnngrad(args);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(run.stdout).toBe('');
});

test('a failed predict writes no output file', () => {
  const out = path.join(dir, 'never.json');
  rnngrad(['predict', '--model', path.join(dir, 'none'), '--input', badJson, '--output', out]);
  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

test.each(['train', 'predict', 'evaluate', 'gradcheck', 'course'])('rnngrad %s --help', (command) => {
  const run = rnngrad([command, '--help']);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`rnngrad ${command}`);
  expect(run.stdout).toContain('usage:');
});

test('train --help prints the defaults of every task', () => {
  const help = rnngrad(['train', '--help']).stdout;
  for (const task of ['series', 'series10', 'seq2seq', 'adding', 'chars']) expect(help).toMatch(new RegExp(`\\n  ${task} +\\w`));
  expect(help).toContain('7000/2000/1000 series of 50 steps');
});
