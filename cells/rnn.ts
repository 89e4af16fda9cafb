/**
 * The RNN layer: unrolls any cell over a sequence [batch, time, features], for any length.
 *
 *   xW = x·W + b                       all steps at once (one matmul)
 *   for t = 0 … T−1:  states_t = cell.step(xW_t, states_{t−1})
 *   output = [h_0 … h_{T−1}] (returnSequences) or h_{T−1}
 *
 * Backpropagation through time is the tape walking this loop backwards. Keras semantics for
 * goBackwards (the sequence is read last step first, and the outputs come in that order), initial
 * states (zeros unless given), and masking: a masked step (mask 0) carries every state through
 * unchanged and outputs the previous output (zeros before the first real step).
 *
 * A layer may take a fused path (fused-paths.ts): the same numbers, one tape entry per sequence.
 */
import type { Tensor } from '../engine/tensor';
import { zeros } from '../engine/creation';
import { add, mul, where, transpose, unstack, stack } from '../engine/ops';
import { fmt } from '../engine/shape';
import type { Layer, NamedWeight, PlannedWeight, KerasLayerConfig, CallOptions } from './layer';
import type { RecurrentCell } from './cell';
import { SequenceDropout, DropoutOptions, validateDropout, ZoneoutStep } from './dropout';
import { reverseTime, timeStep, maskColumn } from './sequence-ops';
import { fusedPass } from './fused-paths';
import { getKernels } from '../kernels/registry';
import { uniqueLayerName, snakeCase } from './names';
import { RNN_FIXED } from './keras-config';
import { cellFromConfig } from './cell-config';

export interface RNNLayerOptions extends DropoutOptions {
  /** Default: Keras-style unique name from the class ('lstm', 'lstm_1', …). */
  readonly name?: string;
  /** Output every step [batch, time, u] (true) or only the last [batch, u] (false, default). */
  readonly returnSequences?: boolean;
  /** Keras return_state: callWithState returns the final states (call returns only the output). */
  readonly returnState?: boolean;
  /** Read the sequence backwards (Keras go_backwards). */
  readonly goBackwards?: boolean;
  /** Build the weights now for this many input features (otherwise on the first call). */
  readonly inputFeatures?: number;
  /**
   * Keras stateful RNN: the final states of one call are the initial states of the next (sample i
   * of batch k+1 continues sample i of batch k), until `resetStates()`. Gradients stop at the
   * border between calls (truncated BPTT); the batch size must stay the same.
   */
  readonly stateful?: boolean;
  /**
   * Allow the fused whole-sequence path (every cell has one; default true for the SimpleRNN, LSTM
   * and GRU layers and cellLayer(), false for the generic RNN layer). Same numbers either way;
   * per-gate / per-step / Semeniuta dropout, zoneout, and a padding mask together with given
   * initial states take the composed path.
   */
  readonly fused?: boolean;
}

export interface RecurrentCallOptions extends CallOptions {
  /** Initial states, each [batch, units] ([h] or [h, c]); zeros when absent. */
  readonly initialState?: readonly Tensor[] | null;
}

export interface RecurrentResult {
  readonly output: Tensor;
  /** The final states ([h] or [h, c]). */
  readonly states: Tensor[];
}

/** Keras's `RNN(cell)` layer; SimpleRNN, LSTM and GRU (recurrent-layers.ts) are this with a fixed cell. */
export class RNN implements Layer {
  readonly name: string;
  readonly className: string = 'RNN';
  readonly cell: RecurrentCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly dropoutOptions: DropoutOptions;
  readonly fused: boolean;
  readonly stateful: boolean;
  /** A stateful layer's states carried from the last call (detached copies), or null: zeros. */
  private carried: Tensor[] | null = null;

  constructor(cell: RecurrentCell, options: RNNLayerOptions = {}, prefix = 'rnn') {
    validateDropout(options, options.name ?? prefix);
    this.cell = cell;
    this.name = options.name ?? uniqueLayerName(prefix);
    this.returnSequences = options.returnSequences ?? false;
    this.returnState = options.returnState ?? false;
    this.goBackwards = options.goBackwards ?? false;
    this.fused = options.fused ?? false;
    this.stateful = options.stateful ?? false;
    const { dropout, recurrentDropout, dropoutMode, zoneoutH, zoneoutC, rng } = options;
    this.dropoutOptions = { dropout, recurrentDropout, dropoutMode, zoneoutH, zoneoutC, rng };
    if (options.inputFeatures !== undefined) this.build(options.inputFeatures);
  }

  get built(): boolean {
    return this.cell.built;
  }

