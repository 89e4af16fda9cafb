/**
 * The measured figures of the reading guide, regenerated from the code (no hand-drawn data):
 *
 *   grad-norms-adding.svg   ‖∂L/∂h_t‖ against t on the adding task: a simple RNN and an LSTM, at
 *                           initialization and after training (trains both: about a minute)
 *   grad-norms-init.svg     the same at initialization, for every cell
 *   forget-gates-adding.svg the trained LSTM's mean forget gate per unit, against its initial one
 *   dropout-masks.svg       which units of h_{t−1} are dropped at each step: recurrent (variational)
 *                           dropout against per-step dropout
 *   clipping.svg            one gradient, clipped by value, by norm, and by global norm
 *   layer-norm.svg          saturated tanh units step by step: a simple RNN against an LN simple RNN
 *
 * Everything is seeded, so the files change only when the code does.
 * Run: `npm run build && node dist/docs/tools/render-plots.js`.
 */
import { useRelaxedSimd } from '../../kernels/wasm/matmul';
import * as fs from 'fs';
import * as path from 'path';
import { Tensor } from '../../engine/tensor';
import { Random, manualSeed } from '../../engine/random';
import { tensor, zeros, ones } from '../../engine/creation';
import { noGrad } from '../../engine/tape';
import { addingSequences, addingTask } from '../../train/tasks/adding';
import { clipValue, clipNorm, clipGlobalNorm } from '../../train/clipping';
import { SequenceDropout } from '../../cells/dropout';
import { SimpleRNNCell } from '../../cells/simple-rnn';
import { LNSimpleRNNCell } from '../../cells/ln-simple-rnn';
import { NO_MASKS } from '../../cells/cell';
import { timeStep } from '../../cells/sequence-ops';
import { hiddenGradientNorms } from '../../cli/grad-norms';
import { buildModel, makeRunOptimizer, RunSettings } from '../../cli/run-training';
import type { CellName } from '../../cli/train-flags';
import { lineChart } from '../../cli/plot';
import type { Sequential } from '../../train/model';
import type { TaskData } from '../../train/tasks/series';
import type { RNN } from '../../cells/rnn';
import { ROOT } from './regions';

export const FIGURES = path.join(ROOT, 'docs', 'figures');

/** The settings of a one-layer model for the adding task (what `rnngrad train --task adding` builds). */
function addingSettings(cell: CellName, units: number, length: number): RunSettings {
  return {
    task: 'adding', dataFile: null, valSplit: 0, cell, units, layers: 1, optimizer: 'adam', lr: 0.001, epochs: 1, batch: 32,
    length, samples: 32, seed: 1, dropout: 0, recurrentDropout: 0, dropoutMode: 'variational', zoneoutH: 0, zoneoutC: 0,
    clipValue: null, clipNorm: null, clipGlobalNorm: null, init: null, stopOnNaN: true, bidirectional: false, stateful: false,
  };
}

export const GRAD_NORM_CELLS: readonly CellName[] = ['simple', 'ln-simple', 'gru', 'lstm', 'peephole'];
/** The adding task's sequence length for the gradient-norm figures. */
export const ADDING_LENGTH = 50;

/** ‖∂L/∂h_t‖ (mean over 32 held-out adding sequences) for each cell, freshly initialized. */
export function gradientNormsAtInit(length = ADDING_LENGTH, units = 32): { cell: CellName; norms: number[] }[] {
  const { x, y } = addingSequences(32, length, new Random(7));
  return GRAD_NORM_CELLS.map((cell) => {
    manualSeed(11);
    const model = buildModel(addingSettings(cell, units, length), 2, y);
    return { cell, norms: hiddenGradientNorms(model, x, y) };
  });
}

interface TrainedAdding {
  readonly model: Sequential;
  readonly data: TaskData;
  readonly valMse: number;
}

const trainedCache = new Map<CellName, TrainedAdding>();

/**
 * A one-layer model trained on the adding task (Adam, lr 0.01, global-norm clipping 1, batch 50:
 * the task's defaults in `rnngrad train`; T = 50, 10 epochs of 5000 sequences). Trained once per
 * cell and process: the figures that need it share it.
 */
