/**
 * The WebAssembly SIMD matmul kernel, written with the assembler in ./emit.
 *
 * It computes C += Ã · B̃ for *packed* operands (see ./pack.ts), the inner two loops of the
 * BLIS/GotoBLAS algorithm ("GEBP": general block times panel):
 *
 *   for each panel of NR columns of B̃  (kc × NR floats, contiguous: stays in L1)
 *     for each panel of MR rows of Ã   (kc × MR floats, contiguous: streams from L2)
 *       the micro-kernel: an MR × NR tile of C held in MR·NR/4 f32x4 registers,
 *       for p in 0..kc:  tile += Ã[:, p] ⊗ B̃[p, :]   (an outer product, one per step)
 *
 * Each step loads NR/4 vectors of B̃ and MR broadcast scalars of Ã and does MR·NR/4
 * multiplies and adds: the tile is the register blocking that makes the loop compute-bound
 * instead of load-bound. Plain WebAssembly SIMD has no fused multiply-add, so it is mul then
 * add; with `fma` the step is relaxed SIMD's f32x4.relaxed_madd instead (./relaxed.ts).
 * The tile sizes are parameters: MR = 4, NR = 8 uses 8 accumulators + 2 B vectors + 1
 * broadcast, within the 16 vector registers V8 allocates on x64.
 *
 * C's rows are padded to a multiple of NR columns and its row count to a multiple of MR, and
 * the packed panels are zero-padded, so the micro-kernel never handles a partial tile.
 */
import { Code, I32, V128, buildModule, type FunctionDef, type ValueType } from './emit';
import { lstmStepFunctions } from './lstm-step-module';
import { rnnStepFunctions } from './rnn-step-module';

/** Rows of the register tile (broadcast scalars of A per step). */
export const MR = 4;
/** Columns of the register tile (a multiple of 4: f32x4 vectors of B per step). */
export const NR = 8;

const F32 = 4; // bytes per float
const VEC = 16; // bytes per f32x4

