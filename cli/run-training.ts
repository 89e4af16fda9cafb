/**
 * One training run, from settings to metrics: build the data for the task, build (or load) the
 * model, train it with progress and per-epoch checkpoints, and measure it on the validation set.
 * `rnngrad train` and the course run (`npm start`) both call runTraining.
 */
import * as path from 'path';
import { Tensor } from '../engine/tensor';
import { globalRandom, manualSeed, Random } from '../engine/random';
import { softmax, softmaxCrossEntropy } from '../engine/ops';
import { noGrad } from '../engine/tape';
import { cellLayer, AnyCellOptions } from '../cells/recurrent-layers';
import { RNN } from '../cells/rnn';
import { Bidirectional } from '../cells/bidirectional';
import { registeredCell } from '../cells/custom-cell';
import { Dense, TimeDistributed } from '../cells/dense';
import type { Layer } from '../cells/layer';
import { resetLayerNames } from '../cells/names';
import { Sequential } from '../train/model';
import { makeOptimizer } from '../train/optimizers';
import type { Optimizer } from '../train/optimizer';
import { loadModel, saveModel } from '../node/model-files';
import { saveCheckpoint, loadCheckpoint, hasCheckpoint, JsonValue } from '../node/checkpoint';
import type { History, EpochInfo } from '../train/fit';
import { fullBatches } from '../train/fit';
import { lastStepMse, meanSquaredError, TaskData } from '../train/tasks/series';
import { taskData, DataSettings } from './run-data';
import { sample, CharsTask, Predictor } from '../train/tasks/chars';
import { CELLS } from './train-flags';
import type { CellName, OptimizerName, TaskName } from './train-flags';
import type { ProgressSink } from './progress';
import { CliError } from './args';
import { checkFiniteWeights, checkFeatures } from './checks';

/** Everything that determines a run; stored in checkpoints so --resume rebuilds the same run. */
export interface RunSettings extends DataSettings {
  readonly task: TaskName | 'data';
  readonly dataFile: string | null;
  readonly valSplit: number;
  /** A built-in --cell name, or the class name of a registered cell. */
  readonly cell: CellName | string;
  readonly units: number;
  readonly layers: number;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly epochs: number;
  readonly batch: number;
  readonly length: number;
  readonly samples: number;
  readonly seed: number;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly dropoutMode: 'variational' | 'per-gate' | 'per-step' | 'semeniuta';
  readonly zoneoutH: number;
  readonly zoneoutC: number;
  readonly clipValue: number | null;
  readonly clipNorm: number | null;
  readonly clipGlobalNorm: number | null;
  readonly init: string | null;
  readonly stopOnNaN: boolean;
  /** Every recurrent layer wrapped in Bidirectional (merge: concat). */
  readonly bidirectional: boolean;
  /** chars: stateful layers over B = batch contiguous streams of the text. */
  readonly stateful: boolean;
}

export interface RunResult {
  readonly settings: RunSettings;
  readonly model: Sequential;
  readonly data: TaskData;
  readonly chars: CharsTask | null;
  readonly history: History;
  readonly trainLoss: number;
  readonly valMse: number;
  /** seq2seq: Géron's metric, the MSE of the last step's 10 predictions. */
  readonly valLastStepMse: number | null;
  /** chars: validation cross-entropy in nats per character. */
  readonly valCrossEntropy: number | null;
  /** chars: a sample of generated text. */
  readonly sampleText: string | null;
  readonly seconds: number;
  /** Set when training stopped on a non-finite loss. */
  readonly stoppedOnNaN: string | null;
}

/**
 * The model for the data: `layers` recurrent layers of `units` (all but the last return
 * sequences); targets [N, k] → the last returns its last step and a Dense(k) follows;
 * targets [N, T, k] → every layer returns sequences and a TimeDistributed(Dense(k)) follows.
 */
