/**
 * gpu.js matrix multiply: out[b] = op(A[b]) · op(B[b]), one thread per output element
 * (x = column j, y = row i, z = batch entry), each a dot product over k.
 *
 * The four transpose variants differ only in how a thread indexes its operands, so each is the
 * same kernel with a different index expression — no transpose is materialized, and Aᵀ·Bᵀ is
 * computed directly (the js kernel goes through B·A and a transpose). A shared B (batchB false:
 * one weight matrix for a whole batch of sequences) simply has no batch offset.
 *
 *   A[i, p] = transA ? a[aOff + p·m + i] : a[aOff + i·k + p]      aOff = b·m·k
 *   B[p, j] = transB ? b[bOff + j·k + p] : b[bOff + p·n + j]      bOff = batchB ? b·k·n : 0
 */
import type { Storage, MatmulDims } from '../kernel';
import { GpuContext, f32, readInto, outputOf } from './context';

/**
 * The index expressions of A[i, p] and B[p, j] for batch entry `z`, row `i`, column `j` (shader
 * expressions), with the shape written in as literals; p is the loop variable.
 */
export function matmulIndices(d: MatmulDims, z: string, i: string, j: string): { aIdx: string; bIdx: string } {
  const { m, n, k } = d;
  const aOff = `${z} * ${m * k}`;
  const bOff = d.batchB ? `${z} * ${k * n}` : '0';
  const aIdx = d.transA ? `${aOff} + p * ${m} + ${i}` : `${aOff} + ${i} * ${k} + p`;
  const bIdx = d.transB ? `${bOff} + ${j} * ${k} + p` : `${bOff} + p * ${n} + ${j}`;
  return { aIdx, bIdx };
}

/** The shader source of one variant (threads: x = column, y = row, z = batch entry). */
export function matmulSource(d: MatmulDims): string {
  const { aIdx, bIdx } = matmulIndices(d, 'this.thread.z', 'this.thread.y', 'this.thread.x');
  return `function(a, b) {
    let sum = 0;
    for (let p = 0; p < ${d.k}; p++) {
      sum += a[${aIdx}] * b[${bIdx}];
    }
    return sum;
  }`;
}

export function matmul(ctx: GpuContext, a: Storage, b: Storage, out: Storage, d: MatmulDims): void {
  const key = `matmul:${d.batch}x${d.m}x${d.n}x${d.k}:${d.transA ? 'T' : 'N'}${d.transB ? 'T' : 'N'}:${d.batchB ? 'batchB' : 'sharedB'}`;
  const result = ctx.run('matmul', key, () => ({
    source: matmulSource(d),
    output: outputOf(d.batch, d.m, d.n),
    loop: d.k,
  }), [f32(a), f32(b)]);
  readInto(result, out);
}
