/**
 * The benchmark workloads of issue 6, and their rnngrad side.
 *
 *   W1  B32 T50 F1:  LSTM(20, sequences) → LSTM(20, sequences) → Dense(10) at every step; MSE; Adam
 *   W2  B64 T50 F64: LSTM(256) → Dense(1); MSE; Adam
 *   W3  W1 with SimpleRNN(20) layers
 *   W4  W1 with peephole LSTM, and with LN-SimpleRNN (TF.js has neither: it runs LSTM / SimpleRNN)
 *
 * Both engines get the same data (seeded) and the same initial weights: rnngrad builds the
 * model, and the TF.js model is given rnngrad's weights (bench/tfjs.ts). The recurrent
 * activation is the logistic sigmoid on both sides (TF.js's default is the hard sigmoid).
 */
import { Tensor } from '../engine/tensor';
import { Random, manualSeed } from '../engine/random';
import { noGrad } from '../engine/tape';
import { cellLayer, type CellName } from '../cells/recurrent-layers';
import { Dense } from '../cells/dense';
import { Sequential } from '../train/model';
import { Adam } from '../train/optimizers';

export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4';

export interface ModelSpec {
  readonly workload: WorkloadName;
  /** rnngrad's cell ('lstm', 'simple', 'peephole', 'ln-simple'). */
  readonly cell: CellName;
  /** The closest TF.js layer, when TF.js lacks the cell. */
  readonly tfjsCell: 'lstm' | 'simple';
  readonly units: readonly number[];
  readonly returnSequences: boolean;
  readonly denseUnits: number;
  readonly batch: number;
  readonly time: number;
  readonly features: number;
}

const w1 = { units: [20, 20], returnSequences: true, denseUnits: 10, batch: 32, time: 50, features: 1 } as const;

export const SPECS: readonly ModelSpec[] = [
  { workload: 'W1', cell: 'lstm', tfjsCell: 'lstm', ...w1 },
  { workload: 'W2', cell: 'lstm', tfjsCell: 'lstm', units: [256], returnSequences: false, denseUnits: 1, batch: 64, time: 50, features: 64 },
  { workload: 'W3', cell: 'simple', tfjsCell: 'simple', ...w1 },
  { workload: 'W4', cell: 'peephole', tfjsCell: 'lstm', ...w1 },
  { workload: 'W4', cell: 'ln-simple', tfjsCell: 'simple', ...w1 },
];

/** Inputs and targets, as flat float32 arrays with their shapes (both engines build tensors from them). */
export interface Batch {
  readonly x: Float32Array;
  readonly xShape: readonly number[];
  readonly y: Float32Array;
  readonly yShape: readonly number[];
}

/** A seeded batch for the spec: noisy sine waves in, a smooth function of them out. */
export function makeBatch(spec: ModelSpec, seed = 42): Batch {
  const rng = new Random(seed);
  const { batch, time, features } = spec;
  const x = new Float32Array(batch * time * features);
  for (let b = 0; b < batch; b++) {
    const freq = rng.uniform(0.05, 0.3);
    const phase = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < time; t++) {
      for (let f = 0; f < features; f++) {
        x[(b * time + t) * features + f] = Math.sin(freq * (t + f) + phase) + 0.1 * rng.normal();
      }
    }
  }
  const yShape = spec.returnSequences ? [batch, time, spec.denseUnits] : [batch, spec.denseUnits];
  const y = new Float32Array(yShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i % x.length] + 0.1 * rng.normal());
  return { x, xShape: [batch, time, features], y, yShape };
}

/** The rnngrad model for a spec, seeded, compiled with Adam (lr 0.001) and MSE. */
export function buildRnngradModel(spec: ModelSpec, seed = 7): Sequential {
  manualSeed(seed);
  const layers = spec.units.map((u, i) =>
    cellLayer(spec.cell, u, { returnSequences: i < spec.units.length - 1 || spec.returnSequences, recurrentActivation: 'sigmoid' }));
  const model = new Sequential([...layers, new Dense(spec.denseUnits)], { inputFeatures: spec.features });
  model.compile({ optimizer: new Adam(), loss: 'mse' });
  return model;
}

/** The two timed operations on the rnngrad side. */
export interface Steps {
  /** One training step: forward, backward, Adam update, loss read back. */
  readonly train: () => number;
  /** Forward only, nothing recorded. */
  readonly forward: () => void;
}

export function rnngradSteps(model: Sequential, batch: Batch): Steps {
  const x = new Tensor(batch.x, batch.xShape);
  const y = new Tensor(batch.y, batch.yShape);
  return {
    train: () => model.trainOnBatch(x, y),
    forward: () => { noGrad(() => model.call(x)); },
  };
}
