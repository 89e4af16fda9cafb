/**
 * The whole-sequence simple RNN (tanh) on the wasm kernel (kernels/wasm/rnn-sequence.ts) against
 * stepping (matmulFixedRight + the tanh kernel per step): the same bits for the outputs and so
 * for the gradients — one thread and shared with the helper thread, padded rows and columns,
 * U in two k-blocks. And inference with x·W formed inside the sequence call, against matmul then
 * the sequence: the same bits.
 */
import { simpleRnnSequence } from '../../cells/simple-rnn-fused';
import { simpleRnnInferenceFromInput } from '../../cells/simple-rnn-from-input';
import { SimpleRNN } from '../../cells/recurrent-layers';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';
import { sum, mul, matmul } from '../../engine/ops';
import { noGrad } from '../../engine/tape';
import type { Tensor } from '../../engine/tensor';
import { useWasmLstmSequence } from '../../kernels/cpu/nn';
import { useWasmThreads, wasmSimdAvailable, helperChunksRun } from '../../kernels/wasm/matmul';
import { getKernels } from '../../kernels/registry';
import { firstDifference } from '../support/bits';
import type { UnaryOp } from '../../kernels/scalar';

interface Run {
  readonly h: Float32Array;
  readonly grads: Float32Array[];
}


function run(batch: number, time: number, units: number, whole: boolean, grad: boolean, activation: UnaryOp = 'tanh'): Run {
  const was = useWasmLstmSequence(whole);
  try {
    const rng = new Random(batch * 1000 + units);
    const xW = randn([batch, time, units], { rng, requiresGrad: grad });
    const U = randn([units, units], { rng, std: 1 / Math.sqrt(units), requiresGrad: grad });
    const b = randn([units], { rng, std: 0.1, requiresGrad: grad });
    const h0 = randn([batch, units], { rng, std: 0.5, requiresGrad: grad });
    const inputs: Tensor[] = [xW, U, b, h0];
    if (!grad) return { h: noGrad(() => simpleRnnSequence(xW, U, b, h0, { activation })).data as Float32Array, grads: [] };
    const h = simpleRnnSequence(xW, U, b, h0, { activation });
    sum(mul(h, randn(h.shape, { rng: new Random(7) }))).backward();
    return { h: h.data as Float32Array, grads: inputs.map((x) => x.grad!.data as Float32Array) };
  } finally {
    useWasmLstmSequence(was);
  }
}

const maybe = wasmSimdAvailable() && getKernels().simpleRnnSequence ? describe : describe.skip;

maybe('simple RNN forward as one wasm call (float32, tanh)', () => {
  // [batch, time, units]: W3's size; padded rows and columns (3 × 24, 33 × 260); U in two k-blocks
  // (260 > 256); large enough to share with the helper thread (64 × 256). Without gradients the
  // call writes h batch-major and saves nothing (kernels/wasm/rnn-sequence.ts); with them, the planes.
  const sizes: [number, number, number][] = [[32, 6, 20], [3, 4, 24], [33, 2, 260], [64, 3, 256]];
  for (const threads of [false, true]) {
    it.each(sizes)(`batch %i, time %i, units %i: the same bits as stepping, values and gradients (threads ${threads})`, (batch, time, units) => {
      const was = useWasmThreads(threads);
      const spy = jest.spyOn(getKernels(), 'simpleRnnSequence');
      try {
        for (const grad of [false, true]) {
          const stepped = run(batch, time, units, false, grad);
          const whole = run(batch, time, units, true, grad);
          expect(firstDifference(whole.h, stepped.h)).toBe(-1);
          expect(whole.grads.length).toBe(stepped.grads.length);
          whole.grads.forEach((g, q) => expect([q, firstDifference(g, stepped.grads[q])]).toEqual([q, -1]));
          expect(whole.h.some((v) => v !== 0)).toBe(true);
        }
        expect(spy.mock.results.filter((r) => r.value === true).length).toBe(2);
      } finally {
        spy.mockRestore();
        useWasmThreads(was);
      }
    });
  }

  it('shares the steps with the helper thread when the product is large', () => {
    const was = useWasmThreads(true);
    try {
      const before = helperChunksRun()[3];
      for (let i = 0; i < 20 && helperChunksRun()[3] === before; i++) run(64, 6, 256, true, false);
      expect(helperChunksRun()[3]).toBeGreaterThan(before);
    } finally {
      useWasmThreads(was);
    }
  });

  it('is taken for tanh with units a multiple of 4 only: relu and 22 units step as before', () => {
    const spy = jest.spyOn(getKernels(), 'simpleRnnSequence');
    try {
      run(8, 3, 22, true, false);
      run(8, 3, 24, true, false, 'relu');
      expect(spy.mock.results.map((r) => r.value)).toEqual([false]); // relu never asks
    } finally {
      spy.mockRestore();
    }
  });
});

maybe('simple RNN inference with x·W formed inside the sequence call (cells/simple-rnn-from-input.ts)', () => {
  // [batch, time, features, units]: W3's first and second layers (rows of 20: padded to 24 in the product),
  // padded rows, two k-blocks in the product, large enough for the helper thread
  const sizes: [number, number, number, number][] = [[32, 5, 1, 20], [32, 5, 20, 20], [9, 3, 7, 8], [5, 4, 300, 16], [64, 3, 32, 256]];
  for (const threads of [false, true]) {
    it.each(sizes)(`batch %i, time %i, features %i, units %i: the same bits as matmul then simpleRnnSequence (threads ${threads})`, (batch, time, features, units) => {
      const was = useWasmThreads(threads);
      const spy = jest.spyOn(getKernels(), 'simpleRnnSequence');
      try {
        const rng = new Random(batch * 31 + features * 7 + units);
        const x = randn([batch, time, features], { rng });
        const W = randn([features, units], { rng, std: 1 / Math.sqrt(features) });
        const U = randn([units, units], { rng, std: 1 / Math.sqrt(units) });
        const b = randn([units], { rng, std: 0.1 });
        const h0 = randn([batch, units], { rng, std: 0.5 });
        const want = noGrad(() => simpleRnnSequence(matmul(x, W), U, b, h0, { activation: 'tanh' }));
        const got = noGrad(() => simpleRnnInferenceFromInput(x, W, U, b, h0));
        expect(got).not.toBeNull();
        expect(firstDifference(got!.data as Float32Array, want.data as Float32Array)).toBe(-1);
        expect((got!.data as Float32Array).some((v) => v !== 0)).toBe(true);
        expect(spy.mock.calls.map((c) => 'features' in c[0])).toEqual([false, true]);
        expect(spy.mock.results.map((r) => r.value)).toEqual([true, true]);
      } finally {
        spy.mockRestore();
        useWasmThreads(was);
      }
    });
  }

  it('declines where a gradient may be asked for; a SimpleRNN layer gives the same bits without gradients as with them', () => {
    const rng = new Random(3);
    const [x, W, U, b, h0] = [[4, 3, 5], [5, 8], [8, 8], [8], [4, 8]].map((s) => randn(s, { rng, requiresGrad: true }));
    expect(simpleRnnInferenceFromInput(x, W, U, b, h0)).toBeNull();
    const layer = new SimpleRNN(20, { returnSequences: true });
    const input = randn([32, 6, 3], { rng: new Random(9) });
    const withTape = layer.call(input);
    const inference = noGrad(() => layer.call(input));
    expect(firstDifference(inference.data as Float32Array, withTape.data as Float32Array)).toBe(-1);
  });
});
