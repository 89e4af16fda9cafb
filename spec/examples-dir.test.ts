/**
 * Every program in examples/ runs as a learner runs it — `npx ts-node examples/<name>.ts` from the
 * repository root (type-checked; 'rnngrad' resolves to dist/, which `npm test`'s pretest builds) —
 * and prints exactly examples/expected/<name>.txt. The programs print rounded values and yes/no
 * answers, so the comparison holds on any machine; timings and free text go to stderr.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'examples');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
/** Not programs checked here: a module the others import, and one spec/grads/learner-example.test.ts runs. */
const NOT_HERE = ['mgu-cell.ts', 'lstm-backward-by-hand.ts'];

const programs = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts') && !NOT_HERE.includes(f)).sort();
const expectedFile = (program: string): string => path.join(DIR, 'expected', program.replace(/\.ts$/, '.txt'));

test('every program in examples/ has an expected output', () => {
  expect(programs.length).toBeGreaterThanOrEqual(7);
  expect(programs.filter((p) => !fs.existsSync(expectedFile(p)))).toEqual([]);
});

test.each(programs)('npx ts-node examples/%s prints examples/expected/ exactly', (program) => {
  const run = spawnSync(TS_NODE, [path.join('examples', program)], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  if (run.status !== 0) throw new Error(`examples/${program} exited with ${run.status ?? run.signal}:\n${run.stderr}`);
  expect(run.stdout).toBe(fs.readFileSync(expectedFile(program), 'utf8'));
}, 120_000);
