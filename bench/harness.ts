/**
 * One measurement = one Benchmark.js benchmark. Benchmark.js decides how many calls make a
 * sample (so the timer's resolution does not matter), collects samples until `maxTime` has
 * passed and at least `minSamples` exist, and reports the relative margin of error (rme, in
 * percent: the 95 % confidence half-width of the mean over the mean). We report the median
 * of the samples, which one slow garbage collection does not move.
 */
import Benchmark from 'benchmark';
import * as v8 from 'v8';
import * as vm from 'vm';

/** The rows of the --json output (schema in issue 6). */
export interface Result {
  readonly workload: 'W1' | 'W2' | 'W3' | 'W4' | 'matmul' | 'lstm-step';
  readonly model: string;
  readonly engine: 'rnngrad' | 'tfjs' | 'brainjs' | 'pytorch';
  readonly backend: string;
  /** The threads the engine computed on: rnngrad's wasm helper thread makes 2, PyTorch runs 1 and 2. */
  readonly threads: number;
  readonly op: 'train' | 'forward' | 'matmul';
  readonly size?: number;
  readonly medianMs: number;
  readonly rme: number;
  readonly samples: number;
  /** matmul only: 2·n³ / median time. */
  readonly gflops?: number;
}

export type Row = Omit<Result, 'medianMs' | 'rme' | 'samples' | 'gflops'>;

export interface TimingOptions {
  /** Seconds Benchmark.js may spend sampling (default 2). */
  readonly maxTime: number;
  /** The fewest samples (default 5). */
  readonly minSamples: number;
}

/** Where progress lines go: stderr, so that stdout can carry exactly one JSON object. */
export function log(line: string): void {
  process.stderr.write(line + '\n');
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Warm-up before the samples, the same for every engine: calls for at least this long (and at
 * least one). A row is timed right after another row of the same engine, often the training
 * step before the forward pass: without it, the first samples paid for compiling the path this
 * row takes (JIT and wasm tier-up) and for collecting the previous row's garbage — measured on
 * W2's forward, 66.6 ms for a first measurement against 51–54 ms for the next ones, same process.
 */
const WARMUP_MS = 250;

/** A forced full GC (the flag is set for this process only; see bench/heap.ts). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/**
 * Time `fn` (synchronous, or returning a promise — TF.js's trainOnBatch is async) and return
 * its result row. Warm-up calls run before timing starts (WARMUP_MS), then a full GC, so
 * compilation, first-touch allocations and earlier rows' garbage are not measured.
 */
export async function measure(row: Row, fn: () => unknown, timing: TimingOptions): Promise<Result> {
  const warmEnd = performance.now() + WARMUP_MS;
  const first = fn(); // the first warm-up call, which also tells us whether to wait for a promise
  const deferred = first instanceof Promise;
  await first;
  while (performance.now() < warmEnd) await fn();
  collectGarbage();
  const bench = await new Promise<Benchmark>((resolve, reject) => {
    const b = new Benchmark(`${row.workload} ${row.model} ${row.engine}/${row.backend} ${row.op}`, {
      defer: deferred,
      fn: deferred
        ? (d: Benchmark.Deferred) => { void (fn() as Promise<unknown>).then(() => d.resolve()); }
        : fn,
      maxTime: timing.maxTime,
      minSamples: timing.minSamples,
      initCount: 1,
      onComplete: () => resolve(b),
      onError: (e: Benchmark.Event) => reject((e.target as unknown as { error?: Error }).error ?? new Error('benchmark failed')),
    });
    b.run({ async: false });
  });
  const sample = bench.stats.sample;
  const medianMs = median(sample) * 1000;
  const result: Result = {
    ...row,
    medianMs,
    rme: bench.stats.rme,
    samples: sample.length,
    ...(row.op === 'matmul' && row.size !== undefined ? { gflops: (2 * row.size ** 3) / (medianMs * 1e6) } : {}),
  };
  log(`  ${bench.name}: ${medianMs.toFixed(3)} ms ±${bench.stats.rme.toFixed(1)}% (${sample.length} samples)` +
    (result.gflops !== undefined ? `, ${result.gflops.toFixed(2)} GFLOP/s` : ''));
  return result;
}
