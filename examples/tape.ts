/**
 * The tape of an expression: build it, print it (as text and as a Graphviz graph), walk it
 * backwards, read the gradients — and compare them with the derivative worked out by hand.
 *
 *   y = tanh(w·x + b)        L = Σ (y − target)²
 *
 * Run: npx ts-node examples/tape.ts
 */
import { tensor, matmul, add, sub, tanh, square, sum, formatTape, toDot } from 'rnngrad';
import type { Tensor } from 'rnngrad';

const x = tensor([[0.5], [-1.0], [2.0]], { name: 'x' }); // [3, 1]: three inputs, one feature
const w = tensor([[0.8]], { requiresGrad: true, name: 'w' });
const b = tensor([0.1], { requiresGrad: true, name: 'b' });
const target = tensor([[0.2], [-0.5], [0.9]], { name: 'target' });

const y = tanh(add(matmul(x, w), b));
const loss = sum(square(sub(y, target)));

// Every op whose inputs need a gradient wrote one entry: the tape, in forward order.
console.log('the tape:');
console.log(formatTape(loss));

// The same tape as a graph (paste into `dot -Tsvg`): tensors are ellipses, ops are boxes.
const dot = toDot(loss, 'L');
const opBoxes = dot.split('\n').filter((line) => line.includes('shape=box'));
console.log(`\ntoDot: ${dot.split('\n').length} lines, ${opBoxes.length} op boxes; the first one:`);
console.log(opBoxes[0]);

// backward(): a topological sort of the tape, then one loop from the loss back to the leaves.
loss.backward();
const round = (t: Tensor): string => Array.from(t.data, (v) => v.toFixed(3)).join(', ');
console.log(`\nL = ${loss.item().toFixed(3)}`);
console.log(`dL/dw = [${round(w.grad!)}]`);
console.log(`dL/db = [${round(b.grad!)}]`);
console.log(`x needs no gradient, so it has none: ${x.grad === null}`);

// By hand: dL/dy = 2(y − target), dy/dz = 1 − y², dz/dw = x, dz/db = 1.
let dw = 0;
let db = 0;
for (let i = 0; i < 3; i++) {
  const yi = y.data[i];
  const dz = 2 * (yi - target.data[i]) * (1 - yi * yi);
  dw += dz * x.data[i];
  db += dz;
}
const close = (a: number, e: number): boolean => Math.abs(a - e) < 1e-5;
console.log(`matches the derivative by hand: ${close(w.grad!.data[0], dw) && close(b.grad!.data[0], db)}`);
