/**
 * The kernel interface: every loop over numbers in rnngrad goes through one of these methods.
 * The ops in engine/ decide *what* to compute and record the tape; kernels only compute.
 *
 * Two implementations: `cpuKernels` (reported as "js": plain loops over typed arrays, written
 * in TypeScript) and the gpu.js kernels. Each is declared `satisfies Kernels`, so a missing or
 * mistyped kernel fails to compile.
 *
 * Conventions: outputs are passed in, preallocated by the caller, and fully overwritten (except
 * `addInto`). Shapes are row-major; every storage is a Float32Array or Float64Array, and
 * the arrays of one call share a dtype.
 */
import type { Shape } from '../engine/shape';
import type { UnaryOp, BinaryOp } from './scalar';
import type { DType } from '../engine/tensor';

export type Storage = Float32Array | Float64Array;

/**
 * Values in a device's memory (a gpu.js texture), made by a backend's `DeviceKernels`. The engine
 * never looks inside: a tensor holding one passes it back to the device kernels, and `read()`
 * is the readback — the only way its values reach the host.
 */
export interface DeviceArray {
  readonly length: number;
  /** The dtype the host copy will have (the device itself computes in float32). */
  readonly dtype: DType;
  /** The kernels that made it (a DeviceArray only goes back into those). */
  readonly owner: DeviceKernels;
  /** Freed by the end of a `tidy` scope: its values are gone (read() and kernels refuse it). */
  readonly released: boolean;
  /** Copy the values to the host: one readback. */
  read(): Storage;
}

/**
 * The kernels a device backend runs with the result left on the device: the same math as the
 * `Kernels` methods of the same name, but each returns a new DeviceArray instead of filling
 * `out`, and takes DeviceArray operands (`upload` puts host data there, once per tensor).
 * A method returns null for a call it does not take (a layout it does not cover, a call under its
 * size threshold); the op then runs the host kernel on the host values.
 */
export interface DeviceKernels {
  /** Copy host values to the device: one upload. */
  upload(x: Storage): DeviceArray;
  /** Start collecting the device arrays made from now on (engine/tidy.ts). */
  beginScope(): void;
  /** Free every device array made since the matching beginScope, except `keep` (handed to the enclosing scope). */
  endScope(keep: readonly DeviceArray[]): void;
  unary(op: UnaryOp, x: DeviceArray): DeviceArray | null;
  unaryBackward(op: UnaryOp, x: DeviceArray, y: DeviceArray, dy: DeviceArray): DeviceArray | null;
  binary(op: BinaryOp, a: DeviceArray, aShape: Shape, b: DeviceArray, bShape: Shape, outShape: Shape): DeviceArray | null;
  sumTo(x: DeviceArray, xShape: Shape, outShape: Shape): DeviceArray | null;
  broadcastTo(x: DeviceArray, xShape: Shape, outShape: Shape): DeviceArray | null;
  /** cond ≠ 0 ? a : b, all the same length; a null operand stands for zeros. */
  select(cond: DeviceArray, a: DeviceArray | null, b: DeviceArray | null): DeviceArray | null;
  reduce(op: 'sum' | 'max', x: DeviceArray, outer: number, n: number, inner: number): DeviceArray | null;
  matmul(a: DeviceArray, b: DeviceArray, dims: MatmulDims): DeviceArray | null;
  permute(x: DeviceArray, shape: Shape, perm: readonly number[]): DeviceArray | null;
  slice(x: DeviceArray, shape: Shape, begin: readonly number[], outShape: Shape): DeviceArray | null;
  /** Zeros of `shape` with `part` (of partShape) at `begin` — slice's backward. */
  pad(part: DeviceArray, partShape: Shape, begin: readonly number[], shape: Shape): DeviceArray | null;
  /** The parts (each [outer, lengths[k], inner]) joined along the middle axis. */
  concat(parts: readonly DeviceArray[], outer: number, lengths: readonly number[], inner: number): DeviceArray | null;
  /** Layer norm over rows of `cols` (as Kernels.layerNorm): the output, and x̂ and 1/σ for the backward. */
  layerNorm(x: DeviceArray, gamma: DeviceArray | null, beta: DeviceArray | null, rows: number, cols: number, eps: number):
    { out: DeviceArray; xhat: DeviceArray; rstd: DeviceArray } | null;
  /** Its backward (as Kernels.layerNormBackward); dGamma and dBeta are [cols]. */
  layerNormBackward(dy: DeviceArray, xhat: DeviceArray, rstd: DeviceArray, gamma: DeviceArray | null, rows: number, cols: number):
    { dx: DeviceArray; dGamma: DeviceArray; dBeta: DeviceArray } | null;
  /** Softmax (or log-softmax) over rows of `cols`. */
  softmax(x: DeviceArray, rows: number, cols: number, log: boolean): DeviceArray | null;
  /** Its backward, from the saved output y. */
  softmaxBackward(y: DeviceArray, dy: DeviceArray, rows: number, cols: number, log: boolean): DeviceArray | null;
  /**
   * LSTM gate math from the pre-activations z ([batch, 4·units], Keras gate order i, f, c, o):
   * part 'c' is c_t = σ(z_f) ⊙ other + σ(z_i) ⊙ tanh(z_c) with other = c_{t−1}; part 'h' is
   * h_t = σ(z_o) ⊙ tanh(other) with other = c_t. `hard`: TF.js's hard sigmoid as σ.
   * Declines by batch·units alone, so a part it took forward, it takes backward too.
   */
  lstmGate(part: 'c' | 'h', z: DeviceArray, other: DeviceArray, batch: number, units: number, hard: boolean): DeviceArray | null;
  /** The gradient of that part, from dOut ([batch, units]), with respect to z ([batch, 4·units]) or to other. */
  lstmGateBackward(part: 'c' | 'h', wrt: 'z' | 'other', z: DeviceArray, other: DeviceArray, dOut: DeviceArray, batch: number,
    units: number, hard: boolean): DeviceArray | null;
}

