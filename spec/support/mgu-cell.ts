/**
 * The minimal gated unit of examples/mgu-cell.ts, importing the sources (the example imports the
 * built package as 'rnngrad', a second copy of the engine under jest): the specs' custom cell.
 */
import type { Tensor } from '../../engine/tensor';
import { sigmoid, tanh, add, sub, mul, matmul } from '../../engine/ops';
import { Cell, registerCell } from '../../cells/custom-cell';
import type { WeightSpec, StepMasks, CellOptions } from '../../cells/cell';

export class MGUCell extends Cell {
  readonly className = 'MGUCell';
  readonly gates = 2;
  readonly stateCount = 1;
  readonly hasCandidate = true;

  protected weightSpecs(features: number): WeightSpec[] {
    const u = this.units;
    return [
      { name: 'kernel', shape: [features, 2 * u], init: 'glorot_uniform' },
      { name: 'recurrent_kernel', shape: [u, 2 * u], init: 'orthogonal' },
      { name: 'bias', shape: [2 * u], init: 'zeros' },
    ];
  }

  step(xW: Tensor, [h]: readonly Tensor[], masks: StepMasks): Tensor[] {
    const U = this.w('recurrent_kernel');
    const f = sigmoid(add(this.block(xW, 0), matmul(this.recurrent(h, masks, 0), this.block(U, 0))));
    let hTilde = tanh(add(this.block(xW, 1), matmul(mul(f, this.recurrent(h, masks, 1)), this.block(U, 1))));
    if (masks.candidate) hTilde = mul(hTilde, masks.candidate);
    return [add(h, mul(f, sub(hTilde, h)))];
  }
}

/** A cell with no gate blocks and no candidate, and an option of its own: h_t = act(x·W + h·U) · scale. */
export class ScaledRNNCell extends Cell {
  readonly className = 'ScaledRNNCell';
  readonly gates = 0;
  readonly stateCount = 1;
  readonly hasCandidate = false;
  constructor(units: number, options: CellOptions, readonly scale = 1) {
    super(units, options);
  }
  protected weightSpecs(features: number): WeightSpec[] {
    return [
      { name: 'kernel', shape: [features, this.units], init: 'glorot_uniform' },
      { name: 'recurrent_kernel', shape: [this.units, this.units], init: 'orthogonal' },
    ];
  }
  step(xW: Tensor, [h]: readonly Tensor[], masks: StepMasks): Tensor[] {
    return [mul(tanh(add(xW, matmul(this.recurrent(h, masks), this.w('recurrent_kernel')))), this.scale)];
  }
  override config(): Record<string, unknown> {
    return { units: this.units, scale: this.scale };
  }
}

export function registerSpecCells(): void {
  registerCell('MGUCell', (units, options) => new MGUCell(units, options));
  registerCell('ScaledRNNCell', (units, options, config) => new ScaledRNNCell(units, options, typeof config.scale === 'number' ? config.scale : 1), { configKeys: ['scale'] });
}
