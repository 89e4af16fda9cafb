/**
 * The tape: backward's entry points, graph release, noGrad/detach/zeroGrad, accumulation of leaf
 * gradients, the functional grad/valueAndGrad, and the tape loop's own checks.
 */
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { record, noGrad, isGradEnabled, tapeOf } from '../../engine/tape';
import { grad, valueAndGrad } from '../../engine/autodiff';
import { add, mul, sum, square, reshape, tanh, matmul, pow, max, split, unstack } from '../../engine/ops';
import { formatTape } from '../../engine/tape-print';
import { empty } from '../../engine/ops/util';

const f64 = (values: number[] | number[][], requiresGrad = true) => tensor(values, { dtype: 'float64', requiresGrad });

describe('backward', () => {
  test('on a scalar needs no argument: d(Σ x²)/dx = 2x', () => {
    const x = f64([1, -2, 3]);
    sum(square(x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, -4, 6]);
  });

  test('with an explicit dOut on a non-scalar output', () => {
    const x = f64([1, 2]);
    const y = mul(x, 3);
    y.backward(f64([10, 100], false));
    expect(Array.from(x.grad!.data)).toEqual([30, 300]);
  });

  test('on a non-scalar without dOut is an error naming the shape', () => {
    const y = mul(f64([[1, 2], [3, 4]]), 2);
    expect(() => y.backward()).toThrow('backward: output of shape [2,2] is not a scalar: pass the gradient of the loss with respect to it');
  });

  test('dOut of the wrong shape or dtype is an error', () => {
    const y = mul(f64([1, 2]), 2);
    expect(() => y.backward(f64([1, 2, 3], false))).toThrow('backward: gradient of shape [3] does not match output of shape [2]');
    expect(() => y.backward(tensor([1, 2]))).toThrow('backward: gradient is float32 but output is float64');
  });

  test('on a tensor that needs no gradient is an error', () => {
    expect(() => sum(f64([1], false)).backward()).toThrow(/backward: this tensor does not require a gradient/);
  });

  test('twice through a released graph is a clear error; retainGraph allows it', () => {
    const x = f64([1, 2]);
    const loss = sum(mul(x, x));
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward: the graph through 'sum' was already released .* retainGraph: true/);

    const z = f64([1, 2]);
    const kept = sum(mul(z, z));
    kept.backward(undefined, { retainGraph: true });
    kept.backward();
    expect(Array.from(z.grad!.data)).toEqual([4, 8]);
  });

  test('releases the graph: entries drop their inputs and rules', () => {
    const x = f64([1, 2]);
    const loss = sum(tanh(x));
    const entries = tapeOf(loss);
    loss.backward();
    for (const e of entries) expect({ op: e.op, released: e.released, inputs: e.inputs.length, rule: e.backward }).toEqual({ op: e.op, released: true, inputs: 0, rule: null });
  });

  test('leaf gradients accumulate across two backward calls, until zeroGrad', () => {
    const x = f64([1, 2]);
    sum(mul(x, 3)).backward();
    const first = x.grad!;
    sum(square(x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([3 + 2, 3 + 4]);
    expect(Array.from(first.data)).toEqual([3, 3]); // the earlier gradient tensor is not modified in place
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  test('a gradient handed to two inputs is never summed into in place (regression)', () => {
    // v's gradient is a sum the loop allocated; add hands that one tensor to both a and b,
    // and a then receives a further gradient from p = 3a. b's gradient must stay 2.
    const a = f64([1]);
    const b = f64([1]);
    const p = mul(a, 3);
    const v = add(a, b);
    sum(add(p, add(v, v))).backward();
    expect([a.grad!.data[0], b.grad!.data[0]]).toEqual([5, 2]);
  });

  test('leaves never share a gradient buffer with each other or with dOut', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const dOut = f64([1, 1], false);
    add(a, b).backward(dOut);
    expect(a.grad!.data).not.toBe(b.grad!.data);
    expect(a.grad!.data).not.toBe(dOut.data);
    expect(b.grad!.data).not.toBe(dOut.data);
    a.grad!.data[0] = 99; // an optimizer updating a's gradient in place leaves b's alone
    expect(Array.from(b.grad!.data)).toEqual([1, 1]);
  });

  test('pow(x, 0) has a zero gradient, also at x = 0 (regression: 0·∞ gave NaN)', () => {
    const x = f64([0, 2]);
    sum(pow(x, 0)).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
  });

  test('max sends the gradient to the first of tied maxima only', () => {
    const x = f64([[1, 3, 3], [5, 2, 5]]);
    sum(max(x, 1)).backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });

  test('a leaf as the root receives dOut as its gradient', () => {
    const x = f64([1, 2]);
    x.backward(f64([5, 6], false));
    expect(Array.from(x.grad!.data)).toEqual([5, 6]);
  });

  test('reaches a leaf through a reshape view and through matmul', () => {
    const w = f64([[1, 2], [3, 4]]);
    const x = f64([[1, 1]], false);
    sum(reshape(matmul(x, w), [2])).backward();
    expect(w.grad!.toArray()).toEqual([[1, 1], [1, 1]]);
  });
});

describe('the tape loop checks each rule', () => {
  /** An op recorded by hand with a deliberately wrong backward rule. */
  const badOp = (x: Tensor, rule: (dOut: Tensor) => (Tensor | null)[]) => record('badOp', [x], empty(x.shape, x.dtype), rule);

  test('a gradient of the wrong shape names the op and both shapes', () => {
    const x = f64([1, 2, 3]);
    const y = badOp(x, () => [empty([2], 'float64')]);
    expect(() => sum(y).backward()).toThrow("backward: the rule of 'badOp' returned a gradient of shape [2] for an input of shape [3]");
  });

  test('the wrong number of gradients names the op', () => {
    const x = f64([1, 2, 3]);
    const y = badOp(x, (d) => [d, d]);
    expect(() => sum(y).backward()).toThrow("backward: the rule of 'badOp' returned 2 gradients for 1 inputs");
  });
});

describe('noGrad, detach, requiresGrad', () => {
  test('noGrad records nothing and restores the previous state, even on a throw', () => {
    const x = f64([1, 2]);
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.entry).toBeNull();
    expect(() => noGrad(() => { throw new Error('inside'); })).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
  });

  test('detach shares data but cuts the tape', () => {
    const x = f64([1, 2]);
    const y = mul(x, 2);
    const d = y.detach();
    expect(d.data).toBe(y.data);
    expect(d.requiresGrad).toBe(false);
    expect(d.entry).toBeNull();
    const loss = sum(mul(d, x));
    loss.backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 4]); // d counted as a constant
  });

  test('ops on tensors without requiresGrad record nothing', () => {
    const y = mul(f64([1], false), f64([2], false));
    expect(y.entry).toBeNull();
    expect(y.requiresGrad).toBe(false);
  });
});

