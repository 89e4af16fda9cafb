/**
 * Inference through the plain simple RNN (tanh) without an x·W tensor, as ./lstm-from-input.ts
 * does for the LSTM: when no backward will come, the kernel is handed x and W and forms x·W
 * where the steps read it (kernels/wasm/sequence-memory.ts), and writes the output batch-major.
 * The layer's own matmul wrote x·W out of wasm memory into a new tensor that the sequence call
 * copied straight back in; at W3's size (32 × 50 × 20) that round trip, the allocation and the
 * closing-up of 20-float rows were about a tenth of a forward. The same sums in the same order
 * as matmul then simpleRnnSequence: the same bits (spec/perf/rnn-sequence.test.ts).
 */
import { Tensor, allocate } from '../engine/tensor';
import { record, isGradEnabled } from '../engine/tape';
import { OpError } from '../engine/shape';
import { getKernels } from '../kernels/registry';

/**
 * simpleRnnSequence(matmul(x, W), U, b, h0, { activation: 'tanh' }) where no gradient will be
 * asked for and the kernels take the case; null otherwise, and for any shape it does not expect
 * (the caller goes the usual way, whose checks name what is wrong).
 */
export function simpleRnnInferenceFromInput(x: Tensor, W: Tensor, U: Tensor, b: Tensor, h0: Tensor): Tensor | null {
  const k = getKernels();
  const inputs = [x, W, U, b, h0];
  if (!k.simpleRnnSequence || (isGradEnabled() && inputs.some((t) => t.requiresGrad))) return null;
  if (x.rank !== 3 || W.rank !== 2 || U.rank !== 2 || b.rank !== 1 || h0.rank !== 2) return null;
  const [batch, time, features] = x.shape;
  const units = U.shape[0];
  const shapesAgree = W.shape[0] === features && W.shape[1] === units && U.shape[1] === units && b.size === units &&
    h0.shape[0] === batch && h0.shape[1] === units;
  if (!shapesAgree || inputs.some((t) => t.dtype !== x.dtype)) return null;
  const H = new Tensor(allocate(x.dtype, batch * time * units), [batch, time, units]);
  if (!k.simpleRnnSequence({ x: x.data, W: W.data, features }, U.data, b.data, h0.data, batch, time, units, null, H.data)) return null;
  // On the tape's terms an op like any other (anomaly checks see its output); it records nothing.
  return record('simpleRnnSequence', inputs, H, () => { throw new OpError('simpleRnnSequence', 'no backward was planned for a call without gradients'); });
}
