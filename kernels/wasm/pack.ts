/**
 * Packing: reorder an operand, already copied raw into wasm memory, into the order the
 * micro-kernel reads it (kernels/wasm/gemm-module.ts). This is where transposes disappear —
 * Aᵀ and Bᵀ are packed by reading the raw copy with the other strides — so every transpose
 * variant runs the same micro-kernel at the same speed. Packing costs O(mk + kn) against the
 * product's O(mnk).
 *
 * Both operands are seen as `lanes` × `depth` (A: m rows × k; B: n columns × k), with element
 * (lane l, step p) at raw[l · laneStride + p · stepStride]. Packed layout, lanes padded with
 * zeros to a multiple of the panel width W (MR for A, NR for B):
 *   for each k-block [pc, pc + kcLen) — at float offset pc · lanesPad
 *     for each panel of W lanes — at panel · kcLen · W inside the block
 *       for p in the block, for c < W:   packed = element(panel · W + c, pc + p)
 */
import type { PackFn } from './gemm-module';

/** How to read one operand out of its raw copy (all offsets and strides in floats). */
export interface PackSource {
  readonly at: number;
  readonly lanes: number;
  readonly depth: number;
  readonly laneStride: number;
  readonly stepStride: number;
}

/**
 * A product's left operand A (m × k) stored row-major at `at` — as [m, k], or as [k, m] when
 * `trans` (the product reads Aᵀ). Every product packs its operands through these two, so two
 * products of the same operands are packed alike and sum in the same order.
 */
export function leftSource(at: number, m: number, k: number, trans: boolean): PackSource {
  return { at, lanes: m, depth: k, laneStride: trans ? 1 : k, stepStride: trans ? m : 1 };
}

/** A product's right operand B (k × n) stored row-major at `at` — as [k, n], or as [n, k] when `trans`. */
export function rightSource(at: number, n: number, k: number, trans: boolean): PackSource {
  return { at, lanes: n, depth: k, laneStride: trans ? k : 1, stepStride: trans ? 1 : n };
}

/** The module's pack functions for one panel width: gather lane by lane, or copy f32x4s. */
export interface PackFns {
  readonly width: number;
  readonly scalar: PackFn;
  readonly vector: PackFn;
}

/** Pack `src` into mem[dstAt…] with k-blocks of kcMax (see the layout above). */
export function packPanels(fns: PackFns, mem: Float32Array, src: PackSource, kcMax: number, dstAt: number): void {
  const { at, lanes, depth, laneStride, stepStride } = src;
  const w = fns.width;
  const fullPanels = Math.floor(lanes / w);
  const rest = lanes - fullPanels * w;
  const lanesPad = rest === 0 ? lanes : lanes + w - rest;
  // Contiguous lanes (row-major B, transposed A) copy whole vectors; otherwise gather.
  const copy = laneStride === 1 ? fns.vector : fns.scalar;
  for (let pc = 0; pc < depth; pc += kcMax) {
    const kcLen = Math.min(kcMax, depth - pc);
    const blockAt = dstAt + pc * lanesPad;
    const srcAt = at + pc * stepStride;
    if (fullPanels > 0) {
      copy(4 * srcAt, 4 * stepStride, 4 * laneStride, 4 * w * laneStride, fullPanels, kcLen, 4 * blockAt);
    }
    if (rest > 0) {
      // The last, partial panel: real lanes then zeros, so the micro-kernel needs no edge case.
      let o = blockAt + fullPanels * kcLen * w;
      const lane0 = srcAt + fullPanels * w * laneStride;
      for (let p = 0; p < kcLen; p++) {
        const base = lane0 + p * stepStride;
        let c = 0;
        for (; c < rest; c++) mem[o++] = mem[base + c * laneStride];
        for (; c < w; c++) mem[o++] = 0;
      }
    }
  }
}
