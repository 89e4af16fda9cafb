/**
 * The memory a whole-sequence forward (./lstm-sequence.ts, ./rnn-sequence.ts) starts from, in
 * the matmul module's memory (float offsets, each region 16-byte aligned):
 *
 *   0        the recurrent weight, packed as the right operand, in place of ./matmul.ts's
 *            pinned operand (so a later fixed-right product packs its own again)
 *   xwAt     x·W [batch, time, width] as it comes, or formed here from x and W: the product
 *            ./matmul.ts would run (same blocks, same sums), written where the steps read it,
 *            with its scratch (x and W raw and packed) after the caller's regions
 *   biasAt   b [width]
 *   a0, a1   the packed left operand twice, h_0 in the first: step t reads one, writes the other
 *   cAt      C [mPad, nPad]
 *   end      the first free float: the caller's own regions go from here
 */
import { packPanels, leftSource, rightSource } from './pack';
import { MR, NR } from './gemm-module';
import { reserve, roundUp, copyIn, runProduct, KC, type Instance } from './matmul';
import type { InputProduct } from '../kernel';
import { evictResident } from './resident';

export interface SequenceLayout {
  readonly mPad: number;
  readonly xwAt: number;
  /** Floats from one row of x·W to the next: its width, or its padded width when formed here. */
  readonly xwRow: number;
  readonly biasAt: number;
  readonly a0: number;
  readonly a1: number;
  readonly cAt: number;
  readonly end: number;
}

/**
 * Lay out and fill the regions above. `weight` is the recurrent weight as the product reads it:
 * [k, nPad] row-major (columns already in the kernel's order, padding columns zero or absent
 * when nPad > its width). `extra` floats are reserved after C for the caller.
 */
export function startSequence(inst: Instance, weight: Float32Array, k: number, width: number, nPad: number,
  xW: Float32Array | InputProduct<Float32Array>, b: Float32Array, h0: Float32Array, batch: number, time: number, extra: number): SequenceLayout {
  const mPad = roundUp(batch, MR);
  const packedFloats = roundUp(k * nPad, 4);
  evictResident(inst); // this layout starts at 0
  inst.pinnedOwner = null;
  inst.pinnedFloats = packedFloats;
  const product = xW instanceof Float32Array ? null : xW;
  const rows = batch * time;
  const xwAt = packedFloats;
  // Formed here, x·W is a product's C: whole tiles, rows padded to a multiple of NR floats.
  const xwRow = product ? roundUp(width, NR) : width;
  const biasAt = xwAt + roundUp(product ? roundUp(rows, MR) * xwRow : rows * width, 4);
  const a0 = biasAt + roundUp(width, 4);
  const a1 = a0 + k * mPad;
  const cAt = a1 + k * mPad;
  const end = cAt + mPad * nPad;
  const cols = weight.length / k;
  // The product's scratch, when x·W is formed here: x raw and packed, W raw and packed.
  const f = product ? product.features : 0;
  const rawX = end + extra;
  const xPacked = rawX + roundUp(rows * f, 4);
  const rawW = xPacked + f * roundUp(rows, MR);
  const wPacked = rawW + roundUp(f * width, 4);
  reserve(inst, Math.max(end + extra, packedFloats + weight.length, product ? wPacked + f * width : 0));
  const mem = inst.floats;
  copyIn(weight, 0, weight.length, mem, packedFloats); // raw, packed to 0, then overwritten by x·W
  packPanels(inst.packB, mem, { at: packedFloats, lanes: cols, depth: k, laneStride: 1, stepStride: cols }, KC, 0);
  if (product) {
    copyIn(product.x, 0, rows * f, mem, rawX);
    packPanels(inst.packA, mem, leftSource(rawX, rows, f, false), KC, xPacked);
    copyIn(product.W, 0, f * width, mem, rawW);
    packPanels(inst.packB, mem, rightSource(rawW, width, f, false), KC, wPacked);
    mem.fill(0, xwAt, biasAt);
    runProduct(inst, rows, width, f, xPacked, wPacked, xwAt);
  } else {
    copyIn(xW as Float32Array, 0, rows * width, mem, xwAt);
  }
  copyIn(b, 0, width, mem, biasAt);
  copyIn(h0, 0, batch * k, mem, cAt); // h_0 raw, packed into the first operand; C is free until step 0
  packPanels(inst.packA, mem, { at: cAt, lanes: batch, depth: k, laneStride: k, stepStride: 1 }, KC, a0);
  mem.fill(0, a1, a1 + k * mPad); // its padding rows stay zero: the steps write only real rows
  return { mPad, xwAt, xwRow, biasAt, a0, a1, cAt, end };
}

/**
 * The layer's output from a sequence's h plane ([time, batch, units] at planeAt, units a
 * multiple of 4): batch-major [batch, time, units] into `out`, transposed inside wasm memory at
 * scratchAt (reserved here) and copied out in one piece — the JavaScript loop it replaces
 * (cells/sequence-ops.ts timeToBatchMajor) copied W1's and W3's rows of 20 floats one by one.
 */
export function planeToBatchMajor(inst: Instance, planeAt: number, batch: number, time: number, units: number, scratchAt: number,
  out: Float32Array): void {
  const n = batch * time * units;
  reserve(inst, scratchAt + n);
  inst.stepsToBatchMajor(4 * planeAt, 4 * scratchAt, time, batch, units >> 2);
  out.set(inst.floats.subarray(scratchAt, scratchAt + n));
}

