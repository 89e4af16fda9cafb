/**
 * The models of docs/11-answer-key.md, made and saved by TF.js itself: for each of SimpleRNN, LSTM
 * and GRU (reset_after = false, the form TF.js has), two stacked recurrent layers and a Dense head,
 * with seeded weights, plus one input and one target. The tests (spec/grads/) use them too.
 *
 *   npm run build && node dist/docs/tools/answer-key-models.js OUT_DIR
 *
 * writes OUT_DIR/<model>/model.json + weights.bin, x.json and y.json; then
 * `rnngrad grads` and `rnngrad compare-grads` take it from there.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../engine/random';

export type AnswerKeyModel = 'simple-rnn' | 'lstm' | 'gru' | 'lstm-small';
export const REPORT_MODELS: readonly AnswerKeyModel[] = ['simple-rnn', 'lstm', 'gru'];

/** The batch every report model takes: [batch, time, features] in, [batch, outputs] out. */
export const BATCH = { batch: 4, time: 20, features: 3, outputs: 2 } as const;
/** The learner example's smaller model: one LSTM layer and a Dense head. */
export const SMALL = { batch: 2, time: 6, features: 2, outputs: 1, units: 4 } as const;

/** The report's first size; docs/11-answer-key.md also measures a longer, wider one. */
export const UNITS = 16;

/** A TF.js Sequential of the kind named, built for the batch's shape. */
function build(kind: AnswerKeyModel, units: number): tf.Sequential {
  if (kind === 'lstm-small') {
    return tf.sequential({ layers: [
      tf.layers.lstm({ units: SMALL.units, recurrentActivation: 'sigmoid', inputShape: [null, SMALL.features] }),
      tf.layers.dense({ units: SMALL.outputs }),
    ] });
  }
  const first = { units, returnSequences: true, inputShape: [null, BATCH.features] };
  const layers = kind === 'simple-rnn'
    ? [tf.layers.simpleRNN(first), tf.layers.simpleRNN({ units })]
    : kind === 'lstm'
      ? [tf.layers.lstm({ ...first, recurrentActivation: 'sigmoid' }), tf.layers.lstm({ units, recurrentActivation: 'sigmoid' })]
      : [tf.layers.gru({ ...first, recurrentActivation: 'sigmoid' }), tf.layers.gru({ units, recurrentActivation: 'sigmoid' })];
  return tf.sequential({ layers: [...layers, tf.layers.dense({ units: BATCH.outputs })] });
}

/** Seeded weights, uniform in ±0.5 (TF.js's own initializers are not seeded). */
function seedWeights(model: tf.Sequential, seed: number): void {
  const rng = new Random(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-0.5, 0.5)), w.shape)));
}

/** Save a TF.js model as model.json + weights.bin in `dir` (the files tfjs-node's file:// writes). */
export async function saveTfjsModel(model: tf.LayersModel, dir: string): Promise<string> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(file, JSON.stringify({
    modelTopology: a.modelTopology, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  }));
  return file;
}

/** A seeded nested array [d0][d1]… of standard normal values. */
export function normalArray(shape: readonly number[], seed: number): unknown[] {
  const rng = new Random(seed);
  const fill = (axis: number): unknown[] => Array.from({ length: shape[axis] }, () => (axis === shape.length - 1 ? rng.normal() : fill(axis + 1)));
  return fill(0);
}

/** Write one model (TF.js-made and -saved) to `dir`; returns the model.json path. */
export async function writeModel(kind: AnswerKeyModel, dir: string, seed = 1, units = UNITS): Promise<string> {
  tf.env().set('PROD', true); // no "install tfjs-node" notice
  await tf.setBackend('cpu');
  const model = build(kind, units);
  seedWeights(model, seed);
  const file = await saveTfjsModel(model, dir);
  model.dispose();
  return file;
}

/** Write an input and a target for a model of `kind` as x.json and y.json in `dir`. */
export function writeBatch(kind: AnswerKeyModel, dir: string, seed = 2, time?: number): { x: string; y: string } {
  const s = kind === 'lstm-small' ? SMALL : { ...BATCH, time: time ?? BATCH.time };
  fs.mkdirSync(dir, { recursive: true });
  const x = path.join(dir, 'x.json');
  const y = path.join(dir, 'y.json');
  fs.writeFileSync(x, JSON.stringify(normalArray([s.batch, s.time, s.features], seed)));
  fs.writeFileSync(y, JSON.stringify(normalArray([s.batch, s.outputs], seed + 1)));
  return { x, y };
}

async function main(out: string): Promise<void> {
  tf.env().set('PROD', true);
  for (const kind of [...REPORT_MODELS, 'lstm-small'] as const) {
    const dir = path.join(out, kind);
    await writeModel(kind, dir);
    writeBatch(kind, dir);
    process.stdout.write(`wrote ${dir}/model.json, x.json, y.json\n`);
  }
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node dist/docs/tools/answer-key-models.js OUT_DIR\n');
    process.exitCode = 2;
  } else {
    main(out).catch((e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exitCode = 1;
    });
  }
}
