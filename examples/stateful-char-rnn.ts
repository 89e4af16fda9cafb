/**
 * A stateful char-RNN (the course's, after Karpathy): the sonnets cut into B contiguous streams,
 * each read window after window, so that sample i of batch k+1 continues sample i of batch k.
 * A stateful LSTM carries its final states from one batch into the next — it remembers past the
 * 40-character window — while gradients stop at the batch border (truncated BPTT).
 * Then it writes some text.
 *
 * Run: npx ts-node examples/stateful-char-rnn.ts
 */
import { Sequential, LSTM, Dense, TimeDistributed, Adam, Random, charsTask, sample, manualSeed } from 'rnngrad';
import type { Tensor, Predictor } from 'rnngrad';

const STREAMS = 16; // B: the batch size, fixed for a stateful model
// Windows in window-major order: rows 0 … B−1 are the first window of each stream, then the second, …
const task = charsTask({ window: 40, streams: STREAMS });
const vocab = task.vocab.length;
console.log(`${task.train.x.shape[0]} training windows of ${task.window} characters in ${STREAMS} streams, ${vocab} distinct characters`);

manualSeed(42);
const lstm = new LSTM(64, { returnSequences: true, stateful: true });
// inputShape [B, null, vocab]: the file records the fixed batch size (Keras batch_input_shape).
const model = new Sequential([lstm, new TimeDistributed(new Dense(vocab))], { inputShape: [STREAMS, null, vocab] });
model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'softmaxCrossEntropy' });

const history = model.fit(task.train.x, task.train.y, {
  epochs: 10,
  batchSize: STREAMS, // no shuffle: a stateful model refuses it, the order is the point
  onEpochBegin: () => model.resetStates(), // every epoch reads the streams from their start
  validationData: task.valid,
  onEpoch: (e) => console.error(`epoch ${e.epoch + 1}  loss ${e.loss.toFixed(3)}  val ${e.valLoss?.toFixed(3)}  ${e.seconds.toFixed(1)}s`),
});
const [first, last] = [history.loss[0], history.loss[history.loss.length - 1]];
console.log(`the training loss fell: ${last < first}`);
// Cross-entropy in nats per character; guessing uniformly scores ln(vocab).
console.log(`validation cross-entropy below uniform guessing (ln ${vocab}): ${history.valLoss[history.valLoss.length - 1] < Math.log(vocab)}`);

console.log(`the layer carries states after training: ${lstm.carriedStates() !== null}`);
model.resetStates();
console.log(`and none after resetStates(): ${lstm.carriedStates() === null}`);

// Sampling runs one sequence (batch 1), not B: predict from zero states each call.
const fromZeroStates: Predictor = {
  predict: (x: Tensor) => {
    model.resetStates();
    const y = model.predict(x);
    model.resetStates();
    return y;
  },
};
const text = sample(fromZeroStates, task, 'Shall I compare thee', 200, { temperature: 0.6, rng: new Random(1) });
console.error(`Shall I compare thee${text}`); // stderr: the exact characters can differ between machines
console.log(`sampled ${text.length} characters, all from the sonnets' vocabulary: ${Array.from(text).every((c) => task.vocab.includes(c))}`);