describe('grad and valueAndGrad', () => {
  const f = (x: Tensor, w: Tensor) => sum(mul(square(x), w));

  test('valueAndGrad returns f(x) and each ∂f/∂input, leaving the inputs untouched', () => {
    const x = f64([1, 2], false);
    const w = f64([3, 4], false);
    const { value, grads } = valueAndGrad(f)(x, w);
    expect(value.item()).toBe(1 * 3 + 4 * 4);
    expect(grads.map((g) => Array.from(g.data))).toEqual([[6, 16], [1, 4]]);
    expect(x.grad).toBeNull();
    expect(value.requiresGrad).toBe(false);
  });

  test('grad gives zeros for an unused input, and rejects a non-scalar f', () => {
    const [dx, dUnused] = grad((x: Tensor, _u: Tensor) => sum(x))(f64([1, 2], false), f64([7, 7, 7], false));
    expect(Array.from(dx.data)).toEqual([1, 1]);
    expect(Array.from(dUnused.data)).toEqual([0, 0, 0]);
    expect(() => grad((x: Tensor) => mul(x, 2))(f64([1, 2], false))).toThrow('valueAndGrad: f must return a scalar, got shape [2]');
  });

  test('an f that ignores its inputs has zero gradients (regression: it used to throw)', () => {
    const { value, grads } = valueAndGrad((_x: Tensor) => sum(f64([1, 2], false)))(f64([5], false));
    expect(value.item()).toBe(3);
    expect(Array.from(grads[0].data)).toEqual([0]);
  });
});

describe('ops with several outputs (split, unstack): one entry, one concat backward', () => {
  test('one tape entry for all the parts; formatTape lists every output', () => {
    const x = tensor([[1, 2, 3, 4], [5, 6, 7, 8]], { requiresGrad: true });
    const [a, b] = split(x, 2, 1);
    expect(a.entry).toBe(b.entry);
    const loss = sum(mul(a, b));
    expect(tapeOf(loss).map((e) => e.op)).toEqual(['split', 'mul', 'sum']);
    expect(formatTape(loss).split('\n')[0]).toBe('1. split(t1 [2,4]) → t2 [2,2], t3 [2,2]   (backward step 3)');
  });

  test('a part nothing reached gets zeros; the others their gradient, concatenated in place', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const parts = unstack(x, 1); // three columns of [2]
    sum(mul(parts[2], 3)).backward();
    expect(x.grad!.toArray()).toEqual([[0, 0, 3], [0, 0, 3]]);
  });

  test('retainGraph goes through twice (gradients add up); without it the second backward is refused', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const [a, b] = split(x, [1, 3]);
    const loss = add(sum(square(a)), sum(b));
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(x.grad!.toArray()).toEqual([4, 2, 2, 2]);
    expect(() => loss.backward()).toThrow(/already released by an earlier backward\(\)/);
  });

  test('one loss per part: each backward reaches the input (the split entry is kept, its rule saves nothing)', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const [a, b] = split(x, 2);
    sum(a).backward();
    sum(mul(b, 2)).backward();
    expect(x.grad!.toArray()).toEqual([1, 1, 2, 2]);
  });
});
