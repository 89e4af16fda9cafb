/**
 * The cells TF.js does not have (or not in this form) against plain loops written straight from
 * SEMANTICS.md: the GRU with reset_after = true (Keras's default), the LN simple RNN, the peephole
 * LSTM. Fused and composed paths both.
 */
import { GRU, RNN, LNSimpleRNNCell, PeepholeLSTMCell, GRUCell } from '../../cells';
import type { Layer } from '../../cells';
import { Random } from '../../engine/random';
import { randn } from '../../engine/creation';
import type { Tensor } from '../../engine/tensor';

const [B, T, F, U] = [2, 5, 3, 4];
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
type Step = (x: number[], h: number[], c: number[], w: Tensor[]) => [number[], number[]];

/** Σ_f x_f W[f, col] */
const dot = (v: number[], m: Tensor, cols: number, col: number): number => v.reduce((s, vf, f) => s + vf * m.data[f * cols + col], 0);

const gruAfter: Step = (x, h, _c, [W, Uw, b]) => {
  const hn = new Array<number>(U);
  for (let j = 0; j < U; j++) {
    const lin = (k: number) => dot(x, W, 3 * U, k * U + j) + b.data[k * U + j]; //            x·W_k + b_k
    const rec = (k: number) => dot(h, Uw, 3 * U, k * U + j) + b.data[3 * U + k * U + j]; //  h·U_k + b'_k
    const z = sigmoid(lin(0) + rec(0));
    const r = sigmoid(lin(1) + rec(1));
    const hh = Math.tanh(lin(2) + r * rec(2));
    hn[j] = z * h[j] + (1 - z) * hh;
  }
  return [hn, []];
};

const lnSimple: Step = (x, h, _c, [W, Uw, b, gamma, beta]) => {
  const a = Array.from({ length: U }, (_, j) => dot(x, W, U, j) + dot(h, Uw, U, j) + b.data[j]);
  const mean = a.reduce((s, v) => s + v, 0) / U;
  const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / U;
  return [a.map((v, j) => Math.tanh(gamma.data[j] * (v - mean) / Math.sqrt(variance + 1e-3) + beta.data[j])), []];
};

const peephole: Step = (x, h, c, [W, Uw, b, pI, pF, pO]) => {
  const hn = new Array<number>(U);
  const cn = new Array<number>(U);
  for (let j = 0; j < U; j++) {
    const z = (k: number) => dot(x, W, 4 * U, k * U + j) + dot(h, Uw, 4 * U, k * U + j) + b.data[k * U + j];
    const i = sigmoid(z(0) + pI.data[j] * c[j]);
    const f = sigmoid(z(1) + pF.data[j] * c[j]);
    cn[j] = f * c[j] + i * Math.tanh(z(2));
    const o = sigmoid(z(3) + pO.data[j] * cn[j]);
    hn[j] = o * Math.tanh(cn[j]);
  }
  return [hn, cn];
};

function reference(step: Step, x: Tensor, weights: Tensor[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < B; r++) {
    let h = new Array<number>(U).fill(0);
    let c = new Array<number>(U).fill(0);
    for (let t = 0; t < T; t++) {
      const xt = Array.from(x.data.subarray((r * T + t) * F, (r * T + t + 1) * F));
      [h, c] = step(xt, h, c, weights);
      out.push(...h);
    }
  }
  return out;
}

const cases: [string, Step, (fused: boolean) => Layer][] = [
  ['GRU reset_after = true', gruAfter, (fused) => new GRU(U, { dtype: 'float64', fused, returnSequences: true, rng: new Random(2) })],
  ['RNN(GRUCell) reset_after = true', gruAfter, (fused) => new RNN(new GRUCell(U, { dtype: 'float64', rng: new Random(2) }), { fused, returnSequences: true })],
  ['LN simple RNN', lnSimple, (fused) => new RNN(new LNSimpleRNNCell(U, { dtype: 'float64', rng: new Random(3) }), { fused, returnSequences: true })],
  ['peephole LSTM', peephole, (fused) => new RNN(new PeepholeLSTMCell(U, { dtype: 'float64', rng: new Random(4) }), { fused, returnSequences: true })],
];

describe('cells = their equations (plain loops)', () => {
  it.each(cases)('%s, fused and composed', (_name, step, make) => {
    for (const fused of [true, false]) {
      const layer = make(fused);
      layer.build(F);
      // Non-trivial γ, β and biases, so every term of the equations matters.
      const rng = new Random(9);
      for (const w of layer.weights()) if (w.tensor.rank === 1 || w.name === 'bias') w.tensor.data.forEach((_, k) => (w.tensor.data[k] = rng.uniform(-0.5, 1)));
      const x = randn([B, T, F], { rng: new Random(1), dtype: 'float64' });
      const y = layer.call(x);
      const ref = reference(step, x, layer.weights().map((w) => w.tensor));
      let worst = 0;
      ref.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - y.data[k]))));
      expect(worst).toBeLessThan(1e-12);
    }
  });
});