export function trainedOnAdding(cell: CellName, length = ADDING_LENGTH, epochs = 10, samples = 5000): TrainedAdding {
  const cached = trainedCache.get(cell);
  if (cached) return cached;
  const data = addingTask({ length, seed: 1, sizes: [samples, 500, 32] });
  manualSeed(11);
  const settings: RunSettings = { ...addingSettings(cell, 32, length), clipGlobalNorm: 1, lr: 0.01, batch: 50, epochs, samples };
  const model = buildModel(settings, 2, data.train.y);
  model.compile({ optimizer: makeRunOptimizer(settings), loss: 'mse' });
  const history = model.fit(data.train.x, data.train.y, { epochs, batchSize: 50, seed: 2, validationData: data.valid });
  const result = { model, data, valMse: history.valLoss[history.valLoss.length - 1] };
  process.stderr.write(`${cell}: validation MSE after training ${result.valMse.toFixed(4)}\n`);
  trainedCache.set(cell, result);
  return result;
}

/** ‖∂L/∂h_t‖ on 32 held-out sequences after training on the adding task. */
export function gradientNormsTrained(cell: CellName): { norms: number[]; valMse: number } {
  const { model, data, valMse } = trainedOnAdding(cell);
  return { norms: hiddenGradientNorms(model, data.test.x, data.test.y), valMse };
}

/**
 * The forget gate f_t of each unit of an LSTM layer, averaged over the steps and sequences of x:
 * the composed cell is stepped by hand and f read off the tape (c_t = add(mul(f, c_{t−1}), …)).
 */
export function meanForgetGates(layer: RNN, x: Tensor): number[] {
  const cell = layer.cell;
  const [batch, time] = x.shape;
  const sums = new Float64Array(cell.units);
  const xW = cell.projectInput(x, null);
  let states: Tensor[] = [zeros([batch, cell.units]), zeros([batch, cell.units])];
  for (let t = 0; t < time; t++) {
    states = cell.step(timeStep(xW, t), states, NO_MASKS);
    const fTimesC = states[1].entry?.inputs[0];
    const f = fTimesC?.entry?.inputs[0];
    if (!f || f.entry?.op !== 'sigmoid') throw new Error('render-plots: could not find the forget gate on the tape (did cells/lstm.ts change?)');
    for (let k = 0; k < f.size; k++) sums[k % cell.units] += f.data[k];
  }
  return Array.from(sums, (v) => v / (batch * time)).sort((a, b) => b - a);
}

const series = (name: string, norms: readonly number[]) => ({ name, points: norms.map((v, t) => [t, v] as const) });

function gradNormInitFigure(): string {
  return lineChart({
    title: `‖∂L/∂h_t‖ on the adding task (T = ${ADDING_LENGTH}, 32 units), at initialization`,
    xLabel: `time step t (the loss is computed after step ${ADDING_LENGTH - 1})`,
    yLabel: '‖∂L/∂h_t‖',
    series: gradientNormsAtInit().map(({ cell, norms }) => series(cell, norms)),
    logY: true,
    width: 720,
  });
}

function gradNormTrainedFigure(): string {
  const init = gradientNormsAtInit();
  const lines = [];
  const mse: string[] = [];
  for (const cell of ['simple', 'lstm'] as const) {
    const trained = gradientNormsTrained(cell);
    mse.push(`${cell} ${trained.valMse.toFixed(3)}`);
    lines.push(series(`${cell}, trained`, trained.norms));
    lines.push(series(`${cell}, at init`, init.find((r) => r.cell === cell)!.norms));
  }
  return lineChart({
    title: `‖∂L/∂h_t‖, adding task, T = ${ADDING_LENGTH} (validation MSE after training: ${mse.join(', ')})`,
    xLabel: `time step t (the loss is computed after step ${ADDING_LENGTH - 1})`,
    yLabel: '‖∂L/∂h_t‖',
    series: lines,
    logY: true,
    width: 760,
    height: 400,
  });
}

function forgetGateFigure(): string {
  const { model, data } = trainedOnAdding('lstm');
  const x = data.test.x;
  manualSeed(11);
  const fresh = buildModel(addingSettings('lstm', 32, ADDING_LENGTH), 2, data.test.y);
  const lstmLayer = (m: Sequential): RNN => m.layers[0] as RNN;
  const ranked = (f: number[]) => f.map((v, k) => [k + 1, v] as const);
  return lineChart({
    title: 'mean forget gate of each of the 32 LSTM units, adding task (T = 50), units sorted',
    xLabel: 'unit (sorted by its mean forget gate)',
    yLabel: 'mean f over steps and sequences',
    series: [
      { name: 'trained', points: ranked(meanForgetGates(lstmLayer(model), x)) },
      { name: 'at init (bias 1)', points: ranked(meanForgetGates(lstmLayer(fresh), x)) },
    ],
    width: 720,
  });
}

