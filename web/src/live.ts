/**
 * What the playground's worker measures while it trains, built from the engine's public pieces:
 * the model for the learner's settings (after a size check, so a request that cannot fit in the
 * tab's memory gets a sentence instead of a dead tab), ‖∂L/∂h_t‖ against t, one sequence's gate
 * trace, and the tape of one step of the chosen cell as Graphviz DOT.
 */
import { Tensor } from '../../engine/tensor';
import { zeros, tensor } from '../../engine/creation';
import { add, stack, sum } from '../../engine/ops';
import { toDot } from '../../engine/tape-print';
import { timeStep } from '../../cells/sequence-ops';
import { NO_MASKS } from '../../cells/cell';
import { RNN } from '../../cells/rnn';
import { cellLayer } from '../../cells/recurrent-layers';
import { Dense, TimeDistributed } from '../../cells/dense';
import type { Layer } from '../../cells/layer';
import { resetLayerNames } from '../../cells/names';
import { traceGates } from '../../cells/gate-trace';
import { Sequential, LOSSES } from '../../train/model';
import { makeOptimizer } from '../../train/optimizers';
import type { Settings, CellChoice, GateHeat } from './protocol';

/** The most memory one training run may plan for: weights, gradients, moments and the tape. */
export const MEMORY_BUDGET_BYTES = 512 * 2 ** 20;

const GATES: Record<CellChoice, number> = { simple: 1, 'ln-simple': 1, lstm: 4, peephole: 4, gru: 3 };

/**
 * Bytes a run would need, roughly: float32 weights ×4 (the weights, their gradients and two
 * optimizer moments) and the tape of one batch (about eight [batch, gates·units] arrays per step
 * and layer). Computed from the settings alone — nothing is allocated to find out.
 */
export function plannedBytes(s: Settings, features: number, outputs: number): number {
  const g = GATES[s.cell];
  let params = 0;
  let inputs = features;
  for (let l = 0; l < s.layers; l++) {
    params += inputs * g * s.units + s.units * g * s.units + 2 * g * s.units + 3 * s.units;
    inputs = s.units;
  }
  params += s.units * outputs + outputs;
  const tape = s.layers * s.batch * s.length * g * s.units * 8;
  return 4 * (4 * params + tape);
}

