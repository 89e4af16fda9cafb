/**
 * Checkpoints: after each epoch, everything a run needs to continue as if never stopped —
 * the weights (LayersModel files), the optimizer state (moments, step count), the states of
 * the random generators (shuffling, dropout masks), the epoch count, the run's settings.
 *
 * Layout of a checkpoint directory DIR:
 *
 *   DIR/checkpoint.json        { format: "rnngrad-checkpoint", version: 1, latest: "epoch-0003" }
 *   DIR/epoch-0003/            model.json, group1-shard1of1.bin, state.json, optimizer.bin
 *
 * Writing is crash-safe at every instant: the new epoch directory is filled under a temporary
 * name, fsynced and renamed into place; only then is checkpoint.json replaced atomically to point
 * at it; older epoch directories are removed last. A run killed with SIGKILL at any moment leaves
 * checkpoint.json pointing at a complete checkpoint (the new one or the previous one).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Storage, allocate, DType } from '../engine/tensor';
import { Random } from '../engine/random';
import type { Sequential } from '../train/model';
import type { Optimizer, OptimizerState } from '../train/optimizer';
import type { History } from '../train/fit';
import { loadModel, saveModel } from './model-files';
import { writeFileAtomic, fsyncDir, TEMP_MARK } from './atomic';

/** Plain JSON (the run's settings). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CheckpointInput {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  /** Every generator the run draws from, by a name of the caller's choosing (e.g. global, shuffle). */
  readonly generators: Readonly<Record<string, Random>>;
  /** Epochs completed. */
  readonly epoch: number;
  /** The run's settings (task, cell, optimizer, lr, seed, …) — whatever resuming must check or reuse. */
  readonly settings: JsonValue;
  readonly history?: History;
}

export interface Checkpoint {
  readonly model: Sequential;
  readonly optimizerState: OptimizerState;
  readonly generatorStates: Readonly<Record<string, number[]>>;
  readonly epoch: number;
  readonly settings: JsonValue;
  readonly history: History | null;
  /** The epoch directory read. */
  readonly path: string;
}

interface StateJson {
  readonly format: 'rnngrad-checkpoint-state';
  readonly epoch: number;
  readonly settings: JsonValue;
  readonly history: History | null;
  readonly generators: Record<string, number[]>;
  readonly optimizer: {
    readonly className: string;
    readonly iterations: number;
    readonly names: readonly string[];
    readonly sizes: readonly number[];
    /** Order of the buffers in optimizer.bin: each slot, each weight; little-endian. */
    readonly slots: { readonly slot: string; readonly dtype: DType }[];
  };
}

const POINTER = 'checkpoint.json';

