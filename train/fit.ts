/**
 * The training loop (Keras `fit`): for each epoch, a seeded permutation of the samples, then
 * mini-batches in that order (the last one smaller when the batch size does not divide N, as
 * Keras), one optimizer step each; then the validation loss. The epoch's training loss is the
 * mean of the batch losses weighted by batch size — the figure Keras prints.
 *
 * The batch buffers are allocated once per fit and refilled in place; the shuffle generator is
 * the only source of randomness here, so saving its state (train/checkpoint.ts) after an epoch
 * and resuming with `initialEpoch` replays the same batches.
 */
import { Tensor, allocate } from '../engine/tensor';
import { Random } from '../engine/random';
import type { Sequential } from './model';

export interface BatchInfo {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch within the epoch. */
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
}

export interface EpochInfo {
  /** 0-based epoch just finished. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  readonly loss: number;
  /** Loss on validationData, or null without it. */
  readonly valLoss: number | null;
  /** Wall-clock seconds of this epoch (training and validation). */
  readonly seconds: number;
}

export interface FitOptions {
  /** Train until this epoch count is reached (epochs initialEpoch … epochs − 1 run). */
  readonly epochs: number;
  /** Default 32 (Keras). */
  readonly batchSize?: number;
  /**
   * Shuffle before each epoch (default true; false for a stateful model, which refuses true: its
   * batch k+1 continues batch k sample by sample).
   */
  readonly shuffle?: boolean;
  /** Before every epoch, e.g. `() => model.resetStates()` for a stateful model read as streams. */
  readonly onEpochBegin?: (epoch: number) => void;
  /** The shuffling generator (its state advances; save it to resume). Default: new Random(seed). */
  readonly rng?: Random;
  /** Seed for the shuffling generator when no rng is given (default 0). */
  readonly seed?: number;
  /** The first epoch to run (a resumed run), default 0. */
  readonly initialEpoch?: number;
  readonly validationData?: { readonly x: Tensor; readonly y: Tensor };
  /** After every batch (progress bars). */
  readonly onBatch?: (info: BatchInfo) => void;
  /** After every epoch (checkpoints, logs); return false to stop training. */
  readonly onEpoch?: (info: EpochInfo) => void | boolean;
  /**
   * Raise NonFiniteLossError on a NaN/Inf batch loss, weight after a step, or validation loss
   * (default true); false trains on regardless.
   */
  readonly stopOnNaN?: boolean;
}

/** Per-epoch figures, as Keras's History.history. */
export interface History {
  readonly epoch: number[];
  readonly loss: number[];
  readonly valLoss: number[];
}

/** What stopped being finite: a batch's loss, a weight after a step, or the validation loss. */
export type NonFiniteStage = 'loss' | 'weights' | 'validation';

/**
 * Training produced a number that is not finite. Each check sits where it keeps a bad state out
 * of the run's results:
 * - 'loss': a batch's loss, raised before the step, so the weights are those of the last good step;
 * - 'weights': a weight after a step (the step diverged; `weight` names the element);
 * - 'validation': the validation loss, raised before onEpoch, so no checkpoint keeps that epoch.
 * `loss` holds the non-finite value in every case.
 */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly where: string,
    readonly stage: NonFiniteStage = 'loss',
    readonly weight: string | null = null,
  ) {
    super(`training stopped: ${nonFiniteDetail(loss, where, stage, weight)}`);
    this.name = 'NonFiniteLossError';
  }
}

function nonFiniteDetail(value: number, where: string, stage: NonFiniteStage, weight: string | null): string {
  switch (stage) {
    case 'loss':
      return `the loss is ${value} (non-finite) ${where}; the weights are those of the last finite step`;
    case 'weights':
      return `the step ${where} made the weight ${weight ?? '?'} ${value} (non-finite); that step diverged (a smaller learning rate or gradient clipping may help), so the weights in memory are not usable`;
    case 'validation':
      return `the validation loss is ${value} (non-finite) ${where}; that epoch's weights are not kept`;
  }
}

/** Copy the samples order[from … from+count) of src into out (rows of src.size/N values). */
function gatherRows(src: Tensor, order: Int32Array, from: number, out: Tensor): void {
  const per = src.size / src.shape[0];
  const count = out.shape[0];
  for (let r = 0; r < count; r++) {
    const s = order[from + r] * per;
    out.data.set(src.data.subarray(s, s + per), r * per);
  }
}

function batchBuffer(like: Tensor, rows: number): Tensor {
  const per = like.size / like.shape[0];
  return new Tensor(allocate(like.dtype, rows * per), [rows, ...like.shape.slice(1)]);
}

