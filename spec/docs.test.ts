/**
 * The docs cannot drift: code blocks pulled from region markers match the source, and every
 * relative link points at a file that exists (and, for `file#symbol` links to source files,
 * at a symbol that file defines).
 */
import * as fs from 'fs';
import * as path from 'path';
import { docFiles, syncMarkdown, ROOT } from '../docs/tools/regions';

const files = docFiles();

describe.each(files.map((f) => [path.relative(ROOT, f), f] as const))('%s', (_name, file) => {
  const text = fs.readFileSync(file, 'utf8');

  test('region-marked code matches the source (npm run docs:sync)', () => {
    expect(syncMarkdown(text)).toBe(text);
  });

  test('relative links point at files and symbols that exist', () => {
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
      const [rel, anchor] = target.split('#');
      const full = path.resolve(path.dirname(file), rel);
      if (!fs.existsSync(full)) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor && /\.(ts|js)$/.test(rel)) {
        const src = fs.readFileSync(full, 'utf8');
        const defines = new RegExp(`(function|class|const|let|interface|type|export)\\s+\\*?\\s*${anchor}\\b|#region ${anchor}\\b|\\b${anchor}\\s*[(:=]`);
        if (!defines.test(src)) broken.push(`${target} (no symbol '${anchor}')`);
      }
    }
    expect(broken).toEqual([]);
  });
});