export function buildModel(s: RunSettings, features: number, target: Tensor): Sequential {
  resetLayerNames();
  const perStep = target.rank === 3;
  const k = target.shape[target.rank - 1];
  const layers: Layer[] = [];
  for (let l = 0; l < s.layers; l++) {
    const layer = recurrentLayer(s.cell, s.units, {
      returnSequences: perStep || l < s.layers - 1,
      dropout: s.dropout,
      recurrentDropout: s.recurrentDropout,
      dropoutMode: s.dropoutMode,
      zoneoutH: s.zoneoutH,
      zoneoutC: s.zoneoutC,
      stateful: s.stateful,
    });
    layers.push(s.bidirectional ? new Bidirectional(layer, { mergeMode: 'concat' }) : layer);
  }
  layers.push(perStep ? new TimeDistributed(new Dense(k)) : new Dense(k));
  // A stateful model has a fixed batch size, which its file records (Keras batch_input_shape).
  return new Sequential(layers, s.stateful ? { inputShape: [s.batch, null, features] } : { inputFeatures: features });
}

/** A recurrent layer for a --cell name: a built-in cell, or a registered one (composed path). */
function recurrentLayer(cell: string, units: number, options: AnyCellOptions): RNN {
  if (CELLS.includes(cell as CellName)) return cellLayer(cell as CellName, units, options);
  const custom = registeredCell(cell);
  if (!custom) throw new CliError(`rnngrad train: --cell '${cell}' is not a cell (expected ${CELLS.join(', ')}, or a cell registered by --require)`);
  return new RNN(custom.factory(units, {}, { units }), options);
}

/**
 * For measuring and sampling a stateful model on inputs of any batch size: every call starts from
 * zero states (a Predictor that resets before predicting).
 */
function fromZeroStates(model: Sequential): Predictor {
  return { predict: (x: Tensor) => { model.resetStates(); const y = model.predict(x); model.resetStates(); return y; } };
}

export function makeRunOptimizer(s: RunSettings): Optimizer {
  return makeOptimizer(s.optimizer, {
    learningRate: s.lr,
    ...(s.clipValue !== null ? { clipValue: s.clipValue } : {}),
    ...(s.clipNorm !== null ? { clipNorm: s.clipNorm } : {}),
    ...(s.clipGlobalNorm !== null ? { clipGlobalNorm: s.clipGlobalNorm } : {}),
  });
}

/** Validation metrics of a trained model. */
export function measure(model: Sequential, data: TaskData, s: Pick<RunSettings, 'task'>): { valMse: number; valLastStepMse: number | null; valCrossEntropy: number | null } {
  const { x, y } = data.valid;
  const stateful = model.statefulLayers.length > 0;
  const batch = model.inputShape[0];
  if (stateful && typeof batch === 'number' && s.task === 'chars') {
    // The validation text as streams, from zero states, in the model's batches (full ones only).
    const [xs, ys] = [fullBatches(x, batch), fullBatches(y, batch)];
    model.resetStates();
    const pred = model.predict(xs, { batchSize: batch });
    model.resetStates();
    const crossEntropy = noGrad(() => softmaxCrossEntropy(pred, ys).item());
    return { valMse: meanSquaredError(noGrad(() => softmax(pred)), ys), valLastStepMse: null, valCrossEntropy: crossEntropy };
  }
  const pred = stateful ? fromZeroStates(model).predict(x) : model.predict(x);
  if (s.task === 'chars') {
    const probs = noGrad(() => softmax(pred));
    return { valMse: meanSquaredError(probs, y), valLastStepMse: null, valCrossEntropy: model.evaluate(x, y) };
  }
  return { valMse: meanSquaredError(pred, y), valLastStepMse: s.task === 'seq2seq' ? lastStepMse(pred, y) : null, valCrossEntropy: null };
}

export interface RunOptions {
  readonly progress: ProgressSink;
  /** --save DIR: the final model and a checkpoint after every epoch. */
  readonly saveDir: string | null;
  /** --resume DIR. */
  readonly resumeDir: string | null;
}

/** Seed offset of the generator the layers draw their weights and masks from. */
const LAYER_STREAM = 0x5eed;

