/**
 * Code in the docs is pulled from the source by region markers, so it cannot drift:
 *
 *   source:    // #region lstm-gates … // #endregion lstm-gates
 *   Markdown:  <!-- code: cells/lstm.ts#lstm-gates -->  followed by a ```ts block
 *
 * `syncMarkdown` rewrites each such block from the source; the docs test fails when a page
 * differs from what sync would write (run `npm run docs:sync` after editing the source).
 */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));

/** The lines between `// #region name` and `// #endregion name`, dedented. */
export function extractRegion(file: string, name: string): string {
  const full = path.join(ROOT, file);
  if (!fs.existsSync(full)) throw new Error(`docs: ${file} does not exist (region '${name}')`);
  const lines = fs.readFileSync(full, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${name}`);
  if (start < 0 || end < 0) throw new Error(`docs: region '${name}' not found in ${file}`);
  const body = lines.slice(start + 1, end).filter((l) => !/^\s*\/\/ #(end)?region /.test(l));
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

const MARKER = /<!-- code: ([^#\s]+)#([\w-]+) -->\n```(\w+)\n[\s\S]*?```/g;

/** The Markdown with every marked code block refreshed from its source region. */
export function syncMarkdown(text: string): string {
  return text.replace(MARKER, (_m, file: string, region: string, lang: string) => {
    return `<!-- code: ${file}#${region} -->\n\`\`\`${lang}\n${extractRegion(file, region)}\n\`\`\``;
  });
}

/** Every Markdown file of the docs (docs/ and the README). */
export function docFiles(): string[] {
  const files = [path.join(ROOT, 'README.md')];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'api' && e.name !== 'node_modules') walk(p);
      else if (e.name.endsWith('.md')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return files;
}