/** The leading samples of t that fill whole batches of `batch` (a view, no copy): what a stateful model reads. */
export function fullBatches(t: Tensor, batch: number): Tensor {
  const rows = Math.floor(t.shape[0] / batch) * batch;
  return rows === t.shape[0] ? t : new Tensor(t.data.subarray(0, (rows * t.size) / t.shape[0]), [rows, ...t.shape.slice(1)]);
}

/**
 * The validation loss. A stateful model reads the validation set as streams too, from zero states
 * in batches of the training batch size; the training states are put back afterwards.
 */
function validate(model: Sequential, data: { readonly x: Tensor; readonly y: Tensor }, statefulBatch: number | undefined): number {
  if (statefulBatch === undefined) return model.evaluate(data.x, data.y);
  const layers = model.statefulLayers;
  const saved = layers.map((l) => l.carriedStates());
  model.resetStates();
  if (data.x.shape[0] < statefulBatch) throw new Error(`fit: a stateful model validates on full batches of ${statefulBatch}, and the validation set has only ${data.x.shape[0]} samples`);
  try {
    return model.evaluate(fullBatches(data.x, statefulBatch), fullBatches(data.y, statefulBatch), { batchSize: statefulBatch });
  } finally {
    layers.forEach((l, k) => l.setCarriedStates(saved[k]));
  }
}

export function fit(model: Sequential, x: Tensor, y: Tensor, options: FitOptions): History {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`fit: x holds ${n} samples but y holds ${y.shape[0]}`);
  if (n === 0) throw new Error('fit: no training samples');
  const batchSize = options.batchSize ?? 32;
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`fit: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new Error(`fit: epochs must be an integer ≥ 0, got ${options.epochs}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be an integer ≥ 0, got ${initialEpoch}`);
  const rng = options.rng ?? new Random(options.seed ?? 0);
  // A stateful model: sample i of batch k+1 continues sample i of batch k, so no shuffling, and
  // every batch full (a partial last batch is dropped, as Keras asks of stateful RNNs).
  const stateful = model.statefulLayers.length > 0;
  if (stateful && options.shuffle === true) {
    throw new Error("fit: option 'shuffle' is true, but the model is stateful (each batch continues the previous one sample by sample); leave shuffle unset or false");
  }
  if (stateful && n < batchSize) throw new Error(`fit: a stateful model trains on full batches of ${batchSize}, and there are only ${n} samples`);
  const shuffle = stateful ? false : options.shuffle ?? true;
  const stopOnNaN = options.stopOnNaN ?? true;

  const batches = stateful ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  const full = Math.min(batchSize, n);
  const rest = stateful ? 0 : n % batchSize;
  const used = stateful ? batches * batchSize : n;
  const xFull = batchBuffer(x, full);
  const yFull = batchBuffer(y, full);
  const xRest = rest > 0 && n > batchSize ? batchBuffer(x, rest) : xFull;
  const yRest = rest > 0 && n > batchSize ? batchBuffer(y, rest) : yFull;
  let order: Int32Array = new Int32Array(n).map((_, i) => i);

  const history: History = { epoch: [], loss: [], valLoss: [] };
  // #region epoch-loop
  for (let epoch = initialEpoch; epoch < options.epochs; epoch++) {
    const started = Date.now();
    options.onEpochBegin?.(epoch);
    if (shuffle) order = rng.permutation(n);
    let total = 0;
    for (let b = 0; b < batches; b++) {
      const last = b === batches - 1 && rest > 0;
      const xb = last ? xRest : xFull;
      const yb = last ? yRest : yFull;
      gatherRows(x, order, b * batchSize, xb);
      gatherRows(y, order, b * batchSize, yb);
      let loss: number;
      try {
        loss = model.trainOnBatch(xb, yb, { stopOnNaN });
      } catch (e) {
        if (e instanceof NonFiniteLossError) throw new NonFiniteLossError(e.loss, `at epoch ${epoch + 1}, batch ${b + 1} of ${batches}`, e.stage, e.weight);
        throw e;
      }
      total += loss * xb.shape[0];
      options.onBatch?.({ epoch, batch: b, batches, loss });
    }
    const loss = total / used;
    const valLoss = options.validationData ? validate(model, options.validationData, stateful ? batchSize : undefined) : null;
    // Before onEpoch: a checkpoint written for this epoch would be announced as the last good one.
    if (stopOnNaN && valLoss !== null && !Number.isFinite(valLoss)) throw new NonFiniteLossError(valLoss, `after epoch ${epoch + 1}`, 'validation');
    history.epoch.push(epoch);
    history.loss.push(loss);
    if (valLoss !== null) history.valLoss.push(valLoss);
    const carryOn = options.onEpoch?.({ epoch, epochs: options.epochs, loss, valLoss, seconds: (Date.now() - started) / 1000 });
    if (carryOn === false) break;
  }
  // #endregion epoch-loop
  return history;
}
