/**
 * The vanishing-gradient picture: ‖∂L/∂h_t‖ against t for the first recurrent layer of a model.
 *
 * The layer is unrolled here step by step, and a zero tensor p_t that requires a gradient is
 * added to each hidden state: h'_t = h_t + p_t. Then ∂L/∂p_t = ∂L/∂h_t — the total derivative
 * through every later step — and backward() delivers it in p_t.grad.
 */
import { Tensor } from '../engine/tensor';
import { zeros } from '../engine/creation';
import { add, mse } from '../engine/ops';
import { timeStep } from '../cells/sequence-ops';
import { NO_MASKS } from '../cells/cell';
import { RNN } from '../cells/rnn';
import type { Sequential } from '../train/model';

/** Mean over the batch of ‖∂L/∂h_t‖₂, for t = 0 … T−1 (L = the model's MSE on (x, y)). */
export function hiddenGradientNorms(model: Sequential, x: Tensor, y: Tensor): number[] {
  const [first, ...head] = model.layers;
  if (!(first instanceof RNN) || first.returnsSequences) {
    throw new Error('hiddenGradientNorms: the model must start with a recurrent layer that returns its last step');
  }
  const cell = first.cell;
  const [batch, time] = x.shape;
  const projected = cell.projectInput(x, null);
  let states: Tensor[] = Array.from({ length: cell.stateCount }, () => zeros([batch, cell.units], { dtype: cell.dtype }));
  const probes: Tensor[] = [];
  for (let t = 0; t < time; t++) {
    states = cell.step(timeStep(projected, t), states, NO_MASKS);
    const probe = zeros([batch, cell.units], { dtype: cell.dtype, requiresGrad: true });
    probes.push(probe);
    states = [add(states[0], probe), ...states.slice(1)];
  }
  let out = states[0];
  for (const layer of head) out = layer.call(out);
  mse(out, y).backward();
  for (const w of model.weights()) w.tensor.grad = null; // this was a measurement, not a training step
  return probes.map((p) => {
    const g = p.grad;
    if (!g) return 0;
    let total = 0;
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let u = 0; u < cell.units; u++) s += g.data[b * cell.units + u] ** 2;
      total += Math.sqrt(s);
    }
    return total / batch;
  });
}
