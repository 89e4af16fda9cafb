/**
 * Gate traces: the value of every gate of a recurrent cell at every time step of a sequence.
 *
 * The fused whole-sequence ops (lstm-fused.ts, gru-fused.ts, …) keep their gates in private
 * buffers, so a trace runs the composed step — the one that reads like the equations — and each
 * cell's `step` reports its gates with one line: `reportGates(this, { i, f, g, o })`. Outside a
 * trace that call is one null check, so training pays nothing for it.
 *
 *   trace = traceGates(layer, x)      x [batch, time, features], inference (no dropout masks)
 *   trace.values.f[t]                 the forget gate at step t, [batch, units] row-major
 *
 * The trace follows the cell alone: zoneout and Keras masking, which act between steps in the
 * RNN layer, are not applied (with them the states a trained layer carries differ from these).
 */
import type { Tensor } from '../engine/tensor';
import { zeros } from '../engine/creation';
import { noGrad } from '../engine/tape';
import { timeStep, reverseTime } from './sequence-ops';
import { NO_MASKS } from './cell';
import type { RecurrentCell } from './cell';
import type { RNN } from './rnn';

/** One step's gates by name (LSTM: i, f, g, o; GRU: z, r, candidate; simple RNNs: h). */
export type StepGates = Readonly<Record<string, Tensor>>;

/** What a trace records: per gate, one [batch × units] array per time step. */
export interface GateTrace {
  /** The cell class that reported ('LSTMCell', 'GRUCell', …). */
  readonly cell: string;
  /** Gate names in the order the cell reported them. */
  readonly gates: readonly string[];
  readonly batch: number;
  readonly units: number;
  readonly time: number;
  /** values[gate][t][b·units + u]: float64 copies, so they outlive the step's tensors. */
  readonly values: Readonly<Record<string, Float64Array[]>>;
}

/** Collects what cells report between start() and stop(). */
export class GateRecorder {
  readonly steps: { cell: string; gates: Record<string, Float64Array>; shape: readonly number[] }[] = [];

  record(cell: RecurrentCell, gates: StepGates): void {
    const copies: Record<string, Float64Array> = {};
    let shape: readonly number[] = [];
    for (const [name, t] of Object.entries(gates)) {
      copies[name] = Float64Array.from(t.data);
      shape = t.shape;
    }
    this.steps.push({ cell: cell.className, gates: copies, shape });
  }
}

let active: GateRecorder | null = null;

/** Called by each cell's step with its gate activations; records them while a trace runs. */
export function reportGates(cell: RecurrentCell, gates: StepGates): void {
  if (active !== null) active.record(cell, gates);
}

/** Run `fn` with `recorder` receiving every reportGates call (not re-entrant: one trace at a time). */
export function withGateRecorder<T>(recorder: GateRecorder, fn: () => T): T {
  if (active !== null) throw new Error('withGateRecorder: a gate trace is already running');
  active = recorder;
  try {
    return fn();
  } finally {
    active = null;
  }
}

/**
 * The gates of `layer`'s cell at every step of x [batch, time, features], from zero initial
 * states, unrolled with the composed step (no tape: a measurement, not a training step).
 * go_backwards is honoured: step t of the trace is the t-th step the layer reads.
 */
export function traceGates(layer: RNN, x: Tensor): GateTrace {
  if (x.rank !== 3) throw new Error(`traceGates: expected input [batch, time, features], got [${x.shape.join(',')}]`);
  const cell = layer.cell;
  const [batch, time, features] = x.shape;
  layer.build(features);
  const recorder = new GateRecorder();
  noGrad(() =>
    withGateRecorder(recorder, () => {
      const seq = layer.goBackwards ? reverseTime(x) : x;
      const projected = cell.projectInput(seq, null);
      let states: Tensor[] = Array.from({ length: cell.stateCount }, () => zeros([batch, cell.units], { dtype: cell.dtype }));
      for (let t = 0; t < time; t++) states = cell.step(timeStep(projected, t), states, NO_MASKS);
    }),
  );
  if (recorder.steps.length !== time) {
    throw new Error(`traceGates: ${cell.className} reported its gates ${recorder.steps.length} times in ${time} steps (its step must call reportGates once)`);
  }
  const gates = Object.keys(recorder.steps[0].gates);
  const values: Record<string, Float64Array[]> = {};
  for (const g of gates) values[g] = recorder.steps.map((s) => s.gates[g]);
  return { cell: cell.className, gates, batch, units: cell.units, time, values };
}
