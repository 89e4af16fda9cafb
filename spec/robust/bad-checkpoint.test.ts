/**
 * A spoiled checkpoint directory given to `rnngrad train --resume DIR` (and to loadCheckpoint):
 * a missing or malformed pointer, state or optimizer file, a state without its optimizer part,
 * saved settings that no flag would accept. Each must be refused with one message naming the
 * file, exit code 2, no stack trace — and DIR must be left exactly as it was (it is also where
 * the resumed run would save).
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir } from '../cli/run-cli';
import { expectCleanFailure, listTree } from './cli-fixtures';
import { loadCheckpoint } from '../../node';

const root = tempDir('robust-checkpoint');
const good = path.join(root, 'good');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(() => {
  const run = rnngrad(['train', '--task', 'series', '--samples', '60', '--epochs', '1', '--units', '3', '--batch', '16', '--save', good, '--json']);
  expect(run.status).toBe(0);
});

const state = (dir: string) => path.join(dir, 'epoch-0001', 'state.json');
function editState(dir: string, change: (j: Json) => void): void {
  const j = JSON.parse(fs.readFileSync(state(dir), 'utf8')) as Json;
  change(j);
  fs.writeFileSync(state(dir), JSON.stringify(j));
}

const cases: [string, (dir: string) => void, RegExp][] = [
  ['no checkpoint.json', (d) => fs.rmSync(path.join(d, 'checkpoint.json')), /checkpoint\.json: cannot read the checkpoint pointer \(ENOENT\)/],
  ['a truncated checkpoint.json', (d) => fs.writeFileSync(path.join(d, 'checkpoint.json'), '{"format": "rnngrad-check'), /checkpoint\.json: malformed checkpoint pointer/],
  ['a pointer to a missing epoch', (d) => fs.writeFileSync(path.join(d, 'checkpoint.json'), JSON.stringify({ format: 'rnngrad-checkpoint', version: 1, latest: 'epoch-0009' })), /epoch-0009\/model\.json: cannot read the model file \(ENOENT\)/],
  ['a truncated state.json', (d) => fs.writeFileSync(state(d), fs.readFileSync(state(d)).subarray(0, 40)), /state\.json: malformed checkpoint state/],
  ['a truncated optimizer.bin', (d) => fs.writeFileSync(path.join(d, 'epoch-0001', 'optimizer.bin'), Buffer.alloc(10)), /optimizer\.bin: holds 10 bytes; the optimizer state needs \d+/],
  ['a truncated weights file', (d) => fs.writeFileSync(path.join(d, 'epoch-0001', 'group1-shard1of1.bin'), Buffer.alloc(8)), /hold 8 bytes, but the manifest's weights need/],
  ['no generator states', (d) => editState(d, (j) => (j.generators = {})), /state\.json: no state for the generator 'global'/],
  // Found here — each of these crashes with a TypeError or is accepted as if valid:
  ['no optimizer.bin', (d) => fs.rmSync(path.join(d, 'epoch-0001', 'optimizer.bin')), /optimizer\.bin: cannot read/],
  ['a state without its optimizer part', (d) => editState(d, (j) => delete j.optimizer), /state\.json: .*optimizer/],
  ['saved settings with an unknown task', (d) => editState(d, (j) => (j.settings.task = 'weather')), /state\.json: .*task.*'weather'/],
  ['saved settings with an unknown cell', (d) => editState(d, (j) => (j.settings.cell = 'transformer')), /state\.json: .*cell.*'transformer'/],
  ['saved settings with a dropout rate of 1.5', (d) => editState(d, (j) => (j.settings.dropout = 1.5)), /state\.json: .*dropout.*1\.5/],
];

describe('train --resume refuses a spoiled checkpoint and leaves it as it was', () => {
  test.each(cases)('%s', (name, spoil, message) => {
    const dir = path.join(root, name.replace(/\W+/g, '-'));
    fs.cpSync(good, dir, { recursive: true });
    spoil(dir);
    const before = listTree(dir);
    expectCleanFailure(rnngrad(['train', '--resume', dir, '--epochs', '2', '--json'], { cwd: root }), message, dir, before);
  });
});

test('loadCheckpoint names the file for a state without its optimizer part', () => {
  const dir = path.join(root, 'library');
  fs.cpSync(good, dir, { recursive: true });
  editState(dir, (j) => delete j.optimizer);
  expect(() => loadCheckpoint(dir)).toThrow(/state\.json: .*optimizer/);
});
