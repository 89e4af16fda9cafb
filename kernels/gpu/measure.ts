/**
 * Measures what backend.ts's `auto` rule and the small-call thresholds are based on:
 * matmul GFLOP/s for square n on rnngrad's js kernels and on each gpu.js mode this process can
 * get, and the fixed cost of one gpu.js call (an element-wise op on a few elements).
 *
 *   npx tsc -p tsconfig.build.json && node dist/kernels/gpu/measure.js [modes…]
 *   xvfb-run -a -s "-ac -screen 0 1280x1024x24" node dist/kernels/gpu/measure.js headlessgl
 *
 * Prints a markdown table. Medians of a few runs after a warm-up call (which compiles the kernel).
 */
import type { Kernels, Storage } from '../kernel';
import { cpuKernels } from '../cpu';
import { createGpuKernels, GpuMode } from './index';
import { platform } from '../../platform';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Seconds per call of fn, median of `reps` timed calls after one warm-up call. */
export function timeCall(fn: () => void, reps: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = platform().now();
    fn();
    times.push((platform().now() - t0) / 1e3);
  }
  return median(times);
}

/** GFLOP/s of an n×n·n×n matmul (2n³ flops) on these kernels, float32 unless asked for float64. */
export function matmulGflops(k: Kernels, n: number, float64 = false): number {
  const make = (f: (i: number) => number): Storage =>
    float64 ? Float64Array.from({ length: n * n }, (_, i) => f(i)) : Float32Array.from({ length: n * n }, (_, i) => f(i));
  const a = make(Math.sin);
  const b = make(Math.cos);
  const out = make(() => 0);
  const dims = { batch: 1, m: n, n, k: n, transA: false, transB: false, batchB: true };
  const reps = n <= 128 ? 15 : n <= 256 ? 7 : 3;
  const seconds = timeCall(() => k.matmul(a, b, out, dims), reps);
  return (2 * n * n * n) / seconds / 1e9;
}

/** Microseconds of one call of the sigmoid kernel on `size` elements. */
export function unaryMicros(k: Kernels, size: number): number {
  const x: Storage = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
  const out = new Float32Array(size);
  return timeCall(() => k.unary('sigmoid', x, out), 50) * 1e6;
}

function main(argv: string[]): void {
  const sizes = [64, 128, 256, 512, 1024];
  const requested = argv.length > 0 ? (argv as GpuMode[]) : (['webasm', 'cpu'] as GpuMode[]);
  const rows: { name: string; k: Kernels; float64?: boolean }[] = [
    { name: 'js', k: cpuKernels },
    { name: 'js float64 (the TS loops)', k: cpuKernels, float64: true },
  ];
  for (const mode of requested) {
    try {
      const k = createGpuKernels({ mode });
      rows.push({ name: k.name, k });
    } catch (e) {
      platform().notice(`gpu.js mode ${mode}: ${(e as Error).message}`);
    }
  }
  console.log(`| kernels | ${sizes.map((n) => `n=${n}`).join(' | ')} | sigmoid 1 elt (µs) | sigmoid 4096 (µs) |`);
  console.log(`|---|${sizes.map(() => '---:').join('|')}|---:|---:|`);
  for (const { name, k, float64 } of rows) {
    const g = sizes.map((n) => matmulGflops(k, n, float64).toFixed(2));
    console.log(`| ${name} | ${g.join(' | ')} | ${unaryMicros(k, 1).toFixed(1)} | ${unaryMicros(k, 4096).toFixed(1)} |`);
  }
}

if (require.main === module) main(process.argv.slice(2));
