/**
 * The model-file fuzz (issue 14), run by fuzz-loader.test.ts in a child process with a small heap
 * (`node --max-old-space-size=256`): fast-check mutates valid model files — units, shapes,
 * dtypes, manifest paths and sizes, truncation, wrong JSON types anywhere, deep nesting, huge
 * numbers — and every case must give either a correct model or a clean error: an Error (not a
 * TypeError or RangeError, which would be a crash in disguise) whose message is one short line
 * naming the file. Shards are read from an in-memory folder; a read outside the model's folder
 * fails the property (the path check must have refused it first). Prints one JSON line:
 * `{ cases, loaded, refused, maxRssMB, seconds }`.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { Random } from '../../engine/random';
import { tensor } from '../../engine/creation';
import { LSTM, GRU, Dense, TimeDistributed, RNN, LNSimpleRNNCell, PeepholeLSTMCell, SimpleRNN } from '../../cells';
import { Sequential, modelToJson, modelFromJson } from '../../train';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The models the mutations start from: every cell and layer class a file can hold. */
function bases(): { json: Json; bytes: Uint8Array }[] {
  const rng = new Random(1);
  const models = [
    new Sequential([new LSTM(3, { rng, name: 'lstm' }), new Dense(1, { rng, name: 'dense' })], { inputFeatures: 2 }),
    new Sequential([new GRU(2, { rng, name: 'gru', returnSequences: true }), new TimeDistributed(new Dense(2, { rng }), { name: 'td' })], { inputFeatures: 1 }),
    new Sequential([new RNN(new LNSimpleRNNCell(2, { rng, epsilon: 0.01 }), { name: 'ln' }), new Dense(1, { rng, name: 'out' })], { inputFeatures: 3 }),
    new Sequential([new RNN(new PeepholeLSTMCell(2, { rng }), { name: 'peep', returnSequences: true }), new SimpleRNN(2, { rng, name: 'simple' })], { inputFeatures: 1 }),
  ];
  return models.map((m) => {
    const { json, weights } = modelToJson(m);
    return { json: JSON.parse(JSON.stringify(json)) as Json, bytes: weights };
  });
}

/** Every path to a node of a JSON value down to depth 12 (arrays by index, objects by key). */
function nodePaths(root: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { v: Json; at: (string | number)[] }[] = [{ v: root, at: [] }];
  while (stack.length > 0) {
    const { v, at } = stack.pop() as { v: Json; at: (string | number)[] };
    out.push(at);
    if (at.length >= 12 || v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) v.forEach((e, i) => stack.push({ v: e, at: [...at, i] }));
    else for (const k of Object.keys(v)) stack.push({ v: v[k], at: [...at, k] });
  }
  return out;
}

function setAt(root: Json, at: readonly (string | number)[], value: Json | undefined): Json {
  if (at.length === 0) return value === undefined ? null : value;
  let node = root as Record<string | number, Json>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = at[at.length - 1];
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value === undefined ? null : value;
  return root;
}

