/**
 * CPU kernels for the fused neural-network ops: layer norm, softmax, and the LSTM gate math.
 * Each one replaces a chain of a dozen element-wise ops (and their tape entries) with one pass.
 */
import type { Storage, LstmGateBuffers, InputProduct, LstmWeightGradients } from '../kernel';
import { sigmoidF, sigmoidD, hardSigmoidF, hardSigmoidD, tanhF, tanhD } from '../scalar';
import { wasmLstmGates, wasmLstmGatesBackward, allFloat32 } from '../wasm/lstm-gates';
import { wasmSimdAvailable } from '../wasm/matmul';
import { wasmLstmSequence, lstmSequenceFits, type LstmPlanes } from '../wasm/lstm-sequence';
import { wasmLstmSequenceBackward } from '../wasm/lstm-sequence-backward';
import { spillResident } from '../wasm/resident';
import { wasmRnnSequence } from '../wasm/rnn-sequence';
import { WASM_UNARY_MIN } from '../wasm/unary';
import { wasmUnaryOn } from './elementwise';
import { wasmMatmulEnabled, WASM_MIN_MULTIPLY_ADDS } from './matmul';

export function layerNorm(x: Storage, gamma: Storage | null, beta: Storage | null, rows: number, cols: number, eps: number,
  out: Storage, xhat: Storage, rstd: Storage): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += x[o + j];
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j] - mean;
      variance += d * d;
    }
    variance /= cols; // biased, as Keras
    const inv = 1 / Math.sqrt(variance + eps);
    rstd[r] = inv;
    for (let j = 0; j < cols; j++) {
      const xh = (x[o + j] - mean) * inv;
      xhat[o + j] = xh;
      out[o + j] = (gamma ? gamma[j] : 1) * xh + (beta ? beta[j] : 0);
    }
  }
}

/**
 * With x̂ = (x − μ)/σ and d = dy ⊙ γ:  dx = (d − mean(d) − x̂ ⊙ mean(d ⊙ x̂)) / σ,
 * dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy.
 */
export function layerNormBackward(dy: Storage, xhat: Storage, rstd: Storage, gamma: Storage | null, rows: number, cols: number,
  dx: Storage, dGamma: Storage | null, dBeta: Storage | null): void {
  if (dGamma) dGamma.fill(0);
  if (dBeta) dBeta.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let meanD = 0;
    let meanDX = 0;
    for (let j = 0; j < cols; j++) {
      const d = dy[o + j] * (gamma ? gamma[j] : 1);
      meanD += d;
      meanDX += d * xhat[o + j];
      if (dGamma) dGamma[j] += dy[o + j] * xhat[o + j];
      if (dBeta) dBeta[j] += dy[o + j];
    }
    meanD /= cols;
    meanDX /= cols;
    const inv = rstd[r];
    for (let j = 0; j < cols; j++) {
      const d = dy[o + j] * (gamma ? gamma[j] : 1);
      dx[o + j] = (d - meanD - xhat[o + j] * meanDX) * inv;
    }
  }
}

/** Softmax with the row maximum subtracted first, so exp never overflows. */
export function softmax(x: Storage, rows: number, cols: number, log: boolean, out: Storage): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
    // out holds e^(x − max) first, so each exponential is computed once.
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - max);
      out[o + j] = e;
      sum += e;
    }
    if (log) {
      const lse = max + Math.log(sum);
      for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - lse;
    } else {
      for (let j = 0; j < cols; j++) out[o + j] /= sum;
    }
  }
}

/** softmax: dx = y ⊙ (dy − Σ dy ⊙ y);  log-softmax: dx = dy − exp(y) ⊙ Σ dy. */
export function softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean, dx: Storage): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (log) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j] - Math.exp(y[o + j]) * s;
    } else {
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - s);
    }
  }
}

/**
 * One LSTM step's gate math, Keras gate order i, f, c, o in blocks of `units` columns:
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 */
const wasmGates = wasmSimdAvailable();

/**
 * The gate math on float32 runs on the WebAssembly SIMD kernel (kernels/wasm/lstm-gates.ts,
 * four lanes at a time; spec/perf/lstm-gates.test.ts proves it equal to the loop below within
 * 1e-6); float64 and tiny batches run the readable loop, `lstmGatesReference`.
 */
export function lstmGates(z: Storage, cPrev: Storage, batch: number, units: number, hard: boolean, s: LstmGateBuffers): void {
  if (wasmGates && batch * units >= 16 && allFloat32(z, cPrev, s)) wasmLstmGates(z as Float32Array, cPrev as Float32Array, batch, units, hard, s);
  else lstmGatesReference(z, cPrev, batch, units, hard, s);
}

let sequenceEnabled = true;

