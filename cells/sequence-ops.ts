/**
 * Two small ops on sequences [batch, time, …] the RNN layer needs: reversing time
 * (go_backwards) and taking one time step.
 */
import { Tensor, allocate, dtypeOf, type Storage } from '../engine/tensor';
import { record } from '../engine/tape';
import { OpError, fmt } from '../engine/shape';
import { slice, reshape } from '../engine/ops';

/** reverseTime(x)[b, t] = x[b, T−1−t];  its gradient is reversed back the same way. */
export function reverseTime(x: Tensor): Tensor {
  if (x.rank < 2) throw new OpError('reverseTime', `expected [batch, time, …], got ${fmt(x.shape)}`);
  const [batch, time] = x.shape;
  const inner = x.size / (batch * time);
  const flip = (src: Tensor): Tensor => {
    const out = new Tensor(allocate(src.dtype, src.size), src.shape);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < time; t++) {
        const from = (b * time + t) * inner;
        out.data.set(src.data.subarray(from, from + inner), (b * time + (time - 1 - t)) * inner);
      }
    }
    return out;
  };
  return record('reverseTime', [x], flip(x), (dOut) => [flip(dOut)]);
}

/** timeStep(x, t) = x[:, t] — [batch, time, u] → [batch, u] (a slice and a reshape). */
export function timeStep(x: Tensor, t: number): Tensor {
  const [batch, , units] = x.shape;
  return reshape(slice(x, [0, t, 0], [batch, 1, units]), [batch, units]);
}

/** The padding mask's column for step t as a constant [batch, 1] tensor of 0/1. */
export function maskColumn(mask: Tensor, t: number, dtype: Tensor['dtype']): Tensor {
  const [batch, time] = mask.shape;
  const col = allocate(dtype, batch);
  for (let b = 0; b < batch; b++) col[b] = mask.data[b * time + t] !== 0 ? 1 : 0;
  return new Tensor(col, [batch, 1]);
}

/**
 * The fused sequence ops keep h time-major, [time, batch, units] (one step's rows are one matmul
 * operand), and return it batch-major, [batch, time, units]: dst[b, t] = src[t, b]. Narrow rows
 * (W1 and W3: 20 units) are copied element by element — a view per row costs more than its copy.
 */
export function timeToBatchMajor(src: Storage, dst: Storage, time: number, batch: number, units: number): void {
  const n = batch * units;
  for (let t = 0; t < time; t++) {
    for (let r = 0; r < batch; r++) {
      const from = t * n + r * units;
      const to = (r * time + t) * units;
      if (units >= 64) dst.set(src.subarray(from, from + units), to);
      else for (let j = 0; j < units; j++) dst[to + j] = src[from + j];
    }
  }
}

/**
 * dh = dH[:, t] + dhNext: the gradient arriving at h_t in backpropagation through time — from
 * the layer's output at step t (dH batch-major, [batch, time, units]) and from step t + 1
 * through U (dhNext, [batch, units]). A function of its own, like writeStep, so that the engine
 * optimizes the loop once: inlined in a fused op's large backward closure it ran unoptimized
 * after each of the closure's deopts (measured on W2: 20 ms per training step instead of 3).
 */
export function gradientAtStep(dH: Storage, dhNext: Storage, t: number, time: number, batch: number, units: number, dh: Storage): void {
  for (let r = 0; r < batch; r++) {
    const src = (r * time + t) * units;
    const at = r * units;
    for (let j = 0; j < units; j++) dh[at + j] = dH[src + j] + dhNext[at + j];
  }
}

/** dst[:, t] = src: one step's rows ([batch, width]) into a batch-major [batch, time, width] buffer. */
export function writeStep(src: Storage, dst: Storage, t: number, time: number, batch: number, width: number): void {
  for (let r = 0; r < batch; r++) {
    const from = r * width;
    const to = (r * time + t) * width;
    if (width >= 64) dst.set(src.subarray(from, from + width), to);
    else for (let j = 0; j < width; j++) dst[to + j] = src[from + j];
  }
}

/** sums[j] += Σ_r rows[r, j] over `batch` rows of `width` (a bias's gradient, one step at a time). */
export function addColumnSums(rows: Storage, batch: number, width: number, sums: Storage): void {
  for (let r = 0; r < batch; r++) {
    const at = r * width;
    for (let j = 0; j < width; j++) sums[j] += rows[at + j];
  }
}

/**
 * [h_{t−1} | 1] for every (batch, time) row, [batch·time, units + 1] — the left operand of the
 * LSTM's [dU; db] = [h_{t−1} | 1]ᵀ·dz, whose column of ones makes db. Step t's h_{t−1} rows are
 * `first` at t = 0 and `rest` from (t − 1)·batch·units on (time-major, [batch, units] a step).
 */
export function previousWithOnes(first: Storage, rest: Storage, batch: number, time: number, units: number): Storage {
  const n = batch * units;
  const out = allocate(dtypeOf(first), batch * time * (units + 1));
  for (let r = 0; r < batch; r++) {
    for (let t = 0; t < time; t++) {
      const row = (r * time + t) * (units + 1);
      const from = t === 0 ? first : rest;
      const at = (t === 0 ? 0 : (t - 1) * n) + r * units;
      out.set(from.subarray(at, at + units), row);
      out[row + units] = 1;
    }
  }
  return out;
}

