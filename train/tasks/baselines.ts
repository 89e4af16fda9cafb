/**
 * The series task's two baselines from the course (Géron ch. 15), against which every RNN is
 * judged:
 *   naive   — predict the last observed value (for k steps ahead: that value k times);
 *   linear  — a Dense layer on the flattened 50 steps (Keras: Flatten(input_shape=[50, 1]),
 *             Dense(k)), MSE, Adam with Keras defaults, 20 epochs, batch 32.
 * Published validation MSEs: naive 0.020 / linear 0.004 (next value); 0.223 / 0.0188 (next 10).
 */
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { Dense } from '../../cells/dense';
import { Sequential } from '../model';
import { Adam } from '../optimizers';
import type { EpochInfo, History } from '../fit';
import { meanSquaredError } from './series';
import type { Split, TaskData } from './series';

/** The last value of each series repeated `ahead` times: x [N, T, F] → [N, ahead] (feature 0). */
export function naiveForecast(x: Tensor, ahead = 1): Tensor {
  if (x.rank !== 3) throw new Error(`naiveForecast: expected x of shape [N, T, F], got [${x.shape}]`);
  const [n, t, f] = x.shape;
  const out = new Float32Array(n * ahead);
  for (let i = 0; i < n; i++) out.fill(x.data[(i * t + t - 1) * f], i * ahead, (i + 1) * ahead);
  return new Tensor(out, [n, ahead]);
}

/** The naive baseline's MSE on a split whose targets are [N, k] (next value or next k values). */
export function naiveMse(split: Split): number {
  if (split.y.rank !== 2) throw new Error(`naiveMse: targets of shape [${split.y.shape}]; the naive baseline forecasts [N, k] targets`);
  return meanSquaredError(naiveForecast(split.x, split.y.shape[1]), split.y);
}

/** x [N, T, F] seen as [N, T·F] (Keras Flatten), sharing the data. */
export function flatten(x: Tensor): Tensor {
  return new Tensor(x.data, [x.shape[0], x.size / x.shape[0]]);
}

export interface LinearBaselineOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Seeds the initial weights and the shuffling (default 42). */
  readonly seed?: number;
  readonly onEpoch?: (info: EpochInfo) => void;
}

export interface BaselineResult {
  readonly model: Sequential;
  readonly history: History;
  /** MSE on the validation split after training. */
  readonly valMse: number;
}

/** Train the linear baseline on a [N, k]-target task; report its validation MSE. */
export function linearBaseline(task: TaskData, options: LinearBaselineOptions = {}): BaselineResult {
  const { train, valid } = task;
  if (train.y.rank !== 2) throw new Error(`linearBaseline: targets of shape [${train.y.shape}]; the linear baseline forecasts [N, k] targets`);
  const rng = new Random(options.seed ?? 42);
  const model = new Sequential([new Dense(train.y.shape[1], { name: 'dense', rng })], { inputFeatures: train.x.size / train.x.shape[0] });
  model.compile({ optimizer: new Adam({ learningRate: options.learningRate ?? 0.001 }) });
  const validationData = { x: flatten(valid.x), y: valid.y };
  const history = model.fit(flatten(train.x), train.y, {
    epochs: options.epochs ?? 20,
    batchSize: options.batchSize ?? 32,
    rng,
    validationData,
    onEpoch: options.onEpoch,
  });
  return { model, history, valMse: meanSquaredError(model.predict(validationData.x), valid.y) };
}
