import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { seriesTask, generateTimeSeries, lastStepMse, meanSquaredError } from '../../train/tasks/series';
import { addingTask } from '../../train/tasks/adding';
import { sample } from '../../train/tasks/chars';
import { charsTask, sonnets } from '../../node/chars-text';
import { holdOut } from '../../train/tasks/data-file';
import { loadDataFile } from '../../node/data-file';
import { naiveForecast, naiveMse, linearBaseline } from '../../train/tasks/baselines';

describe('series (Géron ch. 15)', () => {
  it('follows the formula, with the draws in NumPy order', () => {
    const n = 3;
    const len = 5;
    const s = generateTimeSeries(n, len, new Random(1));
    const r = new Random(1);
    const u = Array.from({ length: 4 * n + n * len }, () => r.next());
    const [f1, f2, o1, o2] = [0, 1, 2, 3].map((k) => u.slice(k * n, (k + 1) * n));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < len; j++) {
        const t = j / (len - 1);
        const want = 0.5 * Math.sin((t - o1[i]) * (f1[i] * 10 + 10)) + 0.2 * Math.sin((t - o2[i]) * (f2[i] * 20 + 20)) + 0.1 * (u[4 * n + i * len + j] - 0.5);
        expect(s[i * len + j]).toBeCloseTo(want, 12);
      }
    }
  });

  it.each([
    ['next', [7000, 1], [2000, 1]],
    ['ahead10', [7000, 10], [2000, 10]],
    ['seq2seq', [7000, 50, 10], [2000, 50, 10]],
  ] as const)('%s: 7000 / 2000 / 1000 series of 50 steps', (target, trainY, validY) => {
    const t = seriesTask({ target, seed: 42 });
    expect(t.train.x.shape).toEqual([7000, 50, 1]);
    expect(t.valid.x.shape).toEqual([2000, 50, 1]);
    expect(t.test.x.shape).toEqual([1000, 50, 1]);
    expect(t.train.y.shape).toEqual(trainY);
    expect(t.valid.y.shape).toEqual(validY);
  });

  it('the targets are the following values (Géron’s Y for seq2seq)', () => {
    const next = seriesTask({ target: 'next', sizes: [3, 1, 1], seed: 5 });
    const series = generateTimeSeries(5, 51, new Random(5));
    expect(next.train.y.data[1]).toBe(Math.fround(series[1 * 51 + 50]));
    expect(next.train.x.data[1 * 50 + 49]).toBe(Math.fround(series[1 * 51 + 49]));
    const s2s = seriesTask({ target: 'seq2seq', sizes: [3, 1, 1], seed: 5 });
    const ahead = seriesTask({ target: 'ahead10', sizes: [3, 1, 1], seed: 5 });
    const long = generateTimeSeries(5, 60, new Random(5));
    // Y[n, t, k−1] = series[n, t + k]
    for (const [n, t, k] of [[0, 0, 1], [2, 17, 4], [1, 49, 10]]) {
      expect(s2s.train.y.data[(n * 50 + t) * 10 + k - 1]).toBe(Math.fround(long[n * 60 + t + k]));
    }
    // The last step of seq2seq's Y is the 10-ahead target.
    for (let k = 0; k < 10; k++) expect(s2s.train.y.data[(0 * 50 + 49) * 10 + k]).toBe(ahead.train.y.data[k]);
  });

  it('the same seed gives the same data; another seed does not', () => {
    const a = seriesTask({ sizes: [10, 5, 5], seed: 1 });
    const b = seriesTask({ sizes: [10, 5, 5], seed: 1 });
    const c = seriesTask({ sizes: [10, 5, 5], seed: 2 });
    expect(Array.from(a.valid.x.data)).toEqual(Array.from(b.valid.x.data));
    expect(Array.from(a.valid.x.data)).not.toEqual(Array.from(c.valid.x.data));
  });

  it('lastStepMse takes the last step’s k predictions', () => {
    const pred = new Tensor(new Float32Array([0, 0, 1, 2, 9, 9, 3, 3]), [2, 2, 2]);
    const y = new Tensor(new Float32Array([5, 5, 0, 0, 9, 9, 0, 0]), [2, 2, 2]);
    expect(lastStepMse(pred, y)).toBeCloseTo((1 + 4 + 9 + 9) / 4, 10);
  });

  // Géron's own code under NumPy (seed 42) gives 0.0202 (next value) and 0.257 (next 10; the
  // published 0.223 is not what that code computes) — the bounds below bracket those figures.
  it('the naive baseline is near Géron’s figures (next value 0.020, next 10 ≈ 0.26)', () => {
    expect(naiveMse(seriesTask({ target: 'next', seed: 42 }).valid)).toBeGreaterThan(0.017);
    expect(naiveMse(seriesTask({ target: 'next', seed: 42 }).valid)).toBeLessThan(0.023);
    expect(naiveMse(seriesTask({ target: 'ahead10', seed: 42 }).valid)).toBeGreaterThan(0.23);
    expect(naiveMse(seriesTask({ target: 'ahead10', seed: 42 }).valid)).toBeLessThan(0.29);
    expect(Array.from(naiveForecast(new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2, 1]), 3).data)).toEqual([2, 2, 2, 4, 4, 4]);
  });

  it('the linear baseline reaches the published 0.004 in 20 epochs', () => {
    const r = linearBaseline(seriesTask({ target: 'next', seed: 42 }), { seed: 42 });
    expect(r.history.loss.length).toBe(20);
    expect(r.valMse).toBeLessThan(0.006);
    expect(r.valMse).toBeCloseTo(r.history.valLoss[19], 5);
  });
});

