/**
 * Ten LSTM training steps (forward, mse, backward, Adam) on the gpu.js kernels and on the js
 * kernels, from the same initial weights and data: the weights must end within 1e-3
 * (max|gpu − cpu| / max|cpu| per weight). Three ways through gpu.js: the device kernels (the
 * backend as `setBackend('gpu')` installs it — the LSTM step as two gate kernels, cells/lstm-device.ts,
 * every tensor left on the device between ops), and the host kernels alone (`device` removed: every call uploads and reads back)
 * with the fused LSTM sequence op (the fused gate kernels) and with the composed cell.
 */
import { Random } from '../../engine/random';
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { mse } from '../../engine/ops';
import { setKernels } from '../../kernels/registry';
import { cpuKernels } from '../../kernels/cpu';
import type { Kernels } from '../../kernels/kernel';
import { LSTM, Dense } from '../../cells';
import { Adam } from '../../train/optimizers';
import { gpuKernels, randomData, relativeError } from './helpers';
import { tidy } from '../../engine/tidy';

const gpu = gpuKernels();
const [batch, time, features, units] = [4, 7, 3, 8];
const WEIGHT_TOLERANCE = 1e-3;

interface Trained {
  readonly initial: Map<string, Float32Array>;
  readonly final: Map<string, Float32Array>;
}

const snapshot = (params: readonly { name: string; tensor: Tensor }[]): Map<string, Float32Array> =>
  new Map(params.map((p, k) => [`${k}:${p.name}`, Float32Array.from(p.tensor.data)]));

/** Train for ten steps on `kernels`; returns every weight's values by name, before and after. */
function train(kernels: Kernels, fused: boolean): Trained {
  setKernels(kernels);
  try {
    const rng = new Random(42); // same weights and data for both runs
    const lstm = new LSTM(units, { rng, fused, name: 'lstm' });
    const dense = new Dense(1, { rng, name: 'dense' });
    lstm.build(features);
    dense.build(units);
    const x = tensor(Float32Array.from(randomData(rng, batch * time * features)), [batch, time, features]);
    const y = tensor(Float32Array.from(randomData(rng, batch)), [batch, 1]);
    const params = [...lstm.weights(), ...dense.weights()];
    const initial = snapshot(params);
    const adam = new Adam({ learningRate: 0.01 });
    for (let step = 0; step < 10; step++) {
      tidy(() => {
        const h = lstm.call(x, { training: true }) as Tensor;
        const loss = mse(dense.call(h, { training: true }) as Tensor, y);
        loss.backward();
        adam.step(params);
        for (const p of params) p.tensor.zeroGrad();
      });
    }
    return { initial, final: snapshot(params) };
  } finally {
    setKernels(cpuKernels);
  }
}

/** The gpu.js kernels without their device half: each call uploads its inputs and reads its result back. */
const hostOnly: Kernels = { ...gpu, device: undefined };

describe(`ten LSTM training steps: ${gpu.name} vs js`, () => {
  test.each([
    { path: 'device kernels (the LSTM step as two gate kernels, all on the device)', kernels: gpu, fused: true },
    { path: 'host kernels, fused LSTM op', kernels: hostOnly, fused: true },
    { path: 'host kernels, composed cell', kernels: hostOnly, fused: false },
  ])('$path: weights within 1e-3', ({ path, kernels, fused }) => {
    const before = { ...gpu.stats.gpuCalls };
    const onCpu = train(cpuKernels, fused);
    const onGpu = train(kernels, fused);
    expect(onGpu.initial).toEqual(onCpu.initial);
    expect([...onGpu.final.keys()]).toEqual([...onCpu.final.keys()]);
    const errors = [...onCpu.final].map(([name, w]) => ({ name, error: relativeError(onGpu.final.get(name) as Float32Array, w) }));
    process.stdout.write(`${gpu.name} vs js after 10 steps (${path}): ${errors.map((e) => `${e.name} ${e.error.toExponential(1)}`).join(', ')}\n`);
    expect(errors.filter((e) => !(e.error <= WEIGHT_TOLERANCE))).toEqual([]);
    // the weights moved far more than the tolerance: the comparison is not between two initializations
    for (const [name, w] of onCpu.final) {
      expect(relativeError(w, onCpu.initial.get(name) as Float32Array)).toBeGreaterThan(10 * WEIGHT_TOLERANCE);
    }
    // and the gpu run really went through gpu.js: matmuls at least, and the gate kernels when fused on the host
    expect(gpu.stats.gpuCalls.matmul).toBeGreaterThan(before.matmul ?? 0);
    if (kernels === gpu) expect(gpu.stats.gpuCalls.lstmGateBackward).toBeGreaterThan(before.lstmGateBackward ?? 0);
    else if (fused) expect(gpu.stats.gpuCalls.lstmGates).toBeGreaterThan(before.lstmGates ?? 0);
    else expect(gpu.stats.gpuCalls.unary).toBeGreaterThan(before.unary ?? 0);
  });
});
