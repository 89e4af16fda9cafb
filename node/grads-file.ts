/** Reading a grads file from disk (`rnngrad compare-grads`); the format and its checks are in train/grads-file.ts. */
import * as fs from 'fs';
import { parseGradsFile, type GradsFile } from '../train/grads-file';

/** Read and check a grads file; errors name the file and what is wrong, in one line. */
export function readGradsFile(file: string): GradsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseGradsFile(json, file);
}