const deep = (n: number): Json => {
  let v: Json = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

/** Values a hostile or damaged file might hold anywhere ('DEEP:n': n nested lists, made when applied). */
const nasty: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constantFrom<Json | undefined>(
    undefined, null, 0, -1, 1.5, 2 ** 31, 2 ** 53, 1e300, -1e300, 40000, 2_000_000_000, '', 'float16', 'int32', '../outside.bin',
    '/etc/passwd', 'a/../../b.bin', '%2e%2e/x.bin', '..\\x.bin', 'file:///etc/passwd', 'sub/missing.bin', [], {}, [null], [0], [-1, 2],
    [2 ** 31, 2 ** 31], [1e9, 1e9], { class_name: 'Conv1D', config: {} }, { min: 0, scale: 1, dtype: 'uint8' }, 'DEEP:2000', 'DEEP:20000',
  ),
  fc.integer({ min: -3, max: 70000 }),
  fc.array(fc.integer({ min: -2, max: 5_000_000 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** One mutation of a model file: a node of model.json replaced or removed, and/or the shard cut or grown. */
interface Mutation {
  readonly base: number;
  /** `pick` chooses among the nodes of model.json, or among the nodes under the key `key` (units, shape, paths, …). */
  readonly edits: readonly { readonly pick: number; readonly key: string | null; readonly value: Json | undefined }[];
  readonly bytes: 'same' | { readonly cut: number } | { readonly add: number };
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  base: fc.nat({ max: 3 }),
  edits: fc.array(
    fc.record({
      pick: fc.nat(),
      key: fc.option(fc.constantFrom('units', 'shape', 'dtype', 'paths', 'name', 'batch_input_shape', 'epsilon', 'class_name', 'cell', 'weights', 'layers', 'reset_after')),
      value: nasty,
    }),
    { minLength: 0, maxLength: 3 },
  ),
  bytes: fc.oneof(fc.constant<'same'>('same'), fc.record({ cut: fc.nat({ max: 400 }) }), fc.record({ add: fc.nat({ max: 64 }) })),
});

/**
 * This process's peak resident memory in kB. On Linux, VmHWM from /proc/self/status: getrusage's
 * maxRSS survives exec and so counts the parent's memory at fork time (a jest worker's hundreds
 * of MB); VmHWM belongs to this program's own address space.
 */
function peakResidentKB(): number {
  try {
    const m = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // Not Linux: fall back below.
  }
  return process.resourceUsage().maxRSS;
}

function main(): void {
  const start = Date.now();
  const models = bases();
  let loaded = 0;
  let refused = 0;
  const file = '/models/m/model.json';
  fc.assert(
    fc.property(mutation, (m) => {
      const json = JSON.parse(JSON.stringify(models[m.base].json)) as Json;
      let mutated = json;
      for (const e of m.edits) {
        const all = nodePaths(mutated);
        const under = e.key === null ? all : all.filter((p) => p.includes(e.key as string));
        const paths = under.length > 0 ? under : all;
        const value = typeof e.value === 'string' && e.value.startsWith('DEEP:') ? deep(Number(e.value.slice(5))) : e.value;
        mutated = setAt(mutated, paths[e.pick % paths.length], value);
      }
      const original = models[m.base].bytes;
      const bytes = m.bytes === 'same' ? original : 'cut' in m.bytes ? original.subarray(0, Math.max(0, original.length - m.bytes.cut)) : Uint8Array.from([...original, ...new Uint8Array(m.bytes.add)]);
      // The in-memory model folder: only the shard rnngrad wrote exists; a read outside the folder fails the property.
      const readGroup = (_i: number, paths: readonly string[], expectedBytes: number): Uint8Array => {
        for (const p of paths) {
          const resolved = path.posix.resolve(path.posix.dirname(file), p);
          if (!resolved.startsWith('/models/m/')) throw new Error(`ESCAPED: the loader asked for ${resolved}`);
          if (path.posix.basename(resolved) !== 'group1-shard1of1.bin') throw new Error(`${file}: cannot read the weights file ${resolved} named in weightsManifest (ENOENT)`);
        }
        const total = paths.length * bytes.length;
        if (total !== expectedBytes) throw new Error(`${file}: the weights file(s) hold ${total} bytes, but the manifest's weights need ${expectedBytes} (float32)`);
        const parts = paths.map(() => bytes);
        const out = new Uint8Array(total);
        parts.forEach((p, k) => out.set(p, k * bytes.length));
        return out;
      };
      let model: Sequential;
      try {
        model = modelFromJson(mutated, readGroup, file);
      } catch (e) {
        const err = e as Error;
        const clean = err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError) && !err.message.startsWith('ESCAPED')
          && err.message.startsWith(file) && err.message.length < 2000;
        if (!clean) throw new Error(`not a clean error for ${JSON.stringify(m).slice(0, 300)}: ${err?.constructor?.name} ${String(err?.message).slice(0, 300)}`);
        refused++;
        return;
      }
      // A correct model: every weight filled from the file, and it runs.
      const total = model.weights().reduce((a, w) => a + w.tensor.size, 0);
      if (4 * total !== bytes.length) throw new Error(`loaded a model of ${total} weights from ${bytes.length} bytes`);
      const features = model.inputFeatures as number;
      const x = tensor(new Float32Array(2 * 3 * features).fill(0.1), model.inputShape.length === 3 ? [2, 3, features] : [2, features]);
      try {
        const y = model.predict(x);
        if (y.shape[0] !== 2) throw new TypeError(`predict gave shape [${y.shape}]`);
      } catch (e) {
        // The file may fix a sequence length other than this input's: a clean refusal is fine.
        if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
      }
      loaded++;
    }),
    { seed: 20261201, numRuns: Number(process.env.FUZZ_RUNS ?? 2000), endOnFailure: true },
  );
  const maxRssMB = Math.round(peakResidentKB() / 1024);
  process.stdout.write(`${JSON.stringify({ cases: loaded + refused, loaded, refused, maxRssMB, seconds: (Date.now() - start) / 1000 })}\n`);
}

main();
