/**
 * The playground's training worker. The page sends settings; this builds the task's data and
 * the model and trains one batch at a time, giving the event loop a turn between batches so that
 * pause, resume, reset and export are answered mid-epoch. After every batch it posts the loss;
 * about twice a second the live figures (‖∂L/∂h_t‖, the gate heat map, the forecast); after every
 * epoch the validation loss. Every failure becomes an 'error' message: the tab never dies.
 */
import { Tensor, allocate } from '../../engine/tensor';
import { Random, manualSeed } from '../../engine/random';
import { noGrad } from '../../engine/tape';
import { setBackend, kernelsName } from '../../kernels/backend';
import { RNN } from '../../cells/rnn';
import type { Sequential } from '../../train/model';
import { makeOptimizer } from '../../train/optimizers';
import { modelFromFiles, modelToFiles } from '../../browser/model-files';
import { seriesTask, Split } from '../../train/tasks/series';
import { addingTask } from '../../train/tasks/adding';
import { charsTask, sample, CharsTask } from '../../train/tasks/chars';
import { buildModel, checkSettings, hiddenGradientNorms, gateHeat, stepTapeDot } from './live';
import type { Settings, ToWorker, FromWorker, Forecast } from './protocol';

interface Run {
  readonly id: number;
  readonly settings: Settings;
  model: Sequential;
  readonly train: Split;
  readonly valid: Split;
  readonly chars: CharsTask | null;
  epoch: number;
  batch: number;
  step: number;
  order: Int32Array;
  epochLoss: number;
  readonly shuffle: Random;
}

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

let run: Run | null = null;
let runCounter = 0;
let paused = false;
let charsText: string | null = null;
const hasOffscreen = typeof OffscreenCanvas !== 'undefined';

/** Let queued messages (pause, reset, export) run before the next batch. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function rows(src: Tensor, from: number, count: number): Tensor {
  const per = src.size / src.shape[0];
  return new Tensor(src.data.slice(from * per, (from + count) * per), [count, ...src.shape.slice(1)]);
}

function gather(src: Tensor, order: Int32Array, from: number, count: number): Tensor {
  const per = src.size / src.shape[0];
  const out = allocate(src.dtype, count * per);
  for (let r = 0; r < count; r++) out.set(src.data.subarray(order[from + r] * per, (order[from + r] + 1) * per), r * per);
  return new Tensor(out, [count, ...src.shape.slice(1)]);
}

async function loadCharsText(): Promise<string> {
  if (charsText === null) {
    const response = await fetch(new URL('./sonnets.txt', import.meta.url));
    if (!response.ok) throw new Error(`the chars text (sonnets.txt) did not load: HTTP ${response.status}`);
    charsText = await response.text();
  }
  return charsText;
}

async function taskData(s: Settings): Promise<{ train: Split; valid: Split; chars: CharsTask | null }> {
  switch (s.task) {
    case 'series': {
      const n = s.samples;
      const d = seriesTask({ target: 'next', seed: s.seed, steps: s.length, sizes: [Math.round(n * 0.7), Math.round(n * 0.2), n - Math.round(n * 0.7) - Math.round(n * 0.2)] });
      return { train: d.train, valid: d.valid, chars: null };
    }
    case 'adding': {
      const d = addingTask({ length: s.length, seed: s.seed, sizes: [s.samples, Math.max(50, Math.round(s.samples / 5)), 10] });
      return { train: d.train, valid: d.valid, chars: null };
    }
    case 'chars': {
      const chars = charsTask({ text: await loadCharsText(), window: s.length });
      return { train: chars.train, valid: chars.valid, chars };
    }
  }
}

/** The kernels the learner asked for, or the js kernels and a notice saying why not. */
function chooseKernels(s: Settings): void {
  if (s.kernels === 'gpu') {
    if (!hasOffscreen) {
      post({ type: 'notice', message: 'This browser has no OffscreenCanvas in Web Workers, so gpu.js cannot run in the training worker: training with the js kernels.' });
      setBackend('cpu');
      return;
    }
    try {
      setBackend('gpu', { log: (line: string) => post({ type: 'notice', message: line }) });
      return;
    } catch (e) {
      post({ type: 'notice', message: `gpu.js did not start in the worker (${(e as Error).message}): training with the js kernels.` });
    }
  }
  setBackend('cpu');
}

