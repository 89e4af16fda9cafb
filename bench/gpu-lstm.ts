/**
 * `--gpu`: one LSTM training step (LSTM(u) → Dense(1), MSE, Adam; batch 32, 20 steps, 8
 * features) on each backend, across sizes u: rnngrad's js kernels, the gpu.js kernels as
 * `setBackend('gpu')` installs them (device half: tensors stay on the device between ops), and
 * the gpu.js host kernels alone (every call uploads its inputs and reads its result back). Beside
 * each time: gpu.js calls, uploads and readbacks per step, counted by the kernels.
 */
import type { Result, TimingOptions } from './harness';
import { measure, log } from './harness';
import { wasmThreadsOn } from './matmul';
import { SPECS, ModelSpec, makeBatch, buildRnngradModel, rnngradSteps } from './models';
import { setKernels, getKernels } from '../kernels/registry';
import { cpuKernels } from '../kernels/cpu';
import { createGpuKernels, GpuKernels } from '../kernels/gpu';
import type { Kernels } from '../kernels/kernel';

/** Per-step traffic between host and device (gpu.js rows only). */
export interface Transfers {
  readonly calls: number;
  readonly uploads: number;
  readonly readbacks: number;
}

export type GpuLstmResult = Result & { readonly transfers?: Transfers };

function specFor(units: number): ModelSpec {
  return { ...SPECS[1], units: [units], batch: 32, time: 20, features: 8 };
}

const callsOf = (g: GpuKernels): number =>
  Object.entries(g.stats.gpuCalls).reduce((s, [family, n]) => s + (family === 'upload' ? 0 : n), 0);

/** Time the step on js, gpu.js (device) and gpu.js (host kernels only) for each size. */
export async function runGpuLstm(sizes: readonly number[], timing: TimingOptions): Promise<{ results: GpuLstmResult[]; mode: string }> {
  const gpu = createGpuKernels();
  const hostOnly: Kernels = { ...gpu, name: `${gpu.name} host kernels only`, device: undefined };
  const results: GpuLstmResult[] = [];
  const previous = getKernels();
  try {
    for (const units of sizes) {
      const spec = specFor(units);
      const batch = makeBatch(spec);
      for (const [backend, kernels] of [['js', cpuKernels], [gpu.name, gpu], [hostOnly.name, hostOnly]] as const) {
        setKernels(kernels);
        log(`LSTM step u=${units} on ${backend}`);
        const steps = rnngradSteps(buildRnngradModel(spec), batch);
        let transfers: Transfers | undefined;
        if (kernels !== cpuKernels) {
          steps.train(); // compiles the kernels
          const before = { calls: callsOf(gpu), uploads: gpu.stats.uploads, readbacks: gpu.stats.readbacks };
          steps.train();
          const calls = callsOf(gpu) - before.calls;
          // the host kernels read back once per call; the device kernels count their readbacks
          transfers = kernels === gpu
            ? { calls, uploads: gpu.stats.uploads - before.uploads, readbacks: gpu.stats.readbacks - before.readbacks }
            : { calls, uploads: NaN, readbacks: calls };
        }
        const r = await measure({ workload: 'lstm-step', model: `lstm-step-u${units}`, op: 'train', size: units, engine: 'rnngrad', backend,
          threads: kernels === cpuKernels && wasmThreadsOn() ? 2 : 1 },
          steps.train, timing);
        results.push({ ...r, transfers });
      }
    }
  } finally {
    setKernels(previous);
  }
  return { results, mode: gpu.name };
}

/** The report section. */
export function gpuLstmMarkdown(results: readonly GpuLstmResult[]): string[] {
  if (results.length === 0) return [];
  const lines = ['', '## LSTM training step by backend (`--gpu`)', '',
    'LSTM(u) → Dense(1), batch 32, 20 steps, 8 features, MSE, Adam. "host kernels only": the gpu.js kernels without their device half ' +
    '(each call uploads its inputs and reads its result back). Uploads are counted for the device kernels only (the host kernels upload every input of every call).', '',
    '| u | backend | median ms | rme % | vs js | gpu.js calls | uploads | readbacks |', '|---:|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of results) {
    const js = results.find((x) => x.size === r.size && x.backend === 'js');
    const t = r.transfers;
    lines.push(`| ${r.size} | ${r.backend} | ${r.medianMs.toFixed(2)} | ${r.rme.toFixed(1)} | ${js ? (js.medianMs / r.medianMs).toFixed(3) + '×' : ''} | ` +
      `${t ? t.calls : ''} | ${t && Number.isFinite(t.uploads) ? t.uploads : ''} | ${t ? t.readbacks : ''} |`);
  }
  return lines;
}
