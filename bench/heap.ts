/**
 * Steady-state memory: train for many steps and sample the heap after a forced garbage
 * collection every `every` steps. A per-step leak (a tape kept alive, a buffer cache that only
 * grows) shows as a steady climb; a steady state shows as a flat line after warm-up.
 *
 * Typed-array storage lives outside the JS heap, so `arrayBuffers` is recorded beside
 * `heapUsed`. The GC is reached without a command-line flag (npm run bench passes none):
 * v8.setFlagsFromString('--expose-gc') and a fresh context expose `gc`.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

export interface HeapSample {
  readonly step: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

export interface HeapCheck {
  readonly workload: string;
  readonly steps: number;
  readonly samples: readonly HeapSample[];
  /** Last sample minus the second (bytes): the first `every` steps are warm-up (JIT, first allocations). */
  readonly heapGrowth: number;
  readonly arrayBufferGrowth: number;
  /** No growth beyond the tolerance over the measured steps. */
  readonly steady: boolean;
}

function getGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Growth below this (bytes over the whole run) counts as steady: allocator noise, not a leak. */
const TOLERANCE = 1 << 20;

/** Run `step` `steps` times; sample after warm-up (the first `every` steps) and every `every` steps. */
export function heapCheck(workload: string, step: () => void, steps = 1000, every = 100): HeapCheck {
  const gc = getGc();
  const samples: HeapSample[] = [];
  for (let s = 1; s <= steps; s++) {
    step();
    if (s % every === 0) {
      // Twice: the first full collection may leave freed array-buffer backing stores to a later sweep.
      gc();
      gc();
      const m = process.memoryUsage();
      samples.push({ step: s, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers });
    }
  }
  const first = samples[Math.min(1, samples.length - 1)];
  const last = samples[samples.length - 1];
  const heapGrowth = last.heapUsed - first.heapUsed;
  const arrayBufferGrowth = last.arrayBuffers - first.arrayBuffers;
  return { workload, steps, samples, heapGrowth, arrayBufferGrowth, steady: heapGrowth < TOLERANCE && arrayBufferGrowth < TOLERANCE };
}
