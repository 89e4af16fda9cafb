/**
 * The package as its users get it, through package.json `exports` (a self-reference: `rnngrad`
 * resolves to this checkout's dist/): `require` and Node's `import` give the Node API, a bundler's
 * `browser` condition gives dist/browser/rnngrad.mjs. And the layout rule behind the bundle:
 * engine/, cells/, train/ and kernels/ import no Node built-in (platform/ is the seam).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import * as rnngrad from 'rnngrad';
import { tensor, sum, loadModel } from 'rnngrad';

const ROOT = path.resolve(__dirname, '..');

test("require('rnngrad') is the Node build: the API plus files on disk, not the browser's fetchModel", () => {
  expect(require.resolve('rnngrad')).toBe(path.join(ROOT, 'dist', 'index.js'));
  expect(sum(tensor([1, 2, 3])).item()).toBe(6);
  expect(typeof loadModel).toBe('function');
  expect('fetchModel' in rnngrad).toBe(false);
  expect(require.resolve('rnngrad/tfjs')).toBe(path.join(ROOT, 'dist', 'tfjs', 'index.js'));
  expect((require('rnngrad/package.json') as { name: string }).name).toBe('rnngrad');
});

test("Node's import gets the same names as require", () => {
  const script = "import * as r from 'rnngrad'; const c = await import('module').then((m) => m.createRequire(import.meta.url)('rnngrad'));" +
    "console.log(JSON.stringify({ esm: Object.keys(r).filter((k) => k !== 'default' && k !== '__esModule').sort(), cjs: Object.keys(c).sort(), same: r.Tensor === c.Tensor }));";
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as
    { esm: string[]; cjs: string[]; same: boolean };
  expect(out.esm).toEqual(out.cjs);
  expect(out.esm).toContain('loadModel');
  expect(out.same).toBe(true);
});

test("a bundler's browser condition gets dist/browser/rnngrad.mjs", async () => {
  const result = await esbuild.build({
    stdin: { contents: "export { fetchModel, tensor } from 'rnngrad';", resolveDir: ROOT, loader: 'js' },
    bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
  });
  expect(Object.keys(result.metafile.inputs)).toContain('dist/browser/rnngrad.mjs');
});

test('the browser entry bundles with no Node built-in and no file from node/', async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'index.browser.ts')], bundle: true, platform: 'browser', format: 'esm',
    write: false, metafile: true, logLevel: 'silent', absWorkingDir: ROOT,
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((f) => f.startsWith('node/') || f.startsWith('cli/'))).toEqual([]);
  expect(inputs).toContain('browser/model-files.ts');
});

/** Files under `dir` ending in .ts (not .d.ts). */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('engine/, cells/, train/ and kernels/ reach Node only through platform/', () => {
  const builtins = new Set(require('module').builtinModules as string[]);
  const offences: string[] = [];
  for (const file of ['engine', 'cells', 'train', 'kernels', 'browser'].flatMap(sources)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'([^']+)'/g)) {
      const id = m[1].replace(/^node:/, '').split('/')[0];
      if (builtins.has(id)) offences.push(`${file}: imports ${m[1]}`);
    }
    // process, Buffer and __dirname are Node's globals; the measuring script's command-line entry is the one exception
    const code = text.replace(/^if \(require\.main === module\) main\(process\.argv\.slice\(2\)\);$/m, '');
    for (const m of code.matchAll(/\b(process\.[a-zA-Z]+|Buffer\.[a-zA-Z]+|__dirname)/g)) {
      const line = code.slice(0, m.index).split('\n').length;
      const lineText = code.split('\n')[line - 1].trim();
      if (!lineText.startsWith('*') && !lineText.startsWith('//')) offences.push(`${file}:${line}: ${m[1]}`);
    }
  }
  expect(offences).toEqual([]);
});
