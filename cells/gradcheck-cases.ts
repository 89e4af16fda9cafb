/**
 * The cells in the gradient-check table (`kind: 'cell'`): each case runs a whole unrolled
 * sequence (batch 2, time 5, float64) and checks the gradients of the outputs and final states
 * with respect to the inputs, the initial states and every weight. Dropout, zoneout and padding
 * masks are drawn from a generator seeded inside `fn`, so every evaluation sees the same masks.
 */
import type { Tensor } from '../engine/tensor';
import { Random } from '../engine/random';
import { randn, tensor } from '../engine/creation';
import type { GradcheckCase } from '../engine/gradcheck-suite';
import { SUITE_TOLERANCE } from '../engine/gradcheck-suite';
import { gradcheck, GradcheckReport } from '../engine/gradcheck';
import type { BaseCell, RecurrentCell } from './cell';
import { RNN, RNNLayerOptions } from './rnn';
import { Bidirectional, MergeMode } from './bidirectional';
import { SimpleRNNCell } from './simple-rnn';
import { LNSimpleRNNCell } from './ln-simple-rnn';
import { LSTMCell } from './lstm';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell } from './gru';

const BATCH = 2;
const TIME = 5;
const FEATURES = 3;
const UNITS = 3;

type CellFactory = () => BaseCell & RecurrentCell;

const cells: Record<string, CellFactory> = {
  simple: () => new SimpleRNNCell(UNITS, { dtype: 'float64' }),
  'ln-simple': () => new LNSimpleRNNCell(UNITS, { dtype: 'float64' }),
  // A non-default ε (Keras LayerNormalization's epsilon option), large enough to change the numbers.
  'ln-simple-eps': () => new LNSimpleRNNCell(UNITS, { dtype: 'float64', epsilon: 0.25 }),
  lstm: () => new LSTMCell(UNITS, { dtype: 'float64' }),
  peephole: () => new PeepholeLSTMCell(UNITS, { dtype: 'float64' }),
  gru: () => new GRUCell(UNITS, { dtype: 'float64' }),
  'gru-reset-before': () => new GRUCell(UNITS, { dtype: 'float64', resetAfter: false }),
};

interface Variant {
  readonly suffix: string;
  readonly options: RNNLayerOptions;
  /** Use a padding mask with some steps masked out. */
  readonly padded?: boolean;
}

/** The sizes of a cell case. */
interface CaseShape {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
}

/**
 * One case: a cell (made fresh by `make`, float64) × layer options (fused or not, dropout variant,
 * masking, direction). Inputs: x, the initial states, and every weight the cell plans.
 */
function cellCase(name: string, make: CellFactory, options: RNNLayerOptions, padded = false, size: CaseShape = { batch: BATCH, time: TIME, features: FEATURES }): GradcheckCase {
  const probe = make();
  const planned = probe.plannedWeights(size.features);
  const count = probe.stateCount;
  const stateNames = count === 2 ? ['h0', 'c0'] : Array.from({ length: count }, (_, k) => (k === 0 ? 'h0' : `s${k}_0`));
  return {
    name,
    kind: 'cell',
    inputs: () => {
      const rng = new Random(7);
      const g = (shape: readonly number[], std: number): Tensor => randn(shape, { dtype: 'float64', rng, std, requiresGrad: true });
      return [g([size.batch, size.time, size.features], 1), ...stateNames.map(() => g([size.batch, probe.units], 0.5)), ...planned.map((w) => g(w.shape, 0.5))];
    },
    fn: (x: Tensor, ...rest: Tensor[]) => {
      const cell = make();
      cell.adoptWeights(rest.slice(count));
      // Masks come from a generator seeded here: the same masks at every evaluation.
      const layer = new RNN(cell, { ...options, rng: new Random(42), returnSequences: true, name: 'gradcheck' });
      const mask = padded ? paddingMask(size.batch, size.time) : null;
      // Fused ops take a padding mask only from zero initial states (the h0/c0 inputs then go unused).
      const initialState = padded && options.fused ? null : rest.slice(0, count);
      const { output, states } = layer.callWithState(x, { training: true, mask, initialState });
      return [output, ...states];
    },
    names: ['x', ...stateNames, ...planned.map((w) => w.name)],
  };
}

