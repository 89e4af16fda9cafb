/**
 * The tape made visible: a text listing of the entries that produced a tensor, and a
 * Graphviz DOT graph with the backward order numbered (docs/ renders it to SVG).
 */
import type { Tensor } from './tensor';
import { tapeOf } from './tape';
import { fmt } from './shape';

/** Names for the tensors of one graph: their own name, or t1, t2, … in order of appearance. */
function labeller(): (t: Tensor) => string {
  const numbers = new Map<Tensor, number>();
  return (t) => t.name ?? `t${numbers.get(t) ?? (numbers.set(t, numbers.size + 1), numbers.size)}`;
}

/**
 * One line per entry in forward order:
 * `3. matmul(x [2,3], W [3,4]) → t7 [2,4]   (backward step 2)`.
 */
export function formatTape(root: Tensor): string {
  const order = tapeOf(root);
  const label = labeller();
  return order
    .map((e, i) => {
      const args = e.inputs.map((t) => `${label(t)} ${fmt(t.shape)}`).join(', ');
      const outs = (e.outputs ?? [e.output]).map((t) => `${label(t)} ${fmt(t.shape)}`).join(', ');
      return `${i + 1}. ${e.op}(${args}) → ${outs}   (backward step ${order.length - i})`;
    })
    .join('\n');
}

/** Graphviz DOT: tensors as ellipses (leaves that need gradients shaded), ops as boxes numbered in backward order. */
export function toDot(root: Tensor, title = 'tape'): string {
  const order = tapeOf(root);
  const label = labeller();
  const lines = [`digraph "${title}" {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  const tensors = new Map<number, Tensor>();
  for (const e of order) {
    for (const t of e.inputs) tensors.set(t.id, t);
    for (const t of e.outputs ?? [e.output]) tensors.set(t.id, t);
  }
  for (const t of tensors.values()) {
    const leaf = t.entry === null;
    const style = leaf && t.requiresGrad ? ', style=filled, fillcolor="#dbeafe"' : leaf ? ', style=filled, fillcolor="#f3f4f6"' : '';
    lines.push(`  t${t.id} [shape=ellipse, label="${label(t)}\\n${fmt(t.shape)}"${style}];`);
  }
  order.forEach((e, i) => {
    const step = order.length - i;
    lines.push(`  op${i} [shape=box, label="${e.op}\\nbackward #${step}", style=filled, fillcolor="#fef3c7"];`);
    for (const t of e.inputs) lines.push(`  t${t.id} -> op${i};`);
    for (const t of e.outputs ?? [e.output]) lines.push(`  op${i} -> t${t.id};`);
  });
  lines.push('}');
  return lines.join('\n');
}
