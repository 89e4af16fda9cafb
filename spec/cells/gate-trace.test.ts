/**
 * traceGates: the gates each cell reports are the composed step's gates. Rebuilding the hidden
 * state from the recorded gates alone (c_t = f c_{t−1} + i g, h_t = o tanh(c_t); GRU
 * h_t = z h_{t−1} + (1 − z) h̃) must give the layer's own output — from its fused path — and the
 * first step's LSTM gates must equal σ(x_0·W + b) computed in plain loops.
 */
import { cellLayer, traceGates, CELL_NAMES } from '../../cells';
import type { CellName, RNN } from '../../cells';
import { manualSeed } from '../../engine/random';
import { randn } from '../../engine/creation';

const [B, T, F, U] = [2, 6, 3, 4];

function rebuildLastHidden(cell: CellName, trace: ReturnType<typeof traceGates>): ArrayLike<number> {
  const n = B * U;
  let h: Float64Array = new Float64Array(n);
  let c: Float64Array = new Float64Array(n);
  for (let t = 0; t < T; t++) {
    const v = (g: string): Float64Array => trace.values[g][t];
    if (cell === 'simple' || cell === 'ln-simple') h = v('h');
    else if (cell === 'gru') h = h.map((hp, k) => v('z')[k] * hp + (1 - v('z')[k]) * v('candidate')[k]);
    else {
      c = c.map((cp, k) => v('f')[k] * cp + v('i')[k] * v('g')[k]);
      h = c.map((ck, k) => v('o')[k] * Math.tanh(ck));
    }
  }
  return h;
}

describe('traceGates', () => {
  test.each(CELL_NAMES.map((c) => [c]))('%s: the recorded gates rebuild the layer output', (cell) => {
    manualSeed(7);
    const layer: RNN = cellLayer(cell, U, { inputFeatures: F });
    const x = randn([B, T, F]);
    const trace = traceGates(layer, x);
    expect(trace.time).toBe(T);
    expect(trace.units).toBe(U);
    expect(trace.gates).toEqual(cell === 'gru' ? ['z', 'r', 'candidate'] : cell.endsWith('simple') ? ['h'] : ['i', 'f', 'g', 'o']);
    const rebuilt = rebuildLastHidden(cell, trace);
    const out = layer.call(x).data;
    for (let k = 0; k < B * U; k++) expect(Math.abs(rebuilt[k] - out[k])).toBeLessThan(1e-5);
  });

  test('LSTM: step 0 gates equal σ / tanh of x_0·W + b, in plain loops', () => {
    manualSeed(3);
    const layer = cellLayer('lstm', U, { inputFeatures: F });
    const x = randn([B, T, F]);
    const [W, , b] = layer.weights().map((w) => w.tensor);
    const trace = traceGates(layer, x);
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    ['i', 'f', 'g', 'o'].forEach((gate, k) => {
      for (let r = 0; r < B; r++) {
        for (let u = 0; u < U; u++) {
          let z = b.data[k * U + u];
          for (let f = 0; f < F; f++) z += x.data[(r * T + 0) * F + f] * W.data[f * 4 * U + k * U + u];
          const want = gate === 'g' ? Math.tanh(z) : sigmoid(z);
          expect(Math.abs(trace.values[gate][0][r * U + u] - want)).toBeLessThan(1e-6);
        }
      }
    });
  });

  test('a call outside a trace records nothing; the next trace has one record per step', () => {
    const layer = cellLayer('gru', U, { inputFeatures: F });
    const x = randn([B, T, F]);
    layer.call(x);
    expect(traceGates(layer, x).values.z).toHaveLength(T);
  });
});
