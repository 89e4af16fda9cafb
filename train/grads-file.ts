/**
 * The answer-key file: a loss and the gradient of that loss with respect to every weight of a
 * model and to its input, as written by `rnngrad grads` and read by `rnngrad compare-grads`.
 *
 *   { "loss": 0.0213,
 *     "weights": { "lstm_LSTM1/kernel": { "shape": [2, 16], "values": [ … 32 numbers … ] }, … },
 *     "input":   { "shape": [3, 5, 2], "values": [ … 30 numbers … ] } }
 *
 * Values are row-major (the last index varies fastest), as a nested array flattened. Weights are
 * named as the model file's weightsManifest names them, so anyone who can read model.json can
 * write a file in this form. Reading checks everything and names the first thing wrong: a shape
 * that does not hold its values, a value that is not a finite number (JSON.stringify writes NaN
 * and ±Infinity as null).
 */

/** One gradient: a shape and its values in row-major order. */
export interface GradArray {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/** What `rnngrad grads` writes: the loss, dL/dW for every weight (by model-file name), dL/dx. */
export interface GradsFile {
  readonly loss: number;
  readonly weights: Readonly<Record<string, GradArray>>;
  readonly input: GradArray;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === null ? 'null (NaN or ±Infinity once JSON.stringify wrote it)' : typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** Check one `{ shape, values }` entry; `where` names it in errors. */
function gradArray(v: unknown, where: string): GradArray {
  if (!isObj(v)) throw new Error(`${where} should be { "shape": [...], "values": [...] }, got ${show(v)}`);
  const { shape, values } = v;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    throw new Error(`${where}.shape should be a list of whole numbers ≥ 0, got ${show(shape)}`);
  }
  if (!Array.isArray(values)) throw new Error(`${where}.values should be a flat list of numbers, got ${show(values)}`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new Error(`${where}: shape [${shape.join(',')}] holds ${size} value${size === 1 ? '' : 's'}, but values has ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}.values[${i}] is ${show(x)}, expected a finite number`);
  }
  return { shape: shape as number[], values: values as number[] };
}

/** A GradsFile from parsed JSON, every field checked; `file` names it in errors. */
export function parseGradsFile(json: unknown, file: string): GradsFile {
  if (!isObj(json)) throw new Error(`${file}: expected a JSON object { loss, weights, input }`);
  const { loss, weights, input } = json;
  if (typeof loss !== 'number' || !Number.isFinite(loss)) throw new Error(`${file}: loss is ${show(loss)}, expected a finite number`);
  if (!isObj(weights)) throw new Error(`${file}: weights should be an object { "<weight name>": { shape, values } }, got ${show(weights)}`);
  const checked: Record<string, GradArray> = {};
  for (const [name, entry] of Object.entries(weights)) checked[name] = gradArray(entry, `${file}: weights['${name}']`);
  return { loss, weights: checked, input: gradArray(input, `${file}: input`) };
}

/** The file's text: one weight per line, so a diff or a reader can find a weight. */
export function gradsFileText(grads: GradsFile): string {
  const entry = (g: GradArray): string => JSON.stringify({ shape: g.shape, values: g.values });
  const weights = Object.entries(grads.weights).map(([name, g]) => `    ${JSON.stringify(name)}: ${entry(g)}`);
  return `{\n  "loss": ${JSON.stringify(grads.loss)},\n  "weights": {\n${weights.join(',\n')}\n  },\n  "input": ${entry(grads.input)}\n}\n`;
}
