/**
 * Steady-state memory: train for many steps and sample the heap after a forced garbage
 * collection every `every` steps. A per-step leak (a tape kept alive, a buffer cache that only
 * grows) shows as a steady climb; a steady state shows as a flat line after warm-up.
 *
 * What the samples are compared by (issue 13): the lowest sample of the last third against the
 * lowest of the first third after warm-up. A leak lifts every later sample, the lowest too; a
 * buffer whose release is still pending when one sample is read lifts that sample alone. The old
 * rule (last sample minus the second) read one such sample as growth: in the quick runs committed
 * before issue 13 the array-buffer samples sit at one level (2.71 MiB) with single samples 0.49,
 * 2.08 or 4.16 MiB above it, at different steps in each run, back at the level at the next
 * sample — 0.49 MiB is one of W1's [T, B, 4u] float32 buffers (50·32·80·4 bytes) — and a 2.08 MiB
 * one on the last sample reads as "+2.1 MB, GROWING". V8 frees array-buffer memory in a
 * background sweep after the collection, so each sample also waits a turn of the event loop and
 * collects again before reading (that removes most such samples, not all).
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
  /**
   * Lowest sample of the last third minus the lowest of the first third (bytes), the first
   * sample left out: the first `every` steps are warm-up (JIT, first allocations).
   */
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

const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The samples after warm-up, split in thirds: the floor of the last third minus the floor of the first. */
export function floorGrowth(samples: readonly HeapSample[], field: 'heapUsed' | 'arrayBuffers'): number {
  const measured = samples.slice(1);
  if (measured.length === 0) return 0;
  const third = Math.max(1, Math.floor(measured.length / 3));
  const floor = (xs: readonly HeapSample[]): number => Math.min(...xs.map((x) => x[field]));
  return floor(measured.slice(-third)) - floor(measured.slice(0, third));
}

/** Run `step` `steps` times; sample after warm-up (the first `every` steps) and every `every` steps. */
export async function heapCheck(workload: string, step: () => void, steps = 1000, every = 100): Promise<HeapCheck> {
  const gc = getGc();
  const samples: HeapSample[] = [];
  for (let s = 1; s <= steps; s++) {
    step();
    if (s % every === 0) {
      // Twice: the first full collection may leave freed array-buffer backing stores to a later
      // sweep; then a turn of the event loop, so that V8's background sweep finishes, and once more.
      gc();
      gc();
      await turn();
      gc();
      const m = process.memoryUsage();
      samples.push({ step: s, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers });
    }
  }
  const heapGrowth = floorGrowth(samples, 'heapUsed');
  const arrayBufferGrowth = floorGrowth(samples, 'arrayBuffers');
  return { workload, steps, samples, heapGrowth, arrayBufferGrowth, steady: heapGrowth < TOLERANCE && arrayBufferGrowth < TOLERANCE };
}
