/**
 * Bidirectional: the same recurrent layer run twice, forwards and backwards, and the two outputs
 * merged — so the output at step t has read the whole sequence, what came after t included.
 *
 * The task is one where that helps: smoothing. At every step t of a noisy series, output the
 * centred average of x_{t−4} … x_{t+4}. A forward-only LSTM must guess the four values still to
 * come; a bidirectional one has read them. (For a forecast — chars, seq2seq — the backward
 * direction would read the answer, which is why `rnngrad train --bidirectional` refuses those.)
 *
 * Run: npx ts-node examples/bidirectional.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor, Sequential, Bidirectional, LSTM, Dense, TimeDistributed, Adam, Random, generateTimeSeries, manualSeed, saveModel, loadModel } from 'rnngrad';

const STEPS = 30;
const HALF = 4; // the average spans t − 4 … t + 4 (fewer steps at the ends)

/** x [n, STEPS, 1]: noisy series; y [n, STEPS, 1]: their centred moving average. */
function smoothing(n: number, rng: Random): { x: Tensor; y: Tensor } {
  const x = Float32Array.from(generateTimeSeries(n, STEPS, rng));
  const y = new Float32Array(x.length);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < STEPS; t++) {
      const from = Math.max(0, t - HALF);
      const to = Math.min(STEPS - 1, t + HALF);
      let total = 0;
      for (let k = from; k <= to; k++) total += x[s * STEPS + k];
      y[s * STEPS + t] = total / (to - from + 1);
    }
  }
  return { x: new Tensor(x, [n, STEPS, 1]), y: new Tensor(y, [n, STEPS, 1]) };
}
const rng = new Random(42);
const train = smoothing(1000, rng);
const valid = smoothing(300, rng);

/** Train for a few epochs; returns the final validation MSE. */
function trainModel(model: Sequential): number {
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }) });
  const history = model.fit(train.x, train.y, { epochs: 5, seed: 1, validationData: valid });
  console.error(`${model.name}: validation MSE ${history.valLoss.map((v) => v.toPrecision(3)).join(' → ')}`);
  return history.valLoss[history.valLoss.length - 1];
}

manualSeed(42);
// Two stacked Bidirectional LSTMs (8 units each way): concat gives 16 features per step, sum 8.
const bidirectional = new Sequential([
  new Bidirectional(new LSTM(8, { returnSequences: true }), { mergeMode: 'concat' }),
  new Bidirectional(new LSTM(8, { returnSequences: true }), { mergeMode: 'sum' }),
  new TimeDistributed(new Dense(1)),
], { name: 'bidirectional', inputFeatures: 1 });
// The same stack reading forwards only, with twice the units (and more weights than the above).
const forwardOnly = new Sequential([
  new LSTM(16, { returnSequences: true }),
  new LSTM(16, { returnSequences: true }),
  new TimeDistributed(new Dense(1)),
], { name: 'forward-only', inputFeatures: 1 });

const count = (m: Sequential): number => m.weights().reduce((n, w) => n + w.tensor.size, 0);
console.log(`weights: bidirectional ${count(bidirectional)}, forward-only ${count(forwardOnly)}`);
const mseBi = trainModel(bidirectional);
const mseForward = trainModel(forwardOnly);
console.log(`validation MSE, bidirectional below forward-only: ${mseBi < mseForward}`);
console.log(`bidirectional at least twice as good: ${2 * mseBi < mseForward}`);

// Saved in TF.js's form (Bidirectional layers, forward_/backward_ weight names) and loaded back.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bidirectional-'));
saveModel(bidirectional, dir);
const reloaded = loadModel(dir);
const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] };
console.log(`weights in the file: ${json.weightsManifest[0].weights.map((w) => w.name).slice(0, 3).join(', ')}, …`);
const before = bidirectional.predict(valid.x).data;
const after = reloaded.predict(valid.x).data;
console.log(`reloaded model predicts identically: ${before.every((v, i) => v === after[i])}`);
fs.rmSync(dir, { recursive: true });