/** gebp(kc, mPanels, nPanels, ap, bp, c, ldc): C[mPanels·MR, nPanels·NR] += Ã·B̃ (byte addresses). */
function gebp(mr: number, nr: number, fma: boolean): FunctionDef {
  const nv = nr / 4; // vectors per row of the tile
  // Parameters.
  const kc = 0, mPanels = 1, nPanels = 2, ap = 3, bp = 4, c = 5, ldc = 6;
  // i32 locals.
  const jr = 7, ir = 8, aPtr = 9, bPtr = 10, p = 11, cTile = 12, bPanel = 13, cCol = 14, aPanel = 15, row = 16;
  // v128 locals: the accumulator tile, the row of B̃ for this step, one broadcast of Ã.
  const firstV = 17;
  const acc = (r: number, v: number): number => firstV + r * nv + v;
  const bVec = (v: number): number => firstV + mr * nv + v;
  const aSplat = firstV + mr * nv + nv;
  const locals: ValueType[] = [...Array<ValueType>(10).fill(I32), ...Array<ValueType>(mr * nv + nv + 1).fill(V128)];

  const code = new Code();
  /** Walk the rows of the C tile: row = cTile, then row += ldc, calling visit(r) at each. */
  const eachTileRow = (visit: (r: number) => void): void => {
    code.localGet(cTile).localSet(row);
    for (let r = 0; r < mr; r++) {
      visit(r);
      if (r < mr - 1) code.localGet(row).localGet(ldc).i32Add().localSet(row);
    }
  };

  code.localGet(nPanels).localSet(jr).localGet(bp).localSet(bPanel).localGet(c).localSet(cCol);
  code.loop(); // over column panels of B̃ (and of C)
  {
    code.localGet(mPanels).localSet(ir).localGet(ap).localSet(aPanel).localGet(cCol).localSet(cTile);
    code.loop(); // over row panels of Ã (and of C)
    {
      // Load the C tile into the accumulators (C is zeroed before the first k-block).
      eachTileRow((r) => {
        for (let v = 0; v < nv; v++) code.localGet(row).v128Load(v * VEC).localSet(acc(r, v));
      });
      code.localGet(aPanel).localSet(aPtr).localGet(bPanel).localSet(bPtr).localGet(kc).localSet(p);
      code.loop(); // the micro-kernel: one rank-1 update of the tile per step p
      {
        for (let v = 0; v < nv; v++) code.localGet(bPtr).v128Load(v * VEC).localSet(bVec(v));
        for (let r = 0; r < mr; r++) {
          code.localGet(aPtr).v128Load32Splat(r * F32).localSet(aSplat);
          for (let v = 0; v < nv; v++) {
            // acc[r][v] += a[r] * b[v]
            if (fma) code.localGet(aSplat).localGet(bVec(v)).localGet(acc(r, v)).f32x4RelaxedMadd().localSet(acc(r, v));
            else code.localGet(acc(r, v)).localGet(aSplat).localGet(bVec(v)).f32x4Mul().f32x4Add().localSet(acc(r, v));
          }
        }
        code.localGet(aPtr).i32Const(mr * F32).i32Add().localSet(aPtr);
        code.localGet(bPtr).i32Const(nr * F32).i32Add().localSet(bPtr);
        code.localGet(p).i32Const(1).i32Sub().localTee(p).brIf(0);
      }
      code.end();
      eachTileRow((r) => {
        for (let v = 0; v < nv; v++) code.localGet(row).localGet(acc(r, v)).v128Store(v * VEC);
      });
      // The micro-kernel walked aPtr exactly one panel forward: that is the next panel.
      code.localGet(aPtr).localSet(aPanel);
      code.localGet(cTile).localGet(ldc).i32Const(mr).i32Mul().i32Add().localSet(cTile);
      code.localGet(ir).i32Const(1).i32Sub().localTee(ir).brIf(0);
    }
    code.end();
    code.localGet(bPtr).localSet(bPanel);
    code.localGet(cCol).i32Const(nr * F32).i32Add().localSet(cCol);
    code.localGet(jr).i32Const(1).i32Sub().localTee(jr).brIf(0);
  }
  code.end();

  return { name: 'gebp', params: Array<ValueType>(7).fill(I32), locals, body: code };
}

/**
 * pack_<width>_<scalar|vector>(src, pStep, cStep, panelStep, nPanels, kcLen, dst): copy nPanels
 * whole panels of `width` lanes into the micro-kernel's order, dst[q][p][c] = src at
 * src + q·panelStep + p·pStep + c·cStep (byte addresses). `vector` assumes cStep = 4 (the lanes
 * are contiguous in the source, as in row-major B or a transposed A) and copies with f32x4
 * loads; `scalar` gathers lane by lane (the transposed case). The source is the operand copied
 * raw into wasm memory, so this runs at memory speed instead of a JS loop's per-element cost.
 */
function pack(width: number, vector: boolean): FunctionDef {
  const src = 0, pStep = 1, cStep = 2, panelStep = 3, nPanels = 4, kcLen = 5, dst = 6;
  const q = 7, p = 8, s = 9, lane = 10;
  const code = new Code();
  code.localGet(nPanels).localSet(q);
  code.loop(); // over panels
  {
    code.localGet(src).localSet(s).localGet(kcLen).localSet(p);
    code.loop(); // over the k steps of one panel
    {
      if (vector) {
        for (let v = 0; v < width / 4; v++) code.localGet(dst).localGet(s).v128Load(v * VEC).v128Store(v * VEC);
      } else {
        code.localGet(s).localSet(lane);
        for (let c = 0; c < width; c++) {
          code.localGet(dst).localGet(lane).f32Load().f32Store(c * F32);
          if (c < width - 1) code.localGet(lane).localGet(cStep).i32Add().localSet(lane);
        }
      }
      code.localGet(dst).i32Const(width * F32).i32Add().localSet(dst);
      code.localGet(s).localGet(pStep).i32Add().localSet(s);
      code.localGet(p).i32Const(1).i32Sub().localTee(p).brIf(0);
    }
    code.end();
    code.localGet(src).localGet(panelStep).i32Add().localSet(src);
    code.localGet(q).i32Const(1).i32Sub().localTee(q).brIf(0);
  }
  code.end();
  const name = `pack_${width}_${vector ? 'vector' : 'scalar'}`;
  return { name, params: Array<ValueType>(7).fill(I32), locals: Array<ValueType>(4).fill(I32), body: code };
}

