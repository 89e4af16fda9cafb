/**
 * Write your own cell: the base class a cell written outside cells/ extends, and the registry that
 * lets model files (and `rnngrad … --require FILE`) name it.
 *
 * The contract (docs/05-cells.md, "Your own cell"). A cell is one time step; the RNN layer does
 * the rest — sequences, masking, go-backwards, return state, stacking, dropout, zoneout, clipping,
 * training, model files. A cell declares:
 *   - `className` — the Keras class name model files carry (`cell.class_name`);
 *   - `gates` — how many blocks of `units` columns its kernel has. Per-gate dropout gives each
 *     block its own masks; a cell with `gates = 0` has no blocks and per-gate dropout is refused;
 *   - `stateCount` — 1 ([h]) or 2 ([h, c]); the output is state 0. Zoneout applies to each state;
 *   - `hasCandidate` — whether `step` applies `masks.candidate` to a candidate (Semeniuta dropout
 *     is refused otherwise);
 *   - `weightSpecs(features)` — its weights in Keras order, with Keras names and initializers;
 *   - `step(xW_t, states, masks)` — one step. `xW_t` is the projected input row x_t·W + b
 *     [batch, gates·units] (`projectInput`, one matmul for the whole sequence); the cell adds the
 *     recurrent half h_{t−1}·U (with `masks.recurrent`, see `recurrent`) and applies its equations.
 * The default `projectInput` uses the weights named `kernel` and `bias` (if any); `config()` writes
 * `units` (override both to change them).
 */
import type { Tensor } from '../engine/tensor';
import { mul, slice } from '../engine/ops';
import { BaseCell, RecurrentCell, StepMasks, CellOptions, projectWithMasks } from './cell';

export abstract class Cell extends BaseCell implements RecurrentCell {
  abstract readonly gates: number;
  abstract readonly stateCount: number;
  abstract readonly hasCandidate: boolean;

  /** One step: the new states ([h] or [h, c]) from the projected input row and the previous states. */
  abstract step(xW: Tensor, states: readonly Tensor[], masks: StepMasks): Tensor[];

  /** x·W + b for the whole sequence, with the input dropout masks (one shared, or one per gate). */
  projectInput(x: Tensor, inputMasks: readonly Tensor[] | null): Tensor {
    const bias = this.weights().some((w) => w.name === 'bias') ? this.w('bias') : null;
    return projectWithMasks(x, this.w('kernel'), bias, inputMasks, Math.max(1, this.gates));
  }

  /** The cell's Keras config (what model files store under `cell.config`). */
  config(): Record<string, unknown> {
    return { units: this.units };
  }

  /** Block k (of `units` columns) of a [batch, gates·units] tensor: gate k's part of xW_t or of h·U. */
  protected block(t: Tensor, k: number): Tensor {
    return slice(t, [0, k * this.units], [-1, this.units]);
  }

  /** h_{t−1} as gate k's recurrent product sees it: with its recurrent dropout mask (shared or gate k's). */
  protected recurrent(h: Tensor, masks: StepMasks, k = 0): Tensor {
    const m = masks.recurrent;
    return m ? mul(h, m[m.length === 1 ? 0 : k]) : h;
  }
}

/** Makes a cell for a model file: units, the common options (dtype, generator, …), the cell's config. */
export type CellFactory = (units: number, options: CellOptions, config: Readonly<Record<string, unknown>>) => RecurrentCell;

export interface RegisterCellOptions {
  /**
   * Keys of the cell's config the factory reads (beyond units and the dropout keys). Any other key
   * a file sets is refused by name, as for the built-in cells.
   */
  readonly configKeys?: readonly string[];
}

interface Registered {
  readonly factory: CellFactory;
  readonly configKeys: readonly string[];
}

const registry = new Map<string, Registered>();
/** The built-in cell classes, which cannot be replaced. */
const BUILT_IN = ['SimpleRNNCell', 'LSTMCell', 'GRUCell', 'LNSimpleRNNCell', 'PeepholeLSTMCell'];

/**
 * Make `className` known to model files: `loadModel` (and `rnngrad predict | evaluate | train
 * --require FILE`) then builds `RNN(factory(units, options, config))` for an RNN layer whose cell
 * is of that class. Registering the same name again replaces the factory.
 */
export function registerCell(className: string, factory: CellFactory, options: RegisterCellOptions = {}): void {
  if (typeof className !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) {
    throw new Error(`registerCell: the class name must be an identifier, got ${JSON.stringify(className)}`);
  }
  if (BUILT_IN.includes(className)) throw new Error(`registerCell: '${className}' is a built-in cell class and cannot be replaced`);
  if (typeof factory !== 'function') throw new Error(`registerCell('${className}'): the factory must be a function (units, options, config) => cell`);
  registry.set(className, { factory, configKeys: options.configKeys ?? [] });
}

/** The registered cell class `className`, or undefined. */
export function registeredCell(className: string): Registered | undefined {
  return registry.get(className);
}

/** The registered class names. */
export function registeredCellNames(): string[] {
  return [...registry.keys()];
}