/** A padding mask [batch, time]: row b has its last b + 1 steps padded (row 0 keeps step 0 real). */
function paddingMask(batch: number, time: number): Tensor {
  if (batch === 2 && time === 5) return tensor([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], { dtype: 'float64' });
  const rows = Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => (t === 0 || (t + b) % 3 !== 2 ? 1 : 0)));
  return tensor(rows, { dtype: 'float64' });
}

export interface GradcheckCellOptions extends RNNLayerOptions {
  /** Units of the cell made (default 3). */
  readonly units?: number;
  readonly batch?: number;
  readonly time?: number;
  readonly features?: number;
  /** Run with a padding mask (Keras masking), some steps padded. */
  readonly masked?: boolean;
  /** Tolerance (default the suite's: atol 1e-7, rtol 1e-6). */
  readonly atol?: number;
  readonly rtol?: number;
}

/**
 * The gradient check of a cell in one call: `make(units, { dtype: 'float64' })` builds the cell
 * (any cell, built in or your own); the outputs and final states of an RNN layer over a short
 * random sequence are checked against float64 central differences with respect to the input, the
 * initial states and every weight. Layer options (dropout variants, zoneout, goBackwards) pass
 * through; dropout masks are fixed per check. Returns the report (which input, where, how far).
 */
export function gradcheckCell(
  make: (units: number, options: { dtype: 'float64' }) => BaseCell & RecurrentCell,
  options: GradcheckCellOptions = {},
): GradcheckReport {
  const { units = UNITS, batch = BATCH, time = TIME, features = FEATURES, masked = false, atol = SUITE_TOLERANCE.atol, rtol = SUITE_TOLERANCE.rtol, ...layer } = options;
  const factory: CellFactory = () => {
    const cell = make(units, { dtype: 'float64' });
    if (cell.dtype !== 'float64') throw new Error(`gradcheckCell: the cell must be made with the options given (dtype float64), got a ${cell.dtype} ${cell.className}`);
    return cell;
  };
  const c = cellCase('cell', factory, { fused: false, ...layer }, masked, { batch, time, features });
  return gradcheck(c.fn, c.inputs(), { atol, rtol, names: c.names });
}

const plain: Variant = { suffix: '', options: {} };
const variants: Record<string, Variant> = {
  dropout: { suffix: '+dropout', options: { dropout: 0.3 } },
  'recurrent-dropout': { suffix: '+recurrent-dropout', options: { recurrentDropout: 0.3 } },
  'per-gate': { suffix: '+per-gate', options: { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'per-gate' } },
  'per-step': { suffix: '+per-step', options: { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'per-step' } },
  semeniuta: { suffix: '+semeniuta', options: { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'semeniuta' } },
  zoneout: { suffix: '+zoneout', options: { zoneoutH: 0.3, zoneoutC: 0.3 } },
  zoneoutH: { suffix: '+zoneout', options: { zoneoutH: 0.3 } },
  masked: { suffix: '+mask', options: {}, padded: true },
  backwards: { suffix: '+backwards', options: { goBackwards: true } },
};

function row(cell: string, v: Variant, fused = false, label = cell): GradcheckCase {
  return cellCase(`${label}${v.suffix}`, cells[cell], { ...v.options, fused }, v.padded ?? false);
}

/**
 * A Bidirectional case: x, then the forward cell's weights, then the backward cell's — both
 * directions (returning sequences) merged by `mergeMode`; the fused path on both when `fused`.
 */
