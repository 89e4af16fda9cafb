/**
 * The plain LSTM layer's sequence from its input: lstmSequence(x·W, U, b, h0, c0) as ONE tape
 * entry whose inputs are x and W themselves, where the kernels run the whole sequence in their
 * own memory (kernels/wasm/lstm-sequence.ts and lstm-sequence-backward.ts).
 *
 * Why: lstmSequence (./lstm-fused.ts) takes x·W for all steps as a tensor the layer makes with
 * one matmul. On the wasm kernel that tensor went out of wasm memory and straight back in — for
 * W2 (64 × 50 × 1024 floats) 13 MB copied out, allocated and copied in per forward — and its
 * gradient dXW likewise in the backward, then in again for each of the three products the
 * layer's backward makes of it (dU, dW and dx). Here the kernel forms x·W where the steps read
 * it, and forms [dU; db] = [h_{t−1} | 1]ᵀ·dXW, dW = xᵀ·dXW and dx = dXW·Wᵀ while it holds dXW.
 * Each product is the one the matmul kernel would run (same packing, same sums), so values and
 * gradients are the same bits as matmul then lstmSequence (spec/perf/lstm-from-input.test.ts).
 */
import { Tensor, allocate, type Storage } from '../engine/tensor';
import { record, isGradEnabled, retainingGraph } from '../engine/tape';
import { OpError } from '../engine/shape';
import { getKernels } from '../kernels/registry';
import type { LstmSequenceResult } from './lstm-fused';
import { previousWithOnes } from './sequence-ops';

/**
 * lstmSequence(matmul(x, W), U, b, h0, c0) with the logistic sigmoid and no masks or peepholes.
 * Returns null where the kernels do not run the whole sequence, where U is frozen (db is then a
 * column sum, not a product), or for any shape it does not expect: the caller then goes the
 * usual way, whose checks name what is wrong.
 */
export function lstmFromInput(x: Tensor, W: Tensor, U: Tensor, b: Tensor, h0: Tensor, c0: Tensor): LstmSequenceResult | null {
  const k = getKernels();
  const inputs = [x, W, U, b, h0, c0];
  const backwardComes = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  if (!k.lstmSequence || (backwardComes && (!k.lstmSequenceBackward || !U.requiresGrad))) return null;
  if (x.rank !== 3 || W.rank !== 2 || U.rank !== 2 || b.rank !== 1 || h0.rank !== 2 || c0.rank !== 2) return null;
  const [batch, time, features] = x.shape;
  const units = U.shape[0];
  const u4 = 4 * units;
  const shapesAgree = W.shape[0] === features && W.shape[1] === u4 && U.shape[1] === u4 && b.size === u4 &&
    h0.shape[0] === batch && h0.shape[1] === units && c0.shape[0] === batch && c0.shape[1] === units;
  if (!shapesAgree || inputs.some((t) => t.dtype !== x.dtype)) return null;
  const n = batch * units;
  const dtype = x.dtype;
  // What the backward reads is kept for every step; without one, each plane gets only the last
  // step (c_T is an output), and the kernel writes the output H itself, batch-major.
  const steps = backwardComes ? time : 1;
  const saved = {
    i: allocate(dtype, steps * n), f: allocate(dtype, steps * n), g: allocate(dtype, steps * n), o: allocate(dtype, steps * n),
    tanhC: allocate(dtype, steps * n), c: allocate(dtype, steps * n), h: allocate(dtype, steps * n),
  };
  const H = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]);
  if (!k.lstmSequence({ x: x.data, W: W.data, features }, U.data, b.data, h0.data, c0.data, batch, time, units, saved, H.data)) return null;
  const cT = new Tensor(backwardComes ? saved.c.slice((time - 1) * n, time * n) : saved.c, [batch, units]);
  if (!backwardComes) {
    // On the tape's terms an op like any other (anomaly checks see its output); it records nothing.
    const h = record('lstmSequence', inputs, H, () => { throw new OpError('lstmSequence', 'no backward was planned for a call without gradients'); });
    return { h, c: cT };
  }

  // The gradient arriving at c_T comes through the side entry below, which the tape runs first.
  let dcLast: Storage | null = null;
  const backward = (dH: Tensor): (Tensor | null)[] => {
    const rows = batch * time;
    const dc = allocate(dtype, n);
    if (dcLast) dc.set(dcLast);
    dcLast = null; // consumed: a later backward through a retained graph starts afresh
    const dh0 = allocate(dtype, n);
    const hOne = previousWithOnes(h0.data, saved.h, batch, time, units); // [h_{t−1} | 1]: its last column makes db
    const dUb = allocate(dtype, (units + 1) * u4);
    const dW = W.requiresGrad ? allocate(dtype, features * u4) : null;
    const dx = x.requiresGrad ? allocate(dtype, rows * features) : null;
    const weights = { hOne, dUb, x: x.data, W: W.data, features, dW, dx };
    if (!k.lstmSequenceBackward!(U.data, c0.data, saved, dH.data, batch, time, units, null, dh0, dc, weights, retainingGraph())) {
      // The kernel leaves these products to the matmul kernel (too small for its own): the same ones here.
      const dXW = allocate(dtype, rows * u4);
      if (!k.lstmSequenceBackward!(U.data, c0.data, saved, dH.data, batch, time, units, dXW, dh0, dc, undefined, retainingGraph())) {
        throw new OpError('lstmSequence', 'the kernels ran this sequence\'s forward but decline its backward (was the wasm path switched off in between?)');
      }
      k.matmul(hOne, dXW, dUb, { batch: 1, m: units + 1, n: u4, k: rows, transA: true, transB: false, batchB: false });
      if (dW) k.matmul(x.data, dXW, dW, { batch: 1, m: features, n: u4, k: rows, transA: true, transB: false, batchB: true });
      if (dx) k.matmul(dXW, W.data, dx, { batch: 1, m: rows, n: features, k: u4, transA: false, transB: true, batchB: true });
    }
    return [
      dx && new Tensor(dx, x.shape), dW && new Tensor(dW, W.shape),
      new Tensor(dUb.subarray(0, units * u4), U.shape), b.requiresGrad ? new Tensor(dUb.slice(units * u4), b.shape) : null,
      h0.requiresGrad ? new Tensor(dh0, h0.shape) : null, c0.requiresGrad ? new Tensor(dc, c0.shape) : null,
    ];
  };
  const h = record('lstmSequence', inputs, H, backward);
  // Side output: c_T depends on H on the tape, so its (trivial) rule runs first and hands dc_T over.
  const c = record('lstmSequence.c', [h], cT, (dcT) => {
    dcLast = dcT.data;
    return [new Tensor(allocate(dtype, H.size), H.shape)];
  });
  return { h, c };
}