  get units(): number {
    return this.cell.units;
  }

  get outputFeatures(): number {
    return this.cell.units;
  }

  get returnsSequences(): boolean {
    return this.returnSequences;
  }

  build(features: number): void {
    this.cell.build(features);
  }

  plannedWeights(features: number): PlannedWeight[] {
    return this.cell.plannedWeights(features);
  }

  weights(): NamedWeight[] {
    return this.cell.weights();
  }

  getWeights(): Tensor[] {
    return this.weights().map((w) => w.tensor.clone());
  }

  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights();
    if (values.length !== ws.length) throw new Error(`${this.name}.setWeights: expected ${ws.length} arrays (${ws.map((w) => w.name).join(', ')}), got ${values.length}`);
    ws.forEach((w, k) => {
      if (fmt(values[k].shape) !== fmt(w.tensor.shape)) throw new Error(`${this.name}.setWeights: '${w.name}' has shape ${fmt(w.tensor.shape)}, got ${fmt(values[k].shape)}`);
      w.tensor.data.set(values[k].data);
    });
  }

  call(x: Tensor, options: CallOptions = {}): Tensor {
    return this.callWithState(x, options).output;
  }

  /**
   * The forward pass, with the final states (Keras return_state) and optional initial states.
   * A stateful layer starts from the states its last call ended with (when none are given) and
   * keeps this call's final states, detached, for the next.
   */
  callWithState(x: Tensor, options: RecurrentCallOptions = {}): RecurrentResult {
    if (!this.stateful) return this.unroll(x, options);
    const carried = this.carried;
    if (carried && x.rank === 3 && carried[0].shape[0] !== x.shape[0]) {
      throw new Error(`${this.name}: a stateful layer carries states for batches of ${carried[0].shape[0]} sequences, got ${x.shape[0]} (keep the batch size fixed, or call resetStates())`);
    }
    const result = this.unroll(x, { ...options, initialState: options.initialState ?? carried });
    // A host copy with no history: the next call's gradients stop here, and no device scope frees it.
    this.carried = result.states.map((s) => s.clone());
    return result;
  }

  /** A stateful layer forgets its carried states: the next call starts from zeros (Keras resetStates). */
  resetStates(): void {
    this.carried = null;
  }

  /** The states a stateful layer carries into its next call (copies), or null when it starts from zeros. */
  carriedStates(): Tensor[] | null {
    return this.carried ? this.carried.map((s) => s.clone()) : null;
  }

  /** Give a stateful layer the states to carry into its next call (as carriedStates returned them), or null. */
  setCarriedStates(states: readonly Tensor[] | null): void {
    if (states !== null && states.length !== this.cell.stateCount) throw new Error(`${this.name}.setCarriedStates: expected ${this.cell.stateCount} state(s), got ${states.length}`);
    this.carried = states === null ? null : states.map((s) => s.clone());
  }

  /**
   * A copy of this layer reading the sequence the other way: the same cell class and options
   * (from the cell's config, fresh weights), go_backwards flipped — Bidirectional's backward layer.
   */
  flipped(name: string): RNN {
    const { cell } = cellFromConfig({ class_name: this.cell.className, config: this.cell.config() }, name, { dtype: this.cell.dtype });
    return new RNN(cell, {
      name, returnSequences: this.returnSequences, goBackwards: !this.goBackwards, fused: this.fused, stateful: this.stateful, ...this.dropoutOptions,
    });
  }

  private unroll(x: Tensor, options: RecurrentCallOptions): RecurrentResult {
    if (x.rank !== 3) throw new Error(`${this.name}: expected input [batch, time, features], got ${fmt(x.shape)}`);
    const [batch, time, features] = x.shape;
    if (time === 0) throw new Error(`${this.name}: the input sequence ${fmt(x.shape)} has no time steps`);
    this.build(features);
    const cell = this.cell;
    if (x.dtype !== cell.dtype) throw new Error(`${this.name}: input is ${x.dtype} but the weights are ${cell.dtype}`);
    let mask = options.mask ?? null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
      throw new Error(`${this.name}: mask has shape ${fmt(mask.shape)}, expected [${batch},${time}] for input ${fmt(x.shape)}`);
    }
    const initial = this.initialStates(batch, options.initialState ?? null);
    const drop = new SequenceDropout(this.dropoutOptions, {
      batch, time, features, units: cell.units, gates: cell.gates, stateCount: cell.stateCount, hasCandidate: cell.hasCandidate, dtype: cell.dtype,
    }, options.training ?? false, this.name);
    let seq = x;
    if (this.goBackwards) {
      seq = reverseTime(x);
      if (mask) mask = reverseTime(mask.detach());
    }
    // The fused ops know Keras masking only from zero initial states (output = state then).
    // They loop over host arrays, so on a device backend the composed step runs instead: every
    // op of it has a device kernel, and the sequence stays on the device (kernels/gpu/README.md).
    const onDevice = getKernels().device !== undefined;
    if (this.fused && !onDevice && drop.fusable && (mask === null || !options.initialState)) {
      const fused = fusedPass(cell, seq, initial, drop, this.returnSequences, mask);
      if (fused) return fused;
    }
    const xW = cell.projectInput(seq, drop.inputMasks); // x·W + b, all steps at once
    const steps = unstack(transpose(xW, [1, 0, 2]), 0); // the rows xW_t, [batch, gates·units]
    let states = initial;
    let previousOutput: Tensor | null = null;
    const outputs: Tensor[] = [];
    // #region rnn-unroll
    for (let t = 0; t < time; t++) {
      const masks = drop.stepMasks(t);
      // one step of the cell (on a GPU backend its device step, fewer kernels, when it has one)
      let next = (onDevice && cell.deviceStep?.(steps[t], states, masks)) || cell.step(steps[t], states, masks);
      const zone = drop.zoneoutAt(t);
      if (zone) next = zoneout(zone, states, next);
      let output = next[0];
      if (mask) {
        // Keras masking: a padded step keeps every state and repeats the previous output.
        const m = maskColumn(mask, t, cell.dtype);
        next = next.map((s, k) => where(m, s, states[k]));
        output = where(m, output, previousOutput ?? zeros(output.shape, { dtype: cell.dtype }));
      }
      states = next;
      previousOutput = output;
      if (this.returnSequences) outputs.push(output);
    }
    // #endregion rnn-unroll
    const output = this.returnSequences ? stack(outputs, 1) : (previousOutput as Tensor);
    return { output, states };
  }

  private initialStates(batch: number, given: readonly Tensor[] | null): Tensor[] {
    const cell = this.cell;
    if (given === null) return Array.from({ length: cell.stateCount }, () => zeros([batch, cell.units], { dtype: cell.dtype }));
    if (given.length !== cell.stateCount) {
      throw new Error(`${this.name}: initialState needs ${cell.stateCount} tensor(s) (${cell.stateCount === 2 ? 'h, c' : 'h'}), got ${given.length}`);
    }
    given.forEach((s, k) => {
      if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== cell.units) {
        throw new Error(`${this.name}: initialState[${k}] has shape ${fmt(s.shape)}, expected [${batch},${cell.units}]`);
      }
    });
    return given.slice();
  }

  toConfig(): KerasLayerConfig {
    return {
      class_name: 'RNN',
      config: {
        name: this.name,
        trainable: true,
        dtype: 'float32',
        ...this.sequenceConfig(),
        cell: { class_name: this.cell.className, config: { name: snakeCase(this.cell.className), trainable: true, dtype: 'float32', ...this.cell.config(), ...this.dropoutConfig() } },
      },
    };
  }

  /** The RNN-layer part of a Keras config. */
  sequenceConfig(): Record<string, unknown> {
    return { return_sequences: this.returnSequences, return_state: this.returnState, go_backwards: this.goBackwards, ...RNN_FIXED, stateful: this.stateful };
  }

  /** Keras's dropout fields, plus rnngrad's own (written only when set, prefixed `rnngrad_`). */
  dropoutConfig(): Record<string, unknown> {
    const d = this.dropoutOptions;
    return {
      dropout: d.dropout ?? 0,
      recurrent_dropout: d.recurrentDropout ?? 0,
      ...(d.dropoutMode && d.dropoutMode !== 'variational' ? { rnngrad_dropout_mode: d.dropoutMode } : {}),
      ...(d.zoneoutH ? { rnngrad_zoneout_h: d.zoneoutH } : {}),
      ...(d.zoneoutC ? { rnngrad_zoneout_c: d.zoneoutC } : {}),
    };
  }
}

/** Zoneout: each state becomes d ⊙ previous + (1 − d) ⊙ new (d a 0/1 mask, or its expectation z). */
function zoneout(d: ZoneoutStep, previous: readonly Tensor[], next: readonly Tensor[]): Tensor[] {
  return next.map((s, k) => {
    const dk = d[k];
    if (dk === null || dk === undefined) return s;
    if (typeof dk === 'number') return add(mul(previous[k], dk), mul(s, 1 - dk));
    const keepNew = add(mul(dk, -1), 1); // 1 − d, a constant
    return add(mul(dk, previous[k]), mul(keepNew, s));
  });
}
