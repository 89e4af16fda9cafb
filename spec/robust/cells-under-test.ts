/**
 * The engine's side of the cell properties: each row of the table is a cell of the course (or a
 * variant) with the spec the plain reference computes, the Keras weight shapes the test draws
 * values for, and fast-check arbitraries for weights, inputs, states and masks.
 */
import fc from 'fast-check';
import { SimpleRNNCell, LNSimpleRNNCell, LSTMCell, PeepholeLSTMCell, GRUCell } from '../../cells';
import type { RecurrentCell, BaseCell } from '../../cells';
import { Random } from '../../engine/random';
import { Tensor } from '../../engine/tensor';
import type { DType } from '../../engine/tensor';
import type { CellSpec, CellWeights, Mat, Vec } from './reference';
import { gatesOf } from './reference';

export interface CellRow {
  readonly label: string;
  readonly spec: CellSpec;
}

/** Every cell step the issue names: SimpleRNN, LN-SimpleRNN, LSTM (σ and hard σ), peephole LSTM, GRU (both reset_after). */
export const CELL_ROWS: readonly CellRow[] = [
  { label: 'SimpleRNN tanh', spec: { kind: 'simple', hard: false, activation: 'tanh' } },
  { label: 'SimpleRNN relu', spec: { kind: 'simple', hard: false, activation: 'relu' } },
  { label: 'LNSimpleRNN', spec: { kind: 'ln-simple', hard: false, activation: 'tanh' } },
  { label: 'LSTM sigmoid', spec: { kind: 'lstm', hard: false, activation: 'tanh' } },
  { label: 'LSTM hard sigmoid', spec: { kind: 'lstm', hard: true, activation: 'tanh' } },
  { label: 'peephole LSTM sigmoid', spec: { kind: 'peephole', hard: false, activation: 'tanh' } },
  { label: 'peephole LSTM hard sigmoid', spec: { kind: 'peephole', hard: true, activation: 'tanh' } },
  { label: 'GRU reset_after = true', spec: { kind: 'gru-after', hard: false, activation: 'tanh' } },
  { label: 'GRU reset_after = false', spec: { kind: 'gru-before', hard: false, activation: 'tanh' } },
  { label: 'GRU reset_after = false, hard sigmoid (TF.js form)', spec: { kind: 'gru-before', hard: true, activation: 'tanh' } },
];

/** A fresh engine cell for the spec (weights get overwritten by the test). */
export function makeCell(spec: CellSpec, units: number, dtype: DType): RecurrentCell & BaseCell {
  const recurrentActivation = spec.hard ? ('hard_sigmoid' as const) : ('sigmoid' as const);
  const options = { dtype, rng: new Random(1) };
  switch (spec.kind) {
    case 'simple': return new SimpleRNNCell(units, { ...options, activation: spec.activation });
    case 'ln-simple': return new LNSimpleRNNCell(units, options);
    case 'lstm': return new LSTMCell(units, { ...options, recurrentActivation });
    case 'peephole': return new PeepholeLSTMCell(units, { ...options, recurrentActivation });
    case 'gru-after': return new GRUCell(units, { ...options, recurrentActivation, resetAfter: true });
    case 'gru-before': return new GRUCell(units, { ...options, recurrentActivation, resetAfter: false });
  }
}

/** The Keras weights of a cell, in Keras order, with their shapes (SEMANTICS.md). */
export function weightShapes(spec: CellSpec, features: number, units: number): [string, number[]][] {
  const g = gatesOf(spec.kind) * units;
  const shapes: [string, number[]][] = [
    ['kernel', [features, g]],
    ['recurrent_kernel', [units, g]],
    ['bias', spec.kind === 'gru-after' ? [2, g] : [g]],
  ];
  if (spec.kind === 'ln-simple') shapes.push(['gamma', [units]], ['beta', [units]]);
  if (spec.kind === 'peephole') {
    shapes.push(['input_gate_peephole_weights', [units]], ['forget_gate_peephole_weights', [units]], ['output_gate_peephole_weights', [units]]);
  }
  return shapes;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Flat values → Vec ([n]) or Mat ([rows][cols]). */
export function nest(values: readonly number[], shape: readonly number[]): Vec | Mat {
  if (shape.length === 1) return values.slice();
  return Array.from({ length: shape[0] }, (_, r) => values.slice(r * shape[1], (r + 1) * shape[1]));
}

/** Rows of a flat [rows, cols] array. */
export function rows(values: readonly number[], count: number): Vec[] {
  const width = values.length / count;
  return Array.from({ length: count }, (_, r) => values.slice(r * width, (r + 1) * width));
}

/** Doubles in [−bound, bound], never NaN or ±∞. */
export const double = (bound: number) => fc.double({ min: -bound, max: bound, noNaN: true, noDefaultInfinity: true });
/** `n` doubles in [−bound, bound]. */
export const values = (n: number, bound: number) => fc.array(double(bound), { minLength: n, maxLength: n });
/** `n` dropout-mask entries: dropped (0), kept at a few inverted-dropout scales 1/(1 − p), or 1. */
export const maskValues = (n: number) => fc.array(fc.constantFrom(0, 1, 1.25, 2), { minLength: n, maxLength: n });

/** Random values for every weight of the cell, flat, in Keras order. */
export function weightsArb(spec: CellSpec, features: number, units: number): fc.Arbitrary<number[][]> {
  return fc.tuple(...weightShapes(spec, features, units).map(([, shape]) => values(sizeOf(shape), 1.5)));
}

/** Give the cell these weights (checking the engine's names and shapes against SEMANTICS.md's), and the reference's view of them. */
export function installWeights(cell: BaseCell, spec: CellSpec, features: number, flatWeights: readonly number[][], dtype: DType): CellWeights {
  const shapes = weightShapes(spec, features, cell.units);
  cell.build(features);
  const engine = cell.weights().map((w) => [w.name, w.tensor.shape.slice()]);
  if (JSON.stringify(engine) !== JSON.stringify(shapes)) {
    throw new Error(`weights of ${cell.className}: engine has ${JSON.stringify(engine)}, SEMANTICS.md says ${JSON.stringify(shapes)}`);
  }
  cell.setWeights(flatWeights.map((v) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v))));
  // The reference sees exactly the values the engine holds (rounded to float32 for float32 cells).
  const held = cell.weights().map((w) => Array.from(w.tensor.data));
  return Object.fromEntries(shapes.map(([name, shape], k) => [name, nest(held[k], shape)]));
}

/** A tensor of the given flat values. */
export function tensorOf(values: readonly number[], shape: readonly number[], dtype: DType, requiresGrad = false): Tensor {
  return new Tensor(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape.slice(), requiresGrad);
}
