/**
 * Load a model TensorFlow.js saved — model.json (the layers and their config) and weights.bin
 * (float32 values, listed in model.json's weightsManifest) — and predict with it in rnngrad.
 *
 * examples/models/series-lstm/ is an LSTM(8) → Dense(1) trained with @tensorflow/tfjs on the
 * series task and saved by TF.js; tfjs-predictions.json holds what TF.js predicted for the
 * first four test sequences. TF.js's LSTM defaults differ from Keras's (recurrent activation
 * hard_sigmoid, not sigmoid); rnngrad reads the activation from the config like every other option.
 *
 * Run: npx ts-node examples/load-tfjs-model.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, loadModel, seriesTask, naiveMse, meanSquaredError } from 'rnngrad';

const dir = path.join(__dirname, 'models', 'series-lstm');
const model = loadModel(dir); // the folder, or its model.json
console.log(`layers: ${model.layers.map((l) => `${l.className} (${l.outputFeatures})`).join(' → ')}; input shape [${model.inputShape.map((d) => d ?? 'null').join(', ')}]`);
console.log(`weights: ${model.weights().map((w) => `${w.name} [${w.tensor.shape.join(',')}]`).join(', ')}`);

// The same data TF.js trained on, rebuilt from its seed.
const data = seriesTask({ seed: 42, sizes: [1000, 500, 100] });
const steps = data.test.x.shape[1];
const x = new Tensor(data.test.x.data.slice(0, 4 * steps), [4, steps, 1]); // [batch, time, features]
const predicted = model.predict(x).data;
console.log(`next values of the first four test sequences: ${Array.from(predicted, (v) => v.toFixed(2)).join(', ')}`);
console.log(`the true next values:                         ${Array.from(data.test.y.data.subarray(0, 4), (v) => v.toFixed(2)).join(', ')}`);

const tfjs = (JSON.parse(fs.readFileSync(path.join(dir, 'tfjs-predictions.json'), 'utf8')) as { predictions: number[] }).predictions;
const maxDiff = Math.max(...tfjs.map((v, i) => Math.abs(v - predicted[i])));
console.log(`the same as TF.js predicted, to 1e-5: ${maxDiff <= 1e-5}`);

const valMse = meanSquaredError(model.predict(data.valid.x), data.valid.y);
console.log(`validation MSE below the naive forecast's (${naiveMse(data.valid).toFixed(3)}): ${valMse < naiveMse(data.valid)}`);