export function runTraining(s: RunSettings, options: RunOptions): RunResult {
  const started = Date.now();
  const { data, chars } = taskData(s);
  const features = data.train.x.shape[data.train.x.rank - 1];
  // Two generators drive training: the global one (initial weights, then dropout masks) and the
  // shuffling one. Both are checkpointed, so a resumed run draws exactly what it would have.
  const shuffle = new Random(s.seed + 1);
  let model: Sequential;
  let optimizer: Optimizer;
  let initialEpoch = 0;
  let previous: History | null = null;
  if (options.resumeDir) {
    optimizer = makeRunOptimizer(s);
    const cp = loadCheckpoint(options.resumeDir, { generators: { global: globalRandom, shuffle }, optimizer });
    model = cp.model;
    initialEpoch = cp.epoch;
    previous = cp.history;
    options.progress.notice(`rnngrad: resuming ${cp.path} at epoch ${cp.epoch} of ${s.epochs}`);
  } else {
    manualSeed(s.seed ^ LAYER_STREAM);
    if (s.init) {
      model = loadModel(s.init);
      checkFiniteWeights('train', model, s.init);
      checkFeatures('train', model, s.init, features, s.task === 'data' ? `--data ${s.dataFile}` : `--task ${s.task}`);
      model.build(features);
    } else {
      model = buildModel(s, features, data.train.y);
    }
    optimizer = makeRunOptimizer(s);
  }
  model.compile({ optimizer, loss: s.task === 'chars' ? 'softmaxCrossEntropy' : 'mse' });

  let stoppedOnNaN: string | null = null;
  let history: History = previous ?? { epoch: [], loss: [], valLoss: [] };
  const epochs = s.epochs;
  try {
    const h = model.fit(data.train.x, data.train.y, {
      epochs,
      batchSize: s.batch,
      rng: shuffle,
      initialEpoch,
      validationData: data.valid,
      stopOnNaN: s.stopOnNaN,
      // The course's stateful char-RNN: every epoch reads the streams from their start.
      ...(model.statefulLayers.length > 0 ? { onEpochBegin: () => model.resetStates() } : {}),
      onBatch: (b) => options.progress.step(b.batch + 1, b.batches, b.loss, b.epoch + 1, epochs),
      onEpoch: (e: EpochInfo) => {
        options.progress.epochEnd(
          `${s.task} ${s.cell} epoch ${e.epoch + 1}/${e.epochs}  loss ${e.loss.toPrecision(4)}  val ${e.valLoss?.toPrecision(4) ?? '—'}  ${e.seconds.toFixed(1)}s`,
        );
        history = {
          epoch: [...history.epoch, e.epoch],
          loss: [...history.loss, e.loss],
          valLoss: [...history.valLoss, e.valLoss ?? NaN],
        };
        if (options.saveDir) {
          saveCheckpoint(options.saveDir, {
            model, optimizer, generators: { global: globalRandom, shuffle }, epoch: e.epoch + 1,
            settings: s as unknown as JsonValue, history,
          });
        }
      },
    });
    void h;
  } catch (e) {
    if ((e as Error).name !== 'NonFiniteLossError') throw e;
    stoppedOnNaN = (e as Error).message;
    const kept = options.saveDir !== null && hasCheckpoint(options.saveDir);
    options.progress.notice(`rnngrad: ${stoppedOnNaN}${kept ? `; the last good checkpoint is in ${options.saveDir}` : options.saveDir ? '; no epoch finished, so no checkpoint was written' : ''}`);
  }

  if (options.saveDir && stoppedOnNaN === null) {
    const file = saveModel(model, options.saveDir);
    options.progress.notice(`rnngrad: saved ${path.relative(process.cwd(), file) || file}`);
  }
  // A diverged model measures nothing but NaN: report the stop instead (the checkpoint holds the last good weights).
  const metrics = stoppedOnNaN === null ? measure(model, data, s) : { valMse: NaN, valLastStepMse: null, valCrossEntropy: null };
  const sampleText = chars && stoppedOnNaN === null ? sample(model.statefulLayers.length > 0 ? fromZeroStates(model) : model, chars, 'Shall I compare thee', 200, { temperature: 0.6, rng: new Random(s.seed) }) : null;
  const last = history.loss.length > 0 ? history.loss[history.loss.length - 1] : NaN;
  return {
    settings: s, model, data, chars, history, trainLoss: last, ...metrics, sampleText,
    seconds: (Date.now() - started) / 1000, stoppedOnNaN,
  };
}