const VAL_LIMIT = 512;

function validationLoss(r: Run): number {
  const n = Math.min(VAL_LIMIT, r.valid.x.shape[0]);
  return r.model.evaluate(rows(r.valid.x, 0, n), rows(r.valid.y, 0, n));
}

function forecast(r: Run, withText: boolean): Forecast {
  const s = r.settings;
  if (s.task === 'chars' && r.chars) {
    const text = withText ? sample(r.model, r.chars, 'Shall I compare thee', 60, { temperature: 0.6, rng: new Random(s.seed) }) : '';
    return { kind: 'text', inputs: [], truth: [], predicted: [], text };
  }
  const count = s.task === 'series' ? 3 : Math.min(12, r.valid.x.shape[0]);
  const x = rows(r.valid.x, 0, count);
  const y = rows(r.valid.y, 0, count);
  const pred = r.model.predict(x);
  const [, time, features] = x.shape;
  const inputs = Array.from({ length: count }, (_, n) => Array.from({ length: time }, (_, t) => x.data[(n * time + t) * features]));
  const truth = Array.from({ length: count }, (_, n) => [y.data[n]]);
  const predicted = Array.from({ length: count }, (_, n) => [pred.data[n]]);
  return { kind: s.task === 'series' ? 'series' : 'points', inputs, truth, predicted };
}

function postLive(r: Run, withText: boolean): void {
  const first = r.model.layers[0];
  if (!(first instanceof RNN)) return;
  const n = Math.min(16, r.valid.x.shape[0]);
  const gradNorms = hiddenGradientNorms(r.model, rows(r.valid.x, 0, n), rows(r.valid.y, 0, n));
  const gates = noGrad(() => gateHeat(r.model, rows(r.valid.x, 0, 1)));
  if (gates) post({ type: 'live', step: r.step, gradNorms, gates, forecast: forecast(r, withText) });
}

function status(state: 'building' | 'training' | 'paused' | 'done' | 'idle', detail: string): void {
  post({ type: 'status', state, kernels: kernelsName(), detail });
}

async function start(s: Settings): Promise<void> {
  const id = ++runCounter;
  run = null;
  paused = false;
  status('building', 'making the data and the model');
  const data = await taskData(s);
  const features = data.train.x.shape[2];
  const perStep = data.train.y.rank === 3;
  const outputs = data.train.y.shape[data.train.y.rank - 1];
  const problem = checkSettings(s, features, outputs);
  if (problem) throw new Error(problem);
  chooseKernels(s);
  manualSeed(s.seed);
  const model = buildModel(s, features, outputs, perStep);
  post({ type: 'tape', dot: stepTapeDot(s.cell), title: s.cell });
  const shuffle = new Random(s.seed + 1);
  run = { id, settings: s, model, train: data.train, valid: data.valid, chars: data.chars, epoch: 0, batch: 0, step: 0, order: shuffle.permutation(data.train.x.shape[0]), epochLoss: 0, shuffle };
  postLive(run, false);
  await trainLoop(run);
}

