/**
 * The matmul workload: square float32 C = A·B for n = 64 … 1024, GFLOP/s = 2n³ / time, on
 * every rnngrad kernel set — js (the wasm SIMD kernel on one thread), js+thread (with its
 * helper thread, the default for large products; n ≥ 256), the TS loops alone for reference,
 * gpu.js when asked — and on TF.js cpu and wasm. The transposed variants (Aᵀ·B, A·Bᵀ: the
 * backward pass's products) are timed too, at n = 256 (and 512 in the full run): that is
 * where TF.js wasm falls from ~33 to ~2.4 GFLOP/s (shared/ANCHORS.md).
 */
import { Random } from '../engine/random';
import { getKernels } from '../kernels/registry';
import { setBackend } from '../kernels/backend';
import { useWasmMatmul } from '../kernels/cpu/matmul';
import { useWasmThreads, THREAD_MIN_MULTIPLY_ADDS } from '../kernels/wasm/matmul';
import type { MatmulDims } from '../kernels/kernel';
import { measure, log, type Result, type TimingOptions } from './harness';
import { useTfBackend, tfMatmul } from './tfjs';

export type Variant = 'nn' | 'tn' | 'nt';
const FLAGS: Record<Variant, [boolean, boolean]> = { nn: [false, false], tn: [true, false], nt: [false, true] };

function operands(n: number): [Float32Array, Float32Array] {
  const rng = new Random(n);
  const a = new Float32Array(n * n);
  const b = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = rng.uniform(-1, 1);
    b[i] = rng.uniform(-1, 1);
  }
  return [a, b];
}

/** The model field of a matmul row: which product. */
const modelName = (v: Variant): string => ({ nn: 'A·B', tn: 'Aᵀ·B', nt: 'A·Bᵀ' })[v];

export interface MatmulPlan {
  readonly sizes: readonly number[];
  readonly variantSizes: readonly number[];
  /** Time the plain TS loops (the reference, ~1.7 GFLOP/s) up to this n. */
  readonly loopsMaxN: number;
  /** Also time gpu.js (setBackend('gpu')) up to this n; 0 = not at all. */
  readonly gpuMaxN: number;
}

/** Whether rnngrad's float32 matmul runs on the wasm kernel with its helper thread allowed (asks without changing either). */
export function wasmThreadsOn(): boolean {
  const threads = useWasmThreads(true);
  useWasmThreads(threads);
  const wasm = useWasmMatmul(true);
  useWasmMatmul(wasm);
  return threads && wasm;
}

/** Time every engine on every size; returns the rows and the gpu.js mode that ran (if any). */
export async function runMatmul(plan: MatmulPlan, timing: TimingOptions): Promise<{ results: Result[]; gpuMode: string | null }> {
  const results: Result[] = [];
  const jobs: [number, Variant][] = [
    ...plan.sizes.map((n): [number, Variant] => [n, 'nn']),
    ...plan.variantSizes.flatMap((n): [number, Variant][] => [[n, 'tn'], [n, 'nt']]),
  ];
  for (const [n, variant] of jobs) {
    log(`matmul n=${n} ${modelName(variant)}`);
    const [a, b] = operands(n);
    const [transA, transB] = FLAGS[variant];
    const dims: MatmulDims = { batch: 1, m: n, n, k: n, transA, transB, batchB: true };
    const out = new Float32Array(n * n);
    const row = { workload: 'matmul' as const, model: modelName(variant), op: 'matmul' as const, size: n };
    const kernels = getKernels();
    if (n >= 256) {
      // The same kernel without / with the helper thread splitting C's columns.
      const was = useWasmThreads(false);
      results.push(await measure({ ...row, engine: 'rnngrad', backend: kernels.name, threads: 1 }, () => kernels.matmul(a, b, out, dims), timing));
      useWasmThreads(true);
      results.push(await measure({ ...row, engine: 'rnngrad', backend: `${kernels.name}+thread`, threads: 2 }, () => kernels.matmul(a, b, out, dims), timing));
      useWasmThreads(was);
    } else {
      // Below n = 256 the helper thread joins only products of 2²¹ multiply-adds and more (n = 128).
      const threads = n ** 3 >= THREAD_MIN_MULTIPLY_ADDS && wasmThreadsOn() ? 2 : 1;
      results.push(await measure({ ...row, engine: 'rnngrad', backend: kernels.name, threads }, () => kernels.matmul(a, b, out, dims), timing));
    }
    if (variant === 'nn' && n <= plan.loopsMaxN) {
      const was = useWasmMatmul(false);
      results.push(await measure({ ...row, engine: 'rnngrad', backend: 'js/ts-loops', threads: 1 }, () => kernels.matmul(a, b, out, dims), timing));
      useWasmMatmul(was);
    }
    for (const backend of ['cpu', 'wasm'] as const) {
      await useTfBackend(backend);
      const mm = tfMatmul(a, b, n, transA, transB);
      results.push(await measure({ ...row, engine: 'tfjs', backend, threads: 1 }, mm.run, timing));
      mm.dispose();
    }
  }
  let gpuMode: string | null = null;
  if (plan.gpuMaxN > 0) {
    const choice = setBackend('gpu', { log });
    gpuMode = choice.kernels;
    try {
      for (const n of plan.sizes.filter((s) => s <= plan.gpuMaxN)) {
        const [a, b] = operands(n);
        const out = new Float32Array(n * n);
        const dims: MatmulDims = { batch: 1, m: n, n, k: n, transA: false, transB: false, batchB: true };
        const kernels = getKernels();
        results.push(await measure({ workload: 'matmul', model: modelName('nn'), op: 'matmul', size: n, engine: 'rnngrad', backend: kernels.name, threads: 1 },
          () => kernels.matmul(a, b, out, dims), timing));
      }
    } finally {
      setBackend('cpu');
    }
  }
  return { results, gpuMode };
}
