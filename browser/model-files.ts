/**
 * Model files in a browser page: the counterparts of node/model-files.ts. A TF.js LayersModel
 * (model.json + binary shards) is fetched from a URL or read from files the user picked, and a
 * model is saved by downloading its two files. The format and every check of shapes and sizes
 * live in train/model-json.ts; this file only moves bytes, and refuses a shard before reading it
 * when its size (Content-Length, File.size) differs from what the manifest's weights need.
 */
import type { Sequential } from '../train/model';
import type { FromConfigOptions } from '../cells/from-config';
import { modelFromJson, modelToJson, checkShardPath, type ModelJson } from '../train/model-json';

/**
 * The largest model.json read (32 MiB, as node/model-files.ts): it holds a topology and a
 * manifest; the weights belong in the shards.
 */
export const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;

/** The slice of a `File` (or `Blob` with a name) used here; a page's `<input type=file>` gives these. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The parts of a fetch Response read here. */
interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null;
}
type Fetch = (url: string, init?: { credentials?: 'same-origin' }) => Promise<FetchResponse>;

// #region loading in steps
/** Thrown by the planning reader: modelFromJson asked for a group not fetched yet. */
class GroupWanted {
  constructor(readonly index: number, readonly paths: readonly string[], readonly expectedBytes: number) {}
}

/**
 * modelFromJson with an asynchronous reader. modelFromJson reads each group synchronously after
 * checking everything it can, so it is run until it asks for a group it has not got: that group
 * (with the byte count the manifest needs) is fetched, and the run starts again. One group, the
 * usual case, takes two runs; the first allocates nothing but the checked, zeroed layers.
 */
async function modelFromJsonAsync(json: unknown, file: string, options: FromConfigOptions,
  readGroup: (paths: readonly string[], expectedBytes: number) => Promise<Uint8Array>): Promise<Sequential> {
  const groups = new Map<number, Uint8Array>();
  for (;;) {
    let wanted: GroupWanted;
    try {
      return modelFromJson(json, (index, paths, expectedBytes) => {
        const bytes = groups.get(index);
        if (bytes) return bytes;
        throw new GroupWanted(index, paths, expectedBytes);
      }, file, options);
    } catch (e) {
      if (!(e instanceof GroupWanted)) throw e;
      wanted = e;
    }
    groups.set(wanted.index, await readGroup(wanted.paths, wanted.expectedBytes));
  }
}

function parseModelJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const truncated = text.trim().length === 0 ? ' (the file is empty)' : /end of JSON|Unterminated/i.test((e as Error).message) ? ' (the file looks truncated)' : '';
    throw new Error(`${file}: malformed model.json: ${(e as Error).message}${truncated}`);
  }
}
// #endregion

// #region fetchModel
function getFetch(): Fetch {
  const f = (globalThis as { fetch?: Fetch }).fetch;
  if (!f) throw new Error('fetchModel: this JavaScript engine has no fetch');
  return f;
}

/** The base for a relative model URL: the page's address (none outside a page). */
function pageUrl(): string | undefined {
  return (globalThis as { location?: { href: string } }).location?.href;
}

/**
 * The URL of shard `p` of the model at `modelUrl`, refused unless it has the model's origin and
 * lies under the model's folder (checkShardPath has already refused '..' and '%2e%2e' segments,
 * absolute paths and schemes; this checks what the URL parser actually made of it).
 */
export function shardUrl(p: string, modelUrl: URL, file: string): URL {
  checkShardPath(p, file);
  const url = new URL(p, modelUrl);
  checkInside(url, p, modelUrl, file);
  return url;
}

