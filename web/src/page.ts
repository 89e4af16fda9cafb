/**
 * The playground page: reads the form, drives the training worker (worker.ts), draws what it
 * posts, and moves model files in and out (TF.js LayersModel: model.json + one .bin shard).
 * The page itself does no training, so it stays responsive: a requestAnimationFrame counter in
 * the corner shows it (and the browser tests read it).
 */
import { instance as graphviz } from '@viz-js/viz';
import { LossChart, GradNormChart, ForecastChart, drawGateHeat } from './charts';
import type { Settings, FromWorker, ToWorker } from './protocol';

/** What the tests (and a curious learner in the console) can read. */
interface PlaygroundState {
  frames: number;
  losses: number[];
  valLosses: number[];
  state: string;
  kernels: string;
  messages: string[];
  imported: string | null;
  live: number;
}
const state: PlaygroundState = { frames: 0, losses: [], valLosses: [], state: 'idle', kernels: '', messages: [], imported: null, live: 0 };
(window as unknown as { playground: PlaygroundState }).playground = state;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: #${id} is missing from index.html`);
  return el as T;
};

// The animation-frame counter: it keeps counting only while the main thread is free.
const framesEl = $('frames');
function tick(): void {
  state.frames++;
  if (state.frames % 10 === 0) framesEl.textContent = String(state.frames);
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

const lossChart = new LossChart($('loss-chart'));
const gradChart = new GradNormChart($('grad-chart'));
const forecastChart = new ForecastChart($('forecast-chart'), $('sample-text'));
const heatCanvas = $<HTMLCanvasElement>('gate-heat');
let redrawQueued = false;

function queueRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    lossChart.redraw();
  });
}

function say(kind: 'error' | 'notice', message: string): void {
  const box = $('messages');
  const line = document.createElement('p');
  line.className = kind;
  line.textContent = message;
  box.prepend(line);
  while (box.children.length > 6) box.lastElementChild?.remove();
  state.messages.push(`${kind}: ${message}`);
}

function num(id: string): number {
  return Number($<HTMLInputElement>(id).value);
}
function pick<T extends string>(id: string): T {
  return $<HTMLSelectElement>(id).value as T;
}

function readSettings(): Settings {
  return {
    task: pick('task'),
    cell: pick('cell'),
    units: num('units'),
    layers: num('layers'),
    dropout: num('dropout'),
    recurrentDropout: num('recurrent-dropout'),
    dropoutMode: pick('dropout-mode'),
    zoneoutH: num('zoneout-h'),
    zoneoutC: num('zoneout-c'),
    clip: pick('clip'),
    clipAmount: num('clip-amount'),
    optimizer: pick('optimizer'),
    lr: num('lr'),
    batch: num('batch'),
    epochs: num('epochs'),
    length: num('length'),
    samples: num('samples'),
    seed: num('seed'),
    kernels: pick('kernels'),
  };
}

// Sensible lengths per task: Géron's 50-step series, a 50-step adding problem, 40-character windows.
const LENGTHS: Record<string, number> = { series: 50, adding: 50, chars: 40 };
$<HTMLSelectElement>('task').addEventListener('change', () => {
  $<HTMLInputElement>('length').value = String(LENGTHS[pick('task')] ?? 50);
});

let worker: Worker | null = null;

function makeWorker(): Worker {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => onWorkerMessage(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    say('error', `the training worker failed: ${e.message || 'an error it could not report'} — press Reset to start a fresh one`);
  };
  return w;
}

function send(m: ToWorker, transfer: Transferable[] = []): void {
  if (!worker) worker = makeWorker();
  worker.postMessage(m, transfer);
}

function setState(s: string, detail: string): void {
  state.state = s;
  document.body.dataset.state = s;
  $('status').textContent = `${s}: ${detail}`;
  $<HTMLButtonElement>('pause').disabled = s !== 'training';
  $<HTMLButtonElement>('resume').disabled = s !== 'paused';
}

let viz: Awaited<ReturnType<typeof graphviz>> | null = null;
async function drawTape(dot: string): Promise<void> {
  try {
    viz ??= await graphviz();
    const svg = viz.renderSVGElement(dot);
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    $('tape').replaceChildren(svg);
  } catch (e) {
    $('tape').textContent = `the tape could not be drawn: ${(e as Error).message}`;
  }
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function onWorkerMessage(m: FromWorker): void {
  switch (m.type) {
    case 'ready':
      $('capabilities').textContent = `${m.offscreenCanvas ? 'OffscreenCanvas in workers: gpu.js can run in the worker' : 'no OffscreenCanvas in workers: gpu.js cannot run here, the js kernels train'}; ${m.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated'}`;
      if (!m.offscreenCanvas) {
        const gpu = $<HTMLSelectElement>('kernels').querySelector('option[value="gpu"]') as HTMLOptionElement | null;
        if (gpu) gpu.textContent = 'gpu.js (unavailable here: no OffscreenCanvas)';
      }
      break;
    case 'status':
      state.kernels = m.kernels;
      $('kernels-name').textContent = m.kernels;
      setState(m.state, m.detail);
      break;
    case 'notice':
      say('notice', m.message);
      break;
    case 'error':
      say('error', m.message);
      break;
    case 'batch':
      state.losses.push(m.loss);
      $('last-loss').textContent = `${m.loss.toPrecision(4)} (epoch ${m.epoch.toFixed(2)})`;
      lossChart.addBatch(m.step, m.loss);
      queueRedraw();
      break;
    case 'epoch':
      state.valLosses.push(m.valLoss);
      $('last-val').textContent = `${m.valLoss.toPrecision(4)} after epoch ${m.epoch}`;
      lossChart.addEpoch(m.step, m.valLoss);
      queueRedraw();
      break;
    case 'live':
      state.live++;
      gradChart.update(m.gradNorms);
      forecastChart.update(m.forecast);
      drawGateHeat(heatCanvas, m.gates);
      $('gate-title').textContent = `${m.gates.cell}, first validation sequence, step ${m.step}`;
      break;
    case 'tape':
      void drawTape(m.dot);
      break;
    case 'exported':
      download(m.jsonName, m.json, 'application/json');
      download(m.weightsName, m.weights, 'application/octet-stream');
      break;
    case 'imported':
      state.imported = m.summary;
      $('imported').textContent = m.summary;
      break;
  }
}

function clearFigures(): void {
  state.losses = [];
  state.valLosses = [];
  lossChart.clear();
  gradChart.clear();
  forecastChart.clear();
  heatCanvas.getContext('2d')?.clearRect(0, 0, heatCanvas.width, heatCanvas.height);
  $('last-loss').textContent = '—';
  $('last-val').textContent = '—';
}

$('start').addEventListener('click', () => {
  clearFigures();
  send({ type: 'start', settings: readSettings() });
});
$('pause').addEventListener('click', () => send({ type: 'pause' }));
$('resume').addEventListener('click', () => send({ type: 'resume' }));
$('reset').addEventListener('click', () => {
  // A fresh worker: whatever the old one was doing (even a long kernel compile) is dropped.
  worker?.terminate();
  worker = makeWorker();
  clearFigures();
  $('tape').textContent = '';
  setState('idle', 'reset');
});
$('export').addEventListener('click', () => send({ type: 'export' }));
$<HTMLInputElement>('import').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const files = Array.from(input.files ?? []);
  input.value = '';
  if (files.length === 0) return;
  clearFigures();
  send({ type: 'import', files, settings: readSettings() });
});

worker = makeWorker();
setState('idle', 'pick the settings and press Start');
