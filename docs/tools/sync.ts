/** `npm run docs:sync`: refresh every region-marked code block in docs/ and the README from the source. */
import * as fs from 'fs';
import * as path from 'path';
import { docFiles, syncMarkdown, ROOT } from './regions';

let changed = 0;
for (const file of docFiles()) {
  const before = fs.readFileSync(file, 'utf8');
  const after = syncMarkdown(before);
  if (after !== before) {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, after);
    fs.renameSync(tmp, file);
    changed++;
    process.stderr.write(`updated ${path.relative(ROOT, file)}\n`);
  }
}
process.stderr.write(`${changed} file(s) updated\n`);
