/**
 * Your own op: the forward computation, and beside it the rule that returns the gradient of its
 * input — recorded on the tape with `record`, as every op in engine/ops/ is. Then check the rule
 * against float64 central differences with `gradcheck`, and watch it catch a planted bug.
 *
 *   softplus(x) = ln(1 + eˣ)        d/dx softplus(x) = σ(x) = 1 / (1 + e⁻ˣ)
 *
 * Run: npx ts-node examples/gradcheck-op.ts
 */
import { Tensor, allocate, record, gradcheck, randn, matmul, sum, Random } from 'rnngrad';
import type { GradcheckReport } from 'rnngrad';

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

/** softplus(x) = ln(1 + eˣ);  d/dx = σ(x). `derivative` is a parameter only to plant a bug below. */
function softplus(x: Tensor, derivative: (v: number) => number = sigma): Tensor {
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  // ln(1 + eˣ) overflows for large x; max(x, 0) + ln(1 + e^−|x|) is the same number, safely.
  x.data.forEach((v, i) => (out.data[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))));
  return record('softplus', [x], out, (dOut) => {
    const dx = new Tensor(allocate(x.dtype, x.size), x.shape);
    x.data.forEach((v, i) => (dx.data[i] = dOut.data[i] * derivative(v)));
    return [dx]; // one gradient per input; the tape adds it into x.grad
  });
}

// The op composes with the built-in ones: L = Σ softplus(x·W).
const rng = new Random(7);
const x = randn([4, 3], { rng, requiresGrad: true, name: 'x' });
const W = randn([3, 2], { rng, requiresGrad: true, name: 'W' });
const L = (a: Tensor, b: Tensor): Tensor => sum(softplus(matmul(a, b)));

const show = (label: string, r: GradcheckReport): void => {
  console.log(`${label}: passed ${r.passed}`);
  for (const input of r.inputs) console.log(`  ${input.name}: passed ${input.passed}, max relative error below 1e-6: ${input.maxRelError < 1e-6}`);
};
show('softplus', gradcheck(L, [x, W]));

// A planted bug: σ(−x) instead of σ(x). The check fails, for both inputs.
const buggy = (a: Tensor, b: Tensor): Tensor => sum(softplus(matmul(a, b), (v) => sigma(-v)));
show('softplus with σ(−x) as its derivative', gradcheck(buggy, [x, W]));
