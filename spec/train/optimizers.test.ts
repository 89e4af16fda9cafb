/**
 * Optimizer steps against TF.js (cpu backend): the same weights and gradients, several steps,
 * must give TF.js's weights to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { tensor } from '../../engine/creation';
import { SGD, RMSprop, Adam, makeOptimizer } from '../../train/optimizers';
import type { Optimizer, Param } from '../../train/optimizer';
import { clipNorm, clipGlobalNorm, clipValue } from '../../train/clipping';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPES = [[3, 4], [4], [2, 2, 3]];
const STEPS = 5;

function draws(seed: number, scale = 1): Float32Array[][] {
  const rng = new Random(seed);
  return Array.from({ length: STEPS }, () =>
    SHAPES.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => scale * rng.normal())),
  );
}

function makeParams(seed: number): Param[] {
  const rng = new Random(seed);
  return SHAPES.map((s, k) => {
    const n = s.reduce((a, b) => a * b, 1);
    return { name: `layer/w${k}`, tensor: new Tensor(Float32Array.from({ length: n }, () => rng.normal()), s, true) };
  });
}

const cases: { name: string; ours: () => Optimizer; theirs: () => tf.Optimizer }[] = [
  { name: 'SGD', ours: () => new SGD({ learningRate: 0.1 }), theirs: () => tf.train.sgd(0.1) },
  { name: 'SGD momentum', ours: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), theirs: () => tf.train.momentum(0.05, 0.9) },
  {
    name: 'SGD Nesterov',
    ours: () => new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true }),
    theirs: () => tf.train.momentum(0.05, 0.8, true),
  },
  { name: 'RMSprop', ours: () => new RMSprop({ learningRate: 0.01 }), theirs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7) },
  { name: 'Adam', ours: () => new Adam({ learningRate: 0.01 }), theirs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7) },
  { name: 'Adam (small gradients)', ours: () => new Adam({ learningRate: 0.001 }), theirs: () => tf.train.adam(0.001, 0.9, 0.999, 1e-7) },
];

describe('parity with TF.js', () => {
  it.each(cases)('$name: weights after several steps match (float32 rounding: ≤ 1e-6·max(1, |w|))', ({ name, ours, theirs }) => {
    const params = makeParams(1);
    const vars = params.map((p, k) => tf.variable(tf.tensor(Array.from(p.tensor.data), p.tensor.shape as number[]), true, `${name}-w${k}-${Math.random()}`));
    const grads = draws(2, name.includes('small') ? 1e-4 : 1);
    const opt = ours();
    const theirOpt = theirs();
    for (const stepGrads of grads) {
      params.forEach((p, k) => (p.tensor.grad = new Tensor(stepGrads[k], p.tensor.shape)));
      opt.step(params);
      theirOpt.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: tf.tensor(Array.from(stepGrads[k]), v.shape) })));
    }
    params.forEach((p, k) => {
      const want = vars[k].dataSync();
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(p.tensor.data[i] - want[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i])));
      }
    });
    expect(opt.iterations).toBe(STEPS);
    vars.forEach((v) => v.dispose());
  });
});

describe('clipping as an optimizer option', () => {
  // The clip thresholds are chosen so that each mode does clip these N(0, 1) gradients.
  const modes = [
    { option: { clipValue: 0.3 }, clip: (g: Tensor[]) => clipValue(g, 0.3) },
    { option: { clipNorm: 0.5 }, clip: (g: Tensor[]) => clipNorm(g, 0.5) },
    { option: { clipGlobalNorm: 0.5 }, clip: (g: Tensor[]) => clipGlobalNorm(g, 0.5).clipped },
  ];
  it.each(modes)('$option gives the step of the pre-clipped gradients', ({ option, clip }) => {
    const a = makeParams(3);
    const b = makeParams(3);
    const optA = new Adam({ learningRate: 0.01, ...option });
    const optB = new Adam({ learningRate: 0.01 });
    for (const stepGrads of draws(4)) {
      const g = a.map((p, k) => new Tensor(stepGrads[k].slice(), p.tensor.shape));
      a.forEach((p, k) => (p.tensor.grad = g[k]));
      const clipped = clip(g);
      b.forEach((p, k) => (p.tensor.grad = clipped[k]));
      optA.step(a);
      optB.step(b);
    }
    // Equal up to the float32 rounding of the pre-clipped gradients.
    a.forEach((p, k) => p.tensor.data.forEach((v, i) => expect(Math.abs(v - b[k].tensor.data[i])).toBeLessThan(1e-6)));
  });

  it('returns the global norm before clipping from step()', () => {
    const w = tensor([0, 0], { requiresGrad: true });
    w.grad = tensor([3, 4]);
    const opt = new SGD({ learningRate: 1, clipGlobalNorm: 1 });
    expect(opt.step([{ name: 'w', tensor: w }])).toBeCloseTo(5, 6);
    expect(Array.from(w.data)).toEqual([Math.fround(-0.6), Math.fround(-0.8)]);
  });

  it('raises on a non-finite gradient norm naming the weight', () => {
    const w = tensor([0, 0], { requiresGrad: true });
    w.grad = tensor([NaN, 4]);
    const opt = new Adam({ clipNorm: 1 });
    expect(() => opt.step([{ name: 'lstm_1/kernel', tensor: w }])).toThrow(/'lstm_1\/kernel'/);
  });

  it('rejects two modes when the optimizer is made', () => {
    expect(() => new Adam({ clipNorm: 1, clipValue: 1 })).toThrow(/at most one/);
  });
});

describe('state', () => {
  it('getState/setState continues with bit-identical weights', () => {
    const grads = draws(5);
    const full = makeParams(6);
    const optFull = new Adam({ learningRate: 0.01 });
    const half = makeParams(6);
    const optHalf = new Adam({ learningRate: 0.01 });
    grads.forEach((g, s) => {
      full.forEach((p, k) => (p.tensor.grad = new Tensor(g[k], p.tensor.shape)));
      optFull.step(full);
      if (s < 2) {
        half.forEach((p, k) => (p.tensor.grad = new Tensor(g[k], p.tensor.shape)));
        optHalf.step(half);
      }
    });
    const resumed = new Adam({ learningRate: 0.01 });
    resumed.setState(optHalf.getState());
    expect(resumed.iterations).toBe(2);
    grads.slice(2).forEach((g) => {
      half.forEach((p, k) => (p.tensor.grad = new Tensor(g[k], p.tensor.shape)));
      resumed.step(half);
    });
    half.forEach((p, k) => expect(Array.from(p.tensor.data)).toEqual(Array.from(full[k].tensor.data)));
  });

  it('refuses a state from another optimizer class, and other weights', () => {
    const p = makeParams(7);
    p.forEach((q) => (q.tensor.grad = new Tensor(new Float32Array(q.tensor.size), q.tensor.shape)));
    const adam = new Adam();
    adam.step(p);
    expect(() => new RMSprop().setState(adam.getState())).toThrow(/saved by Adam/);
    expect(() => adam.step(p.slice(1))).toThrow(/state belongs to/);
  });

  it('skips weights without a gradient', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    new SGD({ learningRate: 1 }).step([{ name: 'w', tensor: w }]);
    expect(Array.from(w.data)).toEqual([1, 2]);
  });
});

describe('options', () => {
  it.each([
    [() => new SGD({ learningRate: 0 }), /learningRate must be in \(0/],
    [() => new SGD({ momentum: 1 }), /momentum must be in \[0, 1\)/],
    [() => new SGD({ nesterov: true }), /nesterov needs momentum/],
    [() => new RMSprop({ rho: -0.1 }), /rho/],
    [() => new Adam({ beta2: 1.5 }), /beta2/],
    [() => makeOptimizer('adagrad'), /unknown optimizer 'adagrad'.*sgd, momentum, nesterov, rmsprop, adam/],
  ])('rejects bad values (%#)', (f, message) => {
    expect(f).toThrow(message);
  });
  it.each([
    ['sgd', 'SGD', 0.01],
    ['momentum', 'SGD', 0.01],
    ['nesterov', 'SGD', 0.01],
    ['rmsprop', 'RMSprop', 0.001],
    ['adam', 'Adam', 0.001],
  ])('makeOptimizer(%s) has Keras defaults', (name, className, lr) => {
    const o = makeOptimizer(name);
    expect(o.className).toBe(className);
    expect(o.learningRate).toBe(lr);
  });
});
