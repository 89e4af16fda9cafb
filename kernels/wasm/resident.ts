/**
 * Planes a whole-sequence LSTM forward leaves in the matmul module's memory for its backward.
 *
 * The forward (./lstm-sequence.ts) computes seven planes per step in wasm memory, and the
 * backward (./lstm-sequence-backward.ts) reads six of them there again. Copying the gate planes
 * out after the forward and back in for the backward was, for W2, 16 MB out and 20 MB in per
 * training step, while between the two only ordinary products ran — and those lay out their
 * operands above `pinnedFloats`. So the forward leaves its planes where they are and raises
 * `pinnedFloats` past them ("resident"); the backward that comes for the same planes reads them
 * in place. Anything that needs that memory first — another sequence, a fixed right operand
 * pinned at 0, another backward — evicts them: `spill` copies them into the forward's own
 * arrays, where a later backward reads them as before. One set of planes is resident at a time.
 *
 * The planes are named by their owner: the object of saved arrays the forward was given (which
 * the backward is given too).
 */
import { existingInstance, type Instance } from './matmul';

export interface Resident {
  /** The forward's saved-planes object; its backward asks for the planes by it. */
  readonly owner: object;
  /** Float offset of the first plane. */
  readonly at: number;
  /** The first float past everything resident: products lay out from here while it lasts. */
  readonly end: number;
  /** Copy the planes into the owner's arrays, before anything else writes over them. */
  readonly spill: () => void;
}

/** Leave `r` resident (spilling the planes resident before, if any). */
export function keepResident(inst: Instance, r: Resident): void {
  evictResident(inst);
  inst.resident = r;
  inst.pinnedOwner = null;
  inst.pinnedFloats = r.end;
}

/** Make the memory below `pinnedFloats` free for a new layout: spill the resident planes, if any. */
export function evictResident(inst: Instance): void {
  const r = inst.resident;
  if (!r) return;
  inst.resident = null;
  r.spill();
}

/** The planes resident for `owner`, or null (never kept, or spilled since). */
export function residentFor(inst: Instance, owner: object): Resident | null {
  return inst.resident && inst.resident.owner === owner ? inst.resident : null;
}

/** Forget `owner`'s planes without copying them (its backward has read them and none will again). */
export function dropResident(inst: Instance, owner: object): void {
  if (!residentFor(inst, owner)) return;
  inst.resident = null;
  inst.pinnedFloats = 0;
}

/**
 * Copy `owner`'s planes into its arrays now, if they are resident: for a caller about to read
 * them there (a backward the kernel declines steps through the arrays).
 */
export function spillResident(owner: object): void {
  const inst = existingInstance();
  if (inst && residentFor(inst, owner)) evictResident(inst);
}

