/**
 * The chars task's text on disk: data/sonnets.txt, found from here both in the sources and in
 * dist/. In Node, `charsTask()` without a text reads it; train/tasks/chars.ts is the task itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { charsTask as charsTaskOf, type CharsOptions, type CharsTask } from '../train/tasks/chars';

/** The path of a file shipped in data/, found from here both in the sources and in dist/. */
export function dataFile(name: string): string {
  let dir = __dirname;
  for (let up = 0; up < 5; up++) {
    const candidate = path.join(dir, 'data', name);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`data file '${name}' not found in a data/ folder above ${__dirname}`);
}

/** The shipped corpus: seventeen of Shakespeare's sonnets (public domain). */
export function sonnets(): string {
  return fs.readFileSync(dataFile('sonnets.txt'), 'utf8');
}

/** The chars task (train/tasks/chars.ts) on `options.text`, or on the shipped sonnets. */
export function charsTask(options: CharsOptions = {}): CharsTask {
  return charsTaskOf({ ...options, text: options.text ?? sonnets() });
}
