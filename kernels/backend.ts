/**
 * Backend choice: which kernels the ops run on.
 *
 *   setBackend('cpu')   rnngrad's own kernels, reported as "js".
 *   setBackend('gpu')   the gpu.js kernels, reported as "gpu.js/<mode>" with the mode that really
 *                       runs. Without a GL context gpu.js runs its webasm (or cpu) mode instead:
 *                       one line on stderr says so, and the run goes on — never silently, never a
 *                       crash. If gpu.js cannot start at all, the js kernels run, also said in one line.
 *   setBackend('auto')  the GPU only where it pays off: matmuls at or above the crossover size
 *                       go to gpu.js, everything else to js — and if gpu.js never wins, plain "js".
 *
 * The crossover, measured on the 2-core VM this was written on (node dist/kernels/gpu/measure.js,
 * square float32 matmul, GFLOP/s, medians; kernels/gpu/README.md has the full table):
 *
 *   | kernels                      | n=64 | 128  | 256  | 512  | 1024 | one call (sigmoid, 1 elt) |
 *   | js, TS loops                 | 2.15 | 2.25 | 2.26 | 2.20 | 2.15 |   0.2 µs |
 *   | js, wasm SIMD matmul ²       | 8–19 | 23–39| 25–38| 10–39| 15–41|   0.3 µs |
 *   | gpu.js/headlessgl ¹          | 0.40 | 0.78 | 1.13 | 1.17 | 0.63 | 117   µs |
 *   | gpu.js/webasm                | 1.09 | 1.12 | 1.16 | 1.14 | 0.84 |   4.3 µs |
 *   | gpu.js/cpu                   | 0.58 | 0.44 | 0.42 | 0.65 | 0.50 |   1.8 µs |
 *   ¹ under xvfb-run: Mesa llvmpipe, i.e. shaders run in software on the same two cores.
 *   The js row was measured before float32 matmuls moved to the WebAssembly SIMD kernel
 *   (kernels/wasm); since then js is ~35 GFLOP/s single-threaded (bench/results), so the gap only grew.
 *   ² the js backend's float32 matmul since kernels/wasm landed; ranges: the VM was shared.
 *
 * No gpu.js mode reaches the js kernels at any size here — not even the TS loops — so there is
 * no crossover for webasm and cpu (a property of the code: WEBASM_CPU_CROSSOVER = ∞), and `auto`
 * picks js. A GL mode's speed depends on what is behind the context (llvmpipe or a real GPU),
 * which WebGL does not reveal (headless-gl's renderer string is just "ANGLE"). So for GL, `auto`
 * times one matmul per size n = 128, 256, 512 on both kernel sets (once per process; it stops at
 * the first size where gpu.js is > 3× behind — on llvmpipe that is n = 128, ~70 ms in all) and
 * sends matmuls with batch·m·n·k ≥ n³ of the first size where gpu.js wins to gpu.js; none → js.
 */
import type { Kernels } from './kernel';
import { setKernels, getKernels } from './registry';
import { cpuKernels } from './cpu';
import type { GpuKernels, GpuKernelOptions } from './gpu';
import { platform } from '../platform';

export type BackendName = 'cpu' | 'gpu' | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'gpu', 'auto'];
/** The environment variable read by backendFromEnv(). */
export const BACKEND_ENV = 'RNNGRAD_BACKEND';

/** No crossover for gpu.js's webasm and cpu modes: they never beat the js kernels (table above). */
const WEBASM_CPU_CROSSOVER = Infinity;
/** Square sizes timed by `auto` on a GL mode. */
const CALIBRATION_SIZES = [128, 256, 512];

export interface BackendOptions {
  /** Where the one-line notices go (default: stderr in Node, console.warn in a browser). */
  readonly log?: (line: string) => void;
  /** Passed to createGpuKernels (mode, size thresholds) for 'gpu'. */
  readonly gpu?: GpuKernelOptions;
}

/** What setBackend installed. */
export interface BackendChoice {
  readonly requested: BackendName;
  /** "js" or "gpu.js/<mode>": the `kernels` field of --json output. */
  readonly kernels: string;
  /** The line written to the log (null for a plain 'cpu'). */
  readonly notice: string | null;
}

let current: BackendName = 'cpu';
/** gpu.js kernel sets by their options: one GPU instance (one GL context, one cache) per set. */
const gpuSets = new Map<string, GpuKernels | Error>();

/** The gpu.js kernels for these options, created once per process; an Error if gpu.js cannot start. */
function gpuKernels(options: GpuKernelOptions = {}): GpuKernels | Error {
  const key = JSON.stringify(options);
  let set = gpuSets.get(key);
  if (!set) {
    try {
      // required lazily: a broken gpu.js install must cost the gpu backend, not the whole package
      const gpu: typeof import('./gpu') = require('./gpu');
      set = gpu.createGpuKernels(options);
    } catch (e) {
      set = e instanceof Error ? e : new Error(String(e));
    }
    gpuSets.set(key, set);
  }
  return set;
}