/**
 * add_rows(c, ldc, rows, nVec, v): c[r][0, 4·nVec) += v[0, 4·nVec) for each of `rows` rows
 * ldc bytes apart (byte addresses; rows ≥ 1, nVec ≥ 1) — a bias added to C before the
 * product accumulates into it.
 */
function addRows(): FunctionDef {
  const c = 0, ldc = 1, rows = 2, nVec = 3, v = 4;
  const q = 5, cp = 6, vp = 7;
  const code = new Code();
  code.loop(); // over rows
  {
    code.localGet(c).localSet(cp).localGet(v).localSet(vp).localGet(nVec).localSet(q);
    code.loop(); // over the vectors of one row
    {
      code.localGet(cp).localGet(cp).v128Load().localGet(vp).v128Load().f32x4Add().v128Store();
      code.localGet(cp).i32Const(VEC).i32Add().localSet(cp);
      code.localGet(vp).i32Const(VEC).i32Add().localSet(vp);
      code.localGet(q).i32Const(1).i32Sub().localTee(q).brIf(0);
    }
    code.end();
    code.localGet(c).localGet(ldc).i32Add().localSet(c);
    code.localGet(rows).i32Const(1).i32Sub().localTee(rows).brIf(0);
  }
  code.end();
  return { name: 'add_rows', params: Array<ValueType>(5).fill(I32), locals: Array<ValueType>(3).fill(I32), body: code };
}

/**
 * compact_rows(c, ldc, rows, vecs, tail): close up the padding between rows in place — row r
 * (ldc bytes apart, from c) moves to c + r·w, where w = 16·vecs + 4·tail bytes is the row's
 * real width (rows ≥ 1). Rows move front to back and each row's bytes from its start: the
 * destination never passes the source, so nothing is overwritten before it is read. C then
 * leaves wasm memory in one copy instead of a loop per element (rows narrower than 64 floats).
 */
function compactRows(): FunctionDef {
  const c = 0, ldc = 1, rows = 2, vecs = 3, tail = 4;
  const src = 5, dst = 6, left = 7, rowSrc = 8;
  const code = new Code();
  code.localGet(c).localSet(rowSrc).localGet(c).localSet(dst);
  code.loop(); // over rows
  {
    code.localGet(rowSrc).localSet(src);
    code.block();
    code.localGet(vecs).i32Eqz().brIf(0).localGet(vecs).localSet(left);
    code.loop();
    code.localGet(dst).localGet(src).v128Load().v128Store();
    code.localGet(src).i32Const(VEC).i32Add().localSet(src);
    code.localGet(dst).i32Const(VEC).i32Add().localSet(dst);
    code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    code.end();
    code.end();
    code.block();
    code.localGet(tail).i32Eqz().brIf(0).localGet(tail).localSet(left);
    code.loop();
    code.localGet(dst).localGet(src).f32Load().f32Store();
    code.localGet(src).i32Const(F32).i32Add().localSet(src);
    code.localGet(dst).i32Const(F32).i32Add().localSet(dst);
    code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
    code.end();
    code.end();
    code.localGet(rowSrc).localGet(ldc).i32Add().localSet(rowSrc);
    code.localGet(rows).i32Const(1).i32Sub().localTee(rows).brIf(0);
  }
  code.end();
  return { name: 'compact_rows', params: Array<ValueType>(5).fill(I32), locals: Array<ValueType>(4).fill(I32), body: code };
}

