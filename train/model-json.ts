/**
 * The TensorFlow.js LayersModel format (SEMANTICS.md, "Model files"), in memory:
 *
 *   model.json = { format: "layers-model", modelTopology: <Keras Sequential config>,
 *                  weightsManifest: [{ paths: [shard files], weights: [{ name, shape, dtype }] }] }
 *
 * and each group's shards, concatenated, hold its weights as little-endian float32 in manifest
 * order. This file turns a parsed model.json plus the shards' bytes into a Sequential and back;
 * train/model-files.ts does the file system. Every error names the file and what was expected.
 */
import type { KerasLayerConfig, Layer } from '../cells/layer';
import { layerFromConfig, matchesWeightName, preview, tfjsIncompatibility, FromConfigOptions } from '../cells/from-config';
import { Sequential } from './model';

export interface ManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}
export interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly ManifestEntry[];
}
export interface ModelJson {
  readonly format: 'layers-model';
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: { readonly class_name: 'Sequential'; readonly config: { readonly name: string; readonly layers: KerasLayerConfig[] } };
  readonly weightsManifest: ManifestGroup[];
}

/** The file name rnngrad writes the weights to (TF.js's name for a single shard). */
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

type Obj = Record<string, unknown>;
/** A value from the file for a message: a string in quotes (cut short), anything else as JSON. */
const quoted = (v: unknown): string => (typeof v === 'string' ? `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'` : preview(v));
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Sequential config inside modelTopology (accepting the converter's `{ model_config, … }` wrapping). */
function sequentialLayers(json: Obj, file: string): { name: string; layers: KerasLayerConfig[] } {
  let topology = json.modelTopology;
  if (!isObj(topology)) throw new Error(`${file}: 'modelTopology' is missing or not an object; expected the Keras model config`);
  if (isObj(topology.model_config)) topology = topology.model_config;
  const t = topology as Obj;
  if (t.class_name !== 'Sequential') {
    throw new Error(`${file}: the model is a ${quoted(t.class_name)}; rnngrad reads Sequential models only`);
  }
  // Keras < 2.2 wrote the layer list as the config itself.
  const config = Array.isArray(t.config) ? { layers: t.config } : t.config;
  if (!isObj(config) || !Array.isArray(config.layers) || config.layers.length === 0) {
    throw new Error(`${file}: modelTopology.config.layers is missing or empty; expected the list of layer configs`);
  }
  config.layers.forEach((l, i) => {
    if (!isObj(l) || typeof l.class_name !== 'string' || (l.config !== undefined && l.config !== null && !isObj(l.config))) {
      throw new Error(`${file}: layer ${i} is not a { class_name, config } object`);
    }
  });
  return { name: typeof config.name === 'string' ? config.name : 'sequential', layers: config.layers as KerasLayerConfig[] };
}

function checkShape(v: unknown, where: string): (number | null)[] {
  if (!Array.isArray(v) || v.some((d) => d !== null && !(Number.isInteger(d) && d > 0))) {
    throw new Error(`${where} should be a list of positive integers or null, got ${preview(v)}`);
  }
  return v as (number | null)[];
}

/**
 * A manifest path must name a file inside the model's folder: relative, with no `..` segment
 * (also when percent-encoded, `%2e%2e`, as a URL would decode it), no drive or URL scheme, no
 * NUL. Subfolders are fine. Checked before any reader sees the path, for every way a model is read.
 */
export function checkShardPath(p: string, file: string): void {
  const refuse = (why: string): never => {
    throw new Error(`${file}: weightsManifest names the weights file '${p.length > 120 ? `${p.slice(0, 120)}…` : p}', ${why}; shard paths must be relative to the model's folder and stay inside it`);
  };
  if (p.length === 0) refuse('an empty path');
  if (p.includes('\0')) refuse('a path with a NUL character');
  if (/^[\\/]/.test(p) || /^[a-zA-Z]:/.test(p)) refuse('an absolute path');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p)) refuse('a URL with a scheme');
  let decoded = p;
  try {
    decoded = decodeURIComponent(p);
  } catch {
    // Not percent-encoded text: the literal segments are checked below.
  }
  const segments = [...p.split(/[\\/]/), ...decoded.split(/[\\/]/)];
  if (segments.some((seg) => seg === '..')) refuse("a path with a '..' segment, outside the model's folder");
  if (/^[\\/]/.test(decoded)) refuse('an absolute path');
}

