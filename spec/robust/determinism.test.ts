/**
 * Determinism on the CPU backend: the same seed gives bit-identical weights after N training
 * steps in two separate processes — with dropout on, in every dropout mode and with zoneout —
 * compared as the bytes of the saved weights file and of the checkpoint's optimizer state
 * (Adam's moments); another seed gives other bytes. (spec/cli/train.test.ts compares metrics
 * and --resume; this compares the weights themselves, for every kind of mask.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir } from '../cli/run-cli';

const dir = tempDir('robust-determinism');
const BASE = ['train', '--task', 'series', '--samples', '120', '--epochs', '2', '--units', '5', '--batch', '16', '--backend', 'cpu', '--json'];

const variants: [string, string[]][] = [
  ['LSTM, variational input and recurrent dropout', ['--cell', 'lstm', '--dropout', '0.2', '--recurrent-dropout', '0.3']],
  ['GRU, per-gate masks', ['--cell', 'gru', '--dropout', '0.25', '--recurrent-dropout', '0.25', '--dropout-mode', 'per-gate']],
  ['SimpleRNN, per-step masks, 2 layers', ['--cell', 'simple', '--layers', '2', '--dropout', '0.2', '--recurrent-dropout', '0.2', '--dropout-mode', 'per-step']],
  ['peephole LSTM, Semeniuta and zoneout', ['--cell', 'peephole', '--recurrent-dropout', '0.3', '--dropout-mode', 'semeniuta', '--zoneout-h', '0.1', '--zoneout-c', '0.2']],
  // (Not input dropout: on this 1-feature task it can zero a whole sequence, and the layer norm of a
  // constant row has gain 1/sqrt(ε) ≈ 32 per step — BPTT over 50 steps overflows float32.)
  ['LN-SimpleRNN, recurrent dropout, RMSprop, clipping', ['--cell', 'ln-simple', '--recurrent-dropout', '0.3', '--optimizer', 'rmsprop', '--clip-global-norm', '0.5']],
];

/** Train in a fresh process; the bytes of the weights file and of the last checkpoint's optimizer state. */
function trainedBytes(name: string, flags: readonly string[], seed: number): { weights: Buffer; optimizer: Buffer } {
  const save = path.join(dir, name);
  const run = rnngrad([...BASE, ...flags, '--seed', String(seed), '--save', save]);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  const latest = (JSON.parse(fs.readFileSync(path.join(save, 'checkpoint.json'), 'utf8')) as { latest: string }).latest;
  return { weights: fs.readFileSync(path.join(save, 'group1-shard1of1.bin')), optimizer: fs.readFileSync(path.join(save, latest, 'optimizer.bin')) };
}

test.each(variants)('%s: same seed → the same bytes in two processes; another seed → other bytes', (name, flags) => {
  const slug = name.replace(/\W+/g, '-');
  const a = trainedBytes(`${slug}-a`, flags, 5);
  const b = trainedBytes(`${slug}-b`, flags, 5);
  expect(a.weights.length).toBeGreaterThan(0);
  expect(Buffer.compare(a.weights, b.weights)).toBe(0);
  expect(Buffer.compare(a.optimizer, b.optimizer)).toBe(0);
  const c = trainedBytes(`${slug}-c`, flags, 6);
  expect(Buffer.compare(a.weights, c.weights)).not.toBe(0);
});