/** Allow or forbid the whole-sequence paths, LSTM and simple RNN (tests compare them with stepping); returns the old setting. */
export function useWasmLstmSequence(on: boolean): boolean {
  const was = sequenceEnabled;
  sequenceEnabled = on;
  return was;
}

/**
 * Whether the whole-sequence LSTM takes this size (forward and backward alike): the wasm gate
 * and matmul kernels on, units a multiple of 4, and a per-step product that stepping would also
 * run on wasm — so both paths compute the same bits.
 */
function lstmSequenceTakes(batch: number, time: number, units: number): boolean {
  return sequenceEnabled && wasmGates && wasmMatmulEnabled() && lstmSequenceFits(units) && batch * units >= 16 && time > 0 &&
    batch * 4 * units * units >= WASM_MIN_MULTIPLY_ADDS;
}

/**
 * Whether a sequence kernel may form x·W itself (xW given as its factors; `outputs` = rows ×
 * width of the product): only where the matmul it replaces would have run on the wasm kernel
 * too — the same sums in the same order — so that the values do not depend on which path ran.
 */
function productTakes(xW: Storage | InputProduct, outputs: number): boolean {
  if (!('features' in xW)) return true;
  return xW.x instanceof Float32Array && xW.W instanceof Float32Array && xW.features > 0 && outputs * xW.features >= WASM_MIN_MULTIPLY_ADDS;
}

/**
 * A whole LSTM sequence's forward on the WebAssembly kernel (kernels/wasm/lstm-sequence.ts):
 * float32, units a multiple of 4, matmul large enough for wasm; false otherwise (or when the
 * wasm path is switched off), and the fused LSTM steps with matmulFixedRight and lstmGates.
 */
export function lstmSequence(xW: Storage | InputProduct, U: Storage, b: Storage, h0: Storage, c0: Storage, batch: number, time: number,
  units: number, saved: LstmGateBuffers, hOut?: Storage): boolean {
  const product = 'features' in xW ? xW : null;
  if (!productTakes(xW, batch * time * 4 * units)) return false;
  const first = product ? product.x : xW as Storage; // x·W, or x (productTakes checked W)
  const f32 = [U, b, h0, hOut ?? c0].every((x) => x instanceof Float32Array) && allFloat32(first, c0, saved);
  if (!f32 || !lstmSequenceTakes(batch, time, units)) return false;
  wasmLstmSequence(xW as Float32Array | InputProduct<Float32Array>, U as Float32Array, b as Float32Array, h0 as Float32Array,
    c0 as Float32Array, batch, time, units, saved as LstmPlanes, (hOut ?? null) as Float32Array | null);
  return true;
}

/** The backward of lstmSequence on the WebAssembly kernel (kernels/wasm/lstm-sequence-backward.ts), where lstmSequence took the case. */
export function lstmSequenceBackward(U: Storage, c0: Storage, saved: LstmGateBuffers, dH: Storage, batch: number, time: number,
  units: number, dXW: Storage | null, dh0: Storage, dc: Storage, weights?: LstmWeightGradients, keepPlanes = false): boolean {
  const n = time * batch * units;
  const f32 = [U, c0, dH, dXW ?? dH, dh0, dc].every((x) => x instanceof Float32Array) && allFloat32(dH, c0, saved);
  const full = [saved.i, saved.f, saved.g, saved.o, saved.c, saved.tanhC].every((p) => p.length >= n);
  if (!f32 || !full || !lstmSequenceTakes(batch, time, units)) {
    spillResident(saved); // the caller steps, reading the planes from `saved`
    return false;
  }
  if (weights && !weightGradientsTake(weights, batch * time, units)) return false;
  wasmLstmSequenceBackward(U as Float32Array, c0 as Float32Array, saved as LstmPlanes, dH as Float32Array, batch, time, units,
    dXW as Float32Array | null, dh0 as Float32Array, dc as Float32Array, (weights ?? null) as LstmWeightGradients<Float32Array> | null,
    keepPlanes);
  return true;
}

/**
 * Whether the wasm backward may form the weight gradients itself: float32, and each product
 * one the matmul kernel would also have run on wasm (kernels/cpu/matmul.ts), so the values
 * are the same whichever computes them.
 */
function weightGradientsTake(w: LstmWeightGradients, rows: number, units: number): boolean {
  const arrays = [w.hOne, w.dUb, w.x, w.W, w.dW ?? w.x, w.dx ?? w.x];
  const K = 4 * units;
  return arrays.every((a) => a instanceof Float32Array) && w.features > 0 &&
    Math.min(units + 1, w.features) * K * rows >= WASM_MIN_MULTIPLY_ADDS;
}

/**
 * A whole simple-RNN sequence (tanh) on the WebAssembly kernel (kernels/wasm/rnn-sequence.ts),
 * where stepping would also run the wasm product and the wasm tanh (so the bits are the same):
 * float32, units a multiple of 4; false otherwise.
 */
