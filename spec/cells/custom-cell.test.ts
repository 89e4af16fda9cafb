/**
 * Your own cell (issue 15): a cell written outside cells/ — the minimal gated unit of
 * examples/mgu-cell.ts, against the built package as a user imports it — gets the RNN layer (sequences, masking,
 * go-backwards, return state, stacking), the dropout variants it declares (and refusals of the
 * ones it does not), the gradient check in one call, training, and model files through
 * registerCell, with its own config options read and unknown ones refused by name.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// The package as a user has it (self-reference, the built dist/), and the worked example itself.
import { Random, tensor, RNN, Dense, Bidirectional, gradcheckCell, registerCell, layerFromConfig, Sequential, Adam, seriesTask, saveModel, loadModel } from 'rnngrad';
import { Cell, tanh, add, mul, matmul } from 'rnngrad';
import type { Tensor, WeightSpec, StepMasks, CellOptions } from 'rnngrad';
import { MGUCell } from '../../examples/mgu-cell';

/** A cell with no gate blocks and no candidate, and an option of its own: h_t = tanh(x·W + h·U) · scale. */
class ScaledRNNCell extends Cell {
  readonly className = 'ScaledRNNCell';
  readonly gates = 0;
  readonly stateCount = 1;
  readonly hasCandidate = false;
  constructor(units: number, options: CellOptions = {}, readonly scale = 1) {
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
registerCell('ScaledRNNCell', (units, options, config) => new ScaledRNNCell(units, options, typeof config.scale === 'number' ? config.scale : 1), { configKeys: ['scale'] });
const make = (units: number, options: { dtype: 'float64' }) => new MGUCell(units, options);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-custom-'));

describe('gradcheckCell: every weight and the input against float64 central differences', () => {
  it.each([
    ['plain', {}],
    ['input + recurrent dropout', { dropout: 0.3, recurrentDropout: 0.3 }],
    ['per-gate dropout (2 gate blocks)', { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'per-gate' as const }],
    ['per-step dropout', { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'per-step' as const }],
    ['Semeniuta (the candidate h̃)', { recurrentDropout: 0.3, dropoutMode: 'semeniuta' as const }],
    ['zoneout', { zoneoutH: 0.3 }],
    ['masked', { masked: true }],
    ['go backwards', { goBackwards: true }],
  ])('%s', (_label, options) => {
    const report = gradcheckCell(make, options);
    expect(report.passed).toBe(true);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('finds a wrong gradient: a cell whose step hides an op from the tape fails', () => {
    class Broken extends MGUCell {
      override step(xW: Parameters<MGUCell['step']>[0], states: Parameters<MGUCell['step']>[1], masks: Parameters<MGUCell['step']>[2]) {
        const [h] = super.step(xW, states, masks);
        return [h.detach()]; // the gradient stops here: the check must notice
      }
    }
    expect(gradcheckCell((u, o) => new Broken(u, o)).passed).toBe(false);
  });
});

describe('dropout variants follow what a cell declares', () => {
  it('per-gate is refused for a cell with no gate blocks, Semeniuta for one with no candidate, zoneout on c for one with only h', () => {
    const x = tensor([[[0.1], [0.2]]]);
    const layer = (options: object) => new RNN(new ScaledRNNCell(2, {}), { ...options, rng: new Random(1) });
    expect(() => layer({ dropout: 0.2, dropoutMode: 'per-gate' }).call(x, { training: true })).toThrow(/dropoutMode 'per-gate' .* this cell declares none \(gates = 0\)/);
    expect(() => layer({ recurrentDropout: 0.2, dropoutMode: 'semeniuta' }).call(x, { training: true })).toThrow(/'semeniuta' drops a cell's candidate, and this cell has none/);
    expect(() => layer({ zoneoutC: 0.2 }).call(x, { training: true })).toThrow(/'zoneoutC' needs a cell state c/);
    expect(() => layer({ dropout: 0.2, recurrentDropout: 0.2, zoneoutH: 0.1, dropoutMode: 'per-step' }).call(x, { training: true })).not.toThrow();
  });
});

describe('the RNN layer gives a custom cell what it gives the built-in ones', () => {
  it('sequences, return state, stacking and Bidirectional', () => {
    const x = tensor([[[0.1], [0.5], [-0.3]], [[0.2], [0.0], [0.4]]]);
    const first = new RNN(new MGUCell(4, { rng: new Random(2) }), { returnSequences: true, returnState: true });
    const { output, states } = first.callWithState(x);
    expect(output.shape).toEqual([2, 3, 4]);
    expect(Array.from(states[0].data)).toEqual(Array.from(output.data).filter((_, i) => Math.floor(i / 4) % 3 === 2));
    const stacked = new Sequential([new RNN(new MGUCell(4), { returnSequences: true }), new Bidirectional(new RNN(new MGUCell(3))), new Dense(1)], { inputFeatures: 1 });
    expect(stacked.predict(x).shape).toEqual([2, 1]);
  });

  it('trains on the series task: the validation loss falls below the naive baseline', () => {
    const data = seriesTask({ target: 'next', seed: 1, steps: 20, sizes: [512, 128, 0] });
    const model = new Sequential([new RNN(new MGUCell(12, { rng: new Random(3) })), new Dense(1, { rng: new Random(4) })], { inputFeatures: 1 });
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    const history = model.fit(data.train.x, data.train.y, { epochs: 6, batchSize: 32, seed: 5, validationData: data.valid });
    expect(history.valLoss[history.valLoss.length - 1]).toBeLessThan(history.valLoss[0]);
    expect(history.valLoss[history.valLoss.length - 1]).toBeLessThan(0.03);
  });
});

describe('model files: registerCell makes the class name known', () => {
  it('saves as RNN(cell MGUCell), loads back and predicts exactly the same', () => {
    const model = new Sequential([new RNN(new MGUCell(3, { rng: new Random(6) }), { name: 'mgu', dropout: 0.1 }), new Dense(1, { rng: new Random(7) })], { inputFeatures: 2 });
    const dir = tmp();
    saveModel(model, dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.cell.class_name).toBe('MGUCell');
    const x = tensor([[[0.1, 0.2], [0.3, 0.4]]]);
    expect(Array.from(loadModel(dir).predict(x).data)).toEqual(Array.from(model.predict(x).data));
  });

  it('a cell option it registered is read; any other key is refused by name', () => {
    const layer = layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'ScaledRNNCell', config: { units: 2, scale: 0.5 } } } }) as RNN;
    expect((layer.cell as ScaledRNNCell).scale).toBe(0.5);
    expect(() => layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'ScaledRNNCell', config: { units: 2, activation: 'relu' } } } }))
      .toThrow(/cell ScaledRNNCell: options not implemented by rnngrad: activation="relu"/);
  });

  it('an unregistered class is refused naming it and how to register it; built-in names cannot be taken', () => {
    expect(() => layerFromConfig({ class_name: 'RNN', config: { cell: { class_name: 'NoSuchCell', config: { units: 2 } } } }))
      .toThrow(/cell class 'NoSuchCell' is not supported \(built in: .*; registered: MGUCell, ScaledRNNCell; a custom cell needs registerCell\(\), or --require FILE/);
    expect(() => registerCell('LSTMCell', (u, o) => new MGUCell(u, o))).toThrow(/'LSTMCell' is a built-in cell class/);
  });
});