const isGl = (mode: string): boolean => mode === 'headlessgl' || mode === 'webgl2' || mode === 'webgl';

/** Install the kernels for `name`; returns what runs, and writes one line about it to the log. */
export function setBackend(name: BackendName, options: BackendOptions = {}): BackendChoice {
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(`setBackend: unknown backend "${String(name)}" (expected ${BACKEND_NAMES.join(', ')})`);
  }
  const log = options.log ?? platform().notice;
  const choose = (kernels: Kernels, notice: string | null): BackendChoice => {
    setKernels(kernels);
    current = name;
    if (notice) log(notice);
    return { requested: name, kernels: kernels.name, notice };
  };
  if (name === 'cpu') return choose(cpuKernels, null);
  const gpu = gpuKernels(name === 'gpu' ? options.gpu : {});
  if (gpu instanceof Error) return choose(cpuKernels, `rnngrad: backend ${name}: gpu.js could not start (${gpu.message}); kernels js`);
  if (name === 'gpu') {
    // the size thresholds, when set, are part of what runs: they go in the same line
    const small = gpu.minElements > 0 || gpu.minMatmulWork > 0
      ? `; calls under ${gpu.minElements} elements (matmul under ${gpu.minMatmulWork} multiply-adds) run on js`
      : '';
    const notice = isGl(gpu.mode)
      ? `rnngrad: backend gpu: kernels ${gpu.name}${small}`
      : `rnngrad: backend gpu: ${platform().noGlReason()}; gpu.js runs in ${gpu.mode} mode instead (kernels ${gpu.name}, on the CPU)${small}`;
    return choose(gpu, notice);
  }
  // auto
  const crossover = isGl(gpu.mode) ? calibratedCrossover(gpu) : WEBASM_CPU_CROSSOVER;
  if (!Number.isFinite(crossover)) {
    return choose(cpuKernels, `rnngrad: backend auto: kernels js (gpu.js/${gpu.mode} is slower than js at every matmul size measured)`);
  }
  const side = Math.round(Math.cbrt(crossover));
  return choose(hybrid(gpu, crossover),
    `rnngrad: backend auto: kernels ${gpu.name} for matmuls from ${side}³ multiply-adds up, js for the rest`);
}

/** What `auto` installs when gpu.js wins: js kernels, except matmuls with batch·m·n·k ≥ crossover, on gpu.js. */
export function hybrid(gpu: GpuKernels, crossover: number): Kernels {
  return {
    ...cpuKernels,
    name: gpu.name,
    matmul: (a, b, out, d) => (d.batch * d.m * d.n * d.k >= crossover ? gpu : cpuKernels).matmul(a, b, out, d),
  };
}

let calibrated: number | undefined;
/** The smallest n³ (n from CALIBRATION_SIZES) where the gpu.js matmul beats js; ∞ if none. Once per process. */
function calibratedCrossover(gpu: GpuKernels): number {
  if (calibrated !== undefined) return calibrated;
  calibrated = Infinity;
  for (const n of CALIBRATION_SIZES) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const out = new Float32Array(n * n);
    const dims = { batch: 1, m: n, n, k: n, transA: false, transB: false, batchB: true };
    const seconds = (k: Kernels): number => {
      k.matmul(a, a, out, dims); // warm-up (compiles the gpu.js kernel)
      const t0 = platform().now();
      k.matmul(a, a, out, dims);
      return (platform().now() - t0) * 1e6; // ns
    };
    const tGpu = seconds(gpu);
    const tJs = seconds(cpuKernels);
    if (tGpu < tJs) {
      calibrated = n * n * n;
      break;
    }
    // far behind: per-size gains on a GL mode are < 3× between these sizes; and keep start-up short
    if (tGpu > 3 * tJs || tGpu > 1e8) break;
  }
  return calibrated;
}

/** The backend last installed with setBackend ('cpu' until then). */
export function getBackendName(): BackendName {
  return current;
}

/** The kernels in use: "js" or "gpu.js/<mode>" (the `kernels` field of --json output). */
export function kernelsName(): string {
  return getKernels().name;
}

/** RNNGRAD_BACKEND as a backend name (default 'cpu'; a browser has no environment); an unknown value is an error naming the variable. */
export function backendFromEnv(env: Readonly<Record<string, string | undefined>> = platform().env): BackendName {
  const value = env[BACKEND_ENV];
  if (value === undefined || value === '') return 'cpu';
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`${BACKEND_ENV}=${value}: expected one of ${BACKEND_NAMES.join(', ')}`);
}
