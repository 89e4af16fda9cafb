/**
 * Memory over a long run: 10 000 training steps of a small LSTM (batch 8, 10 steps, 8 units,
 * Adam), fused and composed paths, each in its own `node --expose-gc` process
 * (spec/robust/memory-run.ts, loaded through TypeScript's transpiler so it runs the sources).
 * After a warm-up of 1000 steps the live heap must stay flat: it may grow by less than 1 MB in
 * all (a leaked [8, 10, 8] float32 tensor per step would add 23 MB), by less than 256 kB over the
 * second half of the run, and the typed-array memory by less than 256 kB. The figures are printed.
 * The tape of a finished training step is released too (weak references to its output, its
 * loss and their tape entries are cleared by a collection after three more steps — looked at up to
 * five times, 50 ms and three steps apart, since a busy machine once in a while kept them through
 * the first look; a leak keeps them through all five); spec/engine/memory.test.ts checks
 * the same on a small expression.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

interface Sample {
  readonly step: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}
interface Report {
  readonly path: string;
  readonly steps: number;
  readonly warmup: number;
  readonly lastLoss: number;
  readonly samples: Sample[];
  readonly released: boolean[];
  /** At which look (1–5) everything was released, or the last look. */
  readonly looks: number;
}

/** Runs a .ts file in a fresh node with --expose-gc, transpiling .ts modules as they load. */
const LOADER = [
  "const ts = require('typescript'); const fs = require('fs');",
  "require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'),",
  '  { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: file }).outputText, file);',
  'require(process.argv[1]);',
].join('\n');

function memoryRun(kind: 'fused' | 'composed', steps: number): Report {
  const script = path.join(__dirname, 'memory-run.ts');
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', LOADER, script, kind, String(steps)], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`memory-run ${kind} exited with ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(3);

test.each(['fused', 'composed'] as const)('%s LSTM: 10 000 Adam steps keep a flat heap after warm-up; a step\'s tape is released', (kind) => {
  const r = memoryRun(kind, 10000);
  const first = r.samples[0];
  const middle = r.samples[Math.floor(r.samples.length / 2)];
  const last = r.samples[r.samples.length - 1];
  const peak = (k: keyof Omit<Sample, 'step'>) => Math.max(...r.samples.map((s) => s[k]));
  console.log([
    `memory, ${kind} LSTM(8) + Dense(1), batch 8 × 10 steps, Adam, ${r.steps} steps (warm-up ${r.warmup}); final loss ${r.lastLoss.toExponential(3)}`,
    '  step    heapUsed MB   arrayBuffers MB',
    ...r.samples.map((s) => `  ${String(s.step).padStart(5)}   ${mb(s.heapUsed).padStart(10)}   ${mb(s.arrayBuffers).padStart(12)}`),
    `  growth after warm-up: heap ${((peak('heapUsed') - first.heapUsed) / 1024).toFixed(1)} kB (second half ${((last.heapUsed - middle.heapUsed) / 1024).toFixed(1)} kB), ` +
      `arrayBuffers ${((peak('arrayBuffers') - first.arrayBuffers) / 1024).toFixed(1)} kB; a step's tape released at look ${r.looks} of 5`,
  ].join('\n'));

  expect(r.samples.length).toBeGreaterThanOrEqual(10);
  expect(last.step).toBe(10000);
  expect(Number.isFinite(r.lastLoss)).toBe(true);
  expect(peak('heapUsed') - first.heapUsed).toBeLessThan(1 * MB);
  expect(last.heapUsed - middle.heapUsed).toBeLessThan(256 * 1024);
  expect(peak('arrayBuffers') - first.arrayBuffers).toBeLessThan(256 * 1024);
  expect(r.released).toEqual([true, true, true, true]); // output, loss, and their tape entries
});
