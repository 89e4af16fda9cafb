/**
 * Plain float64 references for the recurrent cells and the RNN layer, written from the equations
 * of SEMANTICS.md with nothing but loops over number arrays — no tensors, no ops, no kernels —
 * so that a property test can compare the engine with something that shares none of its code.
 *
 * One batch row at a time. Weights are row-major `[rows][cols]` number arrays in Keras layout
 * (`x·W`, gate blocks of `u` columns in Keras order). Dropout masks are given, not drawn: the
 * reference applies whatever masks the engine is handed.
 */

export type Vec = number[];
export type Mat = number[][];

/** The five course cells and their variants, by what the reference must compute. */
export type CellKind = 'simple' | 'ln-simple' | 'lstm' | 'peephole' | 'gru-after' | 'gru-before';

export interface CellSpec {
  readonly kind: CellKind;
  /** Gate σ: the logistic sigmoid or TF.js's hard sigmoid clip(0.2x + 0.5, 0, 1). */
  readonly hard: boolean;
  /** The simple RNNs' activation (tanh by default; relu to exercise another one). */
  readonly activation: 'tanh' | 'relu';
  /** The LN cell's ε (default 1e-3, Keras LayerNormalization's). */
  readonly epsilon?: number;
}

/** Keras weights of one cell, by name ('kernel', 'recurrent_kernel', 'bias', 'gamma', …). */
export type CellWeights = Record<string, Mat | Vec>;

/** The masks one step sees, for one batch row (null: none). */
export interface RowMasks {
  /** On x before x·W: one shared by every gate, or one per gate ([features] each). */
  readonly input: readonly Vec[] | null;
  /** On h_{t−1} before h_{t−1}·U: one shared, or one per gate ([units] each). */
  readonly recurrent: readonly Vec[] | null;
  /** Semeniuta dropout on the candidate (g of the LSTMs, h̃ of the GRU), [units]. */
  readonly candidate: Vec | null;
}

export const NO_ROW_MASKS: RowMasks = { input: null, recurrent: null, candidate: null };

/** Gate blocks of `u` columns in the kernel: 1 (simple RNNs), 3 (GRU) or 4 (LSTMs). */
export function gatesOf(kind: CellKind): number {
  return kind === 'lstm' || kind === 'peephole' ? 4 : kind.startsWith('gru') ? 3 : 1;
}

/** States carried between steps: [h] or [h, c]. */
export function stateCountOf(kind: CellKind): number {
  return kind === 'lstm' || kind === 'peephole' ? 2 : 1;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const hardSigmoid = (v: number): number => Math.min(1, Math.max(0, 0.2 * v + 0.5));

/** Σ_k v[k]·M[k][col]: column `col` of v·M. */
function dot(v: Vec, m: Mat, col: number): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * m[k][col];
  return s;
}

const times = (v: Vec, mask: Vec | null): Vec => (mask ? v.map((e, k) => e * mask[k]) : v);
/** The mask gate `k` uses: the shared one, or its own. */
const maskFor = (masks: readonly Vec[] | null, k: number): Vec | null => (masks ? masks[masks.length === 1 ? 0 : k] : null);

/**
 * One step of the cell for one batch row: x [features], states [h] or [h, c] → new states.
 * The output of every cell is its new h (state 0).
 */