interface ManifestWeight extends ManifestEntry {
  /** The group (shards) holding it, and its byte offset there. */
  readonly group: number;
  readonly offset: number;
}

/** The manifest, flattened: each weight with its group and byte offset; shard paths checked. */
function manifestOf(json: Obj, file: string): { entries: ManifestWeight[]; groups: ManifestGroup[] } {
  const m = json.weightsManifest;
  if (!Array.isArray(m)) throw new Error(`${file}: 'weightsManifest' is missing or not a list of { paths, weights } groups`);
  const entries: ManifestWeight[] = [];
  m.forEach((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string') || !Array.isArray(g.weights)) {
      throw new Error(`${file}: weightsManifest[${gi}] should be { paths: [file names], weights: [{ name, shape, dtype }] }`);
    }
    for (const p of g.paths as string[]) checkShardPath(p, file);
    let offset = 0;
    g.weights.forEach((w, wi) => {
      if (!isObj(w) || typeof w.name !== 'string') throw new Error(`${file}: weightsManifest[${gi}].weights[${wi}] has no name`);
      const name = w.name.length > 200 ? `${w.name.slice(0, 200)}…` : w.name;
      const shape = checkShape(w.shape, `${file}: the shape of weight '${name}'`);
      if (shape.includes(null)) throw new Error(`${file}: the shape of weight '${name}' has a null dimension`);
      const dtype = w.dtype ?? 'float32';
      if (dtype !== 'float32') throw new Error(`${file}: weight '${name}' is ${typeof dtype === 'string' ? dtype.slice(0, 40) : preview(dtype)}; rnngrad reads float32 weights only (dtype 'float32')`);
      if (w.quantization !== undefined && w.quantization !== null) {
        throw new Error(`${file}: weight '${name}' is quantized (the converter's 'quantization'); rnngrad reads unquantized float32 weights only`);
      }
      entries.push({ name: w.name, shape: shape as number[], dtype: 'float32', group: gi, offset });
      offset += 4 * sizeOf(shape as number[]);
    });
  });
  return { entries, groups: m as ManifestGroup[] };
}

/**
 * Reads the bytes of one manifest group: its shards, in order, concatenated. `expectedBytes` is
 * what the manifest's weights need; a reader that can learn the shards' sizes without reading
 * them (stat on disk, Content-Length over http) refuses a mismatch before reading anything.
 */
export type ReadGroup = (index: number, paths: readonly string[], expectedBytes: number) => Uint8Array;

/**
 * A Sequential from a parsed model.json and the bytes of each group (`readGroup`). `file` names
 * model.json in errors. Nothing is allocated before the file has been checked: the layers'
 * weight shapes are computed from the config alone and compared with the manifest, and the
 * manifest's byte count with the shards' bytes, so a config can ask for no more memory than its
 * shards hold. The initializers never run: the weights start as zeros and are overwritten.
 */
