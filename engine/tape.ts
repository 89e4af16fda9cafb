/**
 * The tape: every op on a tensor that requires gradients records one entry — the op's name,
 * its inputs, its output and its backward rule. backward() sorts the entries reachable from
 * the output in topological order and walks them in reverse.
 *
 * Backward rules *return* the gradients of their inputs; this file is the one place where
 * gradients are accumulated, and it checks every returned shape.
 */
import type { Tensor, Storage } from './tensor';
import { sameShape, fmt, OpError } from './shape';
import { getKernels } from '../kernels/registry';
import type { DeviceArray } from '../kernels/kernel';

/** A backward rule: the gradient of the output in, one gradient per input out (null = none). */
export type BackwardRule = (dOut: Tensor) => readonly (Tensor | null)[];
/** The rule of an op with several outputs: one gradient per output in (null where none arrived). */
export type MultiBackwardRule = (dOuts: readonly (Tensor | null)[]) => readonly (Tensor | null)[];

export interface TapeEntry {
  readonly op: string;
  inputs: readonly Tensor[];
  /** The output (the first one, for an op with several). */
  readonly output: Tensor;
  backward: BackwardRule | null;
  /** An op with several outputs (split, unstack): all of them, and the rule that takes all their gradients. */
  readonly outputs?: readonly Tensor[];
  backwardMany?: MultiBackwardRule | null;
  /** Set once backward has run through this entry and freed it. */
  released: boolean;
  /** Where the op was called (a stack trace), captured only while anomaly detection is on. */
  createdAt?: string;
}

/**
 * What anomaly detection (engine/anomaly.ts) plugs into the tape. While it is off the hooks are
 * null and each op pays one null check, nothing more.
 */
export interface AnomalyHooks {
  /** Called for every op's forward output (recorded or not); throws on NaN/Inf. */
  forward(op: string, inputs: readonly Tensor[], output: Tensor): void;
  /** A stack trace of the current call, stored on the entry for the backward check's message. */
  capture(): string;
  /** Called with the gradients a backward rule returned; throws on NaN/Inf. */
  backward(entry: TapeEntry, inputGrads: readonly (Tensor | null)[]): void;
  /** Called with the dOut given to backward(); throws on NaN/Inf. */
  seed(dOut: Tensor): void;
}

let anomaly: AnomalyHooks | null = null;
/** True while backward rules run: ops they call are part of a backward step, not a forward one. */
let inBackward = false;

/** Install (or remove, with null) the anomaly-detection hooks. */
export function setAnomalyHooks(hooks: AnomalyHooks | null): void {
  anomaly = hooks;
}

let gradEnabled = true;

/** Is recording on? (It is off inside noGrad and while backward rules run.) */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording anything on the tape (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

// #region record
/** Record an op on the tape if any of its inputs requires a gradient; returns the output. */
export function record(op: string, inputs: readonly Tensor[], output: Tensor, backward: BackwardRule): Tensor {
  if (anomaly !== null && !inBackward) anomaly.forward(op, inputs, output);
  if (!gradEnabled) return output;
  let needed = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) needed = true;
  if (!needed) return output;
  output.requiresGrad = true;
  output.entry = { op, inputs, output, backward, released: false };
  if (anomaly !== null) output.entry.createdAt = anomaly.capture();
  return output;
}
// #endregion record

/**
 * Record an op with several outputs as one entry (split: its backward is one concat of the
 * parts' gradients, not one scatter per part). Each output's `entry` is that entry.
 */
export function recordMany(op: string, inputs: readonly Tensor[], outputs: Tensor[], backward: MultiBackwardRule): Tensor[] {
  if (anomaly !== null && !inBackward) for (const o of outputs) anomaly.forward(op, inputs, o);
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad) || outputs.length === 0) return outputs;
  const entry: TapeEntry = { op, inputs, output: outputs[0], backward: null, outputs, backwardMany: backward, released: false };
  if (anomaly !== null) entry.createdAt = anomaly.capture();
  for (const o of outputs) {
    o.requiresGrad = true;
    o.entry = entry;
  }
  return outputs;
}