export function referenceStep(spec: CellSpec, w: CellWeights, x: Vec, states: readonly Vec[], masks: RowMasks = NO_ROW_MASKS): Vec[] {
  const u = (w.recurrent_kernel as Mat).length;
  const W = w.kernel as Mat;
  const U = w.recurrent_kernel as Mat;
  const sigma = spec.hard ? hardSigmoid : sigmoid;
  const h = states[0];
  // x_t·W_k (with gate k's input mask) and h_{t−1}·U_k (with gate k's recurrent mask), column j of block k.
  const xPart = (k: number, j: number) => dot(times(x, maskFor(masks.input, k)), W, k * u + j);
  const hPart = (k: number, j: number, hIn: Vec = h) => dot(times(hIn, maskFor(masks.recurrent, k)), U, k * u + j);
  const cand = (j: number) => (masks.candidate ? masks.candidate[j] : 1);
  const range = Array.from({ length: u }, (_, j) => j);

  switch (spec.kind) {
    case 'simple':
    case 'ln-simple': {
      const b = w.bias as Vec;
      const a = range.map((j) => xPart(0, j) + hPart(0, j) + b[j]); // a_t = x_t·W + h_{t−1}·U + b
      let n = a;
      if (spec.kind === 'ln-simple') {
        // LN(a) = γ ⊙ (a − mean) / sqrt(var + ε) + β, biased variance, ε = 1e-3 unless given
        const gamma = w.gamma as Vec;
        const beta = w.beta as Vec;
        const mean = a.reduce((s, v) => s + v, 0) / u;
        const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / u;
        n = a.map((v, j) => (gamma[j] * (v - mean)) / Math.sqrt(variance + (spec.epsilon ?? 1e-3)) + beta[j]);
      }
      return [n.map((v) => (spec.activation === 'relu' ? Math.max(0, v) : Math.tanh(v)))];
    }
    case 'lstm':
    case 'peephole': {
      const b = w.bias as Vec;
      const c = states[1];
      const z = (k: number, j: number) => xPart(k, j) + hPart(k, j) + b[k * u + j];
      const peep = spec.kind === 'peephole';
      const pI = peep ? (w.input_gate_peephole_weights as Vec) : null;
      const pF = peep ? (w.forget_gate_peephole_weights as Vec) : null;
      const pO = peep ? (w.output_gate_peephole_weights as Vec) : null;
      const hNew: Vec = [];
      const cNew: Vec = [];
      for (const j of range) {
        const i = sigma(z(0, j) + (pI ? pI[j] * c[j] : 0)); //     input gate (peeks at c_{t−1})
        const f = sigma(z(1, j) + (pF ? pF[j] * c[j] : 0)); //     forget gate (peeks at c_{t−1})
        const g = Math.tanh(z(2, j)) * cand(j); //                  candidate
        cNew[j] = f * c[j] + i * g; //                              c_t = f ⊙ c_{t−1} + i ⊙ g
        const o = sigma(z(3, j) + (pO ? pO[j] * cNew[j] : 0)); //   output gate (peeks at the new c_t)
        hNew[j] = o * Math.tanh(cNew[j]); //                        h_t = o ⊙ tanh(c_t)
      }
      return [hNew, cNew];
    }
    case 'gru-after': {
      const [bIn, bRec] = w.bias as Mat; // [2, 3u]: input row, recurrent row
      const xk = (k: number, j: number) => xPart(k, j) + bIn[k * u + j];
      const hk = (k: number, j: number) => hPart(k, j) + bRec[k * u + j];
      return [range.map((j) => {
        const z = sigma(xk(0, j) + hk(0, j)); //                  update gate
        const r = sigma(xk(1, j) + hk(1, j)); //                  reset gate
        const hh = Math.tanh(xk(2, j) + r * hk(2, j)) * cand(j); // candidate, reset after U
        return z * h[j] + (1 - z) * hh;
      })];
    }
    case 'gru-before': {
      const b = w.bias as Vec; // [3u]
      const z = range.map((j) => sigma(xPart(0, j) + b[j] + hPart(0, j)));
      const r = range.map((j) => sigma(xPart(1, j) + b[u + j] + hPart(1, j)));
      // (r ⊙ (h_{t−1} ⊙ m_h))·U_h: the reset multiplies the (masked) state before U.
      const hMasked = times(h, maskFor(masks.recurrent, 2));
      const rh = hMasked.map((v, k) => r[k] * v);
      return [range.map((j) => {
        const hh = Math.tanh(xPart(2, j) + b[2 * u + j] + dot(rh, U, 2 * u + j)) * cand(j);
        return z[j] * h[j] + (1 - z[j]) * hh;
      })];
    }
  }
}

export interface LayerRun {
  /** [batch][time][units] (returnSequences) or [batch][units]. */
  readonly output: Vec[][] | Vec[];
  /** Final states, each [batch][units]. */
  readonly states: Vec[][];
}

export interface LayerSetup {
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  /** Keras padding mask [batch][time] (0: padded step), or null. */
  readonly mask: number[][] | null;
  /** Initial states [state][batch][units], or null for zeros. */
  readonly initial: Vec[][] | null;
}

/**
 * The RNN layer (SEMANTICS.md "The RNN layer", Keras semantics): read the sequence backwards when
 * goBackwards (outputs in that order); a padded step keeps every state and repeats the previous
 * output (zeros before the first real step); output every step or the last.
 */
export function referenceLayer(spec: CellSpec, w: CellWeights, x: Vec[][], setup: LayerSetup): LayerRun {
  const u = (w.recurrent_kernel as Mat).length;
  const count = stateCountOf(spec.kind);
  const outputs: Vec[][] = [];
  const finals: Vec[][] = Array.from({ length: count }, () => []);
  x.forEach((row, b) => {
    const seq = setup.goBackwards ? row.slice().reverse() : row;
    const mask = setup.mask ? (setup.goBackwards ? setup.mask[b].slice().reverse() : setup.mask[b]) : null;
    let states = Array.from({ length: count }, (_, s) => (setup.initial ? setup.initial[s][b].slice() : new Array<number>(u).fill(0)));
    let previous = new Array<number>(u).fill(0);
    const outs: Vec[] = [];
    seq.forEach((xt, t) => {
      if (mask && mask[t] === 0) {
        outs.push(previous); // padded: states carried, output repeated
        return;
      }
      states = referenceStep(spec, w, xt, states);
      previous = states[0];
      outs.push(previous);
    });
    outputs.push(outs);
    states.forEach((s, k) => finals[k].push(s));
  });
  return { output: setup.returnSequences ? outputs : outputs.map((o) => o[o.length - 1]), states: finals };
}

/** Flatten nested number arrays in row-major order. */
export function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap((e) => flat(e)) : [v as number];
}

/**
 * The first element where |actual − expected| > atol + rtol·|expected|, described for a
 * failure message; null when all agree.
 */
export function firstMismatch(actual: ArrayLike<number>, expected: readonly number[], atol: number, rtol: number): string | null {
  if (actual.length !== expected.length) return `${actual.length} values, expected ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    const diff = Math.abs(actual[k] - expected[k]);
    if (!(diff <= atol + rtol * Math.abs(expected[k]))) return `element ${k}: ${actual[k]} vs reference ${expected[k]} (|Δ| = ${diff})`;
  }
  return null;
}
