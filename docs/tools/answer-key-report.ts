/**
 * The figures of docs/11-answer-key.md: for SimpleRNN, LSTM and GRU (reset_after = false) models
 * saved by TF.js (docs/tools/answer-key-models.ts), the worst relative error of each engine's
 * float32 gradients against rnngrad's float64 answer key — TF.js on its cpu and wasm backends, and
 * rnngrad itself in float32 — beside what float32 rounding alone does: the change in the float64
 * gradients when every weight moves by one float32 rounding (a relative 2⁻²⁴, random sign).
 *
 *   npm run build && node dist/docs/tools/answer-key-report.js [OUT_DIR]
 *
 * prints a Markdown table; the model files stay in OUT_DIR (default: a temporary folder).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { tensor } from '../../engine/creation';
import type { DType } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { setBackend } from '../../kernels/backend';
import { loadModel } from '../../node/model-files';
import { computeGrads, weightNames } from '../../train/grads';
import { computeTfjsGrads } from '../../node/grads-tfjs';
import { compareGrads, GradsComparison } from '../../train/compare-grads';
import type { GradsFile } from '../../train/grads-file';
import { REPORT_MODELS, BATCH, UNITS, writeModel, writeBatch } from './answer-key-models';

/** The sizes measured: the tests' models, and a longer, wider one. */
const SIZES = [{ time: BATCH.time, units: UNITS }, { time: 100, units: 32 }] as const;

/** The worst relative error over the weights and the input (the loss aside), and where it is. */
function worst(c: GradsComparison): { rel: number; where: string } {
  const rows = c.rows.filter((r) => r.name !== 'loss');
  const w = rows.reduce((a, b) => ((b.maxRelError ?? 0) > (a.maxRelError ?? 0) ? b : a));
  return { rel: w.maxRelError ?? NaN, where: `${w.name.replace(/_[A-Z][A-Za-z]*\d+\//, '/')}${w.worst ? `, ${w.worst.where}` : ''}` };
}

async function measure(dir: string): Promise<string[]> {
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  const grads = (dtype: DType, jitter: boolean): GradsFile => {
    const model = loadModel(dir, { dtype });
    if (jitter) {
      const rng = new Random(5);
      for (const w of model.weights()) for (let i = 0; i < w.tensor.size; i++) w.tensor.data[i] *= 1 + 2 ** -24 * rng.uniform(-1, 1);
    }
    return computeGrads(model, tensor(read('x.json'), { dtype }), tensor(read('y.json'), { dtype }), 'mse');
  };
  const key = grads('float64', false);
  const model = loadModel(dir);
  const asArray = (f: string) => {
    const t = tensor(read(f));
    return { shape: t.shape.slice(), values: Array.from(t.data) };
  };
  const tfjs = async (backend: 'cpu' | 'wasm') => computeTfjsGrads(dir, backend, asArray('x.json'), asArray('y.json'), 'mse', weightNames(model), model.weights().map((w) => w.tensor.shape));
  const results = [await tfjs('cpu'), await tfjs('wasm'), grads('float32', false), grads('float64', true)].map((g) => worst(compareGrads(key, g)));
  let maxGrad = 0;
  for (const g of Object.values(key.weights)) for (const v of g.values) maxGrad = Math.max(maxGrad, Math.abs(v));
  return [...results.map((r) => r.rel.toExponential(1)), maxGrad.toPrecision(2), results[0].where];
}

async function main(out: string): Promise<void> {
  tf.env().set('PROD', true);
  setBackend('cpu', { log: () => undefined });
  const lines = [
    '| model | steps × units | TF.js cpu | TF.js wasm | rnngrad float32 | float64, weights moved by one float32 rounding | max \\|∂L/∂W\\| | TF.js cpu\'s worst element |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const size of SIZES) {
    for (const kind of REPORT_MODELS) {
      const dir = path.join(out, `${kind}-${size.time}x${size.units}`);
      await writeModel(kind, dir, 1, size.units);
      writeBatch(kind, dir, 2, size.time);
      const [cpu, wasm, f32, jitter, maxGrad, where] = await measure(dir);
      lines.push(`| ${kind} | ${size.time} × ${size.units} | ${cpu} | ${wasm} | ${f32} | ${jitter} | ${maxGrad} | ${where} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\nTF.js ${tf.version.tfjs}; batch ${BATCH.batch}, 3 features, two recurrent layers and Dense(2), MSE; weights uniform in ±0.5 (seed 1).\n`);
}

if (require.main === module) {
  const out = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-answer-key-'));
  main(out).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
