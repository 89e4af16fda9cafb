/**
 * The benchmark's deterministic parts (no timing here, ever): PyTorch's copy of the model is the
 * same model — its first two training losses from rnngrad's data and initial weights equal
 * rnngrad's to 1e-4 — the report picks PyTorch's better thread count, and `--help` prints usage.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SPECS } from '../../bench/models';
import { findTorchPython, pytorchRuns, writePeerInput, PEER_SCRIPT } from '../../bench/pytorch';
import { pytorchRatio, memoryMarkdown } from '../../bench/report';
import type { Result } from '../../bench/harness';
import { floorGrowth } from '../../bench/heap';

const ROOT = path.resolve(__dirname, '..', '..');
const found = findTorchPython();
// CI machines do not install torch: the mapping test runs where `apt-get install python3-torch` was done.
const withTorch = 'python' in found ? test : test.skip;

describe('PyTorch peer: the same model from the same weights', () => {
  for (const spec of SPECS.filter(pytorchRuns)) {
    withTorch(`${spec.workload} ${spec.cell}: first- and second-step losses equal rnngrad's to 1e-4${'python' in found ? '' : ` (skipped: ${found.missing})`}`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-peer-test-'));
      try {
        const input = writePeerInput(spec, dir);
        const python = (found as { python: string }).python;
        const run = spawnSync(python, [PEER_SCRIPT, input, '--threads=1', '--max-time=0', '--min-samples=1', '--json'],
          { encoding: 'utf8', timeout: 120_000 });
        expect(run.stderr).toContain('first-step loss');
        const out = JSON.parse(run.stdout.trim()) as { firstLoss: { pytorch: number; rnngrad: number; pytorchSecond: number; rnngradSecond: number }[] };
        const [loss] = out.firstLoss;
        expect(Math.abs(loss.pytorch - loss.rnngrad)).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(loss.pytorchSecond - loss.rnngradSecond)).toBeLessThanOrEqual(1e-4);
        expect(run.status).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('report', () => {
  const row = (engine: Result['engine'], threads: number, medianMs: number): Result =>
    ({ workload: 'W2', model: 'lstm', engine, backend: engine === 'rnngrad' ? 'js' : 'cpu', threads, op: 'train', medianMs, rme: 1, samples: 5 });

  test('compares with the faster of PyTorch\'s thread counts, and says which', () => {
    const results = [row('rnngrad', 2, 100), row('pytorch', 1, 80), row('pytorch', 2, 120)];
    expect(pytorchRatio(results, results[0])).toBe('0.80× (1T)');
    expect(pytorchRatio([results[0]], results[0])).toBe('–');
  });

  test('the peak-RSS table gives what training added', () => {
    const md = memoryMarkdown([{ workload: 'W2', engine: 'pytorch', backend: 'cpu', threads: 1, steps: 2, baseRssKiB: 1024 * 300, peakRssKiB: 1024 * 420 }]);
    expect(md.join('\n')).toContain('| pytorch | cpu | 1 | 420 | 300 | 120 |');
    expect(memoryMarkdown([])).toEqual([]);
  });
});

describe('node dist/bench/run.js', () => {
  const bench = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'bench', 'run.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

  test('--help prints the usage and exits 0', () => {
    const run = bench(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: node dist\/bench\/run\.js/);
    expect(run.stdout).toContain('--only=');
    expect(run.stderr).toBe('');
  });

  test('an unknown argument prints one line and the usage, no stack trace', () => {
    const run = bench(['--fast']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown argument '--fast'");
    expect(run.stderr).toContain('usage:');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('heap check: a leak lifts the floor, one late release does not', () => {
  const MiB = 2 ** 20;
  const samples = (arrayBuffers: number[]) => arrayBuffers.map((a, i) => ({ step: (i + 1) * 100, heapUsed: 20 * MiB, arrayBuffers: a * MiB }));
  test.each([
    ['flat', [2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71], 0],
    ['one buffer not yet freed on the last sample', [2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 2.71, 4.79], 0],
    ['one early', [4.79, 2.71, 6.87, 2.71, 2.71, 3.20, 2.71, 2.71, 2.71, 2.71], 0],
    ['0.5 MiB every 100 steps', [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5], 3],
  ])('%s', (_name, abs, growthMiB) => {
    expect(floorGrowth(samples(abs as number[]), 'arrayBuffers') / MiB).toBeCloseTo(growthMiB as number, 6);
    expect(floorGrowth(samples(abs as number[]), 'heapUsed')).toBe(0);
  });
});
