/**
 * Inference through the plain LSTM without an x·W tensor. lstmSequence (./lstm-fused.ts) takes
 * x·W for all steps as its input, which the layer computes with one matmul: in the wasm kernel
 * that product's C is copied out of wasm memory into a new [batch, time, 4u] tensor and then
 * copied back in by the sequence call — for W2 (64 × 50 × 1024) two copies of 13 MB and an
 * allocation of 13 MB per forward. When no backward will come, nothing needs that tensor, so the
 * kernel is handed x and W instead and forms the product where the steps read it
 * (kernels/wasm/sequence-memory.ts): the same sums in the same order as the matmul it replaces,
 * so the values are the same bits (spec/perf/lstm-sequence.test.ts).
 */
import { Tensor, allocate } from '../engine/tensor';
import { record, isGradEnabled } from '../engine/tape';
import { OpError } from '../engine/shape';
import { getKernels } from '../kernels/registry';
import { timeToBatchMajor } from './sequence-ops';
import type { LstmSequenceResult } from './lstm-fused';

/**
 * lstmSequence(matmul(x, W), U, b, h0, c0) with the logistic sigmoid and no masks, where no
 * gradient will be asked for (noGrad, or no input requires one) and the kernels take the case.
 * Returns null otherwise — and for any shape it does not expect: the caller then goes the usual
 * way, whose checks name what is wrong.
 */
export function lstmInferenceFromInput(x: Tensor, W: Tensor, U: Tensor, b: Tensor, h0: Tensor, c0: Tensor): LstmSequenceResult | null {
  const k = getKernels();
  const inputs = [x, W, U, b, h0, c0];
  if (!k.lstmSequence || (isGradEnabled() && inputs.some((t) => t.requiresGrad))) return null;
  if (x.rank !== 3 || W.rank !== 2 || U.rank !== 2 || b.rank !== 1 || h0.rank !== 2 || c0.rank !== 2) return null;
  const [batch, time, features] = x.shape;
  const units = U.shape[0];
  const u4 = 4 * units;
  const shapesAgree = W.shape[0] === features && W.shape[1] === u4 && U.shape[1] === u4 && b.size === u4 &&
    h0.shape[0] === batch && h0.shape[1] === units && c0.shape[0] === batch && c0.shape[1] === units;
  if (!shapesAgree || inputs.some((t) => t.dtype !== x.dtype)) return null;
  const n = batch * units;
  const dtype = x.dtype;
  // The gate planes are one step's scratch (nothing reads them after); c and h are kept for every step.
  const saved = {
    i: allocate(dtype, n), f: allocate(dtype, n), g: allocate(dtype, n), o: allocate(dtype, n), tanhC: allocate(dtype, n),
    c: allocate(dtype, time * n), h: allocate(dtype, time * n),
  };
  if (!k.lstmSequence({ x: x.data, W: W.data, features }, U.data, b.data, h0.data, c0.data, batch, time, units, saved)) return null;
  const H = new Tensor(allocate(dtype, batch * time * units), [batch, time, units]);
  timeToBatchMajor(saved.h, H.data, time, batch, units);
  const cT = new Tensor(saved.c.slice((time - 1) * n, time * n), [batch, units]);
  // On the tape's terms this is an op like any other (anomaly checks see its output); it records nothing.
  const h = record('lstmSequence', inputs, H, () => { throw new OpError('lstmSequence', 'no backward was planned for a call without gradients'); });
  return { h, c: cT };
}
