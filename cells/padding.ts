/**
 * Keras masking inside the fused sequence ops. A padded step (mask 0) carries the state through
 * unchanged, so forward its rows are copied from the previous step, and backward the gradient
 * arriving there passes straight to the previous step while the step's own gates get none.
 * Each helper touches only the padded rows of step t of a [batch, time] mask.
 */
import type { Tensor, Storage } from '../engine/tensor';

function padded(mask: Tensor, r: number, t: number, time: number): boolean {
  return mask.data[r * time + t] === 0;
}

/** Forward: state_t = state_{t−1} on the padded rows (over what the step computed). */
export function carryPaddedRows(mask: Tensor, t: number, time: number, batch: number, units: number, previous: Storage, current: Storage): void {
  for (let r = 0; r < batch; r++) {
    if (padded(mask, r, t, time)) current.set(previous.subarray(r * units, (r + 1) * units), r * units);
  }
}

/** Backward: move the padded rows of d into `held` (zeros elsewhere) and zero them in d. */
export function holdPaddedRows(mask: Tensor, t: number, time: number, batch: number, units: number, d: Storage, held: Storage): void {
  held.fill(0);
  for (let r = 0; r < batch; r++) {
    if (!padded(mask, r, t, time)) continue;
    for (let j = r * units; j < (r + 1) * units; j++) {
      held[j] = d[j];
      d[j] = 0;
    }
  }
}

/** Backward: target += held (the pass-through to the previous step; held is zero on real rows). */
export function addHeldRows(held: Storage, target: Storage): void {
  for (let j = 0; j < held.length; j++) target[j] += held[j];
}
