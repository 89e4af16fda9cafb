/** The tape made visible: the text listing and the Graphviz DOT export of a small example. */
import { tensor } from '../../engine/creation';
import { formatTape, toDot } from '../../engine/tape-print';
import { tapeOf } from '../../engine/tape';
import { matmul, tanh, sum, add } from '../../engine/ops';

/** loss = Σ tanh(x·W + b), every tensor named so the printout does not depend on tensor ids. */
function example() {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { name: 'x' });
  const W = tensor([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]], { name: 'W', requiresGrad: true });
  const b = tensor([0, 0, 0, 0], { name: 'b', requiresGrad: true });
  const z = matmul(x, W);
  z.name = 'z';
  const pre = add(z, b);
  pre.name = 'pre';
  const h = tanh(pre);
  h.name = 'h';
  const loss = sum(h);
  loss.name = 'loss';
  return { loss, ids: [x, W, b, z, pre, h, loss].map((t) => t.id) };
}

test('formatTape lists the entries in forward order with their backward step', () => {
  expect(formatTape(example().loss)).toBe([
    '1. matmul(x [2,3], W [3,4]) → z [2,4]   (backward step 4)',
    '2. add(z [2,4], b [4]) → pre [2,4]   (backward step 3)',
    '3. tanh(pre [2,4]) → h [2,4]   (backward step 2)',
    '4. sum(h [2,4]) → loss []   (backward step 1)',
  ].join('\n'));
});

test('tapeOf returns the entries in topological order', () => {
  expect(tapeOf(example().loss).map((e) => e.op)).toEqual(['matmul', 'add', 'tanh', 'sum']);
});

test('toDot draws tensors, ops numbered in backward order, and the edges between them', () => {
  const { loss, ids } = example();
  // Replace tensor ids by their names' order so the expected text is fixed.
  const names = ['x', 'W', 'b', 'z', 'pre', 'h', 'loss'];
  const dot = toDot(loss, 'example').replace(/\bt(\d+)\b/g, (_m, id: string) => names[ids.indexOf(Number(id))] ?? `?${id}`);
  expect(dot).toBe([
    'digraph "example" {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  x [shape=ellipse, label="x\\n[2,3]", style=filled, fillcolor="#f3f4f6"];',
    '  W [shape=ellipse, label="W\\n[3,4]", style=filled, fillcolor="#dbeafe"];',
    '  z [shape=ellipse, label="z\\n[2,4]"];',
    '  b [shape=ellipse, label="b\\n[4]", style=filled, fillcolor="#dbeafe"];',
    '  pre [shape=ellipse, label="pre\\n[2,4]"];',
    '  h [shape=ellipse, label="h\\n[2,4]"];',
    '  loss [shape=ellipse, label="loss\\n[]"];',
    '  op0 [shape=box, label="matmul\\nbackward #4", style=filled, fillcolor="#fef3c7"];',
    '  x -> op0;',
    '  W -> op0;',
    '  op0 -> z;',
    '  op1 [shape=box, label="add\\nbackward #3", style=filled, fillcolor="#fef3c7"];',
    '  z -> op1;',
    '  b -> op1;',
    '  op1 -> pre;',
    '  op2 [shape=box, label="tanh\\nbackward #2", style=filled, fillcolor="#fef3c7"];',
    '  pre -> op2;',
    '  op2 -> h;',
    '  op3 [shape=box, label="sum\\nbackward #1", style=filled, fillcolor="#fef3c7"];',
    '  h -> op3;',
    '  op3 -> loss;',
    '}',
  ].join('\n'));
});

test('a leaf has an empty tape', () => {
  expect(formatTape(tensor([1], { requiresGrad: true }))).toBe('');
});

test('unnamed tensors are numbered t1, t2, … in order of appearance, the same on every call', () => {
  const loss = sum(tanh(tensor([1, 2], { requiresGrad: true })));
  const expected = '1. tanh(t1 [2]) → t2 [2]   (backward step 2)\n2. sum(t2 [2]) → t3 []   (backward step 1)';
  expect(formatTape(loss)).toBe(expected);
  expect(formatTape(loss)).toBe(expected);
});
