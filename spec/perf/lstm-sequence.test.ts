/**
 * The whole-sequence LSTM forward on the wasm kernel (kernels/wasm/lstm-sequence.ts) against
 * stepping (matmulFixedRight + lstmGates per step): the same bits for every output and saved
 * plane, so also the same gradients — on one thread and shared with the helper thread, for
 * sizes with padded rows, one and two k-blocks of U, and a product too small to share.
 */
import { lstmSequence } from '../../cells/lstm-fused';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';
import { sum, mul, add } from '../../engine/ops';
import { noGrad } from '../../engine/tape';
import type { Tensor } from '../../engine/tensor';
import { useWasmLstmSequence } from '../../kernels/cpu/nn';
import { useWasmThreads, wasmSimdAvailable, helperChunksRun } from '../../kernels/wasm/matmul';
import { getKernels } from '../../kernels/registry';
import { firstDifference } from '../support/bits';

interface Run {
  readonly h: Float32Array;
  readonly c: Float32Array;
  readonly grads: Float32Array[];
}


function run(batch: number, time: number, units: number, whole: boolean, grad: boolean): Run {
  const was = useWasmLstmSequence(whole);
  try {
    const rng = new Random(batch * 1000 + units);
    const xW = randn([batch, time, 4 * units], { rng, requiresGrad: grad });
    const U = randn([units, 4 * units], { rng, std: 1 / Math.sqrt(units), requiresGrad: grad });
    const b = randn([4 * units], { rng, std: 0.1, requiresGrad: grad });
    const h0 = randn([batch, units], { rng, std: 0.5, requiresGrad: grad });
    const c0 = randn([batch, units], { rng, std: 0.5, requiresGrad: grad });
    const inputs: Tensor[] = [xW, U, b, h0, c0];
    if (!grad) {
      const out = noGrad(() => lstmSequence(xW, U, b, h0, c0));
      return { h: out.h.data as Float32Array, c: out.c.data as Float32Array, grads: [] };
    }
    const out = lstmSequence(xW, U, b, h0, c0);
    const pr = new Random(7);
    add(sum(mul(out.h, randn(out.h.shape, { rng: pr }))), sum(mul(out.c, randn(out.c.shape, { rng: pr })))).backward();
    return { h: out.h.data as Float32Array, c: out.c.data as Float32Array, grads: inputs.map((x) => x.grad!.data as Float32Array) };
  } finally {
    useWasmLstmSequence(was);
  }
}

const maybe = wasmSimdAvailable() && getKernels().lstmSequence ? describe : describe.skip;

maybe('LSTM forward as one wasm call (float32)', () => {
  // [batch, time, units]: W1's size; padded rows (batch 3, 33); U in two k-blocks (units 260 > 256);
  // W2's width, large enough to share with the helper thread.
  const sizes: [number, number, number][] = [[32, 6, 20], [3, 4, 8], [33, 2, 260], [16, 3, 256]];
  for (const threads of [false, true]) {
    it.each(sizes)(`batch %i, time %i, units %i: the same bits as stepping, values and gradients (threads ${threads})`, (batch, time, units) => {
      const was = useWasmThreads(threads);
      const k = getKernels();
      const forward = jest.spyOn(k, 'lstmSequence');
      const backward = jest.spyOn(k, 'lstmSequenceBackward');
      try {
        for (const grad of [false, true]) {
          const stepped = run(batch, time, units, false, grad);
          const whole = run(batch, time, units, true, grad);
          expect(firstDifference(whole.h, stepped.h)).toBe(-1);
          expect(firstDifference(whole.c, stepped.c)).toBe(-1);
          expect(whole.grads.length).toBe(stepped.grads.length);
          whole.grads.forEach((g, q) => expect([q, firstDifference(g, stepped.grads[q])]).toEqual([q, -1]));
          expect(whole.h.every(Number.isFinite)).toBe(true);
          expect(whole.h.some((v) => v !== 0)).toBe(true);
        }
        // The whole-sequence calls ran (they return false where they do not take the case).
        expect(forward.mock.results.filter((r) => r.value === true).length).toBe(2);
        expect(backward.mock.results.filter((r) => r.value === true).length).toBe(1);
      } finally {
        forward.mockRestore();
        backward.mockRestore();
        useWasmThreads(was);
      }
    });
  }

  it('shares the forward and backward steps with the helper thread when the product is large', () => {
    const was = useWasmThreads(true);
    try {
      const before = helperChunksRun();
      // The helper may not get a core at once on a busy machine: a few sequences give it the chance.
      for (let i = 0; i < 20; i++) {
        run(16, 6, 256, true, true);
        const now = helperChunksRun();
        if (now[1] > before[1] && now[2] > before[2]) break;
      }
      const after = helperChunksRun();
      expect(after[1]).toBeGreaterThan(before[1]); // forward steps (kind 1)
      expect(after[2]).toBeGreaterThan(before[2]); // backward gate phases (kind 2)
    } finally {
      useWasmThreads(was);
    }
  });

  it('is taken for float32 LSTMs with units a multiple of 4 and not otherwise', () => {
    const k = getKernels();
    const planes = (n: number) => ({ i: new Float32Array(n), f: new Float32Array(n), g: new Float32Array(n), o: new Float32Array(n),
      c: new Float32Array(n), tanhC: new Float32Array(n), h: new Float32Array(n) });
    const f = (batch: number, time: number, units: number) => k.lstmSequence!(new Float32Array(batch * time * 4 * units),
      new Float32Array(4 * units * units), new Float32Array(4 * units), new Float32Array(batch * units), new Float32Array(batch * units),
      batch, time, units, planes(batch * time * units));
    expect(f(8, 2, 8)).toBe(true);
    expect(f(8, 2, 10)).toBe(false); // not whole blocks of four units
    expect(f(8, 0, 8)).toBe(false);
    const d = new Float64Array(8 * 2 * 32);
    const p64 = { i: d, f: d, g: d, o: d, c: d, tanhC: d, h: d };
    expect(k.lstmSequence!(d, new Float64Array(256), new Float64Array(32), new Float64Array(64), new Float64Array(64), 8, 2, 8, p64)).toBe(false);
  });
});