describe('adding problem', () => {
  const t = addingTask({ length: 20, sizes: [500, 100, 100], seed: 3 });
  it('has one marker in each half and the sum of the marked values as target', () => {
    expect(t.train.x.shape).toEqual([500, 20, 2]);
    expect(t.train.y.shape).toEqual([500, 1]);
    for (let n = 0; n < 500; n++) {
      const marks: number[] = [];
      let sum = 0;
      for (let s = 0; s < 20; s++) {
        const v = t.train.x.data[(n * 20 + s) * 2];
        expect(v >= 0 && v < 1).toBe(true);
        if (t.train.x.data[(n * 20 + s) * 2 + 1] === 1) {
          marks.push(s);
          sum += v;
        }
      }
      expect(marks.length).toBe(2);
      expect(marks[0]).toBeLessThan(10);
      expect(marks[1]).toBeGreaterThanOrEqual(10);
      expect(t.train.y.data[n]).toBeCloseTo(sum, 6);
    }
  });
  it('predicting the mean gives MSE ≈ 1/6', () => {
    const big = addingTask({ length: 10, sizes: [20000, 1, 1], seed: 4 }).train.y;
    const ones = new Tensor(new Float32Array(big.size).fill(1), big.shape);
    expect(meanSquaredError(ones, big)).toBeCloseTo(1 / 6, 2);
  });
  it('held-out sets differ from the training set', () => {
    expect(Array.from(t.valid.x.data.slice(0, 40))).not.toEqual(Array.from(t.train.x.data.slice(0, 40)));
  });
  it('rejects T < 2', () => {
    expect(() => addingTask({ length: 1 })).toThrow(/--length must be an integer ≥ 2, got 1/);
  });
});