/** Write a checkpoint for `input.epoch` into DIR; returns the epoch directory. */
export function saveCheckpoint(dir: string, input: CheckpointInput): string {
  fs.mkdirSync(dir, { recursive: true });
  const base = `epoch-${String(input.epoch).padStart(4, '0')}`;
  let name = base;
  for (let k = 1; fs.existsSync(path.join(dir, name)); k++) name = `${base}-${k}`;
  const staging = path.join(dir, `.${name}${TEMP_MARK}${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);

  saveModel(input.model, staging);
  const state = input.optimizer.getState();
  const slotNames = Object.keys(state.slots);
  const buffers = slotNames.flatMap((s) => state.slots[s]);
  const bytes = new Uint8Array(buffers.reduce((acc, b) => acc + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    // Typed arrays are little-endian on every platform Node runs on; the copy is the bytes as stored.
    bytes.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), offset);
    offset += b.byteLength;
  }
  writeFileAtomic(path.join(staging, 'optimizer.bin'), bytes);
  const json: StateJson = {
    format: 'rnngrad-checkpoint-state',
    epoch: input.epoch,
    settings: input.settings,
    history: input.history ?? null,
    generators: Object.fromEntries(Object.entries(input.generators).map(([k, g]) => [k, g.getState()])),
    optimizer: {
      className: state.className,
      iterations: state.iterations,
      names: state.names,
      sizes: state.sizes,
      slots: slotNames.map((slot) => ({ slot, dtype: state.slots[slot][0] instanceof Float64Array ? 'float64' : 'float32' })),
    },
  };
  writeFileAtomic(path.join(staging, 'state.json'), JSON.stringify(json));
  fsyncDir(staging);

  const final = path.join(dir, name);
  fs.renameSync(staging, final);
  fsyncDir(dir);
  writeFileAtomic(path.join(dir, POINTER), JSON.stringify({ format: 'rnngrad-checkpoint', version: 1, latest: name }));
  // Only now is the previous checkpoint unreferenced: remove it and any leftovers of killed runs.
  for (const entry of fs.readdirSync(dir)) {
    if (entry === name || entry === POINTER) continue;
    if (/^epoch-\d+(-\d+)?$/.test(entry) || (entry.startsWith('.epoch-') && entry.includes(TEMP_MARK)) || entry.startsWith(`.${POINTER}${TEMP_MARK}`)) {
      fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  return final;
}

/** Is there a checkpoint in DIR? */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, POINTER));
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: malformed ${what}: ${(e as Error).message}`);
  }
}

export interface RestoreOptions {
  /** Generators to set to their saved states (by the names they were saved under). */
  readonly generators?: Readonly<Record<string, Random>>;
  /** An optimizer to give the saved state (it must be of the saved class). */
  readonly optimizer?: Optimizer;
  /**
   * The generator the loaded layers draw from — their throwaway initial weights and, during
   * training, their dropout masks (default globalRandom). Give the one the original run gave its
   * layers, and list it in `generators` too: its state is restored after the model is built.
   */
  readonly layerRng?: Random;
}

/**
 * Read the latest checkpoint in DIR, build its model, and restore the `generators` and the
 * `optimizer` given (the generators after building the model, so the build's draws do not count).
 */