/** Shapes of a (batched) matrix product out[b] = op(A[b]) · op(B[b]). */
export interface MatmulDims {
  /** Number of matrices in the batch (1 for plain 2-D). */
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** A is stored [k, m] and used transposed. */
  readonly transA: boolean;
  /** B is stored [n, k] and used transposed. */
  readonly transB: boolean;
  /** false: one B shared by every batch entry (x·W over a batch of sequences). */
  readonly batchB: boolean;
}

/** What a product's output starts from: row r is data[at + r·stride …][0, n) + bias. */
export interface RowAddend<S extends Storage = Storage> {
  readonly data: S;
  readonly at: number;
  readonly stride: number;
  /** [n], added to every row; null for none. */
  readonly bias: S | null;
}

/** Products against a fixed right operand B (see Kernels.matmulFixedRight). */
export interface FixedRightMatmul {
  /** out[m, n] = A[m, k]·op(B), plus the addend's rows when one is given. */
  run(a: Storage, m: number, out: Storage, addend: RowAddend | null): void;
}

/** The fused LSTM step's saved values, all [batch, units] (see cells/lstm-fused.ts). */
export interface LstmGateBuffers {
  readonly i: Storage;
  readonly f: Storage;
  readonly g: Storage;
  readonly o: Storage;
  readonly c: Storage;
  readonly tanhC: Storage;
  readonly h: Storage;
}

/**
 * The weight gradients an LSTM's backward can form from dXW while the kernel holds it (for
 * lstmSequenceBackward; rows in dXW's (batch, time) order, T·B of them):
 *   [dU; db] = hOneᵀ·dXW   hOne [T·B, units + 1]: h_{t−1} and a 1 per row; dUb [units + 1, 4u]
 *   dW = xᵀ·dXW           x [T·B, features]; dW [features, 4u]   (null: not wanted)
 *   dx = dXW·Wᵀ           W [features, 4u];  dx [T·B, features]  (null: not wanted)
 * the same products, with the same values, as the matmuls they replace.
 */
export interface LstmWeightGradients<S extends Storage = Storage> {
  readonly hOne: S;
  readonly dUb: S;
  readonly x: S;
  readonly W: S;
  readonly features: number;
  readonly dW: S | null;
  readonly dx: S | null;
}

