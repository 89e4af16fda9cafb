/**
 * brain.js 2.0 as a second peer (ANCHORS.md): its `recurrent.LSTMTimeStep` with hidden layers
 * [20, 20] on W1's 32 sequences of 50 steps. The model is comparable, not identical — brain.js
 * predicts the next value (1 output per step, not W1's 10), trains sequence by sequence with its
 * own update rule (one `train` iteration = 32 small updates, not one Adam step on a batch) and has
 * its own initial weights — so its rows carry the model name 'lstm-timestep' and are not ratios.
 */
import type { Batch, ModelSpec } from './models';

interface BrainLstmTimeStep {
  train(data: number[][], options: { iterations: number; log: boolean }): unknown;
  run(sequence: number[]): number;
}
interface BrainModule {
  recurrent: { LSTMTimeStep: new (options: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => BrainLstmTimeStep };
}

/** The train and forward steps of brain.js on W1's data, or null when brain.js is not installed. */
export function brainjsSteps(spec: ModelSpec, batch: Batch): { train: () => void; forward: () => void } | null {
  let brain: BrainModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    brain = require('brain.js') as BrainModule;
  } catch {
    return null;
  }
  const { time, features } = spec;
  const sequences: number[][] = [];
  for (let b = 0; b < spec.batch; b++) {
    sequences.push(Array.from({ length: time }, (_, t) => batch.x[(b * time + t) * features]));
  }
  const net = new brain.recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: spec.units.slice(), outputSize: 1 });
  net.train(sequences, { iterations: 1, log: false }); // builds the model
  return {
    train: () => {
      net.train(sequences, { iterations: 1, log: false });
    },
    forward: () => {
      for (const s of sequences) net.run(s);
    },
  };
}
