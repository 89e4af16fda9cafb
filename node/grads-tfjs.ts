/**
 * The same gradients computed by TensorFlow.js, to hold TF.js to the float64 answer key: the model
 * file is loaded by TF.js itself (`tf.loadLayersModel` from the file's bytes), run in inference
 * mode, and differentiated with `tf.variableGrads` — the weights and the input as variables, the
 * same loss as train/grads.ts written in TF.js ops.
 *
 * TF.js is a dev dependency of rnngrad (as for the benchmark), loaded here on first use only, so
 * the command works without it and says what to install when it is asked for.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as TF from '@tensorflow/tfjs';
import type { GradArray, GradsFile } from '../train/grads-file';
import type { GradLoss } from '../train/grads';
import { modelJsonPath } from './model-files';

export type TfjsBackend = 'cpu' | 'wasm';

/** TF.js, or a one-line error saying how to install it. */
function loadTfjs(backend: TfjsBackend): typeof TF {
  const need = backend === 'wasm' ? '@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs') as typeof TF;
    if (backend === 'wasm') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (prefix: string) => void };
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dist + path.sep);
    }
    return tf;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(`--engine tfjs-${backend} needs ${need}, which is not installed (npm install --save-dev ${need.replace(' and ', ' ')})`);
  }
}

/** Start a TF.js backend quietly (no "install tfjs-node" notice on stdout). */
async function useBackend(tf: typeof TF, backend: TfjsBackend): Promise<void> {
  tf.env().set('PROD', true);
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its '${backend}' backend`);
  await tf.ready();
}

/** The model file as TF.js artifacts: topology, every group's weight specs, their bytes concatenated. */
function artifactsOf(file: string): TF.io.ModelArtifacts {
  const jsonPath = modelJsonPath(file);
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  };
  const dir = path.dirname(jsonPath);
  const bytes = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.resolve(dir, p))));
  const all = Buffer.concat(bytes);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

/** Does the last layer end in softmax (then crossentropy reads its output as probabilities)? */
function endsInSoftmax(model: TF.LayersModel): boolean {
  const config = model.layers[model.layers.length - 1].getConfig() as { activation?: unknown; layer?: { config?: { activation?: unknown } } };
  return (config.layer?.config?.activation ?? config.activation) === 'softmax';
}

/**
 * dL/dW (by model-file name, in `names` order) and dL/dx with TF.js in float32. `names` and
 * `shapes` are the model's weights as rnngrad read them from the same file; TF.js's trainable
 * weights come in the same (Keras) order, and their shapes are checked against them.
 */
export async function computeTfjsGrads(
  file: string, backend: TfjsBackend, x: GradArray, target: GradArray, loss: GradLoss,
  names: readonly string[], shapes: readonly (readonly number[])[],
): Promise<GradsFile> {
  const tf = loadTfjs(backend);
  await useBackend(tf, backend);
  let model: TF.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifactsOf(file)));
  } catch (e) {
    throw new Error(`TF.js cannot load ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const vars = model.trainableWeights;
  if (vars.length !== names.length || vars.some((v, k) => v.shape.join(',') !== shapes[k].join(','))) {
    throw new Error(`TF.js reads ${file} as weights [${vars.map((v) => `[${v.shape}]`).join(', ')}], rnngrad as [${shapes.map((s) => `[${s}]`).join(', ')}]`);
  }
  const softmaxOut = endsInSoftmax(model);
  const input = tf.variable(tf.tensor(x.values.slice(), x.shape.slice()), true, 'rnngrad_grads_input');
  const t = tf.tensor(target.values.slice(), target.shape.slice());
  const lossFn = (): TF.Scalar => {
    const y = model.apply(input, { training: false }) as TF.Tensor;
    if (loss === 'mse') return tf.mean(tf.square(tf.sub(y, t)));
    const positions = y.size / y.shape[y.rank - 1];
    const logP = softmaxOut ? tf.log(y) : tf.logSoftmax(y);
    return tf.div(tf.neg(tf.sum(tf.mul(t, logP))), positions);
  };
  const { value, grads } = tf.variableGrads(lossFn);
  const read = (g: TF.Tensor | undefined, shape: readonly number[]): GradArray => ({
    shape: shape.slice(), values: g ? Array.from(g.dataSync()) : new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0),
  });
  const weights: Record<string, GradArray> = {};
  vars.forEach((v, k) => {
    weights[names[k]] = read(grads[v.name], shapes[k]);
  });
  const result: GradsFile = { loss: value.dataSync()[0], weights, input: read(grads[input.name], x.shape) };
  tf.dispose([value, input, t, ...Object.values(grads)]);
  model.dispose();
  return result;
}
