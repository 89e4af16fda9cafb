/**
 * The wasm matmul with a fixed right operand (the kernel interface's matmulFixedRight, for
 * float32): B packed once at the start of the matmul module's memory, then any number of
 * products A·op(B) against it, each starting from an addend. The module, its memory layout and
 * the block loops are ./matmul.ts's.
 */
import type { FixedRightMatmul, RowAddend } from '../kernel';
import { NR, MR } from './gemm-module';
import { packPanels } from './pack';
import { getInstance, reserve, roundUp, copyIn, copyOut, runProduct, KC, SHORT_ROW, type Instance } from './matmul';
import { evictResident } from './resident';

/**
 * Products A·op(B) against one B packed once (the kernel interface's matmulFixedRight, for
 * float32). Per step of W2's LSTM, h·U repacked U (256 × 1024, 1 MiB) every time: a raw copy
 * and a packing pass per product. Here B is packed at the start of the module's memory ("pinned")
 * on first use and stays there; a later fixed operand takes the place over, and this one packs
 * itself again if it is used after that. The output starts from the addend (x_t·W + b for the
 * LSTM) inside wasm memory, so the product accumulates onto it and no JavaScript loop adds it.
 */
export function wasmFixedRight(b: Float32Array, k: number, n: number, transB: boolean): FixedRightMatmul {
  const nPad = roundUp(n, NR);
  const packedFloats = roundUp(k * nPad, 4);
  const owner = {};
  const pin = (inst: Instance): void => {
    evictResident(inst); // U goes at 0
    inst.pinnedOwner = null;
    inst.pinnedFloats = packedFloats;
    reserve(inst, packedFloats + roundUp(k * n, 4));
    copyIn(b, 0, k * n, inst.floats, packedFloats);
    const source = { at: packedFloats, lanes: n, depth: k, laneStride: transB ? k : 1, stepStride: transB ? 1 : n };
    packPanels(inst.packB, inst.floats, source, KC, 0);
    inst.pinnedOwner = owner;
  };
  return {
    run(a: Float32Array, m: number, out: Float32Array, addend: RowAddend | null): void {
      if (m === 0 || n === 0) return;
      if (k === 0) {
        out.fill(0, 0, m * n);
        if (addend) addRowsJs(out, m, n, addend);
        return;
      }
      const inst = getInstance();
      if (inst.pinnedOwner !== owner) pin(inst);
      const mPad = roundUp(m, MR);
      const rawA = packedFloats;
      const apAt = rawA + roundUp(m * k, 4);
      const cAt = apAt + k * mPad;
      const biasAt = cAt + mPad * nPad;
      reserve(inst, biasAt + nPad);
      const mem = inst.floats;
      copyIn(a, 0, m * k, mem, rawA);
      packPanels(inst.packA, mem, { at: rawA, lanes: m, depth: k, laneStride: k, stepStride: 1 }, KC, apAt);
      startFrom(inst, addend as RowAddend<Float32Array> | null, m, n, cAt, biasAt);
      runProduct(inst, m, n, k, apAt, 0, cAt);
      copyOut(inst, cAt, m, n, out, 0);
    },
  };
}

/** C (rows of nPad at cAt) = the addend's rows + bias, or zeros; padding zeroed. */
function startFrom(inst: Instance, addend: RowAddend<Float32Array> | null, m: number, n: number, cAt: number, biasAt: number): void {
  const mem = inst.floats;
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  if (!addend) {
    mem.fill(0, cAt, cAt + mPad * nPad);
    return;
  }
  const { data, at, stride, bias } = addend;
  if (nPad === n && stride === n) {
    mem.set(data.subarray(at, at + m * n), cAt);
  } else if (n < SHORT_ROW) {
    // Short rows (W1, W3: 20 or 80 wide) element by element: a view per row costs more.
    for (let r = 0; r < m; r++) {
      const src = at + r * stride;
      const dst = cAt + r * nPad;
      for (let j = 0; j < n; j++) mem[dst + j] = data[src + j];
      for (let j = n; j < nPad; j++) mem[dst + j] = 0;
    }
  } else {
    for (let r = 0; r < m; r++) {
      mem.set(data.subarray(at + r * stride, at + r * stride + n), cAt + r * nPad);
      if (nPad > n) mem.fill(0, cAt + r * nPad + n, cAt + (r + 1) * nPad);
    }
  }
  mem.fill(0, cAt + m * nPad, cAt + mPad * nPad);
  if (bias) {
    mem.set(bias.subarray(0, n), biasAt);
    mem.fill(0, biasAt + n, biasAt + nPad);
    inst.addRows(4 * cAt, 4 * nPad, m, nPad / 4, 4 * biasAt);
  }
}

/** out[r, j] += addend[r, j] + bias[j] in plain loops (the k = 0 edge case). */
function addRowsJs(out: Float32Array, m: number, n: number, { data, at, stride, bias }: RowAddend): void {
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[r * n + j] += data[at + r * stride + j] + (bias ? bias[j] : 0);
}
