/**
 * Dropout variants: keep rate and 1/(1 − p) scaling over many draws, which masks stay fixed
 * across time, identity at inference, zoneout's expectation at inference, seeding, validation.
 */
import { SequenceDropout, dropoutMask, zoneoutMask, LSTM, SimpleRNN, RNN, LSTMCell, GRU } from '../../cells';
import type { DropoutOptions } from '../../cells';
import { Random } from '../../engine/random';
import { randn, zeros } from '../../engine/creation';
import type { Tensor } from '../../engine/tensor';

const shape = { batch: 4, time: 6, features: 3, units: 5, gates: 4, stateCount: 2, hasCandidate: true, dtype: 'float64' as const };

function same(a: Tensor, b: Tensor): boolean {
  return a.size === b.size && a.data.every((v, i) => v === b.data[i]);
}

describe('dropout masks', () => {
  it.each([0.1, 0.3, 0.5, 0.8])('rate %p: keep rate 1 − p and kept entries scaled by 1/(1 − p) over 200 000 draws', (p) => {
    const m = dropoutMask([200_000], p, 'float64', new Random(1));
    let zerosSeen = 0;
    let sum = 0;
    let worstScale = 0;
    for (const v of m.data) {
      if (v === 0) zerosSeen++;
      else worstScale = Math.max(worstScale, Math.abs(v - 1 / (1 - p)));
      sum += v;
    }
    expect(worstScale).toBeLessThan(1e-12);
    // 5 standard deviations of a binomial proportion.
    const sd = Math.sqrt((p * (1 - p)) / m.size);
    expect(Math.abs(zerosSeen / m.size - p)).toBeLessThan(5 * sd);
    expect(Math.abs(sum / m.size - 1)).toBeLessThan(5 * sd / (1 - p));
  });

  it('zoneout masks are 0/1 with P(1) = z and no scaling', () => {
    const d = zoneoutMask([100_000], 0.3, 'float64', new Random(2));
    expect(d.data.every((v) => v === 0 || v === 1)).toBe(true);
    const mean = Array.from(d.data).reduce((a, b) => a + b, 0) / d.size;
    expect(Math.abs(mean - 0.3)).toBeLessThan(5 * Math.sqrt(0.21 / d.size));
  });

  it('the same seed gives the same masks', () => {
    const a = new SequenceDropout({ dropout: 0.3, recurrentDropout: 0.3, rng: new Random(7) }, shape, true);
    const b = new SequenceDropout({ dropout: 0.3, recurrentDropout: 0.3, rng: new Random(7) }, shape, true);
    expect(same(a.inputMasks![0], b.inputMasks![0])).toBe(true);
    expect(same(a.stepMasks(0).recurrent![0], b.stepMasks(0).recurrent![0])).toBe(true);
  });
});

describe('mask sharing across time and gates', () => {
  const opts = (mode: DropoutOptions['dropoutMode']): DropoutOptions => ({ dropout: 0.3, recurrentDropout: 0.3, dropoutMode: mode, rng: new Random(3) });

  it('variational: one input mask [batch, 1, features] (the same at every step) and one recurrent mask for all steps and gates', () => {
    const d = new SequenceDropout(opts('variational'), shape, true);
    expect(d.inputMasks).toHaveLength(1);
    expect(d.inputMasks![0].shape).toEqual([4, 1, 3]);
    const first = d.stepMasks(0).recurrent!;
    expect(first).toHaveLength(1);
    for (let t = 1; t < shape.time; t++) expect(d.stepMasks(t).recurrent![0]).toBe(first[0]);
  });

  it('per-gate: 4 independent input masks and 4 recurrent masks, each fixed across time', () => {
    const d = new SequenceDropout(opts('per-gate'), shape, true);
    expect(d.inputMasks).toHaveLength(4);
    const rec = d.stepMasks(0).recurrent!;
    expect(rec).toHaveLength(4);
    expect(same(rec[0], rec[1])).toBe(false);
    expect(same(d.inputMasks![0], d.inputMasks![1])).toBe(false);
    for (let t = 1; t < shape.time; t++) expect(d.stepMasks(t).recurrent).toBe(rec);
    const gru = new SequenceDropout(opts('per-gate'), { ...shape, gates: 3, stateCount: 1 }, true);
    expect(gru.inputMasks).toHaveLength(3);
    expect(new SequenceDropout(opts('per-gate'), { ...shape, gates: 1, stateCount: 1 }, true).inputMasks).toHaveLength(1);
  });

  it('per-step: a fresh input mask and a fresh recurrent mask at every step', () => {
    const d = new SequenceDropout(opts('per-step'), shape, true);
    expect(d.inputMasks![0].shape).toEqual([4, 6, 3]);
    for (let t = 1; t < shape.time; t++) expect(same(d.stepMasks(t).recurrent![0], d.stepMasks(t - 1).recurrent![0])).toBe(false);
  });

  it('semeniuta: the recurrent rate drops the candidate (fresh per step), not h', () => {
    const d = new SequenceDropout(opts('semeniuta'), shape, true);
    expect(d.stepMasks(0).recurrent).toBeNull();
    expect(d.stepMasks(0).candidate!.shape).toEqual([4, 5]);
    expect(same(d.stepMasks(0).candidate!, d.stepMasks(1).candidate!)).toBe(false);
  });

  it('zoneout: fresh 0/1 masks per step for h and c', () => {
    const d = new SequenceDropout({ zoneoutH: 0.4, zoneoutC: 0.2, rng: new Random(1) }, shape, true);
    const [h0, c0] = d.zoneoutAt(0)! as Tensor[];
    const [h1] = d.zoneoutAt(1)! as Tensor[];
    expect(h0.shape).toEqual([4, 5]);
    expect(c0.shape).toEqual([4, 5]);
    expect(same(h0, h1)).toBe(false);
  });
});

