/** Reading `--data FILE` from disk; the format and its checks are in train/tasks/data-file.ts. */
import * as fs from 'fs';
import { parseDataObject } from '../train/tasks/data-file';
import type { Split } from '../train/tasks/series';

/** Read `--data FILE`. */
export function loadDataFile(file: string): Split {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.trim() === '') throw new Error(`${file}: the data file is empty`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const hint = /\bNaN\b|\bInfinity\b/.test(text) ? ' (NaN and Infinity are not JSON numbers: the data must be finite)' : '';
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}${hint}`);
  }
  return parseDataObject(parsed, file);
}