function bidirectionalCase(name: string, make: CellFactory, mergeMode: MergeMode, fused: boolean, padded = false): GradcheckCase {
  const planned = make().plannedWeights(FEATURES);
  const n = planned.length;
  return {
    name,
    kind: 'cell',
    inputs: () => {
      const rng = new Random(11);
      const g = (shape: readonly number[], std: number): Tensor => randn(shape, { dtype: 'float64', rng, std, requiresGrad: true });
      return [g([BATCH, TIME, FEATURES], 1), ...planned.map((w) => g(w.shape, 0.5)), ...planned.map((w) => g(w.shape, 0.5))];
    },
    fn: (x: Tensor, ...weights: Tensor[]) => {
      const [forwardCell, backwardCell] = [make(), make()];
      forwardCell.adoptWeights(weights.slice(0, n));
      backwardCell.adoptWeights(weights.slice(n));
      const forward = new RNN(forwardCell, { returnSequences: true, fused, name: 'forward' });
      const backward = new RNN(backwardCell, { returnSequences: true, fused, goBackwards: true, name: 'backward' });
      const layer = new Bidirectional(forward, { mergeMode, backwardLayer: backward, name: 'gradcheck' });
      return layer.call(x, { mask: padded ? paddingMask(BATCH, TIME) : null });
    },
    names: ['x', ...planned.map((w) => `forward ${w.name}`), ...planned.map((w) => `backward ${w.name}`)],
  };
}

/** The table, in the order `rnngrad gradcheck` prints it. */
export const cellCases: GradcheckCase[] = [
  row('simple', plain),
  row('ln-simple', plain),
  row('lstm', plain),
  row('lstm', plain, true, 'lstm-fused'),
  row('simple', plain, true, 'simple-fused'),
  row('ln-simple', plain, true, 'ln-simple-fused'),
  row('peephole', plain),
  row('peephole', plain, true, 'peephole-fused'),
  row('gru', plain),
  row('gru-reset-before', plain),
  row('gru', plain, true, 'gru-fused'),
  row('gru-reset-before', plain, true, 'gru-reset-before-fused'),
  row('lstm', variants.dropout),
  row('lstm', variants['recurrent-dropout']),
  row('lstm', variants['per-gate']),
  row('lstm', variants['per-step']),
  row('lstm', variants.semeniuta),
  row('lstm', variants.zoneout),
  row('lstm', variants.masked),
  row('lstm', variants.backwards),
  row('lstm', { suffix: '+dropout+recurrent-dropout', options: { dropout: 0.3, recurrentDropout: 0.3 } }, true, 'lstm-fused'),
  row('lstm', variants.backwards, true, 'lstm-fused'),
  row('lstm', variants.masked, true, 'lstm-fused'),
  row('peephole', variants.masked, true, 'peephole-fused'),
  row('gru', variants.masked, true, 'gru-fused'),
  row('gru-reset-before', variants.masked, true, 'gru-reset-before-fused'),
  row('ln-simple', variants.masked, true, 'ln-simple-fused'),
  row('simple', variants['per-step']),
  row('simple', { suffix: '+dropout+recurrent-dropout', options: { dropout: 0.3, recurrentDropout: 0.3 } }, true, 'simple-fused'),
  row('ln-simple', variants.backwards, true, 'ln-simple-fused'),
  row('ln-simple', variants.zoneoutH),
  row('ln-simple-eps', plain, false, 'ln-simple-epsilon0.25'),
  row('ln-simple-eps', plain, true, 'ln-simple-epsilon0.25-fused'),
  row('peephole', variants.semeniuta),
  row('peephole', variants.zoneout),
  row('peephole', { suffix: '+recurrent-dropout', options: { dropout: 0.3, recurrentDropout: 0.3 } }, true, 'peephole-fused'),
  row('gru', variants['per-gate']),
  row('gru', variants.semeniuta),
  row('gru-reset-before', variants['per-gate']),
  row('gru', variants.masked),
  row('gru', { suffix: '+dropout+recurrent-dropout', options: { dropout: 0.3, recurrentDropout: 0.3 } }, true, 'gru-fused'),
  row('gru-reset-before', { suffix: '+dropout+recurrent-dropout', options: { dropout: 0.3, recurrentDropout: 0.3 } }, true, 'gru-reset-before-fused'),
  bidirectionalCase('bidirectional-lstm-concat', cells.lstm, 'concat', false),
  bidirectionalCase('bidirectional-lstm-fused-concat', cells.lstm, 'concat', true),
  bidirectionalCase('bidirectional-gru-sum', cells.gru, 'sum', false),
  bidirectionalCase('bidirectional-simple-mul', cells.simple, 'mul', false),
  bidirectionalCase('bidirectional-peephole-ave', cells.peephole, 'ave', false),
  bidirectionalCase('bidirectional-lstm-concat+mask', cells.lstm, 'concat', false, true),
];