describe('training vs inference', () => {
  const x = randn([3, 8, 2], { rng: new Random(4) });
  const variants: [string, DropoutOptions][] = [
    ['variational', { dropout: 0.4, recurrentDropout: 0.4 }],
    ['per-gate', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'per-gate' }],
    ['per-step', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'per-step' }],
    ['semeniuta', { dropout: 0.4, recurrentDropout: 0.4, dropoutMode: 'semeniuta' }],
  ];
  it.each(variants)('%s: identity at inference, active and seeded in training', (_m, options) => {
    const plain = new LSTM(4, { rng: new Random(9), returnSequences: true });
    const dropped = new LSTM(4, { ...options, rng: new Random(9), returnSequences: true });
    const a = plain.call(x);
    expect(same(dropped.call(x, { training: false }), a)).toBe(true);
    expect(same(dropped.call(x), a)).toBe(true); // training defaults to false
    const t1 = dropped.call(x, { training: true });
    expect(same(t1, a)).toBe(false);
    const again = new LSTM(4, { ...options, rng: new Random(9), returnSequences: true });
    expect(same(again.call(x, { training: true }), t1)).toBe(true);
  });

  it('zoneout at inference uses its expectation: h_t = z·h_{t−1} + (1 − z)·h̃_t, c likewise', () => {
    const z = 0.3;
    const zc = 0.6;
    const cell = new LSTMCell(4, { dtype: 'float64', rng: new Random(2) });
    const layer = new RNN(cell, { zoneoutH: z, zoneoutC: zc, returnSequences: true });
    const x64 = randn([2, 5, 2], { rng: new Random(4), dtype: 'float64' });
    const y = layer.call(x64, { training: false });
    // By hand: step the cell and mix.
    const xw = cell.projectInput(x64, null);
    let h = zeros([2, 4], { dtype: 'float64' });
    let c = zeros([2, 4], { dtype: 'float64' });
    for (let t = 0; t < 5; t++) {
      const row = new (h.constructor as typeof Tensor)(Float64Array.from({ length: 2 * 16 }, (_, k) => xw.data[(Math.floor(k / 16) * 5 + t) * 16 + (k % 16)]), [2, 16]);
      const [hNew, cNew] = cell.step(row, [h, c], { recurrent: null, candidate: null });
      h = new (h.constructor as typeof Tensor)(h.data.map((v, k) => z * v + (1 - z) * hNew.data[k]), [2, 4]);
      c = new (c.constructor as typeof Tensor)(c.data.map((v, k) => zc * v + (1 - zc) * cNew.data[k]), [2, 4]);
      for (let b = 0; b < 2; b++) for (let j = 0; j < 4; j++) expect(y.data[(b * 5 + t) * 4 + j]).toBeCloseTo(h.data[b * 4 + j], 12);
    }
  });

  it('zoneout in training keeps whole units from the previous step', () => {
    const layer = new SimpleRNN(6, { zoneoutH: 0.5, rng: new Random(3), returnSequences: true });
    const y = layer.call(randn([2, 10, 2], { rng: new Random(5) }), { training: true });
    let kept = 0;
    for (let b = 0; b < 2; b++) for (let t = 1; t < 10; t++) for (let j = 0; j < 6; j++) {
      if (y.data[(b * 10 + t) * 6 + j] === y.data[(b * 10 + t - 1) * 6 + j]) kept++;
    }
    expect(kept).toBeGreaterThan(30); // ≈ 54 of 108 expected; without zoneout, none
  });
});

describe('validation', () => {
  it.each([
    [{ dropout: 1 }, "option 'dropout' must be a number in [0, 1)"],
    [{ recurrentDropout: -0.1 }, "option 'recurrentDropout' must be a number in [0, 1)"],
    [{ zoneoutH: 1.5 }, "option 'zoneoutH'"],
    [{ dropoutMode: 'gaussian' as never }, "option 'dropoutMode' must be one of"],
  ] as [DropoutOptions, string][])('%j is rejected naming the option', (options, message) => {
    expect(() => new LSTM(3, options)).toThrow(message);
  });

  it('semeniuta needs a candidate; zoneoutC needs a cell state', () => {
    const x = randn([1, 3, 1], { rng: new Random(1) });
    expect(() => new SimpleRNN(3, { recurrentDropout: 0.2, dropoutMode: 'semeniuta' }).call(x, { training: true })).toThrow('has none');
    expect(() => new GRU(3, { zoneoutC: 0.2 }).call(x)).toThrow("'zoneoutC' needs a cell state");
  });
});