/** Refuse `url` (shard `p`, or where fetching it was redirected) unless it is inside the model's folder, same origin. */
function checkInside(url: URL, p: string, modelUrl: URL, file: string): void {
  const folder = new URL('.', modelUrl);
  const refuse = (why: string): never => {
    throw new Error(`${file}: weightsManifest names the weights file '${p}', which resolves to ${url.href}, ${why}; shard paths must stay inside the model's folder ${folder.href}`);
  };
  if (url.origin !== modelUrl.origin) refuse(`another origin than the model's (${modelUrl.origin})`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    decoded = url.pathname;
  }
  if (!url.pathname.startsWith(folder.pathname) || decoded.split('/').includes('..')) refuse('outside that folder');
}

/** A response's body, refused as soon as it passes `limit` bytes; `what` names it in errors. */
async function readCapped(response: FetchResponse, limit: number, what: string): Promise<Uint8Array> {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    throw new Error(`${what} is ${declared} bytes (Content-Length), more than the ${limit} expected`);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`${what} is more than the ${limit} bytes expected`);
    }
    parts.push(value);
  }
  return concat(parts, total);
}

/** The parts end to end (the one part itself when there is one). */
function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

async function get(url: URL, what: string): Promise<FetchResponse> {
  let response: FetchResponse;
  try {
    response = await getFetch()(url.href, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`${what}: cannot fetch ${url.href} (${(e as Error).message})`);
  }
  if (!response.ok) throw new Error(`${what}: cannot fetch ${url.href} (HTTP ${response.status} ${response.statusText})`.trim());
  return response;
}

/**
 * Fetch a TF.js LayersModel — `model.json` at `url` (relative to the page) and the shards its
 * weightsManifest names — with the same checks as a model read from disk: shard paths must stay
 * in the model's folder on the same origin, and the shards' sizes must be what the manifest's
 * weights need (checked on Content-Length before a body is read, and while reading).
 */
export async function fetchModel(url: string | URL, options: FromConfigOptions = {}): Promise<Sequential> {
  const modelUrl = new URL(url, pageUrl());
  const file = modelUrl.href;
  const response = await get(modelUrl, file);
  const text = new TextDecoder().decode(await readCapped(response, MAX_MODEL_JSON_BYTES, `${file}: the model file`));
  const json = parseModelJson(text, file);
  return modelFromJsonAsync(json, file, options, async (paths, expectedBytes) => {
    const urls = paths.map((p) => shardUrl(p, modelUrl, file));
    const responses: FetchResponse[] = [];
    for (let i = 0; i < urls.length; i++) {
      const r = await get(urls[i], file);
      if (r.redirected) checkInside(new URL(r.url), paths[i], modelUrl, file);
      responses.push(r);
    }
    const declared = responses.map((r) => r.headers.get('content-length'));
    if (declared.every((d) => d !== null)) {
      const total = declared.reduce((acc, d) => acc + Number(d), 0);
      if (total !== expectedBytes) {
        throw new Error(`${file}: the weights file(s) ${paths.join(', ')} hold ${total} bytes (Content-Length), but the manifest's weights need ${expectedBytes} (float32)`);
      }
    }
    // Memory grows with the bytes that really arrive (never with what the manifest claims), up to the cap.
    const parts: Uint8Array[] = [];
    let at = 0;
    for (let i = 0; i < responses.length; i++) {
      const part = await readCapped(responses[i], expectedBytes - at, `${file}: the weights file ${paths[i]}`);
      parts.push(part);
      at += part.length;
    }
    if (at !== expectedBytes) {
      throw new Error(`${file}: the weights file(s) ${paths.join(', ')} hold ${at} bytes, but the manifest's weights need ${expectedBytes} (float32)`);
    }
    return concat(parts, at);
  });
}
// #endregion

// #region files picked in the page
/** The last segment of a manifest path: picked files come without their folders. */
const baseName = (p: string): string => p.slice(p.search(/[^\\/]*$/));

/**
 * A model from files the user picked (an `<input type="file" multiple>`): one `.json` file
 * (model.json) and the shard files its manifest names, matched by file name. Sizes are compared
 * with the manifest before a shard is read.
 */