export function modelFromJson(json: unknown, readGroup: ReadGroup, file = 'model.json', options: FromConfigOptions = {}): Sequential {
  if (!isObj(json)) throw new Error(`${file}: expected a JSON object with modelTopology and weightsManifest`);
  if (json.format !== undefined && json.format !== null && json.format !== 'layers-model') {
    throw new Error(`${file}: format ${quoted(json.format)} is not supported; expected 'layers-model' (a TF.js LayersModel)`);
  }
  const { name, layers: configs } = sequentialLayers(json, file);
  let inputShape: (number | null)[] | null = null;
  let layerConfigs = configs;
  if (configs[0].class_name === 'InputLayer') {
    const c = (configs[0].config ?? {}) as Obj;
    inputShape = checkShape(c.batch_input_shape ?? c.batch_shape, `${file}: InputLayer batch_input_shape`);
    layerConfigs = configs.slice(1);
  } else {
    const c = (configs[0].config ?? {}) as Obj;
    if (c.batch_input_shape) inputShape = checkShape(c.batch_input_shape, `${file}: batch_input_shape of the first layer`);
    else if (c.input_shape) inputShape = [null, ...checkShape(c.input_shape, `${file}: input_shape of the first layer`)];
  }
  const features = inputShape?.[inputShape.length - 1];
  if (inputShape === null || typeof features !== 'number') {
    throw new Error(`${file}: the first layer gives no batch_input_shape ending in the feature count (e.g. [null, null, 1])`);
  }
  const { entries, groups } = manifestOf(json, file);
  const fromConfig: FromConfigOptions = { ...options, initialize: false };
  const layers = layerConfigs.map((c, i) => {
    try {
      return layerFromConfig(c, fromConfig);
    } catch (e) {
      throw new Error(`${file}: layer ${i}: ${(e as Error).message}`);
    }
  });
  const owners = matchManifest(layers, features, entries, file);
  // The bytes, checked against the manifest, before any weight tensor exists.
  const groupBytes = groups.map((g, gi) => {
    const need = entries.reduce((acc, e) => (e.group === gi ? acc + 4 * sizeOf(e.shape) : acc), 0);
    if (need > 0 && g.paths.length === 0) throw new Error(`${file}: weightsManifest[${gi}] lists weights but no shard files`);
    const bytes = need === 0 && g.paths.length === 0 ? new Uint8Array(0) : readGroup(gi, g.paths, need);
    if (bytes.length !== need) {
      throw new Error(`${file}: the weights file(s) ${g.paths.join(', ')} hold ${bytes.length} bytes, but the manifest's weights need ${need} (float32)`);
    }
    return bytes;
  });
  let model: Sequential;
  try {
    model = new Sequential(layers, { name, inputShape });
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const params = model.weights();
  entries.forEach((e, i) => {
    const bytes = groupBytes[e.group];
    const data = params[owners[i]].tensor.data;
    const view = new DataView(bytes.buffer, bytes.byteOffset + e.offset, 4 * data.length);
    for (let j = 0; j < data.length; j++) data[j] = view.getFloat32(4 * j, true);
  });
  const fileNames = new Array<string>(params.length);
  owners.forEach((k, i) => (fileNames[k] = entries[i].name));
  model.fileWeightNames = fileNames;
  // Manifest position of each model weight, so saving writes the file's order back.
  model.fileManifestOrder = owners.slice();
  return model;
}

/** Elements of a shape (a float, never allocated: a hostile shape may overflow 2^53 harmlessly). */
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Match every weight the layers will make (names and shapes planned from the config, layer k
 * fed layer k − 1's output features) to one manifest entry by name, and check its shape.
 * Returns, for each manifest entry, the index of the model weight it fills.
 */
function matchManifest(layers: readonly Layer[], features: number, entries: readonly ManifestWeight[], file: string): number[] {
  const owners = new Array<number>(entries.length).fill(-1);
  const planned: string[] = [];
  // Indexes, so that matching stays linear in a hostile manifest's size: entries by exact name
  // (TF's ':0' dropped), and by first and last segment for the converter's longer names.
  const exactIndex = new Map<string, number>();
  const aliasIndex = new Map<string, number[]>();
  const aliasKey = (first: string, leaf: string) => `${first}\u0000${leaf}`;
  entries.forEach((e, i) => {
    const n = e.name.replace(/:\d+$/, '');
    if (!exactIndex.has(n)) exactIndex.set(n, i);
    const parts = n.split('/');
    if (parts.length > 1) {
      const key = aliasKey(parts[0], parts[parts.length - 1]);
      const list = aliasIndex.get(key);
      if (list) list.push(i);
      else aliasIndex.set(key, [i]);
    }
  });
  let f = features;
  for (const layer of layers) {
    for (const w of layer.plannedWeights(f)) {
      const k = planned.length;
      const paramName = `${layer.name}/${w.name}`;
      planned.push(paramName);
      const exact = exactIndex.get(paramName);
      const parts = paramName.split('/');
      const candidates = exact !== undefined
        ? [exact]
        : (aliasIndex.get(aliasKey(parts[0], parts[parts.length - 1])) ?? []).filter((i) => matchesWeightName(entries[i].name, layer.name, w.name));
      if (candidates.length === 0) {
        throw new Error(`${file}: no weight for '${paramName}' (shape [${w.shape}]) in weightsManifest; it names ${entries.slice(0, 12).map((e) => `'${e.name}'`).join(', ') || 'no weights'}${entries.length > 12 ? ', …' : ''}`);
      }
      if (candidates.length > 1) throw new Error(`${file}: several weights could be '${paramName}': ${candidates.slice(0, 6).map((i) => `'${entries[i].name}'`).join(', ')}`);
      const e = candidates[0];
      if (owners[e] >= 0) throw new Error(`${file}: weight '${entries[e].name}' would fill both '${planned[owners[e]]}' and '${paramName}'`);
      owners[e] = k;
      const got = entries[e].shape;
      if (got.length !== w.shape.length || got.some((d, i) => d !== w.shape[i])) {
        throw new Error(`${file}: weight '${entries[e].name}' has shape [${got}] but the layer config makes '${paramName}' of shape [${w.shape}]`);
      }
    }
    f = layer.outputFeatures;
  }
  const unknown = entries.filter((_, i) => owners[i] < 0).map((e) => `'${e.name}'`);
  if (unknown.length > 0) {
    throw new Error(`${file}: unknown weight name(s) ${unknown.slice(0, 12).join(', ')}${unknown.length > 12 ? ', …' : ''} — the model's weights are ${planned.slice(0, 12).map((p) => `'${p}'`).join(', ')}${planned.length > 12 ? ', …' : ''}`);
  }
  return owners;
}

/** model.json (as an object) and the bytes of WEIGHTS_FILE for a model. */
export function modelToJson(model: Sequential, generatedBy = 'rnngrad'): { json: ModelJson; weights: Uint8Array } {
  const params = model.weights();
  const names = model.fileWeightNames?.length === params.length ? model.fileWeightNames : params.map((p) => p.name);
  const order = model.fileManifestOrder?.length === params.length ? model.fileManifestOrder : params.map((_, i) => i);
  const layers = model.layers.map((l) => l.toConfig());
  // TF.js and Keras read the input shape from the first layer's config.
  layers[0] = { class_name: layers[0].class_name, config: { batch_input_shape: model.inputShape.slice(), ...layers[0].config } };
  const size = params.reduce((acc, p) => acc + p.tensor.size, 0);
  const weights = new Uint8Array(4 * size);
  const view = new DataView(weights.buffer);
  let offset = 0;
  for (const k of order) {
    const data = params[k].tensor.data;
    for (let j = 0; j < data.length; j++, offset += 4) view.setFloat32(offset, data[j], true);
  }
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: model.name, layers } },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: order.map((k) => ({ name: names[k], shape: params[k].tensor.shape.slice(), dtype: 'float32' })) }],
  };
  return { json, weights };
}

/**
 * Why TF.js alone could not load this model (empty when it can), one line per layer: see
 * `tfjsIncompatibility` — `registerLayers(tf)` from 'rnngrad/tfjs' covers every built-in cell.
 * The CLI prints these when it saves.
 */
export function tfjsIncompatibilities(model: Sequential): string[] {
  return model.layers.flatMap((layer) => {
    const note = tfjsIncompatibility(layer);
    return note === null ? [] : [`layer '${layer.name}'${note.slice(layer.name.length)}`];
  });
}