/** A grid of squares, one row per time step, one column per unit: dark = dropped. */
function maskGrid(title: string, masks: readonly Tensor[], x0: number, y0: number, cell: number): string[] {
  const out = [`<text x="${x0}" y="${y0 - 8}" font-size="12">${title}</text>`];
  masks.forEach((m, t) => {
    for (let u = 0; u < m.shape[1]; u++) {
      const dropped = m.data[u] === 0;
      out.push(`<rect x="${x0 + u * cell}" y="${y0 + t * cell}" width="${cell - 1}" height="${cell - 1}" fill="${dropped ? '#1f2937' : '#bfdbfe'}"/>`);
    }
    if (t % 2 === 0) out.push(`<text x="${x0 - 4}" y="${y0 + t * cell + cell - 3}" text-anchor="end" font-size="9">t=${t}</text>`);
  });
  return out;
}

/** The recurrent masks SequenceDropout draws for one sequence: variational (fixed) and per-step. */
function dropoutFigure(): string {
  const shape = { batch: 1, time: 10, features: 1, units: 16, gates: 4, stateCount: 2, hasCandidate: true, dtype: 'float32' as const };
  const masksOf = (mode: 'variational' | 'per-step') => {
    const d = new SequenceDropout({ recurrentDropout: 0.3, dropoutMode: mode, rng: new Random(3) }, shape, true);
    return Array.from({ length: shape.time }, (_v, t) => d.stepMasks(t).recurrent![0]);
  };
  const cell = 14;
  const W = 640;
  const H = 74 + shape.time * cell + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">recurrent dropout masks on h_{t−1} for one sequence (rate 0.3)</text>`,
    ...maskGrid("'variational': one mask, every step", masksOf('variational'), 50, 54, cell),
    ...maskGrid("'per-step': a fresh mask each step", masksOf('per-step'), 50 + 17 * cell + 60, 54, cell),
    `<text x="50" y="${H - 14}">rows: time steps 0–9; columns: the 16 units of h_{t−1}; dark: dropped (rate 0.3), light: kept and scaled by 1/(1 − 0.3)</text>`,
    '</svg>',
  ].join('\n');
}

/** One two-tensor gradient, and what each clipping mode makes of it (threshold 1). */
export function clippingExample(): { name: string; g: number[][] }[] {
  const grads = [tensor([3, 0.5]), tensor([0.4, -0.3])];
  const arr = (ts: readonly Tensor[]) => ts.map((t) => Array.from(t.data));
  return [
    { name: 'gradient', g: arr(grads) },
    { name: 'clipValue 1', g: arr(clipValue(grads, 1)) },
    { name: 'clipNorm 1', g: arr(clipNorm(grads, 1)) },
    { name: 'clipGlobalNorm 1', g: arr(clipGlobalNorm(grads, 1).clipped) },
  ];
}

