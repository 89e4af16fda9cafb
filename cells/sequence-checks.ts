/**
 * Operand checks shared by the fused sequence ops (lstm-fused.ts, simple-rnn-fused.ts,
 * gru-fused.ts). Those ops are public and read their operands' storage directly, with offsets
 * computed from xW's shape, so an operand of the wrong shape would not fail: it would be read
 * past its end (undefined → NaN) or partly ignored. Every check runs once per sequence, before
 * the time loop, so it costs nothing next to the steps. Errors are OpErrors naming the op, the
 * operand and both shapes.
 */
import type { Tensor } from '../engine/tensor';
import { OpError, fmt } from '../engine/shape';

/** The sizes every per-step buffer is laid out by, read from xW [batch, time, gates·units]. */
export interface SequenceSizes {
  readonly batch: number;
  readonly time: number;
  readonly units: number;
}

/** A tensor must have exactly this shape (the message names the operand, its shape and the one expected). */
export function expectShape(op: string, name: string, t: Tensor, expected: readonly number[]): void {
  if (t.rank === expected.length && t.shape.every((d, i) => d === expected[i])) return;
  throw new OpError(op, `${name} has shape ${fmt(t.shape)}, expected ${fmt(expected)}`);
}

/** Every operand of one dtype: the loops mix their storages, so a float32 U under float64 xW would silently round. */
export function expectOneDtype(op: string, operands: readonly (readonly [string, Tensor | null])[]): void {
  const present = operands.filter((o): o is readonly [string, Tensor] => o[1] !== null);
  const dtype = present[0][1].dtype;
  if (present.every(([, t]) => t.dtype === dtype)) return;
  const list = present.map(([name, t]) => `${name} ${fmt(t.shape)} ${t.dtype}`).join(', ');
  throw new OpError(op, `dtypes differ: ${list} (cast with astype(x, dtype))`);
}

/**
 * The optional operands every fused op shares: a sequence with at least one step, the recurrent
 * dropout mask [batch, units] and the padding mask [batch, time].
 */
export function checkSequenceOptions(op: string, xW: Tensor, s: SequenceSizes, recurrentMask: Tensor | null, padding: Tensor | null): void {
  if (s.time === 0) throw new OpError(op, `the sequence xW ${fmt(xW.shape)} has no time steps`);
  if (recurrentMask) expectShape(op, 'recurrentMask', recurrentMask, [s.batch, s.units]);
  if (padding) expectShape(op, 'padding', padding, [s.batch, s.time]);
}
