/**
 * Runs the examples written in Markdown: a ```ts example block followed by a ```text output
 * block. The code is transpiled, `from 'rnngrad'` resolves to this checkout, console.log is
 * captured, and the test compares what it printed with the output block — so no example
 * in the README or docs/ can drift from what the code really prints.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly expected: string;
}

const BLOCK = /```ts example\n([\s\S]*?)```\s*\n```text output\n([\s\S]*?)```/g;

/** Every example/output pair in a Markdown file. */
export function examplesIn(file: string): Example[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ file, line, code: m[1], expected: m[2].replace(/\s+$/, '') });
  }
  return out;
}

/** Run an example's code and return what it printed. */
export async function runExample(code: string): Promise<string> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const printed: string[] = [];
  const fakeConsole = { ...console, log: (...args: unknown[]) => printed.push(args.map(String).join(' ')) };
  const root = path.resolve(__dirname, '..', '..');
  const localRequire = (id: string): unknown => {
    if (id === 'rnngrad') return require(path.join(root, 'index'));
    if (id.startsWith('rnngrad/')) return require(path.join(root, id.slice('rnngrad/'.length)));
    return require(id);
  };
  const module = { exports: {} };
  const run = new Function('require', 'console', 'module', 'exports', `return (async () => {\n${js}\n})();`);
  await run(localRequire, fakeConsole, module, module.exports);
  return printed.join('\n').replace(/\s+$/, '');
}

/** The Markdown files whose examples are checked: the README and everything under docs/. */
export function markdownFiles(): string[] {
  const root = path.resolve(__dirname, '..', '..');
  const files = [path.join(root, 'README.md')];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) files.push(p);
    }
  };
  walk(path.join(root, 'docs'));
  return files.filter((f) => fs.existsSync(f));
}