/** Arrows for the first tensor's 2-D gradient under each mode, over the unit circle and unit square. */
function clippingFigure(): string {
  const rows = clippingExample();
  const W = 760;
  const H = 400;
  const ox = 140;
  const oy = 160;
  const s = 100;
  const colors = ['#6b7280', '#dc2626', '#2563eb', '#16a34a'];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    '<defs>',
    ...colors.map((c, k) => `<marker id="a${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`),
    '</defs>',
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">the first weight's gradient g₁ = (3, 0.5) under each mode (threshold 1)</text>`,
    `<rect x="${ox - s}" y="${oy - s}" width="${2 * s}" height="${2 * s}" fill="none" stroke="#fca5a5" stroke-dasharray="4 3"/>`,
    `<circle cx="${ox}" cy="${oy}" r="${s}" fill="none" stroke="#93c5fd" stroke-dasharray="4 3"/>`,
    `<line x1="${ox - s - 10}" x2="${ox + 3.2 * s}" y1="${oy}" y2="${oy}" stroke="#d1d5db"/>`,
    `<line x1="${ox}" x2="${ox}" y1="${oy + s + 10}" y2="${oy - s - 20}" stroke="#d1d5db"/>`,
  ];
  rows.forEach((r, k) => {
    const [gx, gy] = r.g[0];
    out.push(`<line x1="${ox}" y1="${oy}" x2="${(ox + gx * s).toFixed(1)}" y2="${(oy - gy * s).toFixed(1)}" stroke="${colors[k]}" stroke-width="2" marker-end="url(#a${k})"/>`);
    const label = `${r.name}: g₁ = (${r.g[0].map((v) => v.toFixed(3)).join(', ')}), g₂ = (${r.g[1].map((v) => v.toFixed(3)).join(', ')})`;
    out.push(`<text x="20" y="${H - 70 + k * 16}" fill="${colors[k]}">${label}</text>`);
  });
  out.push(`<text x="20" y="${H - 88}" fill="#374151">dashed square: each element within ±1 (clipValue); dashed circle: ‖g₁‖ ≤ 1 (clipNorm). clipNorm and clipGlobalNorm keep the direction; clipValue turns it.</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/**
 * A simple RNN whose recurrent kernel has gain 3, and an LN simple RNN with the same W, U, b
 * (γ = 1, β = 0), run on one random sequence: the share of units whose h_t is saturated
 * (|h_t| > 0.99, where tanh' < 0.02 and almost no gradient passes) at each step.
 */
export function saturation(time = 40, units = 32): { plain: number[]; normalized: number[] } {
  const plainCell = new SimpleRNNCell(units, { rng: new Random(5) });
  plainCell.build(1);
  const [W, U, b] = plainCell.weights().map((w) => w.tensor);
  for (let k = 0; k < U.size; k++) U.data[k] *= 3;
  const lnCell = new LNSimpleRNNCell(units);
  lnCell.build(1);
  lnCell.setWeights([W, U, b, ones([units]), zeros([units])]);
  const rng = new Random(6);
  const x = tensor(Float32Array.from({ length: time }, () => rng.normal()), [1, time, 1]);
  const saturated = (h: Tensor): number => {
    let n = 0;
    for (let k = 0; k < h.size; k++) if (Math.abs(h.data[k]) > 0.99) n++;
    return n / h.size;
  };
  const run = (cell: SimpleRNNCell): number[] => noGrad(() => {
    const xW = cell.projectInput(x, null);
    let h = zeros([1, units]);
    const shares: number[] = [];
    for (let t = 0; t < time; t++) {
      [h] = cell.step(timeStep(xW, t), [h], NO_MASKS);
      shares.push(saturated(h));
    }
    return shares;
  });
  return { plain: run(plainCell), normalized: run(lnCell) };
}

function layerNormFigure(): string {
  const { plain, normalized } = saturation();
  return lineChart({
    title: 'saturated tanh units (|h_t| > 0.99), same weights, recurrent gain 3',
    xLabel: 'time step t',
    yLabel: 'share of the 32 units',
    series: [
      { name: 'simple RNN', points: plain.map((v, t) => [t, v] as const) },
      { name: 'LN simple RNN', points: normalized.map((v, t) => [t, v] as const) },
    ],
    width: 720,
  });
}

/** Every figure this script draws; `slow` ones train models (a minute or two) and are not checked by the tests. */
/**
 * Drawn with the portable matmul kernel (multiply, then add): relaxed SIMD's fused multiply-add
 * may round differently from one machine to the next, and the committed figures must be what
 * every machine draws (spec/docs-figures.test.ts compares them exactly).
 */
const portable = (draw: () => string) => (): string => {
  const was = useRelaxedSimd(false);
  try {
    return draw();
  } finally {
    useRelaxedSimd(was);
  }
};

export const PLOTS: readonly { readonly file: string; readonly draw: () => string; readonly slow: boolean }[] = [
  { file: 'grad-norms-adding.svg', draw: portable(gradNormTrainedFigure), slow: true },
  { file: 'grad-norms-init.svg', draw: portable(gradNormInitFigure), slow: false },
  { file: 'forget-gates-adding.svg', draw: portable(forgetGateFigure), slow: true },
  { file: 'dropout-masks.svg', draw: portable(dropoutFigure), slow: false },
  { file: 'clipping.svg', draw: portable(clippingFigure), slow: false },
  { file: 'layer-norm.svg', draw: portable(layerNormFigure), slow: false },
];

/** Write the figures (all of them, or those named on the command line). */
function main(): void {
  fs.mkdirSync(FIGURES, { recursive: true });
  const only = process.argv.slice(2);
  for (const { file, draw } of PLOTS) {
    if (only.length > 0 && !only.includes(file)) continue;
    fs.writeFileSync(path.join(FIGURES, file), `${draw()}\n`);
    process.stderr.write(`wrote docs/figures/${file}\n`);
  }
}

if (require.main === module) main();
