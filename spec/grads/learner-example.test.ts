/**
 * examples/lstm-backward-by-hand.ts, run as a learner runs it (ts-node): its hand-written BPTT
 * matches the float64 answer key to float64 precision, and each planted bug is found and named.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { rnngrad, ROOT } from '../cli/run-cli';
import { fixture, Fixture } from './fixtures';

const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
const EXAMPLE = path.join(ROOT, 'examples', 'lstm-backward-by-hand.ts');

let f: Fixture;
let key: string;

beforeAll(async () => {
  f = await fixture('lstm-small');
  key = path.join(f.dir, 'key.json');
  expect(rnngrad(['grads', '--model', f.model, '--input', f.x, '--target', f.y, '--output', key]).status).toBe(0);
});

/** Run the example (type-checked, as `npx ts-node` does, unless `fast`); returns the file it wrote. */
function byHand(out: string, bug: string | null, fast: boolean): string {
  const file = path.join(f.dir, out);
  const args = [...(fast ? ['--transpile-only'] : []), EXAMPLE, '--model', f.model, '--input', f.x, '--target', f.y, '--output', file, ...(bug ? ['--bug', bug] : [])];
  const run = spawnSync(TS_NODE, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toMatch(/lstm-backward-by-hand: loss \d/);
  expect(run.status).toBe(0);
  return file;
}

test('the hand-written backward pass matches the key to float64 precision', () => {
  const mine = byHand('mine.json', null, false);
  const run = rnngrad(['compare-grads', '--expected', key, '--actual', mine, '--atol', '1e-12', '--rtol', '1e-10']);
  expect(run.stdout).toMatch(/7 of 7 rows pass/);
  expect(run.status).toBe(0);
});

test('--bug forget (the forget-gate term dropped from δc): every LSTM weight fails, the Dense head and the last step do not', () => {
  const run = rnngrad(['compare-grads', '--expected', key, '--actual', byHand('forget.json', 'forget', true), '--json']);
  expect(run.status).toBe(1);
  const rows = Object.fromEntries((JSON.parse(run.stdout).rows as { name: string; status: string; failingBy: { counts: Record<string, number> } | null }[]).map((r) => [r.name, r]));
  const failing = Object.keys(rows).filter((n) => rows[n].status === 'fail');
  expect(failing.map((n) => n.replace(/^lstm_LSTM\d+\//, 'lstm/'))).toEqual(['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias', 'input']);
  // The last step's input gradient is right: the error enters with the gradient carried back in time.
  expect(rows.input.failingBy?.counts['5']).toBe(0);
  expect(rows.input.failingBy?.counts['4']).toBeGreaterThan(0);
});

test('--bug forget-bias: the report names the bias, the forget gate, and only it', () => {
  const run = rnngrad(['compare-grads', '--expected', key, '--actual', byHand('forget-bias.json', 'forget-bias', true)]);
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/lstm_LSTM\d+\/bias: 4 elements out of tolerance \(by gate: input gate \(i\) 0, forget gate \(f\) 4, candidate \(c\) 0, output gate \(o\) 0\); worst forget gate \(f\), index [4-7] \(unit \d\)/);
  expect(run.stdout).toMatch(/6 of 7 rows pass/);
});
