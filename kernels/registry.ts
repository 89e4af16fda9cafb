/**
 * Which kernels the ops run on. The CPU kernels are the default; the gpu.js backend
 * (kernels/gpu) installs itself here when chosen with setBackend().
 */
import type { Kernels } from './kernel';
import { cpuKernels } from './cpu';

let current: Kernels = cpuKernels;

/** The kernels every op uses now. */
export function getKernels(): Kernels {
  return current;
}

/** Swap the kernel implementation (the backend module does this; most code calls setBackend). */
export function setKernels(k: Kernels): void {
  current = k;
}
