/**
 * The gate planes a whole-sequence LSTM forward leaves in wasm memory for its backward
 * (kernels/wasm/resident.ts): the gradients are the same bits as stepping (no wasm sequence at
 * all) whatever happens between the forward and the backward — another sequence, a product
 * against a pinned fixed operand, a switch that makes the backward step through the arrays, a
 * second backward through a retained graph, or a rebuilt module — and the planes are let go
 * after the last backward that reads them.
 */
import { lstmSequence } from '../../cells/lstm-fused';
import { randn } from '../../engine/creation';
import { Random } from '../../engine/random';
import { sum, mul, add } from '../../engine/ops';
import type { Tensor } from '../../engine/tensor';
import { useWasmLstmSequence } from '../../kernels/cpu/nn';
import { wasmSimdAvailable, existingInstance, useRelaxedSimd } from '../../kernels/wasm/matmul';
import { relaxedSimdAvailable } from '../../kernels/wasm/relaxed';
import { getKernels } from '../../kernels/registry';
import { firstDifference } from '../support/bits';

/** Inputs of one LSTM sequence (seeded), all requiring gradients. */
function inputs(seed: number, batch = 8, time = 4, units = 16): Tensor[] {
  const rng = new Random(seed);
  return [
    randn([batch, time, 4 * units], { rng, requiresGrad: true }),
    randn([units, 4 * units], { rng, std: 1 / Math.sqrt(units), requiresGrad: true }),
    randn([4 * units], { rng, std: 0.1, requiresGrad: true }),
    randn([batch, units], { rng, std: 0.5, requiresGrad: true }),
    randn([batch, units], { rng, std: 0.5, requiresGrad: true }),
  ];
}

/** A scalar loss of the sequence's outputs (fixed random weights). */
function loss(xs: Tensor[]): Tensor {
  const [xW, U, b, h0, c0] = xs;
  const out = lstmSequence(xW, U, b, h0, c0);
  const pr = new Random(11);
  return sum(mul(out.h, randn(out.h.shape, { rng: pr })));
}

const grads = (xs: Tensor[]): Float32Array[] => xs.map((x) => x.grad!.data as Float32Array);

/** The gradients of one sequence by stepping: the reference. */
function stepped(seed: number): Float32Array[] {
  const was = useWasmLstmSequence(false);
  try {
    const xs = inputs(seed);
    loss(xs).backward();
    return grads(xs);
  } finally {
    useWasmLstmSequence(was);
  }
}

function expectSame(got: Float32Array[], want: Float32Array[]): void {
  got.forEach((g, q) => expect([q, firstDifference(g, want[q])]).toEqual([q, -1]));
}

const maybe = wasmSimdAvailable() && getKernels().lstmSequence ? describe : describe.skip;

maybe('LSTM gate planes resident in wasm memory between forward and backward', () => {
  it('are resident after a forward that will have a backward, read in place, then let go', () => {
    const xs = inputs(1);
    const l = loss(xs);
    expect(existingInstance()!.resident).not.toBeNull();
    l.backward();
    expect(existingInstance()!.resident).toBeNull();
    expectSame(grads(xs), stepped(1));
  });

  it('another sequence in between spills the first: both backwards right', () => {
    const a = inputs(2);
    const b = inputs(3);
    const total = add(loss(a), loss(b)); // b's forward evicts a's planes
    total.backward(); // b's backward in place, a's from its arrays
    expectSame(grads(a), stepped(2));
    expectSame(grads(b), stepped(3));
  });

  it('a product against a pinned fixed operand in between spills them', () => {
    const xs = inputs(4);
    const l = loss(xs);
    const fixed = getKernels().matmulFixedRight(new Float32Array(64 * 64).fill(0.5), 64, 64, false);
    fixed.run(new Float32Array(16 * 64).fill(1), 16, new Float32Array(16 * 64), null);
    expect(existingInstance()!.resident).toBeNull();
    l.backward();
    expectSame(grads(xs), stepped(4));
  });

  it('a backward that steps (the wasm path switched off in between) reads them from the arrays', () => {
    const xs = inputs(5);
    const l = loss(xs);
    const was = useWasmLstmSequence(false);
    try {
      l.backward();
    } finally {
      useWasmLstmSequence(was);
    }
    expect(existingInstance()!.resident).toBeNull();
    expectSame(grads(xs), stepped(5));
  });

  it('a retained graph keeps them for the second backward (twice the gradients)', () => {
    const xs = inputs(6);
    const l = loss(xs);
    l.backward(undefined, { retainGraph: true });
    expect(existingInstance()!.resident).not.toBeNull();
    const once = grads(xs).map((g) => g.slice());
    l.backward();
    expect(existingInstance()!.resident).toBeNull();
    const twice = grads(xs);
    twice.forEach((g, q) => expect([q, firstDifference(g, once[q].map((v) => 2 * v))]).toEqual([q, -1]));
  });

  (relaxedSimdAvailable() ? it : it.skip)('a rebuilt module (relaxed SIMD switched) spills them first', () => {
    // The reference spills by a pinned product before the switch; the run under test lets the switch do it.
    const run = (spillFirst: boolean): Float32Array[] => {
      const xs = inputs(7);
      const l = loss(xs); // with the fused multiply-add
      if (spillFirst) getKernels().matmulFixedRight(new Float32Array(64).fill(1), 8, 8, false).run(new Float32Array(64), 8, new Float32Array(64), null);
      const was = useRelaxedSimd(false);
      try {
        l.backward(); // a new module and memory: the planes must come from the arrays
      } finally {
        useRelaxedSimd(was);
      }
      return grads(xs);
    };
    const want = run(true);
    expectSame(run(false), want);
  });
});
