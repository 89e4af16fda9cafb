/**
 * The model-file fuzz (issue 14): 2 000 mutated model files, fixed seed, in a child process with
 * a 256 MB heap (fuzz-loader-run.ts does the work and says what it saw). Every case gives a
 * correct model or a clean error; the child must not crash, run out of heap, or grow its
 * resident memory past 512 MB. The timeout is a hang guard, not a timing assertion.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT } from '../cli/run-cli';

it('2 000 mutated model files: each a correct model or a clean error, in a small heap', () => {
  const run = spawnSync(process.execPath, ['--max-old-space-size=256', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fuzz-loader-run.ts')], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
    encoding: 'utf8',
    timeout: 600_000,
  });
  expect({ status: run.status, signal: run.signal, stderr: run.stderr.slice(-3000) }).toEqual({ status: 0, signal: null, stderr: '' });
  const report = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { cases: number; loaded: number; refused: number; maxRssMB: number };
  process.stdout.write(`loader fuzz: ${JSON.stringify(report)}\n`);
  expect(report.cases).toBe(2000);
  expect(report.loaded).toBeGreaterThan(0); // the mutations leave some files valid: the property sees both outcomes
  expect(report.refused).toBeGreaterThan(1000);
  expect(report.maxRssMB).toBeLessThan(512);
}, 660_000);
