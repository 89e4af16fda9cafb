/**
 * PyTorch as a peer: the same workloads (W1–W3) trained in torch from rnngrad's data and
 * initial weights, by bench/pytorch_peer.py in a Python child process.
 *
 * Which Python: `RNNGRAD_PYTHON`, else `python3` on the PATH; when that one has no torch (a pyenv
 * or venv Python in front of the system one), /usr/bin/python3, where Debian's `python3-torch`
 * installs it. No torch anywhere → the bench says so in one line and runs without PyTorch.
 *
 * Run alone, this file writes the peer's inputs, so that the Python script can be run by hand:
 *
 *   node dist/bench/pytorch.js --write=/tmp/peer [--only=W1,W2]
 *   /usr/bin/python3 bench/pytorch_peer.py /tmp/peer/W1.json --threads=1,2
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { SPECS, makeBatch, buildRnngradModel, type ModelSpec } from './models';
import { Tensor } from '../engine/tensor';
import { log, type Result, type TimingOptions } from './harness';
import type { FirstLoss } from './report';

export const TORCH_FIX = 'apt-get install python3-torch libopenblas0-pthread';

/** The script beside this file's source (compiled: dist/bench/ → bench/; under ts-jest: bench/). */
export const PEER_SCRIPT = [path.join(__dirname, 'pytorch_peer.py'), path.join(__dirname, '..', '..', 'bench', 'pytorch_peer.py')]
  .find((p) => fs.existsSync(p)) ?? path.join(__dirname, 'pytorch_peer.py');

/** PyTorch has the Keras LSTM and SimpleRNN; W4's peephole and LN cells it lacks. */
export function pytorchRuns(spec: ModelSpec): boolean {
  return spec.cell === 'lstm' || spec.cell === 'simple';
}

const hasTorch = (python: string): boolean =>
  spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;

/** The Python to run the peer with, or the one line that says why there is none and how to fix it. */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): { python: string } | { missing: string } {
  const chosen = env.RNNGRAD_PYTHON;
  if (chosen) {
    return hasTorch(chosen) ? { python: chosen }
      : { missing: `PyTorch: RNNGRAD_PYTHON=${chosen} cannot import torch (${TORCH_FIX}, or point RNNGRAD_PYTHON at a Python with torch)` };
  }
  if (hasTorch('python3')) return { python: 'python3' };
  if (fs.existsSync('/usr/bin/python3') && hasTorch('/usr/bin/python3')) return { python: '/usr/bin/python3' };
  return { missing: `PyTorch: no python3 with torch found (${TORCH_FIX}; or set RNNGRAD_PYTHON): skipping the PyTorch rows` };
}

/** One input of the peer: the spec, the float32 arrays' places in the .bin file, rnngrad's first loss. */
interface PeerInput {
  readonly workload: string;
  readonly cell: string;
  readonly units: readonly number[];
  readonly returnSequences: boolean;
  readonly denseUnits: number;
  readonly features: number;
  readonly bin: string;
  readonly arrays: readonly { name: string; shape: readonly number[]; offset: number }[];
  readonly rnngradFirstLoss: number;
  /** After one Adam update: the check that the optimizer is the same too. */
  readonly rnngradSecondLoss: number;
}

/**
 * Write DIR/<workload>.json and .bin: data and initial weights of a freshly seeded rnngrad model
 * (the same seed as the timed one), and the losses of rnngrad's first two training steps from them.
 */
export function writePeerInput(spec: ModelSpec, dir: string): string {
  const batch = makeBatch(spec);
  const model = buildRnngradModel(spec);
  const named: { name: string; data: Float32Array; shape: readonly number[] }[] = [
    { name: 'x', data: batch.x, shape: batch.xShape },
    { name: 'y', data: batch.y, shape: batch.yShape },
    ...model.weights().map((w) => ({ name: w.name, data: Float32Array.from(w.tensor.data), shape: w.tensor.shape })),
  ];
  const x = new Tensor(batch.x, batch.xShape);
  const y = new Tensor(batch.y, batch.yShape);
  const rnngradFirstLoss = model.trainOnBatch(x, y);
  const rnngradSecondLoss = model.trainOnBatch(x, y);
  let offset = 0;
  const arrays = named.map((a) => {
    const entry = { name: a.name, shape: [...a.shape], offset };
    offset += a.data.length;
    return entry;
  });
  const all = new Float32Array(offset);
  named.forEach((a, i) => all.set(a.data, arrays[i].offset));
  const input: PeerInput = {
    workload: spec.workload, cell: spec.cell, units: spec.units, returnSequences: spec.returnSequences,
    denseUnits: spec.denseUnits, features: spec.features, bin: `${spec.workload}.bin`, arrays, rnngradFirstLoss, rnngradSecondLoss,
  };
  fs.mkdirSync(dir, { recursive: true });
  // Float32Array bytes are the platform's order; every machine Node runs on here is little-endian.
  fs.writeFileSync(path.join(dir, input.bin), new Uint8Array(all.buffer));
  const file = path.join(dir, `${spec.workload}.json`);
  fs.writeFileSync(file, JSON.stringify(input, null, 1) + '\n');
  return file;
}

/** What the peer reports: its rows, the BLAS it ran on, and the first-step losses of both engines. */
export interface PytorchRun {
  readonly torch: string;
  readonly blas: string;
  readonly results: Result[];
  readonly firstLoss: readonly FirstLoss[];
}

/** Run the peer on one workload (its progress lines go to our stderr); null when it failed. */
export function runPytorch(python: string, spec: ModelSpec, timing: TimingOptions, threads: readonly number[] = [1, 2]): PytorchRun | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-peer-'));
  try {
    const input = writePeerInput(spec, dir);
    const child = spawnSync(python, [PEER_SCRIPT, input, `--threads=${threads.join(',')}`, `--max-time=${timing.maxTime}`,
      `--min-samples=${timing.minSamples}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
    const run = child.stdout ? JSON.parse(child.stdout.trim().split('\n').pop() ?? 'null') as PytorchRun | null : null;
    if (child.status === 2) log(`  PyTorch: the first-step losses differ by more than 1e-4: not the same model (rows kept, marked in firstLoss)`);
    else if (child.status !== 0) log(`  PyTorch: ${PEER_SCRIPT} exited with ${child.status ?? child.signal}`);
    return run;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): void {
  const write = argv.find((a) => a.startsWith('--write='));
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  if (!write || argv.includes('--help')) {
    process.stdout.write('usage: node dist/bench/pytorch.js --write=DIR [--only=W1,W2,W3]\n' +
      '  writes DIR/<workload>.json and .bin (data, initial weights, rnngrad\'s first-step loss) for bench/pytorch_peer.py\n');
    process.exit(write ? 0 : 1);
  }
  const dir = write.slice('--write='.length);
  for (const spec of SPECS.filter((s) => pytorchRuns(s) && (!only || only.includes(s.workload)))) {
    process.stdout.write(writePeerInput(spec, dir) + '\n');
  }
}

if (require.main === module) main(process.argv.slice(2));
