/** The API reference builds from the doc comments with no warnings (typedoc.json treats warnings as errors). */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

test('npm run docs (typedoc) builds with no warnings', () => {
  const root = path.resolve(__dirname, '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-api-'));
  const bin = path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const run = spawnSync(process.execPath, [bin, '--out', out], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  expect({ status: run.status, warnings: `${run.stdout}${run.stderr}`.split('\n').filter((l) => /warning|error/i.test(l)) }).toEqual({ status: 0, warnings: [] });
  expect(fs.existsSync(path.join(out, 'index.html'))).toBe(true);
}, 240_000);