/**
 * x·W given by its factors — x [rows, features] and W [features, width], row-major — for a
 * sequence kernel that computes the product inside its own memory instead of reading a copy.
 */
export interface InputProduct<S extends Storage = Storage> {
  readonly x: S;
  readonly W: S;
  readonly features: number;
}

export interface Kernels {
  /** "js" for rnngrad's own CPU kernels, "gpu.js/<mode>" for the gpu.js ones. */
  readonly name: string;
  /**
   * A device backend's kernels that keep results on the device (see DeviceKernels); absent for
   * the js kernels. When present, the ops run on it first and tensors stay on the device
   * between ops until the host reads them (`Tensor.data`).
   */
  readonly device?: DeviceKernels;

  // #region elementwise-kernels
  /** out = f(x) element-wise. */
  unary(op: UnaryOp, x: Storage, out: Storage): void;
  /** out = dy ⊙ f'(x) element-wise, f' from the input x and saved output y. */
  unaryBackward(op: UnaryOp, x: Storage, y: Storage, dy: Storage, out: Storage): void;
  /** out = a ∘ b with NumPy broadcasting of aShape and bShape to outShape. */
  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, out: Storage, outShape: Shape): void;
  /** target += g (same length) — the tape's gradient accumulation. */
  addInto(target: Storage, g: Storage): void;
  /** out = x ^ p for a constant exponent. */
  powScalar(x: Storage, p: number, out: Storage): void;
  /** out = min(max(x, lo), hi). */
  clip(x: Storage, lo: number, hi: number, out: Storage): void;
  /** out = cond ≠ 0 ? a : b, all three already the same length. */
  select(cond: Storage, a: Storage, b: Storage, out: Storage): void;
  // #endregion elementwise-kernels

  /** Sum x (of xShape) down to outShape, the inverse of broadcasting (a gradient's unbroadcast). */
  sumTo(x: Storage, xShape: Shape, out: Storage, outShape: Shape): void;
  /** Copy x into the larger broadcast shape. */
  broadcastTo(x: Storage, xShape: Shape, out: Storage, outShape: Shape): void;
  /** Reduce x viewed as [outer, n, inner] over the middle axis into out [outer, inner]. */
  reduce(op: 'sum' | 'max', x: Storage, outer: number, n: number, inner: number, out: Storage): void;

  /** out = op(A) · op(B), batched. */
  matmul(a: Storage, b: Storage, out: Storage, dims: MatmulDims): void;
  /**
   * Many products A·op(B) against one B that stays unchanged between them — a recurrent weight
   * over the steps of a sequence. B is [k, n] (or [n, k] with transB); the float32 CPU kernel
   * packs it once here instead of once per product. The caller must not change B while it uses
   * the result.
   */
  matmulFixedRight(b: Storage, k: number, n: number, transB: boolean): FixedRightMatmul;

  /** out = x with axes permuted: out.shape[i] = shape[perm[i]]. */
  permute(x: Storage, shape: Shape, perm: readonly number[], out: Storage): void;
  /** Copy the block of x starting at `begin` with shape outShape into out. */
  slice(x: Storage, shape: Shape, begin: readonly number[], out: Storage, outShape: Shape): void;
  /** Write the block `part` (of partShape) into out (of shape) at `begin`; the rest is untouched. */
  writeSlice(part: Storage, partShape: Shape, begin: readonly number[], out: Storage, shape: Shape): void;

  /**
   * Layer norm over the last axis of a [rows, cols] view: out = γ ⊙ (x − μ)/σ + β with
   * σ = sqrt(var + ε) (biased variance). Saves xhat and 1/σ for the backward.
   */
  layerNorm(x: Storage, gamma: Storage | null, beta: Storage | null, rows: number, cols: number, eps: number,
    out: Storage, xhat: Storage, rstd: Storage): void;
  /** dx, and (when non-null) dγ, dβ, for the layer norm above. */
  layerNormBackward(dy: Storage, xhat: Storage, rstd: Storage, gamma: Storage | null, rows: number, cols: number,
    dx: Storage, dGamma: Storage | null, dBeta: Storage | null): void;
  /** Softmax (or log-softmax) over the last axis of a [rows, cols] view. */
  softmax(x: Storage, rows: number, cols: number, log: boolean, out: Storage): void;
  /** dx for softmax (log = false, y = softmax) or log-softmax (log = true, y = log-softmax). */
  softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean, dx: Storage): void;

  /**
   * The fused LSTM gate math for one step, from the pre-activations z = x·W + h·U + b
   * ([batch, 4·units], Keras gate order i, f, c, o) and the previous cell state.
   * `hard` selects TF.js's hard sigmoid as the recurrent activation.
   */
  lstmGates(z: Storage, cPrev: Storage, batch: number, units: number, hard: boolean, saved: LstmGateBuffers): void;
  /**
   * Its backward: from dh and dc (gradients arriving at h_t and c_t) to dz ([batch, 4·units])
   * and dcPrev. Uses z only for the hard sigmoid's derivative.
   */
  lstmGatesBackward(z: Storage, cPrev: Storage, saved: LstmGateBuffers, dh: Storage, dc: Storage, batch: number,
    units: number, hard: boolean, dz: Storage, dcPrev: Storage): void;
  /**
   * Optional: the forward of a whole LSTM sequence with the logistic sigmoid, from xW = x·W
   * ([batch, time, 4·units]), U, b, h0 and c0 — the same values as stepping with
   * matmulFixedRight and lstmGates. Fills every buffer of `saved` that is time·batch·units long
   * ([time, batch, units]), gives a buffer one step long (batch·units) the last step, fills
   * `hOut` (if given) with every h_t batch-major ([batch, time, units], the layer's output) and
   * returns true — or returns false (nothing written) where it does not take the case, and the
   * caller steps. Whole gate planes (i, f, g, o, tanhC: for a backward) it may keep in its own
   * memory for lstmSequenceBackward instead; they are written to `saved` before anything else
   * uses that memory, and before lstmSequenceBackward declines. xW may come as its factors
   * (InputProduct, for inference): the kernel then forms x·W where it reads it, with the same
   * values as the matmul it replaces.
   */
  lstmSequence?(xW: Storage | InputProduct, U: Storage, b: Storage, h0: Storage, c0: Storage, batch: number, time: number, units: number,
    saved: LstmGateBuffers, hOut?: Storage): boolean;
  /**
   * Optional: backpropagation through time for a sequence lstmSequence ran, from the planes it
   * saved, dH ([batch, time, units]) and dc (the gradient at c_T; on return, at c_0), to dXW
   * ([batch, time, 4·units]) and dh0 — the same values as stepping with lstmGatesBackward and
   * matmulFixedRight. Returns false (nothing written) where it does not take the case. With
   * `weights` it also forms those gradients from dXW where it holds it (dXW may then be null:
   * not wanted itself). Gate planes lstmSequence kept in its own memory are read there and then
   * let go, unless `keepPlanes` (another backward through the same graph may come); where it
   * declines, they are in `saved` when it returns.
   */
  lstmSequenceBackward?(U: Storage, c0: Storage, saved: LstmGateBuffers, dH: Storage, batch: number, time: number, units: number,
    dXW: Storage | null, dh0: Storage, dc: Storage, weights?: LstmWeightGradients, keepPlanes?: boolean): boolean;
  /**
   * Optional: the forward of a whole simple-RNN sequence with tanh, a_t = xW_t + b + h_{t−1}·U,
   * h_t = tanh(a_t): fills `pre` (every a_t) and `hs` (every h_t), [time, batch, units] each,
   * with the same values as stepping with matmulFixedRight and unary, and returns true; or
   * returns false (nothing written) where it does not take the case. With `pre` null (no
   * backward will read the steps) `hs` gets h batch-major, [batch, time, units]: the output;
   * with it, `hOut` (if given) does. xW may come as its factors, as for lstmSequence.
   */
  simpleRnnSequence?(xW: Storage | InputProduct, U: Storage, b: Storage, h0: Storage, batch: number, time: number, units: number,
    pre: Storage | null, hs: Storage, hOut?: Storage): boolean;
}
