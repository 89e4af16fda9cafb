/**
 * Checks the commands make before doing any work, so a mistake costs nothing: output paths that
 * cannot be written, inputs whose feature count the model cannot take, model files holding
 * non-finite weights.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Sequential } from '../train/model';
import { CliError } from './args';

/**
 * `--flag value` must be a directory we can create or reuse: neither it nor any folder above it
 * may be an existing file.
 */
export function checkOutputDir(command: string, flag: string, dir: string): void {
  let p = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(p)) {
      if (!fs.statSync(p).isDirectory()) {
        const what = p === path.resolve(dir) ? 'is a file, not a directory' : `cannot be created: ${path.relative(process.cwd(), p) || p} is a file`;
        throw new CliError(`rnngrad ${command}: --${flag} ${dir} ${what}`);
      }
      return;
    }
    const parent = path.dirname(p);
    if (parent === p) return;
    p = parent;
  }
}

/** The folder of an output file must already exist as a directory. */
export function checkOutputFile(command: string, flag: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new CliError(`rnngrad ${command}: cannot write ${file} (--${flag}): the folder ${path.dirname(file)} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new CliError(`rnngrad ${command}: cannot write ${file} (--${flag}): ${path.dirname(file)} is not a directory`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new CliError(`rnngrad ${command}: cannot write ${file} (--${flag}): it is a directory`);
}

/** A model whose weights hold NaN or ±Infinity can only produce garbage: refuse it, naming the weight. */
export function checkFiniteWeights(command: string, model: Sequential, file: string): void {
  for (const w of model.weights()) {
    const data = w.tensor.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new CliError(`rnngrad ${command}: ${file}: weight ${w.name} holds ${data[i]} at index ${i}; the model cannot be used`);
    }
  }
}

/** The model takes `model.inputFeatures` features per step; the input must have as many. */
export function checkFeatures(command: string, model: Sequential, modelFile: string, features: number, source: string): void {
  if (features === 0) throw new CliError(`rnngrad ${command}: ${source}: the feature axis is empty`);
  const expected = model.inputFeatures;
  if (expected !== null && expected !== features) {
    throw new CliError(`rnngrad ${command}: ${source} has ${features} feature${features === 1 ? '' : 's'} per step, but the model ${modelFile} takes ${expected}`);
  }
}

/** Print a number in a message as itself (JSON.stringify would turn NaN and Infinity into null). */
export function showValue(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}
