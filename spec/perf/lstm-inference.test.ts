/**
 * Inference through the plain LSTM with x·W formed inside the sequence call
 * (cells/lstm-inference.ts, kernels/wasm/sequence-memory.ts) against lstmSequence(matmul(x, W))
 * without gradients: the same bits for every h_t and c_T — on one thread and with the helper,
 * with padded rows (batch·time not a multiple of 4), features 1, 64 and 300 (two k-blocks of
 * the product), and W2's width. Through the layer, the same bits as a forward with gradients.
 */
import { lstmSequence } from '../../cells/lstm-fused';
import { lstmInferenceFromInput } from '../../cells/lstm-inference';
import { LSTM } from '../../cells/recurrent-layers';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';
import { matmul, reshape } from '../../engine/ops';
import { noGrad } from '../../engine/tape';
import { useWasmThreads, wasmSimdAvailable } from '../../kernels/wasm/matmul';
import { getKernels } from '../../kernels/registry';
import { firstDifference } from '../support/bits';

function operands(batch: number, time: number, features: number, units: number, requiresGrad = false) {
  const rng = new Random(batch * 7919 + features * 31 + units);
  return {
    x: randn([batch, time, features], { rng, requiresGrad }),
    W: randn([features, 4 * units], { rng, std: 1 / Math.sqrt(features), requiresGrad }),
    U: randn([units, 4 * units], { rng, std: 1 / Math.sqrt(units), requiresGrad }),
    b: randn([4 * units], { rng, std: 0.1, requiresGrad }),
    h0: randn([batch, units], { rng, std: 0.5, requiresGrad }),
    c0: randn([batch, units], { rng, std: 0.5, requiresGrad }),
  };
}

const maybe = wasmSimdAvailable() && getKernels().lstmSequence ? describe : describe.skip;

maybe('LSTM inference with x·W formed inside the sequence call', () => {
  // [batch, time, features, units]
  const sizes: [number, number, number, number][] = [[32, 5, 1, 20], [3, 3, 7, 8], [5, 4, 300, 16], [16, 3, 64, 256]];
  for (const threads of [false, true]) {
    it.each(sizes)(`batch %i, time %i, features %i, units %i: the same bits as lstmSequence(x·W) (threads ${threads})`, (batch, time, features, units) => {
      const was = useWasmThreads(threads);
      const spy = jest.spyOn(getKernels(), 'lstmSequence');
      try {
        const { x, W, U, b, h0, c0 } = operands(batch, time, features, units);
        const want = noGrad(() => lstmSequence(matmul(x, W), U, b, h0, c0));
        const got = noGrad(() => lstmInferenceFromInput(x, W, U, b, h0, c0));
        expect(got).not.toBeNull();
        expect(firstDifference(got!.h.data as Float32Array, want.h.data as Float32Array)).toBe(-1);
        expect(firstDifference(got!.c.data as Float32Array, want.c.data as Float32Array)).toBe(-1);
        expect(got!.h.shape).toEqual([batch, time, units]);
        expect((got!.h.data as Float32Array).some((v) => v !== 0)).toBe(true);
        // the second call handed the kernel x and W, not a product
        expect(spy.mock.calls.map((c) => 'features' in c[0])).toEqual([false, true]);
        expect(spy.mock.results.map((r) => r.value)).toEqual([true, true]);
      } finally {
        spy.mockRestore();
        useWasmThreads(was);
      }
    });
  }

  it('declines where a gradient may be asked for, or the shapes are not its own (the usual path reports them)', () => {
    const withGrad = operands(4, 3, 5, 8, true);
    expect(lstmInferenceFromInput(withGrad.x, withGrad.W, withGrad.U, withGrad.b, withGrad.h0, withGrad.c0)).toBeNull();
    const o = operands(4, 3, 5, 8);
    expect(lstmInferenceFromInput(o.x, o.U, o.U, o.b, o.h0, o.c0)).toBeNull(); // W [8, 32] for 5 features
    expect(lstmInferenceFromInput(o.x, o.W, o.U, o.b, reshape(o.c0, [4, 2, 4]), o.c0)).toBeNull();
  });

  it('an LSTM layer gives the same bits without gradients as with them', () => {
    const layer = new LSTM(16, { returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = randn([8, 6, 12], { rng: new Random(5) });
    const withTape = layer.call(x);
    const spy = jest.spyOn(getKernels(), 'lstmSequence');
    try {
      const inference = noGrad(() => layer.call(x));
      expect(firstDifference(inference.data as Float32Array, withTape.data as Float32Array)).toBe(-1);
      expect(spy.mock.calls.map((c) => 'features' in c[0])).toEqual([true]);
    } finally {
      spy.mockRestore();
    }
  });
});