export async function modelFromFiles(files: Iterable<PickedFile> | ArrayLike<PickedFile>, options: FromConfigOptions = {}): Promise<Sequential> {
  const list = Array.from(files as ArrayLike<PickedFile>);
  const jsons = list.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (jsons.length !== 1) {
    throw new Error(`pick one model.json and its weights files (.bin); got ${jsons.length === 0 ? 'no' : jsons.length} .json files among ${list.map((f) => f.name).join(', ') || 'no files'}`);
  }
  const modelFile = jsons[0];
  const file = modelFile.name;
  if (modelFile.size > MAX_MODEL_JSON_BYTES) {
    throw new Error(`${file}: the model file is ${modelFile.size} bytes; a model.json holds a topology and a manifest and is at most ${MAX_MODEL_JSON_BYTES} bytes (the weights belong in the shard files)`);
  }
  const json = parseModelJson(new TextDecoder().decode(await modelFile.arrayBuffer()), file);
  return modelFromJsonAsync(json, file, options, async (paths, expectedBytes) => {
    const shards = paths.map((p) => {
      const found = list.find((f) => f.name === baseName(p));
      if (!found) throw new Error(`${file}: the weights file '${baseName(p)}' named in weightsManifest was not among the picked files (${list.map((f) => f.name).join(', ')})`);
      return found;
    });
    const total = shards.reduce((acc, f) => acc + f.size, 0);
    if (total !== expectedBytes) {
      throw new Error(`${file}: the weights file(s) ${paths.join(', ')} hold ${total} bytes, but the manifest's weights need ${expectedBytes} (float32)`);
    }
    const bytes = new Uint8Array(expectedBytes);
    let at = 0;
    for (const f of shards) {
      const part = new Uint8Array(await f.arrayBuffer());
      if (at + part.length > expectedBytes) throw new Error(`${file}: the weights file ${f.name} changed while being read`);
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
  });
}
// #endregion

// #region saving: download
/** A model's two files as TF.js's `downloads://NAME` writes them: NAME.json and NAME.weights.bin. */
export function modelToFiles(model: Sequential, name = 'model'): { json: ModelJson; jsonName: string; weights: Uint8Array; weightsName: string } {
  const { json, weights } = modelToJson(model);
  const weightsName = `${name}.weights.bin`;
  return {
    json: { ...json, weightsManifest: json.weightsManifest.map((g) => ({ ...g, paths: [weightsName] })) },
    jsonName: `${name}.json`,
    weights,
    weightsName,
  };
}

/** The page APIs a download needs. */
interface DownloadGlobals {
  readonly Blob: new (parts: (string | Uint8Array)[], options: { type: string }) => object;
  readonly URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  readonly document: { createElement(tag: 'a'): { href: string; download: string; click(): void } };
}

/**
 * Save a model from a page: the browser downloads NAME.json and NAME.weights.bin (a TF.js
 * LayersModel, loadable by `rnngrad predict`, TF.js's loadLayersModel and modelFromFiles).
 * Returns the two file names.
 */
export function downloadModel(model: Sequential, name = 'model'): string[] {
  const page = globalThis as unknown as Partial<DownloadGlobals>;
  if (!page.document || !page.Blob || !page.URL?.createObjectURL) throw new Error('downloadModel: needs a browser page (document, Blob, URL.createObjectURL)');
  const { json, jsonName, weights, weightsName } = modelToFiles(model, name);
  const save = (parts: (string | Uint8Array)[], type: string, fileName: string): void => {
    const href = page.URL!.createObjectURL(new page.Blob!(parts, { type }));
    const a = page.document!.createElement('a');
    a.href = href;
    a.download = fileName;
    a.click();
    setTimeout(() => page.URL!.revokeObjectURL(href), 60_000);
  };
  save([JSON.stringify(json)], 'application/json', jsonName);
  save([weights], 'application/octet-stream', weightsName);
  return [jsonName, weightsName];
}
// #endregion