describe('chars', () => {
  const task = charsTask({ window: 10, stride: 7 });
  it('ships a public-domain corpus', () => {
    expect(sonnets()).toMatch(/Shall I compare thee to a summer's day\?/);
    expect(sonnets().length).toBeGreaterThan(8000);
  });
  it('one-hot windows with the next character as target at every step', () => {
    const v = task.vocab.length;
    expect(task.train.x.shape).toEqual([task.train.x.shape[0], 10, v]);
    const text = sonnets();
    const decode = (t: Tensor, n: number) =>
      Array.from({ length: 10 }, (_, s) => task.vocab[Array.from(t.data.subarray((n * 10 + s) * v, (n * 10 + s + 1) * v)).indexOf(1)]).join('');
    expect(decode(task.train.x, 1)).toBe(text.slice(7, 17));
    expect(decode(task.train.y, 1)).toBe(text.slice(8, 18));
  });
  it('samples n characters from the vocabulary, reproducibly', () => {
    const uniform = { predict: (x: Tensor) => new Tensor(new Float32Array(x.size), x.shape) };
    const a = sample(uniform, task, 'Shall I', 30, { rng: new Random(1) });
    expect(a.length).toBe(30);
    expect(Array.from(a).every((c) => task.vocab.includes(c))).toBe(true);
    expect(sample(uniform, task, 'Shall I', 30, { rng: new Random(1) })).toBe(a);
    expect(() => sample(uniform, task, 'Ωmega', 3)).toThrow(/character "Ω" at position 0 is not in the corpus/);
  });
  it('a low temperature picks the likeliest character', () => {
    const e = task.vocab.indexOf('e');
    const peaked = { predict: (x: Tensor) => { const d = new Float32Array(x.size); for (let i = e; i < d.length; i += task.vocab.length) d[i] = 1; return new Tensor(d, x.shape); } };
    expect(sample(peaked, task, 'th', 5, { temperature: 0.01, rng: new Random(2) })).toBe('eeeee');
  });
});

describe('--data files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-data-'));
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  it('reads [N][T][F] inputs with [N][k] or [N][T][k] targets', () => {
    const a = loadDataFile(write('a.json', JSON.stringify({ x: [[[1], [2]], [[3], [4]]], y: [[1], [2]] })));
    expect(a.x.shape).toEqual([2, 2, 1]);
    expect(a.y.shape).toEqual([2, 1]);
    const b = loadDataFile(write('b.json', JSON.stringify({ x: [[[1, 0], [2, 0]]], y: [[[1], [2]]] })));
    expect(b.y.shape).toEqual([1, 2, 1]);
  });
  it.each([
    ['missing.json', null, /missing\.json: cannot read the data file \(ENOENT\)/],
    ['empty.json', '', /empty\.json: the data file is empty/],
    ['nan.json', '{"x": [[[NaN]]], "y": [[1]]}', /nan\.json: not valid JSON.*NaN and Infinity are not JSON numbers/],
    ['nullval.json', '{"x": [[[1], [null]]], "y": [[1]]}', /nullval\.json: x\[0\]\[1\]\[0\] is null; expected a finite number/],
    ['ragged.json', '{"x": [[[1], [2]], [[3]]], "y": [[1], [2]]}', /ragged\.json: ragged array: x\[1\] has 1 entries; expected 2/],
    ['emptyx.json', '{"x": [], "y": []}', /emptyx\.json: 'x' is an empty array/],
    ['rank.json', '{"x": [[1, 2]], "y": [[1]]}', /rank\.json: 'x' has 2 nested levels \(shape \[1,2\]\); expected a nested array \[N\]\[T\]\[F\]/],
    ['count.json', '{"x": [[[1]], [[2]]], "y": [[1]]}', /count\.json: x holds 2 samples but y holds 1/],
    ['steps.json', '{"x": [[[1], [2]]], "y": [[[1], [2], [3]]]}', /steps\.json: y of shape \[1,3,1\] has 3 time steps but x of shape \[1,2,1\] has 2/],
    ['nokey.json', '{"x": [[[1]]]}', /nokey\.json: the key "y" is missing/],
    ['array.json', '[1, 2]', /array\.json: expected a JSON object/],
  ])('%s: one clear message', (name, text, message) => {
    const p = text === null ? path.join(dir, name) : write(name, text);
    expect(() => loadDataFile(p)).toThrow(message);
  });
  it('holdOut takes the last fraction as validation, like Keras validation_split', () => {
    const x = new Tensor(Float32Array.from({ length: 10 * 2 }, (_, i) => i), [10, 2, 1]);
    const y = new Tensor(Float32Array.from({ length: 10 }, (_, i) => i), [10, 1]);
    const { train, valid } = holdOut({ x, y }, 0.2);
    expect(train.x.shape).toEqual([8, 2, 1]);
    expect(Array.from(valid.y.data)).toEqual([8, 9]);
    expect(Array.from(valid.x.data)).toEqual([16, 17, 18, 19]);
    expect(() => holdOut({ x, y }, 1)).toThrow(/--val-split must be in \(0, 1\)/);
    expect(() => holdOut({ x, y }, 0.01)).toThrow(/gives 0 for validation/);
  });
});
