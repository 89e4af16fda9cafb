/**
 * `--data FILE`: a JSON object {"x": [N][T][F], "y": [N][k] or [N][T][k]} of numbers finite in float32.
 * Every fault is reported with the file and the position (`x[3][7]`), and what was expected.
 */
import { Tensor } from '../../engine/tensor';
import type { Split } from './series';

/** The largest finite float32, (2 − 2⁻²³)·2¹²⁷. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A nested array of finite numbers of one of the allowed ranks → float32 tensor. */
function nestedToTensor(file: string, key: string, value: unknown, ranks: readonly number[]): Tensor {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    if (probe.length === 0) {
      throw new Error(`${file}: '${key}${shape.map(() => '[0]').join('')}' is an empty array; expected ${describe(key, ranks)} with no empty axis`);
    }
    shape.push(probe.length);
    probe = probe[0];
  }
  if (!ranks.includes(shape.length)) {
    throw new Error(`${file}: '${key}' has ${shape.length} nested levels (shape [${shape}]); expected ${describe(key, ranks)}`);
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  const walk = (v: unknown, axis: number, where: string): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        // Numbers are printed as numbers: JSON.stringify would turn 1e400 (parsed as Infinity) into "null".
        throw new Error(`${file}: ${where} is ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v)}; expected a finite number`);
      }
      data[k] = v;
      // The check that matters is on the stored value: |v| > 3.4e38 is finite as a double but
      // rounds to ±Infinity in float32, and training on it ends in NaN.
      if (!Number.isFinite(data[k])) {
        throw new Error(`${file}: ${where} is ${v}, beyond the float32 range (|v| ≤ ${FLOAT32_MAX.toPrecision(4)}); expected a number float32 can hold`);
      }
      k++;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      const got = Array.isArray(v) ? `${v.length} entries` : JSON.stringify(v);
      throw new Error(`${file}: ragged array: ${where} has ${got}; expected ${shape[axis]} entries (shape [${shape}] from the first entries)`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], axis + 1, `${where}[${i}]`);
  };
  walk(value, 0, key);
  return new Tensor(data, shape);
}

function describe(key: string, ranks: readonly number[]): string {
  return key === 'x' ? 'a nested array [N][T][F]' : ranks.length > 1 ? 'a nested array [N][k] or [N][T][k]' : `a nested array of rank ${ranks[0]}`;
}

/** Check and convert a parsed data object; `file` names the source in errors. */
export function parseDataObject(value: unknown, file = 'data'): Split {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: expected a JSON object {"x": [N][T][F], "y": [N][k] or [N][T][k]}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of ['x', 'y']) {
    if (!(key in obj)) throw new Error(`${file}: the key "${key}" is missing; expected {"x": [N][T][F], "y": [N][k] or [N][T][k]}`);
  }
  const x = nestedToTensor(file, 'x', obj.x, [3]);
  const y = nestedToTensor(file, 'y', obj.y, [2, 3]);
  if (x.shape[0] !== y.shape[0]) {
    throw new Error(`${file}: x holds ${x.shape[0]} samples but y holds ${y.shape[0]}; they must match`);
  }
  if (y.rank === 3 && y.shape[1] !== x.shape[1]) {
    throw new Error(`${file}: y of shape [${y.shape}] has ${y.shape[1]} time steps but x of shape [${x.shape}] has ${x.shape[1]}`);
  }
  return { x, y };
}

/**
 * Keras's `validation_split`: the last `fraction` of the samples (taken before any shuffling)
 * become the validation set, the rest the training set. Views of the same data, no copy.
 */
export function holdOut(data: Split, fraction: number): { train: Split; valid: Split } {
  const n = data.x.shape[0];
  const nValid = Math.floor(n * fraction);
  if (!(fraction > 0 && fraction < 1) || nValid === 0 || nValid === n) {
    throw new Error(`--val-split must be in (0, 1) and leave samples on both sides; ${fraction} of ${n} samples gives ${nValid} for validation`);
  }
  const rows = (t: Tensor, from: number, to: number): Tensor => {
    const per = t.size / t.shape[0];
    return new Tensor(t.data.subarray(from * per, to * per), [to - from, ...t.shape.slice(1)]);
  };
  const cut = n - nValid;
  return { train: { x: rows(data.x, 0, cut), y: rows(data.y, 0, cut) }, valid: { x: rows(data.x, cut, n), y: rows(data.y, cut, n) } };
}
