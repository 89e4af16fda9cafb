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
import type { BaseCell, RecurrentCell } from './cell';
import { RNN, RNNLayerOptions } from './rnn';
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

interface CellSpec {
  readonly make: CellFactory;
  /** Weight shapes in Keras order. */
  readonly weights: readonly (readonly number[])[];
  readonly states: number;
}

const cells: Record<string, CellSpec> = {
  simple: { make: () => new SimpleRNNCell(UNITS, { dtype: 'float64' }), weights: [[FEATURES, UNITS], [UNITS, UNITS], [UNITS]], states: 1 },
  'ln-simple': {
    make: () => new LNSimpleRNNCell(UNITS, { dtype: 'float64' }),
    weights: [[FEATURES, UNITS], [UNITS, UNITS], [UNITS], [UNITS], [UNITS]],
    states: 1,
  },
  // A non-default ε (Keras LayerNormalization's epsilon option), large enough to change the numbers.
  'ln-simple-eps': {
    make: () => new LNSimpleRNNCell(UNITS, { dtype: 'float64', epsilon: 0.25 }),
    weights: [[FEATURES, UNITS], [UNITS, UNITS], [UNITS], [UNITS], [UNITS]],
    states: 1,
  },
  lstm: { make: () => new LSTMCell(UNITS, { dtype: 'float64' }), weights: [[FEATURES, 4 * UNITS], [UNITS, 4 * UNITS], [4 * UNITS]], states: 2 },
  peephole: {
    make: () => new PeepholeLSTMCell(UNITS, { dtype: 'float64' }),
    weights: [[FEATURES, 4 * UNITS], [UNITS, 4 * UNITS], [4 * UNITS], [UNITS], [UNITS], [UNITS]],
    states: 2,
  },
  gru: { make: () => new GRUCell(UNITS, { dtype: 'float64' }), weights: [[FEATURES, 3 * UNITS], [UNITS, 3 * UNITS], [2, 3 * UNITS]], states: 1 },
  'gru-reset-before': {
    make: () => new GRUCell(UNITS, { dtype: 'float64', resetAfter: false }),
    weights: [[FEATURES, 3 * UNITS], [UNITS, 3 * UNITS], [3 * UNITS]],
    states: 1,
  },
};

interface Variant {
  readonly suffix: string;
  readonly options: RNNLayerOptions;
  /** Use a padding mask with some steps masked out. */
  readonly padded?: boolean;
}

/** One case: cell × layer options (fused or not, dropout variant, masking, direction). */
function cellCase(name: string, cellName: string, options: RNNLayerOptions, padded = false): GradcheckCase {
  const spec = cells[cellName];
  const stateNames = spec.states === 2 ? ['h0', 'c0'] : ['h0'];
  return {
    name,
    kind: 'cell',
    inputs: () => {
      const rng = new Random(7);
      const g = (shape: readonly number[], std: number): Tensor => randn(shape, { dtype: 'float64', rng, std, requiresGrad: true });
      return [g([BATCH, TIME, FEATURES], 1), ...stateNames.map(() => g([BATCH, UNITS], 0.5)), ...spec.weights.map((s) => g(s, 0.5))];
    },
    fn: (x: Tensor, ...rest: Tensor[]) => {
      const cell = spec.make();
      cell.adoptWeights(rest.slice(spec.states));
      // Masks come from a generator seeded here: the same masks at every evaluation.
      const layer = new RNN(cell, { ...options, rng: new Random(42), returnSequences: true, name: 'gradcheck' });
      const mask = padded ? tensor([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], { dtype: 'float64' }) : null;
      // Fused ops take a padding mask only from zero initial states (the h0/c0 inputs then go unused).
      const initialState = padded && options.fused ? null : rest.slice(0, spec.states);
      const { output, states } = layer.callWithState(x, { training: true, mask, initialState });
      return [output, ...states];
    },
    names: ['x', ...stateNames, ...weightNames(spec)],
  };
}

/** The Keras weight names of a case's cell, for the report. */
function weightNames(spec: CellSpec): string[] {
  const c = spec.make();
  c.build(FEATURES);
  return c.weights().map((w) => w.name);
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
  return cellCase(`${label}${v.suffix}`, cell, { ...v.options, fused }, v.padded ?? false);
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
];