export function simpleRnnSequence(xW: Storage | InputProduct, U: Storage, b: Storage, h0: Storage, batch: number, time: number, units: number,
  pre: Storage | null, hs: Storage, hOut?: Storage): boolean {
  if (!productTakes(xW, batch * time * units)) return false;
  const f32 = ['features' in xW ? xW.x : xW, U, b, h0, pre ?? hs, hs, hOut ?? hs].every((x) => x instanceof Float32Array);
  if (!f32 || !sequenceEnabled || !wasmUnaryOn() || batch * units < WASM_UNARY_MIN || !wasmMatmulEnabled() || units % 4 !== 0 ||
    time === 0 || batch * units * units < WASM_MIN_MULTIPLY_ADDS) return false;
  wasmRnnSequence(xW as Float32Array | InputProduct<Float32Array>, U as Float32Array, b as Float32Array, h0 as Float32Array, batch, time, units,
    pre as Float32Array | null, hs as Float32Array, (hOut ?? null) as Float32Array | null);
  return true;
}

// #region lstm-gates-forward
export function lstmGatesReference(z: Storage, cPrev: Storage, batch: number, units: number, hard: boolean, s: LstmGateBuffers): void {
  const act = hard ? hardSigmoidF : sigmoidF;
  const u4 = 4 * units;
  for (let b = 0; b < batch; b++) {
    const zr = b * u4;
    const sr = b * units;
    for (let j = 0; j < units; j++) {
      const i = act(z[zr + j]);                // input gate
      const f = act(z[zr + units + j]);        // forget gate
      const g = tanhF(z[zr + 2 * units + j]);  // candidate
      const o = act(z[zr + 3 * units + j]);    // output gate
      const c = f * cPrev[sr + j] + i * g;     // new cell state
      const tc = tanhF(c);
      s.i[sr + j] = i; s.f[sr + j] = f; s.g[sr + j] = g; s.o[sr + j] = o;
      s.c[sr + j] = c; s.tanhC[sr + j] = tc; s.h[sr + j] = o * tc;
    }
  }
}
// #endregion lstm-gates-forward

/**
 * Backward of lstmGates. On float32 with the logistic sigmoid and units a multiple of 4 it runs
 * on the WebAssembly SIMD kernel (kernels/wasm/lstm-gates.ts; spec/perf/lstm-gates.test.ts
 * proves it equal to the loop below within 1e-6); otherwise the readable loop.
 */
export function lstmGatesBackward(z: Storage, cPrev: Storage, s: LstmGateBuffers, dh: Storage, dcIn: Storage, batch: number,
  units: number, hard: boolean, dz: Storage, dcPrev: Storage): void {
  if (wasmGates && !hard && units % 4 === 0 && batch * units >= 16 && allFloat32(z, cPrev, s) && dh instanceof Float32Array &&
    dcIn instanceof Float32Array && dz instanceof Float32Array && dcPrev instanceof Float32Array) {
    wasmLstmGatesBackward(cPrev as Float32Array, s, dh, dcIn, batch, units, dz, dcPrev);
  } else {
    lstmGatesBackwardReference(z, cPrev, s, dh, dcIn, batch, units, hard, dz, dcPrev);
  }
}

/**
 * The reference backward. dc_t collects both paths into the cell: the one from c_t itself
 * (the next step) and the one through h_t = o ⊙ tanh(c_t).
 */
export function lstmGatesBackwardReference(z: Storage, cPrev: Storage, s: LstmGateBuffers, dh: Storage, dcIn: Storage, batch: number,
  units: number, hard: boolean, dz: Storage, dcPrev: Storage): void {
  const actD = hard ? hardSigmoidD : sigmoidD;
  const u4 = 4 * units;
  for (let b = 0; b < batch; b++) {
    const zr = b * u4;
    const sr = b * units;
    for (let j = 0; j < units; j++) {
      const k = sr + j;
      const tc = s.tanhC[k];
      // #region lstm-gates-backward
      const dc = dcIn[k] + dh[k] * s.o[k] * tanhD(s.c[k], tc);
      dz[zr + j] = dc * s.g[k] * actD(z[zr + j], s.i[k]);                          // input gate
      dz[zr + units + j] = dc * cPrev[k] * actD(z[zr + units + j], s.f[k]);        // forget gate
      dz[zr + 2 * units + j] = dc * s.i[k] * tanhD(z[zr + 2 * units + j], s.g[k]); // candidate
      dz[zr + 3 * units + j] = dh[k] * tc * actD(z[zr + 3 * units + j], s.o[k]);   // output gate
      dcPrev[k] = dc * s.f[k];
      // #endregion lstm-gates-backward
    }
  }
}
