/**
 * Making tensors: from nested arrays or typed arrays, constant fills, and the random
 * initializers Keras uses. Every random draw comes from one seeded generator.
 */
import { Tensor, DType, Storage, NestedArray, allocate } from './tensor';
import { Shape, OpError, fmt, sizeOf } from './shape';
import { Random, globalRandom } from './random';

export interface TensorOptions {
  readonly dtype?: DType;
  readonly requiresGrad?: boolean;
  readonly name?: string;
}
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: the global one, seeded by manualSeed). */
  readonly rng?: Random;
}

/** A tensor from nested arrays (`[[1, 2], [3, 4]]`), a number, or a typed array plus shape. */
export function tensor(values: NestedArray | Storage | readonly number[], shapeOrOptions?: Shape | TensorOptions, maybeOptions: TensorOptions = {}): Tensor {
  const options = Array.isArray(shapeOrOptions) ? maybeOptions : ((shapeOrOptions as TensorOptions | undefined) ?? {});
  const explicitShape = Array.isArray(shapeOrOptions) ? (shapeOrOptions as Shape) : undefined;
  if (values instanceof Float32Array || values instanceof Float64Array) {
    const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
    const data = allocate(dtype, values.length);
    data.set(values);
    return new Tensor(data, explicitShape ? explicitShape.slice() : [values.length], options.requiresGrad ?? false, options.name);
  }
  const shape: number[] = [];
  let probe: NestedArray = values as NestedArray;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  let k = 0;
  const fill = (v: NestedArray, axis: number, path: number[]): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') throw new OpError('tensor', `ragged nested array: expected a number at [${path.join('][')}]`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new OpError('tensor', `ragged nested array: expected ${shape[axis]} entries at [${path.join('][')}], shape ${fmt(shape)} from the first entries`);
    }
    v.forEach((e, i) => fill(e, axis + 1, [...path, i]));
  };
  fill(values as NestedArray, 0, []);
  const t = new Tensor(data, shape, options.requiresGrad ?? false, options.name);
  if (explicitShape) {
    if (sizeOf(explicitShape) !== t.size) throw new OpError('tensor', `${t.size} values cannot fill shape ${fmt(explicitShape)}`);
    return new Tensor(data, explicitShape.slice(), options.requiresGrad ?? false, options.name);
  }
  return t;
}

/** A tensor of `value` everywhere. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  data.fill(value);
  return new Tensor(data, shape.slice(), options.requiresGrad ?? false, options.name);
}
export const zeros = (shape: Shape, options: TensorOptions = {}): Tensor => full(shape, 0, options);
export const ones = (shape: Shape, options: TensorOptions = {}): Tensor => full(shape, 1, options);

function drawn(shape: Shape, options: RandomOptions, draw: (rng: Random) => number): Tensor {
  const rng = options.rng ?? globalRandom;
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new Tensor(data, shape.slice(), options.requiresGrad ?? false, options.name);
}

/** Standard normal draws times `std` plus `mean`. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1 } = options;
  return drawn(shape, options, (r) => mean + std * r.normal());
}

/** Uniform draws in [lo, hi). */
export function uniform(shape: Shape, lo = 0, hi = 1, options: RandomOptions = {}): Tensor {
  return drawn(shape, options, (r) => r.uniform(lo, hi));
}

/** Keras fans: the last axis is fan-out; everything else is fan-in (a vector counts as both). */
function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const fanOut = shape[shape.length - 1];
  return { fanIn: sizeOf(shape) / fanOut, fanOut };
}

/** Glorot (Xavier) uniform: U(±sqrt(6 / (fanIn + fanOut))) — Keras's default kernel initializer. */
export function glorotUniform(shape: Shape, options: RandomOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -limit, limit, options);
}

/**
 * Glorot normal: a normal truncated at 2σ with σ = sqrt(2 / (fanIn + fanOut)) / 0.8796…
 * (Keras divides by the truncated normal's own standard deviation). TF.js's default kernel init.
 */
export function glorotNormal(shape: Shape, options: RandomOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const std = Math.sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978;
  return drawn(shape, options, (r) => std * r.truncatedNormal());
}

/**
 * Orthogonal matrix (Saxe et al. 2014; Keras's recurrent-kernel initializer): QR of a normal
 * matrix, with Q's columns sign-corrected by R's diagonal so the result is uniformly distributed.
 */
export function orthogonal(shape: Shape, options: RandomOptions & { gain?: number } = {}): Tensor {
  if (shape.length < 2) throw new OpError('orthogonal', `needs a matrix shape, got ${fmt(shape)}`);
  const cols = shape[shape.length - 1];
  const rows = sizeOf(shape) / cols;
  // Work on the tall orientation: an [n, p] matrix with n ≥ p has orthonormal columns.
  const n = Math.max(rows, cols);
  const p = Math.min(rows, cols);
  const rng = options.rng ?? globalRandom;
  const a = new Float64Array(n * p); // column-major: column j at a[j*n ..]
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  // Modified Gram–Schmidt.
  for (let j = 0; j < p; j++) {
    for (let q = 0; q < j; q++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[q * n + i] * a[j * n + i];
      for (let i = 0; i < n; i++) a[j * n + i] -= dot * a[q * n + i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[j * n + i] ** 2;
    norm = Math.sqrt(norm);
    // R's diagonal is `norm` > 0, so Q's signs already match the sign correction Keras applies.
    for (let i = 0; i < n; i++) a[j * n + i] /= norm;
  }
  const gain = options.gain ?? 1;
  const data = allocate(options.dtype ?? 'float32', rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows ≥ cols: element (r, c) is Q[r, c]; otherwise the transpose of the tall Q.
      data[r * cols + c] = gain * (rows >= cols ? a[c * n + r] : a[r * n + c]);
    }
  }
  return new Tensor(data, shape.slice(), options.requiresGrad ?? false, options.name);
}

/** A copy in another dtype (the explicit cast that mixing dtypes asks for). */
export function astype(x: Tensor, dtype: DType): Tensor {
  const data = allocate(dtype, x.size);
  data.set(x.data);
  return new Tensor(data, x.shape, false, x.name);
}
