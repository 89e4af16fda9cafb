/**
 * The plain LSTM from x and W as one tape entry (cells/lstm-from-input.ts): x·W formed inside
 * the sequence call (kernels/wasm/sequence-memory.ts), and dU, db, dW and dx formed from dXW
 * inside the backward (kernels/wasm/lstm-sequence-backward.ts) — against matmul then
 * lstmSequence: the same bits for every output and every gradient, on one thread and with the
 * helper, with padded rows (batch·time not a multiple of 4), features 1, 7, 64 and 300 (two
 * k-blocks), W2's width, and a size whose weight products are too small for the wasm kernel
 * (the matmul kernel forms them instead). Through the layer: the same bits with and without
 * gradients, and one tape entry where there were two.
 */
import { lstmSequence } from '../../cells/lstm-fused';
import { lstmFromInput } from '../../cells/lstm-from-input';
import { LSTM } from '../../cells/recurrent-layers';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';
import { matmul, reshape, sum, mul, add } from '../../engine/ops';
import { noGrad, tapeOf } from '../../engine/tape';
import type { Tensor } from '../../engine/tensor';
import { useWasmThreads, wasmSimdAvailable } from '../../kernels/wasm/matmul';
import { getKernels } from '../../kernels/registry';
import { firstDifference } from '../support/bits';

function operands(batch: number, time: number, features: number, units: number, requiresGrad = false): Tensor[] {
  const rng = new Random(batch * 7919 + features * 31 + units);
  return [
    randn([batch, time, features], { rng, requiresGrad }),
    randn([features, 4 * units], { rng, std: 1 / Math.sqrt(features), requiresGrad }),
    randn([units, 4 * units], { rng, std: 1 / Math.sqrt(units), requiresGrad }),
    randn([4 * units], { rng, std: 0.1, requiresGrad }),
    randn([batch, units], { rng, std: 0.5, requiresGrad }),
    randn([batch, units], { rng, std: 0.5, requiresGrad }),
  ];
}

/** Outputs and (with grad) the gradients of every input, by one path or the other. */
function run(size: [number, number, number, number], fromInput: boolean, grad: boolean): Float32Array[] {
  const [x, W, U, b, h0, c0] = operands(...size, grad);
  const go = () => (fromInput ? lstmFromInput(x, W, U, b, h0, c0) : lstmSequence(matmul(x, W), U, b, h0, c0));
  if (!grad) {
    const out = noGrad(go)!;
    return [out.h.data as Float32Array, out.c.data as Float32Array];
  }
  const out = go()!;
  const pr = new Random(7);
  add(sum(mul(out.h, randn(out.h.shape, { rng: pr }))), sum(mul(out.c, randn(out.c.shape, { rng: pr })))).backward();
  return [out.h.data as Float32Array, out.c.data as Float32Array, ...[x, W, U, b, h0, c0].map((t) => t.grad!.data as Float32Array)];
}

const maybe = wasmSimdAvailable() && getKernels().lstmSequence && getKernels().lstmSequenceBackward ? describe : describe.skip;

maybe('LSTM from x and W as one tape entry', () => {
  // [batch, time, features, units]
  const sizes: [number, number, number, number][] = [[32, 5, 1, 20], [3, 3, 7, 8], [5, 4, 300, 16], [16, 3, 64, 256]];
  for (const threads of [false, true]) {
    it.each(sizes)(`batch %i, time %i, features %i, units %i: the same bits as matmul then lstmSequence, values and gradients (threads ${threads})`,
      (batch, time, features, units) => {
        const was = useWasmThreads(threads);
        const forward = jest.spyOn(getKernels(), 'lstmSequence');
        const backward = jest.spyOn(getKernels(), 'lstmSequenceBackward');
        try {
          for (const grad of [false, true]) {
            const want = run([batch, time, features, units], false, grad);
            const got = run([batch, time, features, units], true, grad);
            expect(got.length).toBe(want.length);
            got.forEach((g, q) => expect([q, firstDifference(g, want[q])]).toEqual([q, -1]));
            expect(got[0].some((v) => v !== 0)).toBe(true);
          }
          // the from-input calls handed the kernel x and W, and asked the backward for the weight gradients
          expect(forward.mock.calls.map((c) => 'features' in c[0])).toEqual([false, true, false, true]);
          expect(forward.mock.results.every((r) => r.value === true)).toBe(true);
          const asked = backward.mock.calls.map((c) => c[10] !== undefined);
          expect(asked[0]).toBe(false);
          expect(asked[1]).toBe(true);
          expect(backward.mock.results.map((r) => r.value)).toEqual([true, true]);
        } finally {
          forward.mockRestore();
          backward.mockRestore();
          useWasmThreads(was);
        }
      });
  }

  it('where the kernel leaves the weight products to the matmul kernel: dXW alone, then the same products, the same bits', () => {
    const k = getKernels();
    const original = k.lstmSequenceBackward!.bind(k);
    const backward = jest.spyOn(k, 'lstmSequenceBackward').mockImplementation((...args) => (args[10] ? false : original(...args)));
    try {
      const want = run([6, 4, 3, 8], false, true);
      const got = run([6, 4, 3, 8], true, true);
      got.forEach((g, q) => expect([q, firstDifference(g, want[q])]).toEqual([q, -1]));
      expect(backward.mock.calls.map((c) => c[10] !== undefined)).toEqual([false, true, false]);
    } finally {
      backward.mockRestore();
    }
  });

  it('declines a frozen U, and shapes that are not its own (the usual path reports them)', () => {
    const [x, W, U, b, h0, c0] = operands(4, 3, 5, 8, true);
    U.requiresGrad = false;
    expect(lstmFromInput(x, W, U, b, h0, c0)).toBeNull();
    const o = operands(4, 3, 5, 8);
    expect(lstmFromInput(o[0], o[2], o[2], o[3], o[4], o[5])).toBeNull(); // W [8, 32] for 5 features
    expect(lstmFromInput(o[0], o[1], o[2], o[3], reshape(o[5], [4, 2, 4]), o[5])).toBeNull();
  });

  it('an LSTM layer: one tape entry from its input, and the same bits without gradients as with them', () => {
    const layer = new LSTM(16, { returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = randn([8, 6, 12], { rng: new Random(5), requiresGrad: true });
    const withTape = layer.call(x);
    expect(tapeOf(withTape).map((e) => e.op)).toEqual(['lstmSequence']);
    const inference = noGrad(() => layer.call(x));
    expect(firstDifference(inference.data as Float32Array, withTape.data as Float32Array)).toBe(-1);
  });
});
