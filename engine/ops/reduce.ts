/**
 * Reductions over all elements or one axis. The backward of a sum broadcasts the gradient back;
 * the backward of a max sends it to the (first) largest element.
 */
import { Tensor } from '../tensor';
import { record } from '../tape';
import { normAxis, aroundAxis } from '../shape';
import { getKernels } from '../../kernels/registry';
import { empty, compute, dev } from './util';
import { reshape } from './shape-ops';
import { broadcastTo, mul, div } from './arith';

function reducedShapes(x: Tensor, axis: number | undefined, op: string): { keep: number[]; drop: number[]; outer: number; n: number; inner: number } {
  if (axis === undefined) return { keep: x.shape.map(() => 1), drop: [], outer: 1, n: x.size, inner: 1 };
  const ax = normAxis(op, axis, x.rank);
  const keep = x.shape.map((d, i) => (i === ax ? 1 : d));
  const drop = x.shape.filter((_, i) => i !== ax);
  return { keep, drop, ...aroundAxis(x.shape, ax) };
}

/** sum(x, axis?, keepDims) = Σ x;  d/dx = 1 (the gradient is broadcast back). */
export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  const r = reducedShapes(x, axis, 'sum');
  const out = compute(keepDims ? r.keep : r.drop, x.dtype,
    (d) => d.reduce('sum', dev(x, d), r.outer, r.n, r.inner),
    (k, o) => k.reduce('sum', x.data, r.outer, r.n, r.inner, o));
  return record('sum', [x], out, (dOut) => [broadcastTo(reshape(dOut, r.keep), x.shape)]);
}

/** mean(x, axis?, keepDims) = Σ x / n;  d/dx = 1/n. */
export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const n = axis === undefined ? x.size : x.shape[normAxis('mean', axis, x.rank)];
  return div(sum(x, axis, keepDims), n);
}

/** max(x, axis?, keepDims);  d/dx = 1 at the first largest element of each reduced slice, else 0. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  const r = reducedShapes(x, axis, 'max');
  const out = empty(keepDims ? r.keep : r.drop, x.dtype);
  getKernels().reduce('max', x.data, r.outer, r.n, r.inner, out.data);
  return record('max', [x], out, (dOut) => {
    const mask = empty(x.shape, x.dtype);
    for (let a = 0; a < r.outer; a++) {
      for (let c = 0; c < r.inner; c++) {
        const m = out.data[a * r.inner + c];
        for (let k = 0; k < r.n; k++) {
          const idx = a * r.n * r.inner + k * r.inner + c;
          if (x.data[idx] === m) {
            mask.data[idx] = 1;
            break;
          }
        }
      }
    }
    return [mul(mask, broadcastTo(reshape(dOut, r.keep), x.shape))];
  });
}
