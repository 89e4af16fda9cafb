/**
 * Peak resident memory of W2 training, per engine. Peak RSS belongs to a whole process, so each
 * engine trains in a child process of its own: this file run as
 *
 *   node dist/bench/memory.js --engine=rnngrad|tfjs-cpu|tfjs-wasm [--steps=3]
 *
 * and bench/pytorch_peer.py --memory-steps=N for PyTorch. Each child reports two figures from the
 * kernel's high-water mark of its resident memory, in KiB: after loading its engine and the data
 * (the runtime's own share), and after training.
 *
 * The high-water mark is Linux's VmHWM (/proc/self/status), not getrusage's ru_maxrss: a child
 * starts as a fork of the bench, and Linux carries the fork's peak into ru_maxrss across exec —
 * every child then reported the bench's own ~208 MiB as its floor. VmHWM belongs to the memory
 * map that exec made. Elsewhere (no /proc) the figure falls back to maxRSS.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { SPECS, makeBatch, buildRnngradModel, rnngradSteps, type ModelSpec } from './models';
import { log } from './harness';
import { PEER_SCRIPT, writePeerInput } from './pytorch';

export interface MemoryRow {
  readonly workload: string;
  readonly engine: 'rnngrad' | 'tfjs' | 'pytorch';
  readonly backend: string;
  readonly threads: number;
  readonly steps: number;
  /** Peak RSS after loading the engine and the data, before the model is built (KiB). */
  readonly baseRssKiB: number;
  /** Peak RSS at the end of training (KiB). */
  readonly peakRssKiB: number;
}

const ENGINES = ['rnngrad', 'tfjs-cpu', 'tfjs-wasm'] as const;

/** This process's peak resident memory since exec, KiB. */
export function peakRssKiB(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS;
}
type NodeEngine = (typeof ENGINES)[number];

const W2 = (): ModelSpec => {
  const spec = SPECS.find((s) => s.workload === 'W2');
  if (!spec) throw new Error('memory: no W2 spec');
  return spec;
};

/** The child: train W2 for `steps` steps on one engine and print {baseRssKiB, peakRssKiB}. */
async function child(engine: NodeEngine, steps: number): Promise<void> {
  const spec = W2();
  const batch = makeBatch(spec);
  let train: () => unknown;
  let base: number;
  if (engine === 'rnngrad') {
    base = peakRssKiB();
    train = rnngradSteps(buildRnngradModel(spec), batch).train;
  } else {
    const tfjs: typeof import('./tfjs') = require('./tfjs'); // loaded only here: TF.js is heavy
    await tfjs.useTfBackend(engine === 'tfjs-cpu' ? 'cpu' : 'wasm');
    base = peakRssKiB();
    train = tfjs.tfSteps(tfjs.buildTfModel(spec, buildRnngradModel(spec)).model, batch).train;
  }
  for (let s = 0; s < steps; s++) await train();
  process.stdout.write(JSON.stringify({ baseRssKiB: base, peakRssKiB: peakRssKiB() }) + '\n');
}

function parse(stdout: string | null): { baseRssKiB: number; peakRssKiB: number } | null {
  const last = stdout?.trim().split('\n').pop();
  try {
    return last ? JSON.parse(last) as { baseRssKiB: number; peakRssKiB: number } : null;
  } catch {
    return null;
  }
}

/** One child per engine (and per PyTorch thread count); rows for those that ran. */
export function peakRssW2(options: { steps: number; python: string | null; rnngradThreads: number; tfjs: boolean; rnngrad: boolean }): MemoryRow[] {
  const rows: MemoryRow[] = [];
  const { steps } = options;
  for (const engine of ENGINES) {
    if (engine === 'rnngrad' ? !options.rnngrad : !options.tfjs) continue;
    log(`  peak RSS: ${engine}, W2 training, ${steps} steps in a child process`);
    const run = spawnSync(process.execPath, [__filename, `--engine=${engine}`, `--steps=${steps}`],
      { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
    const r = parse(run.stdout);
    if (!r) { log(`    (the ${engine} child failed: ${run.status ?? run.signal})`); continue; }
    const [name, backend] = engine === 'rnngrad' ? ['rnngrad', 'js'] as const : ['tfjs', engine.slice(5)] as const;
    rows.push({ workload: 'W2', engine: name, backend, threads: name === 'rnngrad' ? options.rnngradThreads : 1, steps, ...r });
  }
  if (options.python) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-peer-'));
    try {
      const input = writePeerInput(W2(), dir);
      for (const threads of [1, 2]) {
        log(`  peak RSS: pytorch, ${threads} thread${threads > 1 ? 's' : ''}, W2 training, ${steps} steps in a child process`);
        const run = spawnSync(options.python, [PEER_SCRIPT, input, `--memory-steps=${steps}`, `--threads=${threads}`],
          { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
        const r = parse(run.stdout);
        if (r) rows.push({ workload: 'W2', engine: 'pytorch', backend: 'cpu', threads, steps, baseRssKiB: r.baseRssKiB, peakRssKiB: r.peakRssKiB });
        else log(`    (the PyTorch child failed: ${run.status ?? run.signal})`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const r of rows) {
    log(`  W2 ${r.engine}/${r.backend} ${r.threads}T: peak RSS ${(r.peakRssKiB / 1024).toFixed(0)} MiB (${(r.baseRssKiB / 1024).toFixed(0)} MiB before the model)`);
  }
  return rows;
}

if (require.main === module) {
  const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const engine = arg('engine') as NodeEngine | undefined;
  if (!engine || !ENGINES.includes(engine)) {
    process.stderr.write(`usage: node dist/bench/memory.js --engine=${ENGINES.join('|')} [--steps=3]\n`);
    process.exit(1);
  }
  child(engine, Number(arg('steps') ?? 3)).catch((e: unknown) => {
    process.stderr.write(`memory: ${String(e)}\n`);
    process.exit(1);
  });
}