async function trainLoop(r: Run): Promise<void> {
  const s = r.settings;
  const n = r.train.x.shape[0];
  const batches = Math.ceil(n / s.batch);
  let lastLive = performance.now();
  if (!paused) status('training', `epoch ${r.epoch + 1} of ${s.epochs}`);
  while (r.epoch < s.epochs) {
    if (run !== r) return; // reset or a new start
    if (paused) {
      await yieldToEvents();
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const from = r.batch * s.batch;
    const count = Math.min(s.batch, n - from);
    const loss = r.model.trainOnBatch(gather(r.train.x, r.order, from, count), gather(r.train.y, r.order, from, count));
    r.epochLoss += loss * count;
    r.batch++;
    r.step++;
    post({ type: 'batch', step: r.step, epoch: r.epoch + r.batch / batches, loss });
    if (r.batch === batches) {
      const valLoss = validationLoss(r);
      post({ type: 'epoch', step: r.step, epoch: r.epoch + 1, loss: r.epochLoss / n, valLoss });
      r.epoch++;
      r.batch = 0;
      r.epochLoss = 0;
      r.order = r.shuffle.permutation(n);
      postLive(r, true);
      lastLive = performance.now();
      if (r.epoch < s.epochs) status('training', `epoch ${r.epoch + 1} of ${s.epochs}`);
    } else if (performance.now() - lastLive > 500) {
      postLive(r, false);
      lastLive = performance.now();
    }
    await yieldToEvents();
  }
  if (run === r) status('done', `trained ${s.epochs} epoch(s), ${r.step} steps`);
}

/** The model as TF.js LayersModel files (browser/model-files.ts): playground.json + playground.weights.bin. */
function exportModel(): void {
  if (!run) throw new Error('nothing to export yet: start training (or import a model) first');
  const { json, jsonName, weights, weightsName } = modelToFiles(run.model, 'playground');
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  post({ type: 'exported', json: JSON.stringify(json), jsonName, weights: buffer, weightsName }, [buffer]);
  post({ type: 'notice', message: `exported ${jsonName} and ${weightsName}: validation loss ${validationLoss(run).toPrecision(6)}` });
}

/** A model from the picked files (modelFromFiles checks shapes and sizes before allocating), paused on the current task. */
async function importModel(files: readonly File[], s: Settings): Promise<void> {
  const model = await modelFromFiles(files);
  const name = files.find((f) => f.name.toLowerCase().endsWith('.json'))?.name ?? 'model.json';
  const data = await taskData(s);
  const features = data.train.x.shape[2];
  if (model.inputFeatures !== features) {
    throw new Error(`${name} takes ${model.inputFeatures} input feature(s), but the ${s.task} task gives ${features}: pick that task, or another model`);
  }
  const perStep = data.train.y.rank === 3;
  model.compile({ optimizer: makeOptimizer(s.optimizer, { learningRate: s.lr }), loss: perStep ? 'softmaxCrossEntropy' : 'mse' });
  const id = ++runCounter;
  paused = true;
  const shuffle = new Random(s.seed + 1);
  run = { id, settings: s, model, train: data.train, valid: data.valid, chars: data.chars, epoch: 0, batch: 0, step: 0, order: shuffle.permutation(data.train.x.shape[0]), epochLoss: 0, shuffle };
  const valLoss = validationLoss(run);
  const layers = model.layers.map((l) => `${l.className}(${l.outputFeatures})`).join(' → ');
  post({ type: 'imported', summary: `imported ${name}: ${layers}; validation loss on the ${s.task} task ${valLoss.toPrecision(6)}` });
  postLive(run, true);
  status('paused', 'imported model: Resume trains it further on this task');
  trainLoop(run).catch(fail);
}

/** An error as one message in the page (a failed allocation says so in words). */
function report(e: unknown): void {
  const err = e as Error;
  const message = err instanceof RangeError ? `out of memory or an array too large for this tab (${err.message}): use a smaller model` : (err?.message ?? String(e));
  post({ type: 'error', message });
}

/** The run itself failed (building or training): it ends, and the page can start another. */
function fail(e: unknown): void {
  report(e);
  run = null;
  status('idle', 'stopped by the error above');
}

scope.onmessage = (event: MessageEvent<ToWorker>): void => {
  const m = event.data;
  try {
    switch (m.type) {
      case 'start':
        start(m.settings).catch(fail);
        break;
      case 'pause':
        if (run) {
          paused = true;
          status('paused', `epoch ${run.epoch + 1}, batch ${run.batch}`);
        }
        break;
      case 'resume':
        if (run) {
          paused = false;
          status('training', `epoch ${run.epoch + 1} of ${run.settings.epochs}`);
        }
        break;
      case 'reset':
        run = null;
        paused = false;
        runCounter++;
        status('idle', 'reset: nothing running');
        break;
      // A bad export or import request leaves the current run as it is.
      case 'export':
        try {
          exportModel();
        } catch (e) {
          report(e);
        }
        break;
      case 'import':
        importModel(m.files, m.settings).catch(report);
        break;
    }
  } catch (e) {
    fail(e);
  }
};

// Errors outside the handlers (a kernel compile in a timer, say) also reach the page.
self.addEventListener('error', (e) => post({ type: 'error', message: (e as ErrorEvent).message }));
self.addEventListener('unhandledrejection', (e) => fail((e as PromiseRejectionEvent).reason));

post({ type: 'ready', offscreenCanvas: hasOffscreen, crossOriginIsolated: (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true });