/** A sentence when the settings are out of range or would not fit, else null. */
export function checkSettings(s: Settings, features: number, outputs: number): string | null {
  const whole = (name: string, v: number, lo: number, hi: number): string | null =>
    Number.isInteger(v) && v >= lo && v <= hi ? null : `${name} must be a whole number from ${lo} to ${hi}, got ${v}`;
  const problem =
    whole('units', s.units, 1, 1e9) ?? whole('layers', s.layers, 1, 8) ?? whole('batch size', s.batch, 1, 4096) ??
    whole('epochs', s.epochs, 1, 1000) ?? whole('sequence length', s.length, 2, 1000) ?? whole('samples', s.samples, 10, 100000);
  if (problem) return problem;
  for (const [name, v] of [['dropout', s.dropout], ['recurrent dropout', s.recurrentDropout], ['zoneout h', s.zoneoutH], ['zoneout c', s.zoneoutC]] as const) {
    if (!(v >= 0 && v < 1)) return `${name} must be in [0, 1), got ${v}`;
  }
  if (!(s.lr > 0 && Number.isFinite(s.lr))) return `the learning rate must be a number > 0, got ${s.lr}`;
  if (s.clip !== 'none' && !(s.clipAmount > 0 && Number.isFinite(s.clipAmount))) return `the clipping threshold must be > 0, got ${s.clipAmount}`;
  const bytes = plannedBytes(s, features, outputs);
  if (bytes > MEMORY_BUDGET_BYTES) {
    const mb = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toPrecision(3)} GB` : `${Math.round(b / 2 ** 20)} MB`);
    return `${s.layers} × ${s.cell} with ${s.units} units (batch ${s.batch}, ${s.length} steps) would need about ${mb(bytes)} of memory; the playground allows ${mb(MEMORY_BUDGET_BYTES)} per run. Use fewer units, layers, steps or a smaller batch.`;
  }
  return null;
}

/** The model for the settings: `layers` recurrent layers, then Dense (or per-step Dense for chars). */
export function buildModel(s: Settings, features: number, outputs: number, perStep: boolean): Sequential {
  resetLayerNames();
  const layers: Layer[] = [];
  for (let l = 0; l < s.layers; l++) {
    layers.push(cellLayer(s.cell, s.units, {
      returnSequences: perStep || l < s.layers - 1,
      dropout: s.dropout,
      recurrentDropout: s.recurrentDropout,
      dropoutMode: s.dropoutMode,
      zoneoutH: s.zoneoutH,
      zoneoutC: s.cell === 'lstm' || s.cell === 'peephole' ? s.zoneoutC : 0,
    }));
  }
  layers.push(perStep ? new TimeDistributed(new Dense(outputs)) : new Dense(outputs));
  const model = new Sequential(layers, { inputFeatures: features });
  const clip = s.clip === 'value' ? { clipValue: s.clipAmount } : s.clip === 'norm' ? { clipNorm: s.clipAmount } : s.clip === 'global-norm' ? { clipGlobalNorm: s.clipAmount } : {};
  model.compile({ optimizer: makeOptimizer(s.optimizer, { learningRate: s.lr, ...clip }), loss: perStep ? 'softmaxCrossEntropy' : 'mse' });
  return model;
}

/**
 * Mean over the batch of ‖∂L/∂h_t‖₂ for the first recurrent layer (t = 0 … T−1), as
 * cli/grad-norms.ts, for any depth and either loss: a zero probe p_t that requires a gradient is
 * added to each hidden state, so ∂L/∂p_t = ∂L/∂h_t. Dropout is off (a measurement).
 */
export function hiddenGradientNorms(model: Sequential, x: Tensor, y: Tensor): number[] {
  const [first, ...head] = model.layers;
  if (!(first instanceof RNN)) return [];
  const cell = first.cell;
  const [batch, time] = x.shape;
  const projected = cell.projectInput(x, null);
  let states: Tensor[] = Array.from({ length: cell.stateCount }, () => zeros([batch, cell.units], { dtype: cell.dtype }));
  const probes: Tensor[] = [];
  const outputs: Tensor[] = [];
  for (let t = 0; t < time; t++) {
    states = cell.step(timeStep(projected, t), states, NO_MASKS);
    const probe = zeros([batch, cell.units], { dtype: cell.dtype, requiresGrad: true });
    probes.push(probe);
    states = [add(states[0], probe), ...states.slice(1)];
    outputs.push(states[0]);
  }
  let out = first.returnsSequences ? stack(outputs, 1) : states[0];
  for (const layer of head) out = layer.call(out);
  LOSSES[model.loss](out, y).backward();
  for (const w of model.weights()) w.tensor.grad = null; // a measurement, not a training step
  return probes.map((p) => {
    const g = p.grad;
    if (!g) return 0;
    const data = g.data;
    let total = 0;
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let u = 0; u < cell.units; u++) s += data[b * cell.units + u] ** 2;
      total += Math.sqrt(s);
    }
    return total / batch;
  });
}

/** The first layer's gates over one sequence x [1, T, F]: values[gate][t][u]. */
export function gateHeat(model: Sequential, x: Tensor): GateHeat | null {
  const first = model.layers[0];
  if (!(first instanceof RNN)) return null;
  const trace = traceGates(first, x);
  const values: Record<string, number[][]> = {};
  for (const g of trace.gates) values[g] = trace.values[g].map((row) => Array.from(row.subarray(0, trace.units)));
  return { cell: trace.cell, gates: trace.gates, units: trace.units, time: trace.time, values };
}

/** One step of the chosen cell — 2 units, 1 input feature — and L = Σ h_t, as Graphviz DOT. */
export function stepTapeDot(cellName: CellChoice): string {
  resetLayerNames();
  const cell = cellLayer(cellName, 2, { inputFeatures: 1 }).cell;
  const x = tensor([[[0.5]]], { name: 'x_t' });
  const hPrev = tensor([[0.1, -0.2]], { requiresGrad: true, name: 'h_prev' });
  const cPrev = tensor([[0.3, 0.4]], { requiresGrad: true, name: 'c_prev' });
  const states = cell.stateCount === 2 ? [hPrev, cPrev] : [hPrev];
  const [h] = cell.step(timeStep(cell.projectInput(x, null), 0), states, NO_MASKS);
  h.name = 'h_t';
  const loss = sum(h);
  loss.name = 'L';
  resetLayerNames();
  return toDot(loss, `one ${cell.className} step, L = sum(h_t)`);
}