// #region topological-sort
/** The entries that produced `root`, in topological order (inputs before outputs). */
export function tapeOf(root: Tensor): TapeEntry[] {
  const order: TapeEntry[] = [];
  const seen = new Set<TapeEntry>();
  // Iterative depth-first search: a long unrolled sequence makes a deep graph.
  const stack: { entry: TapeEntry; next: number }[] = [];
  if (root.entry) {
    stack.push({ entry: root.entry, next: 0 });
    seen.add(root.entry);
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next < top.entry.inputs.length) {
      const child = top.entry.inputs[top.next++].entry;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push({ entry: child, next: 0 });
      }
    } else {
      order.push(top.entry);
      stack.pop();
    }
  }
  return order;
}
// #endregion topological-sort

let retaining = false;
/** Whether the backward now running keeps the graph for another pass ({ retainGraph: true });
 * if not, a rule may let go of what it holds (a kernel's saved planes). */
export function retainingGraph(): boolean {
  return retaining;
}

/** Walk the tape backwards from `root`, accumulating leaf gradients into `.grad`. */
export function runBackward(root: Tensor, dOut: Tensor | undefined, options: { retainGraph?: boolean }): void {
  const kernels = getKernels();
  if (!root.requiresGrad) {
    throw new OpError('backward', 'this tensor does not require a gradient (no input of its computation has requiresGrad)');
  }
  let seed: Tensor;
  if (dOut === undefined) {
    if (root.size !== 1) {
      throw new OpError('backward', `output of shape ${fmt(root.shape)} is not a scalar: pass the gradient of the loss with respect to it`);
    }
    const ones = root.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
    ones[0] = 1;
    seed = new (root.constructor as typeof Tensor)(ones, root.shape);
  } else {
    if (!sameShape(dOut.shape, root.shape)) {
      throw new OpError('backward', `gradient of shape ${fmt(dOut.shape)} does not match output of shape ${fmt(root.shape)}`);
    }
    if (dOut.dtype !== root.dtype) throw new OpError('backward', `gradient is ${dOut.dtype} but output is ${root.dtype}`);
    if (anomaly !== null) anomaly.seed(dOut);
    seed = dOut;
  }

  const order = tapeOf(root);
  // Gradients of non-leaf tensors live here only while the walk needs them.
  const grads = new Map<Tensor, Tensor>();
  // Sums this loop allocated and has handed to exactly one holder may be added into in place.
  // Anything a rule returned may be shared (add passes dOut to both inputs; reshape returns a view).
  const owned = new Set<Tensor>();
  // Leaves whose .grad is a tensor a rule returned, which another leaf may share.
  const borrowed: Tensor[] = [];
  const accumulate = (target: Tensor, g: Tensor, entryOp: string): void => {
    if (!sameShape(g.shape, target.shape)) {
      throw new OpError('backward', `the rule of '${entryOp}' returned a gradient of shape ${fmt(g.shape)} for an input of shape ${fmt(target.shape)}`);
    }
    const isLeaf = target.entry === null;
    const previous = isLeaf ? target.grad : grads.get(target);
    let next: Tensor;
    if (!previous) {
      next = g;
      if (isLeaf) borrowed.push(target);
    } else if (kernels.device && (previous.onDevice || g.onDevice)) {
      // On a device backend the sum is a new device array (device arrays are never written in place).
      const d = kernels.device;
      const sum = d.binary('add', previous.deviceValues(d), previous.shape, g.deviceValues(d), g.shape, previous.shape);
      next = new (target.constructor as typeof Tensor)(sum ?? hostSum(previous, g), previous.shape);
      owned.add(next);
    } else if (owned.has(previous)) {
      kernels.addInto(previous.data, g.data);
      next = previous;
    } else {
      const sum = new (target.constructor as typeof Tensor)(previous.data.slice(), previous.shape);
      kernels.addInto(sum.data, g.data);
      owned.add(sum);
      next = sum;
    }
    if (isLeaf) target.grad = next;
    else grads.set(target, next);
  };

  if (root.entry === null) {
    accumulate(root, seed, 'backward');
    unshareLeafGrads(borrowed, owned, dOut);
    return;
  }
  grads.set(root, seed);
  const wasInBackward = inBackward;
  const wasRetaining = retaining;
  inBackward = true;
  retaining = options.retainGraph === true;
  try {
    noGrad(() => walk());
  } finally {
    inBackward = wasInBackward;
    retaining = wasRetaining;
  }
  unshareLeafGrads(borrowed, owned, dOut);

  // #region backward-loop
  function walk(): void {
    for (let i = order.length - 1; i >= 0; i--) {
      const entry = order[i];
      if (entry.released || (!entry.outputs && entry.backward === null)) {
        throw new OpError(
          'backward',
          `the graph through '${entry.op}' was already released by an earlier backward(); pass { retainGraph: true } to the first call to go through it twice`,
        );
      }
      const inputGrads = entry.outputs ? runMany(entry) : runOne(entry);
      if (inputGrads) {
        if (inputGrads.length !== entry.inputs.length) {
          throw new OpError('backward', `the rule of '${entry.op}' returned ${inputGrads.length} gradients for ${entry.inputs.length} inputs`);
        }
        if (anomaly !== null) anomaly.backward(entry, inputGrads);
        for (let k = 0; k < inputGrads.length; k++) {
          const gk = inputGrads[k];
          const input = entry.inputs[k];
          if (gk && input.requiresGrad) accumulate(input, gk, entry.op);
        }
      }
      // Free the graph: saved tensors held by the closure and the links to inputs. An entry with
      // several outputs stays (its rule saves nothing): a later backward from another of its
      // outputs — one loss per part of a split — must still reach its input.
      if (!options.retainGraph && !entry.outputs) {
        entry.backward = null;
        entry.inputs = [];
        entry.released = true;
      }
    }
  }
  // #endregion backward-loop

  /** The rule of a one-output entry, if a gradient reached its output. */
  function runOne(entry: TapeEntry): readonly (Tensor | null)[] | null {
    const g = grads.get(entry.output);
    if (!g) return null;
    grads.delete(entry.output);
    // The rule may hand g (or a view of it) on to several inputs: from now on it is shared.
    owned.delete(g);
    return entry.backward!(g);
  }

  /** The rule of a several-output entry, with null for each output no gradient reached. */
  function runMany(entry: TapeEntry): readonly (Tensor | null)[] | null {
    const gs = entry.outputs!.map((o) => {
      const g = grads.get(o) ?? null;
      grads.delete(o);
      if (g) owned.delete(g);
      return g;
    });
    return gs.some((g) => g !== null) ? entry.backwardMany!(gs) : null;
  }
}

/**
 * After backward, each leaf owns its gradient: a rule may have returned one tensor for two
 * inputs (add gives dOut to both), or the caller's own dOut. Optimizers and clipping update
 * `.grad` in place, so two leaves sharing a buffer would be updated twice — copy instead.
 */
function unshareLeafGrads(borrowed: readonly Tensor[], owned: ReadonlySet<Tensor>, dOut: Tensor | undefined): void {
  if (borrowed.length === 0) return;
  // Compared by their values without reading them back: a leaf's gradient still on a device is
  // read back into its own host array when the host asks, so only host arrays are ever shared.
  const seen = new Set<Storage | DeviceArray>();
  if (dOut) seen.add(dOut.values);
  for (const leaf of borrowed) {
    const g = leaf.grad;
    if (g === null || owned.has(g)) continue;
    if (seen.has(g.values)) {
      leaf.grad = new (leaf.constructor as typeof Tensor)(g.onDevice ? g.values : g.data.slice(), g.shape);
    }
    seen.add(leaf.grad!.values);
  }
}

/** previous + g on the host (when the device kernels decline the add). */
function hostSum(previous: Tensor, g: Tensor): Storage {
  const sum = previous.data.slice();
  getKernels().addInto(sum, g.data);
  return sum;
}
