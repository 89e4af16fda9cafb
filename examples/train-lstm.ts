/**
 * Training an LSTM through the API, as Keras users do: the course's series task (predict the
 * next value of a noisy sum of two sine waves from the 50 before it), a Sequential model of an
 * LSTM and a Dense head, Adam, `fit` with validation data — and the question that matters:
 * does it beat the naive forecast (tomorrow = today, validation MSE ≈ 0.02)?
 *
 * Run: npx ts-node examples/train-lstm.ts
 */
import { Sequential, LSTM, Dense, Adam, seriesTask, naiveMse, manualSeed } from 'rnngrad';

manualSeed(42); // the initial weights
// A smaller training set than the course's 7000 sequences, so this runs in seconds.
const data = seriesTask({ seed: 42, sizes: [2000, 1000, 100] });
const naive = naiveMse(data.valid);

const model = new Sequential([new LSTM(20), new Dense(1)], { inputFeatures: 1 });
model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
const epochs = 4;
const started = Date.now();
const history = model.fit(data.train.x, data.train.y, {
  epochs,
  batchSize: 32,
  seed: 1, // the shuffling order
  validationData: data.valid,
  onEpoch: (e) => console.error(`epoch ${e.epoch + 1}/${e.epochs}  loss ${e.loss.toPrecision(3)}  val ${e.valLoss?.toPrecision(3)}`),
});
console.error(`trained in ${((Date.now() - started) / 1000).toFixed(1)} s`); // stderr: times vary

const valMse = history.valLoss[epochs - 1];
console.log(`LSTM(20) → Dense(1), ${model.weights().reduce((n, w) => n + w.tensor.size, 0)} weights, ${epochs} epochs on ${data.train.x.shape[0]} sequences`);
console.log(`naive forecast validation MSE: ${naive.toFixed(3)}`);
console.log(`the training loss fell: ${history.loss[epochs - 1] < history.loss[0]}`);
console.log(`below the naive baseline: ${valMse < naive}`);
console.log(`below half the naive baseline: ${valMse < naive / 2}`);

// predict: a batch of sequences [batch, time, features] → the next value of each.
const next = model.predict(data.valid.x).data;
const truth = data.valid.y.data;
let totalError = 0;
next.forEach((v, i) => (totalError += Math.abs(v - truth[i])));
const meanAbsError = totalError / next.length;
console.error(`mean absolute error ${meanAbsError.toPrecision(3)}`);
console.log(`predicted ${next.length} next values, off by less than 0.1 on average: ${meanAbsError < 0.1}`);
