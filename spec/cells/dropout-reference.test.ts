/**
 * The dropout variants against a plain-loop LSTM written straight from the equations, using the
 * very masks the layer draws (same seed): per-gate masks go to their own gate, Semeniuta's mask
 * multiplies the candidate g only, per-step masks change every step.
 */
import { LSTM, SequenceDropout } from '../../cells';
import type { DropoutOptions } from '../../cells';
import { Random } from '../../engine/random';
import { randn } from '../../engine/creation';
import type { Tensor } from '../../engine/tensor';

const [B, T, F, U] = [2, 4, 3, 3];
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The LSTM in plain loops: z_k = (x ⊙ mx_k)·W_k + (h ⊙ mh_k)·U_k + b_k;  c = f c + i (g ⊙ mg);  h = o tanh(c). */
function reference(x: Tensor, [W, Uw, b]: Tensor[], drop: SequenceDropout): number[] {
  const out: number[] = [];
  let h = new Array<number>(B * U).fill(0);
  let c = new Array<number>(B * U).fill(0);
  const inMask = (k: number, r: number, t: number, f: number): number => {
    const ms = drop.inputMasks;
    if (!ms) return 1;
    const m = ms[ms.length === 1 ? 0 : k];
    const steps = m.shape[1];
    return m.data[(r * steps + (steps === 1 ? 0 : t)) * F + f];
  };
  for (let t = 0; t < T; t++) {
    const masks = drop.stepMasks(t);
    const hn = new Array<number>(B * U);
    const cn = new Array<number>(B * U);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < U; j++) {
        const z = [0, 1, 2, 3].map((k) => {
          let s = b.data[k * U + j];
          for (let f = 0; f < F; f++) s += x.data[(r * T + t) * F + f] * inMask(k, r, t, f) * W.data[f * 4 * U + k * U + j];
          for (let q = 0; q < U; q++) {
            const rm = masks.recurrent ? masks.recurrent[masks.recurrent.length === 1 ? 0 : k].data[r * U + q] : 1;
            s += h[r * U + q] * rm * Uw.data[q * 4 * U + k * U + j];
          }
          return s;
        });
        const g = Math.tanh(z[2]) * (masks.candidate ? masks.candidate.data[r * U + j] : 1);
        cn[r * U + j] = sigmoid(z[1]) * c[r * U + j] + sigmoid(z[0]) * g;
        hn[r * U + j] = sigmoid(z[3]) * Math.tanh(cn[r * U + j]);
      }
    }
    h = hn;
    c = cn;
    for (let r = 0; r < B; r++) for (let j = 0; j < U; j++) out[(r * T + t) * U + j] = h[r * U + j];
  }
  return out;
}

describe('dropout variants = the equations with the same masks', () => {
  it.each([
    ['none', {}],
    ['input only', { dropout: 0.4 }],
    ['recurrent only', { recurrentDropout: 0.4 }],
    ['variational', { dropout: 0.4, recurrentDropout: 0.4 }],
    ['per-gate', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'per-gate' }],
    ['per-step', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'per-step' }],
    ['semeniuta', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'semeniuta' }],
  ] as [string, DropoutOptions][])('%s', (_mode, options) => {
    for (const fused of [true, false]) {
      const x = randn([B, T, F], { rng: new Random(1), dtype: 'float64' });
      // One generator gives the weights (drawn now, inputFeatures given) and then the masks.
      const rng = new Random(5);
      const layer = new LSTM(U, { ...options, fused, dtype: 'float64', returnSequences: true, rng, inputFeatures: F });
      const maskRng = new Random(0);
      maskRng.setState(rng.getState());
      const y = layer.call(x, { training: true });
      const drop = new SequenceDropout({ ...options, rng: maskRng },
        { batch: B, time: T, features: F, units: U, gates: 4, stateCount: 2, hasCandidate: true, dtype: 'float64' }, true);
      const ref = reference(x, layer.weights().map((w) => w.tensor), drop);
      let worst = 0;
      ref.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - y.data[k]))));
      expect(worst).toBeLessThan(1e-12);
    }
  });
});
