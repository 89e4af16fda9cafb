/**
 * The rows of the op table for ops that move data around (spec/engine/op-table.ts has the rest):
 * sumTo/broadcastTo, matmul in every layout and transpose variant, and the shape ops.
 */
import * as ops from '../../engine/ops';
import { Plain, plain, size, zipRef, sumToRef, matmulRef, transposeRef, sliceRef, concatRef, randomShape, broadcastPartner, randomPlain } from './reference';
import { OpRow, shapeText, pick, partition } from './sample';

export const layoutRows: OpRow[] = [
  {
    op: 'sumTo',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4))];
      const target = broadcastPartner(r, inputs[0].shape);
      return { label: `${shapeText(inputs)} → [${target}]`, inputs, run: (x) => ops.sumTo(x, target), ref: (x) => sumToRef(x, target) };
    },
  },
  {
    op: 'broadcastTo',
    sample: (r) => {
      const target = randomShape(r, 1, 4);
      const inputs = [randomPlain(r, broadcastPartner(r, target))];
      return {
        label: `${shapeText(inputs)} → [${target}]`, inputs,
        run: (x) => ops.broadcastTo(x, target), ref: (x) => zipRef((v) => v, x, plain(target)),
      };
    },
  },
  {
    op: 'matmul',
    sample: (r) => {
      const [m, k, n, batch] = [1 + r.int(5), 1 + r.int(5), 1 + r.int(5), 1 + r.int(3)];
      const layout = pick(r, ['2d', 'batched', 'sequence'] as const);
      const transA = layout !== 'sequence' && r.next() < 0.5;
      const transB = r.next() < 0.5;
      const lead = layout === '2d' ? [] : [batch];
      const inputs = [
        randomPlain(r, [...lead, ...(transA ? [k, m] : [m, k])]),
        randomPlain(r, [...(layout === 'batched' ? [batch] : []), ...(transB ? [n, k] : [k, n])]),
      ];
      return {
        label: `${shapeText(inputs)} transA ${transA} transB ${transB}`, inputs,
        run: (a, b) => ops.matmul(a, b, { transA, transB }), ref: (a, b) => matmulRef(a, b, transA, transB),
      };
    },
  },
  {
    op: 'transpose',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4))];
      const rank = inputs[0].shape.length;
      const perm = r.next() < 0.3 ? undefined : Array.from(r.permutation(rank));
      const reversed = Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return {
        label: `${shapeText(inputs)} perm ${perm}`, inputs,
        run: (x) => ops.transpose(x, perm), ref: (x) => transposeRef(x, perm ?? reversed),
      };
    },
  },
  {
    op: 'reshape',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 0, 4))];
      const target: number[] = Array.from(r.permutation(inputs[0].shape.length), (i) => inputs[0].shape[i]);
      if (target.length > 0 && r.next() < 0.5) target[r.int(target.length)] = -1;
      const resolved = target.map((d) => (d === -1 ? size(inputs[0].shape) / size(target.filter((e) => e !== -1)) : d));
      return {
        label: `${shapeText(inputs)} → [${target}]`, inputs,
        run: (x) => ops.reshape(x, target), ref: (x) => plain(resolved, x.data),
      };
    },
  },
  {
    op: 'slice',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 4, 5))];
      const begin = inputs[0].shape.map((d) => r.int(d));
      const sizes = inputs[0].shape.map((d, ax) => (r.next() < 0.25 ? -1 : 1 + r.int(d - begin[ax])));
      return {
        label: `${shapeText(inputs)} begin [${begin}] size [${sizes}]`, inputs,
        run: (x) => ops.slice(x, begin, sizes), ref: (x) => sliceRef(x, begin, sizes),
      };
    },
  },
  {
    op: 'split',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 3, 5))];
      const axis = r.int(inputs[0].shape.length);
      const sizes = partition(r, inputs[0].shape[axis]);
      const ref = (x: Plain): Plain[] => {
        let start = 0;
        return sizes.map((s) => {
          const part = sliceRef(x, x.shape.map((_, ax) => (ax === axis ? start : 0)), x.shape.map((d, ax) => (ax === axis ? s : d)));
          start += s;
          return part;
        });
      };
      return { label: `${shapeText(inputs)} sizes [${sizes}] axis ${axis}`, inputs, run: (x) => ops.split(x, sizes, axis), ref };
    },
  },
  {
    op: 'concat',
    sample: (r) => {
      const shape = randomShape(r, 1, 3);
      const axis = r.int(shape.length);
      const inputs = Array.from({ length: 1 + r.int(3) }, () => randomPlain(r, shape.map((d, ax) => (ax === axis ? 1 + r.int(3) : d))));
      return {
        label: `${shapeText(inputs)} axis ${axis}`, inputs,
        run: (...xs) => ops.concat(xs, axis), ref: (...xs) => concatRef(xs, axis),
      };
    },
  },
  {
    op: 'stack',
    sample: (r) => {
      const shape = randomShape(r, 0, 3);
      const axis = r.int(shape.length + 1);
      const inputs = Array.from({ length: 1 + r.int(3) }, () => randomPlain(r, shape));
      const expanded = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
      return {
        label: `${shapeText(inputs)} axis ${axis}`, inputs,
        run: (...xs) => ops.stack(xs, axis), ref: (...xs) => concatRef(xs.map((x) => plain(expanded, x.data)), axis),
      };
    },
  },
  {
    op: 'unstack',
    sample: (r) => {
      const inputs = [randomPlain(r, randomShape(r, 1, 3))];
      const shape = inputs[0].shape;
      const axis = r.int(shape.length);
      const rest = shape.filter((_, ax) => ax !== axis);
      const ref = (x: Plain): Plain[] =>
        Array.from({ length: shape[axis] }, (_, i) =>
          plain(rest, sliceRef(x, shape.map((_d, ax) => (ax === axis ? i : 0)), shape.map((d, ax) => (ax === axis ? 1 : d))).data));
      return { label: `${shapeText(inputs)} axis ${axis}`, inputs, run: (x) => ops.unstack(x, axis), ref };
    },
  },
];