export function loadCheckpoint(dir: string, restore: RestoreOptions = {}): Checkpoint {
  const pointer = readJson(path.join(dir, POINTER), 'checkpoint pointer') as { format?: string; latest?: unknown };
  if (pointer.format !== 'rnngrad-checkpoint' || typeof pointer.latest !== 'string' || !/^epoch-\d+(-\d+)?$/.test(pointer.latest)) {
    throw new Error(`${path.join(dir, POINTER)}: not an rnngrad checkpoint pointer ({ format: "rnngrad-checkpoint", latest: "epoch-NNNN" })`);
  }
  const at = path.join(dir, pointer.latest);
  const model = loadModel(path.join(at, 'model.json'), restore.layerRng ? { rng: restore.layerRng } : {});
  const stateFile = path.join(at, 'state.json');
  const state = readJson(stateFile, 'checkpoint state') as StateJson;
  if (typeof state !== 'object' || state === null || state.format !== 'rnngrad-checkpoint-state') throw new Error(`${stateFile}: not an rnngrad checkpoint state`);
  if (!Number.isInteger(state.epoch) || state.epoch < 0) throw new Error(`${stateFile}: epoch is ${JSON.stringify(state.epoch) ?? 'missing'}; expected the number of epochs completed`);
  if (typeof state.generators !== 'object' || state.generators === null) {
    throw new Error(`${stateFile}: the generators part is missing; expected { name: [state words] } for each random generator`);
  }
  const o = checkOptimizerPart(stateFile, state.optimizer);
  const binFile = path.join(at, 'optimizer.bin');
  // The moments match the model's weights one for one; checked (and the file's size) before reading.
  const weightSizes = model.weights().map((p) => p.tensor.size);
  // (No sizes: an optimizer that has not stepped yet.)
  if (o.sizes.length > 0 && (o.sizes.length !== weightSizes.length || o.sizes.some((n, i) => n !== weightSizes[i]))) {
    throw new Error(`${stateFile}: the optimizer part lists sizes [${o.sizes.slice(0, 12)}${o.sizes.length > 12 ? ',…' : ''}], but the model's weights have sizes [${weightSizes}]`);
  }
  const need = o.slots.reduce((acc, s) => acc + o.sizes.reduce((a, n) => a + n, 0) * (s.dtype === 'float64' ? 8 : 4), 0);
  let bin: Buffer;
  try {
    const size = fs.statSync(binFile).size;
    if (size !== need) throw new Error(`${binFile}: holds ${size} bytes; the optimizer state needs ${need}`);
    bin = fs.readFileSync(binFile);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
    throw new Error(`${binFile}: cannot read the optimizer state (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected the moment buffers listed in state.json`);
  }
  if (bin.length !== need) throw new Error(`${binFile}: holds ${bin.length} bytes; the optimizer state needs ${need}`);
  const slots: Record<string, Storage[]> = {};
  let offset = 0;
  for (const s of o.slots) {
    slots[s.slot] = o.sizes.map((n) => {
      const buffer = allocate(s.dtype, n);
      new Uint8Array(buffer.buffer).set(bin.subarray(offset, offset + buffer.byteLength));
      offset += buffer.byteLength;
      return buffer;
    });
  }
  const optimizerState: OptimizerState = { className: o.className, iterations: o.iterations, names: o.names, sizes: o.sizes, slots };
  for (const [name, g] of Object.entries(restore.generators ?? {})) {
    const saved = state.generators[name];
    if (!saved) throw new Error(`${stateFile}: no state for the generator '${name}' (saved: ${Object.keys(state.generators).join(', ') || 'none'})`);
    g.setState(saved);
  }
  restore.optimizer?.setState(optimizerState);
  return { model, optimizerState, generatorStates: state.generators, epoch: state.epoch, settings: state.settings, history: state.history, path: at };
}

/**
 * The `optimizer` part of state.json, checked field by field: it says how to cut optimizer.bin,
 * so a missing or mistyped field would otherwise surface as a TypeError far from the file.
 */
function checkOptimizerPart(stateFile: string, part: unknown): StateJson['optimizer'] {
  const expected = '{ className, iterations, names: [string], sizes: [number], slots: [{ slot, dtype }] }';
  if (typeof part !== 'object' || part === null || Array.isArray(part)) {
    throw new Error(`${stateFile}: the optimizer part is ${part === undefined ? 'missing' : 'not an object'}; expected ${expected}`);
  }
  const o = part as Record<string, unknown>;
  const isList = (v: unknown, ok: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(ok);
  const faults: string[] = [];
  if (typeof o.className !== 'string') faults.push('className is not a string');
  if (!Number.isInteger(o.iterations) || (o.iterations as number) < 0) faults.push('iterations is not an integer ≥ 0');
  if (!isList(o.names, (x) => typeof x === 'string')) faults.push('names is not a list of strings');
  if (!isList(o.sizes, (x) => Number.isInteger(x) && (x as number) >= 0)) faults.push('sizes is not a list of integers ≥ 0');
  else if (Array.isArray(o.names) && o.names.length !== (o.sizes as unknown[]).length) faults.push(`names has ${o.names.length} entries but sizes ${(o.sizes as unknown[]).length}`);
  const slotOk = (x: unknown): boolean => {
    const s = x as Record<string, unknown> | null;
    return typeof s === 'object' && s !== null && typeof s.slot === 'string' && (s.dtype === 'float32' || s.dtype === 'float64');
  };
  if (!isList(o.slots, slotOk)) faults.push("slots is not a list of { slot, dtype: 'float32' | 'float64' }");
  if (faults.length > 0) throw new Error(`${stateFile}: malformed optimizer part: ${faults.join('; ')}; expected ${expected}`);
  return part as StateJson['optimizer'];
}