/**
 * steps_to_batch_major(src, dst, time, batch, vecs): a sequence's plane from time-major
 * [time, batch, units] at src to batch-major [batch, time, units] at dst, units = 4·vecs
 * (byte addresses; time, batch, vecs ≥ 1; the regions do not overlap). dst is written in order.
 */
function stepsToBatchMajor(): FunctionDef {
  const src = 0, dst = 1, time = 2, batch = 3, vecs = 4;
  const r = 5, t = 6, s = 7, left = 8, rowBytes = 9, stepBytes = 10, rowSrc = 11;
  const code = new Code();
  code.localGet(vecs).i32Const(VEC).i32Mul().localSet(rowBytes);
  code.localGet(rowBytes).localGet(batch).i32Mul().localSet(stepBytes);
  code.localGet(batch).localSet(r).localGet(src).localSet(rowSrc);
  code.loop(); // over batch rows
  {
    code.localGet(rowSrc).localSet(s).localGet(time).localSet(t);
    code.loop(); // over steps: row r of step t
    {
      code.localGet(vecs).localSet(left);
      code.loop();
      code.localGet(dst).localGet(s).v128Load().v128Store();
      code.localGet(s).i32Const(VEC).i32Add().localSet(s);
      code.localGet(dst).i32Const(VEC).i32Add().localSet(dst);
      code.localGet(left).i32Const(1).i32Sub().localTee(left).brIf(0);
      code.end();
      // s walked one row forward; the same row of the next step is a step further
      code.localGet(s).localGet(stepBytes).i32Add().localGet(rowBytes).i32Sub().localSet(s);
      code.localGet(t).i32Const(1).i32Sub().localTee(t).brIf(0);
    }
    code.end();
    code.localGet(rowSrc).localGet(rowBytes).i32Add().localSet(rowSrc);
    code.localGet(r).i32Const(1).i32Sub().localTee(r).brIf(0);
  }
  code.end();
  return { name: 'steps_to_batch_major', params: Array<ValueType>(5).fill(I32), locals: Array<ValueType>(7).fill(I32), body: code };
}

/** Signature of the exported steps_to_batch_major (see stepsToBatchMajor()). */
export type StepsToBatchMajorFn = (src: number, dst: number, time: number, batch: number, vecs: number) => void;

/** Signature of the exported compact_rows (see compactRows()). */
export type CompactRowsFn = (c: number, ldc: number, rows: number, vecs: number, tail: number) => void;

/** Signature of the exported add_rows (see addRows()). */
export type AddRowsFn = (c: number, ldc: number, rows: number, nVec: number, v: number) => void;

/** Signature of the exported pack functions (see pack()). */
export type PackFn = (src: number, pStep: number, cStep: number, panelStep: number, nPanels: number, kcLen: number,
  dst: number) => void;

/**
 * The module's bytes, memory imported as env.memory. Exports: `gebp`, `pack_MR_scalar`,
 * `pack_MR_vector`, `pack_NR_scalar`, `pack_NR_vector` (with MR and NR as numbers), `add_rows`,
 * one LSTM step's `lstm_init`, `lstm_gates_blocked` and `lstm_gates_back_blocked` (./lstm-step-module.ts),
 * one simple-RNN step's `seq_init` and `rnn_tanh_step` (./rnn-step-module.ts), `compact_rows` and `steps_to_batch_major`.
 * `fma`: the micro-kernel uses relaxed SIMD's fused multiply-add, and the step functions' exp its
 * min, max and truncation (the engine must have relaxed SIMD).
 */
export function gemmModuleBytes(shared = false, fma = false): Uint8Array<ArrayBuffer> {
  return buildModule([gebp(MR, NR, fma), pack(MR, false), pack(MR, true), pack(NR, false), pack(NR, true), addRows(),
    ...lstmStepFunctions(fma), ...rnnStepFunctions(fma), compactRows(), stepsToBatchMajor()], shared);
}
