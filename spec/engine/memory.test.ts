/**
 * Graph memory is released after backward: once backward has run (without retainGraph), the
 * intermediate tensors and their buffers are unreachable from the result and can be collected.
 * Checked with weak references and a forced garbage collection.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { tanh, matmul, sum, mul } from '../../engine/ops';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** loss = Σ tanh(x·W) ⊙ 2, returning weak references to its intermediate tensors. */
function build(): { loss: Tensor; W: Tensor; intermediates: WeakRef<Tensor>[] } {
  const W = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const z = matmul(tensor([[0.1, 0.2]]), W);
  const h = tanh(z);
  const loss = sum(mul(h, 2));
  return { loss, W, intermediates: [z, h].map((t) => new WeakRef(t)) };
}

/** Let the current job finish (WeakRef targets are kept alive until then), then collect. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

test('after backward, intermediate tensors are released', async () => {
  const { loss, W, intermediates } = build();
  loss.backward();
  await collect();
  expect(intermediates.map((r) => r.deref() === undefined)).toEqual([true, true]);
  expect(W.grad).not.toBeNull(); // what backward was for is kept
  expect(loss.item()).toBeCloseTo(2 * (Math.tanh(0.7) + Math.tanh(1.0)), 6);
});

test('with retainGraph they stay reachable for a second backward (the check can see a leak)', async () => {
  const { loss, intermediates } = build();
  loss.backward(undefined, { retainGraph: true });
  await collect();
  expect(intermediates.map((r) => r.deref() === undefined)).toEqual([false, false]);
  loss.backward();
  await collect();
  expect(intermediates.map((r) => r.deref() === undefined)).toEqual([true, true]);
});
