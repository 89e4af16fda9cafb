/**
 * The TF.js side of the benchmark: the same models (bench/models.ts) as tf.Sequential, with
 * rnngrad's initial weights copied in, trained with tf.train.adam(0.001) and MSE, on TF.js's
 * `cpu` backend (plain JS) and `wasm` backend (XNNPACK; SIMD, threads where it takes them).
 * TF.js is a dev dependency; it is loaded here only.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Sequential } from '../train/model';
import type { Batch, ModelSpec } from './models';

export type TfBackend = 'cpu' | 'wasm';

/** What the wasm backend reports about itself (for the machine record). */
export interface TfInfo {
  readonly version: string;
  readonly wasmSimd: boolean;
  readonly wasmThreads: boolean;
}

/** Switch TF.js to a backend (the wasm binaries are read from node_modules). */
export async function useTfBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm') {
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(dist + path.sep);
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`bench: TF.js could not start its '${backend}' backend`);
  await tf.ready();
}

export async function tfInfo(): Promise<TfInfo> {
  await useTfBackend('wasm');
  return {
    version: tf.version.tfjs,
    wasmSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as boolean,
    wasmThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') as boolean,
  };
}

/** The TF.js model of a spec, with the rnngrad model's weights when they line up. */
export function buildTfModel(spec: ModelSpec, weightsFrom: Sequential): { model: tf.Sequential; sameWeights: boolean } {
  const model = tf.sequential();
  spec.units.forEach((units, i) => {
    const common = {
      units,
      returnSequences: i < spec.units.length - 1 || spec.returnSequences,
      ...(i === 0 ? { inputShape: [spec.time, spec.features] } : {}),
    };
    model.add(spec.tfjsCell === 'lstm'
      ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
      : tf.layers.simpleRNN(common));
  });
  model.add(tf.layers.dense({ units: spec.denseUnits }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  // Same initial weights where the models have the same weights (all but W4, whose cells TF.js lacks).
  const ours = weightsFrom.weights();
  const theirs = model.getWeights();
  const sameWeights = ours.length === theirs.length &&
    ours.every((w, i) => w.tensor.shape.length === theirs[i].shape.length && w.tensor.shape.every((d, j) => d === theirs[i].shape[j]));
  if (sameWeights) {
    model.setWeights(ours.map((w) => tf.tensor(Float32Array.from(w.tensor.data), [...w.tensor.shape])));
  }
  return { model, sameWeights };
}

/** TF.js's timed operations, matching rnngradSteps. */
export interface TfSteps {
  readonly train: () => Promise<unknown>;
  readonly forward: () => void;
  readonly dispose: () => void;
}

export function tfSteps(model: tf.Sequential, batch: Batch): TfSteps {
  const x = tf.tensor(batch.x, [...batch.xShape]);
  const y = tf.tensor(batch.y, [...batch.yShape]);
  return {
    // trainOnBatch runs forward, backward and the Adam update, and reads the loss back.
    train: () => model.trainOnBatch(x, y),
    // predict is lazy on some backends: read the result back so the work is done and timed.
    forward: () => {
      const out = model.predict(x) as tf.Tensor;
      out.dataSync();
      out.dispose();
    },
    dispose: () => {
      x.dispose();
      y.dispose();
      model.dispose();
    },
  };
}

/** A square float32 matmul op(A)·op(B) on the current TF.js backend, read back. */
export function tfMatmul(a: Float32Array, b: Float32Array, n: number, transA = false, transB = false):
  { run: () => void; dispose: () => void } {
  const ta = tf.tensor2d(a, [n, n]);
  const tb = tf.tensor2d(b, [n, n]);
  return {
    run: () => {
      const c = tf.matMul(ta, tb, transA, transB);
      c.dataSync();
      c.dispose();
    },
    dispose: () => {
      ta.dispose();
      tb.dispose();
    },
  };
}
