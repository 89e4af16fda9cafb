/**
 * Model files on disk: `DIR/model.json` + `DIR/group1-shard1of1.bin` (TF.js LayersModel format;
 * the format itself is in train/model-json.ts). Loading reads any number of shards with any
 * names, relative to model.json; saving writes both files atomically (train/atomic.ts), the
 * weights first, so model.json never names a weights file that is not complete.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FromConfigOptions } from '../cells/from-config';
import type { Sequential } from '../train/model';
import { modelFromJson, modelToJson, WEIGHTS_FILE, ReadGroup } from '../train/model-json';
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

/**
 * The largest model.json read (a topology and a manifest are kilobytes; the weights are in the
 * shards). A bigger file is refused before it is read.
 */
export const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;

/** Load a Sequential model from `DIR/model.json` (or DIR). */
export function loadModel(file: string, options: FromConfigOptions = {}): Sequential {
  const jsonPath = modelJsonPath(file);
  let text: string;
  try {
    const size = fs.statSync(jsonPath).size;
    if (size > MAX_MODEL_JSON_BYTES) {
      throw new Error(`${jsonPath}: the model file is ${size} bytes; a model.json holds a topology and a manifest and is at most ${MAX_MODEL_JSON_BYTES} bytes (the weights belong in the shard files)`);
    }
    text = fs.readFileSync(jsonPath, 'utf8');
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
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
  // modelFromJson has refused absolute paths and '..' before calling this; a symlink inside the
  // folder is followed (the user made it). Sizes are compared (stat) before a byte is read.
  const readGroup: ReadGroup = (_index, paths, expectedBytes) => {
    const fail = (shard: string, e: unknown): never => {
      throw new Error(`${jsonPath}: cannot read the weights file ${shard} named in weightsManifest (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    };
    const shards = paths.map((p) => path.resolve(dir, p));
    let total = 0;
    for (const shard of shards) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(shard);
      } catch (e) {
        return fail(shard, e);
      }
      if (!stat.isFile()) throw new Error(`${jsonPath}: the weights file ${shard} named in weightsManifest is not a regular file`);
      total += stat.size;
    }
    if (total !== expectedBytes) {
      throw new Error(`${jsonPath}: the weights file(s) ${paths.join(', ')} hold ${total} bytes, but the manifest's weights need ${expectedBytes} (float32)`);
    }
    const parts = shards.map((shard) => {
      try {
        return fs.readFileSync(shard);
      } catch (e) {
        return fail(shard, e);
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
