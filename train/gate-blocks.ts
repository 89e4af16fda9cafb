/**
 * Where an element of a gate-stacked weight sits: which gate, which unit. Keras stacks the gates
 * of a recurrent cell side by side along the LAST axis of kernel [in, k·u], recurrent_kernel
 * [u, k·u] and bias [k·u] (GRU reset_after: [2, k·u], row 0 the input bias, row 1 the recurrent
 * one), in the order
 *
 *   LSTM, peephole LSTM (k = 4):  i (input gate), f (forget gate), c (candidate), o (output gate)
 *   GRU (k = 3):                  z (update gate), r (reset gate), h (candidate)
 *
 * so column j belongs to gate ⌊j / u⌋ and unit j mod u. A gradient file carries names and shapes
 * only; the gate count is read off the layer's recurrent_kernel, [u, k·u], so no model is needed.
 */

/** A cell's gate names in Keras order, by gate count. */
export const GATE_NAMES: Readonly<Record<number, readonly string[]>> = {
  4: ['input gate (i)', 'forget gate (f)', 'candidate (c)', 'output gate (o)'],
  3: ['update gate (z)', 'reset gate (r)', 'candidate (h)'],
};

/** The gate layout of one weight: how many units per gate, and the gates' names. */
export interface GateLayout {
  readonly units: number;
  readonly gates: readonly string[];
}

/** 'lstm_LSTM1/recurrent_kernel:0' → ['lstm_LSTM1/', 'recurrent_kernel']. */
function splitName(name: string): [prefix: string, leaf: string] {
  const bare = name.replace(/:\d+$/, '');
  const cut = bare.lastIndexOf('/');
  return [bare.slice(0, cut + 1), bare.slice(cut + 1)];
}

/**
 * The gate layout of every gate-stacked weight among `shapes` (name → shape): the kernel,
 * recurrent_kernel and bias beside a recurrent_kernel of shape [u, 3u] or [u, 4u].
 */
export function gateLayouts(shapes: Readonly<Record<string, readonly number[]>>): Map<string, GateLayout> {
  const byPrefix = new Map<string, GateLayout>();
  for (const [name, shape] of Object.entries(shapes)) {
    const [prefix, leaf] = splitName(name);
    if (leaf !== 'recurrent_kernel' || shape.length !== 2 || shape[0] === 0) continue;
    const gates = GATE_NAMES[shape[1] / shape[0]];
    if (gates) byPrefix.set(prefix, { units: shape[0], gates });
  }
  const out = new Map<string, GateLayout>();
  for (const [name, shape] of Object.entries(shapes)) {
    const [prefix, leaf] = splitName(name);
    const layout = byPrefix.get(prefix);
    const lastAxis = shape[shape.length - 1];
    if (layout && ['kernel', 'recurrent_kernel', 'bias'].includes(leaf) && lastAxis === layout.units * layout.gates.length) out.set(name, layout);
  }
  return out;
}

/** Row-major flat index → multi-index. */
export function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    index[a] = flat % shape[a];
    flat = Math.floor(flat / shape[a]);
  }
  return index;
}

/** The gate an element of a gate-stacked weight belongs to: its column divided by the units. */
export function gateOf(shape: readonly number[], flat: number, layout: GateLayout): string {
  return layout.gates[Math.floor((flat % shape[shape.length - 1]) / layout.units)];
}

/**
 * An element described for a reader: "forget gate (f), row 2 col 5 (unit 1)" for a gate-stacked
 * weight, "row 2 col 5" or "index 3" otherwise.
 */
export function describeElement(name: string, shape: readonly number[], flat: number, layout: GateLayout | undefined): string {
  const index = unflatten(flat, shape);
  const col = index[index.length - 1];
  let where: string;
  if (shape.length === 1) where = `index ${col}`;
  else if (shape.length === 2) {
    const isResetAfterBias = splitName(name)[1] === 'bias' && layout !== undefined;
    where = isResetAfterBias ? `row ${index[0]} (${index[0] === 0 ? 'input' : 'recurrent'} bias) col ${col}` : `row ${index[0]} col ${col}`;
  } else where = `index [${index.join(', ')}]`;
  if (!layout) return where;
  return `${gateOf(shape, flat, layout)}, ${where} (unit ${col % layout.units})`;
}

/** An element of the input gradient [batch, time, features] (or [batch, features]). */
export function describeInputElement(shape: readonly number[], flat: number): string {
  const index = unflatten(flat, shape);
  if (shape.length === 3) return `sample ${index[0]}, step ${index[1]}, feature ${index[2]}`;
  if (shape.length === 2) return `sample ${index[0]}, feature ${index[1]}`;
  return `index [${index.join(', ')}]`;
}
