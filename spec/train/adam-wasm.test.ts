/**
 * Adam's float32 update on the wasm kernel (kernels/wasm/adam.ts) against its JavaScript loop
 * (Adam.updateElement): the same bits for weights and both moments (a NaN may differ in its sign
 * bit, which no arithmetic reads), step after step, with and
 * without clipping, for odd lengths (the last element stays in JavaScript) and with gradients
 * that are zero, −0, huge, NaN or infinite; and the same non-finite report.
 */
import { Adam, useWasmAdam, WASM_ADAM_MIN } from '../../train/optimizers';
import type { OptimizerOptions } from '../../train/optimizer';
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { wasmSimdAvailable } from '../../kernels/wasm/matmul';

/** The bits of each value; every NaN as the one NaN JavaScript writes (a NaN's sign and payload are not defined by the arithmetic). */
function bits(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length), (b, i) => (Number.isNaN(x[i]) ? 0x7fc00000 : b));
}

/** Run `steps` Adam steps on fresh copies of the same weights and gradients; returns weights, m, v and the reports. */
function train(wasm: boolean, sizes: number[], options: OptimizerOptions, steps: number, special: boolean) {
  const was = useWasmAdam(wasm);
  try {
    const rng = new Random(11);
    const params = sizes.map((n, k) => {
      const t = new Tensor(Float32Array.from({ length: n }, () => rng.normal()), [n]);
      return { name: `w${k}`, tensor: t };
    });
    const opt = new Adam({ learningRate: 0.01, ...options });
    const reports: (string | null)[] = [];
    for (let s = 0; s < steps; s++) {
      params.forEach((p, k) => {
        const g = Float32Array.from({ length: sizes[k] }, () => rng.normal() * (s + 1));
        if (special && s === steps - 1) {
          g[0] = 0; g[1] = -0; g[2] = 3e38; g[3] = -3e38; g[5] = 1e-30;
          if (k === 1) { g[7] = NaN; g[8] = Infinity; }
        }
        p.tensor.grad = new Tensor(g, [sizes[k]]);
      });
      opt.step(params);
      reports.push(JSON.stringify(opt.nonFiniteAfterStep));
    }
    const state = opt.getState();
    return { w: params.map((p) => bits(p.tensor.data as Float32Array)), m: state.slots.m.map((x) => bits(x as Float32Array)),
      v: state.slots.v.map((x) => bits(x as Float32Array)), reports };
  } finally {
    useWasmAdam(was);
  }
}

const maybe = wasmSimdAvailable() ? describe : describe.skip;

maybe('Adam on the wasm kernel (float32)', () => {
  const sizes = [WASM_ADAM_MIN, 1001, 4096, 7]; // even, odd, larger, too short for the kernel
  const cases: [string, OptimizerOptions][] = [['no clipping', {}], ['clipValue 0.5', { clipValue: 0.5 }],
    ['clipNorm 1', { clipNorm: 1 }], ['clipGlobalNorm 2', { clipGlobalNorm: 2 }]];
  it.each(cases)('%s: the same bits as the JavaScript loop over five steps', (_name, options) => {
    const loop = train(false, sizes, options, 5, false);
    const wasm = train(true, sizes, options, 5, false);
    expect(wasm.w).toEqual(loop.w);
    expect(wasm.m).toEqual(loop.m);
    expect(wasm.v).toEqual(loop.v);
  });

  it('the same bits and the same non-finite report with zero, −0, huge, NaN and infinite gradients', () => {
    const loop = train(false, sizes, {}, 3, true);
    const wasm = train(true, sizes, {}, 3, true);
    expect(wasm.w).toEqual(loop.w);
    expect(wasm.m).toEqual(loop.m);
    expect(wasm.v).toEqual(loop.v);
    expect(wasm.reports).toEqual(loop.reports);
    expect(loop.reports[2]).not.toBe('null'); // the NaN gradient did make a weight non-finite
  });
});
