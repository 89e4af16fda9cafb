/**
 * Model files on disk: `DIR/model.json` + `DIR/group1-shard1of1.bin` (TF.js LayersModel format;
 * the format itself is in train/model-json.ts). Loading reads any number of shards with any
 * names, relative to model.json; saving writes both files atomically (train/atomic.ts), the
 * weights first, so model.json never names a weights file that is not complete.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FromConfigOptions } from '../cells/from-config';
import type { Sequential } from './model';
import { modelFromJson, modelToJson, WEIGHTS_FILE } from './model-json';
import { writeFileAtomic, fsyncDir } from './atomic';

/** `model.json`, or a directory holding one. */
export function modelJsonPath(p: string): string {
  try {
    if (fs.statSync(p).isDirectory()) return path.join(p, 'model.json');
  } catch {
    // Not there: reported by the read below, under the name given.
  }
  return p;
}

/** Load a Sequential model from `DIR/model.json` (or DIR). */
export function loadModel(file: string, options: FromConfigOptions = {}): Sequential {
  const jsonPath = modelJsonPath(file);
  let text: string;
  try {
    text = fs.readFileSync(jsonPath, 'utf8');
  } catch (e) {
    throw new Error(`${jsonPath}: cannot read the model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const truncated = text.trim().length === 0 ? ' (the file is empty)' : /end of JSON|Unterminated/i.test((e as Error).message) ? ' (the file looks truncated)' : '';
    throw new Error(`${jsonPath}: malformed model.json: ${(e as Error).message}${truncated}`);
  }
  const dir = path.dirname(jsonPath);
  const readGroup = (_index: number, paths: readonly string[]): Uint8Array => {
    const parts = paths.map((p) => {
      const shard = path.resolve(dir, p);
      try {
        return fs.readFileSync(shard);
      } catch (e) {
        throw new Error(`${jsonPath}: cannot read the weights file ${shard} named in weightsManifest (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    });
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  };
  return modelFromJson(json, readGroup, jsonPath, options);
}

/**
 * Save `model` as `DIR/model.json` + `DIR/group1-shard1of1.bin`, keeping the layer names, the
 * weight names and manifest order of the file it was loaded from. Returns the model.json path.
 */
export function saveModel(model: Sequential, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const { json, weights } = modelToJson(model);
  writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
  const jsonPath = path.join(dir, 'model.json');
  writeFileAtomic(jsonPath, JSON.stringify(json));
  fsyncDir(dir);
  return jsonPath;
}
