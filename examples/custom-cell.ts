/**
 * Your own cell, used: the minimal gated unit of examples/mgu-cell.ts (a `Cell` subclass in
 * twenty lines, registered as 'MGUCell') gradient-checked with and without dropout, trained on
 * the series task inside the RNN layer, saved in TF.js's model-file format, loaded back, and run
 * by the command line.
 *
 * Run: npx ts-node examples/custom-cell.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Tensor, RNN, Dense, Sequential, Adam, gradcheckCell, seriesTask, naiveMse, manualSeed, saveModel, loadModel } from 'rnngrad';
import type { GradcheckCellOptions } from 'rnngrad';
import { MGUCell } from './mgu-cell'; // defines the cell and calls registerCell('MGUCell', …)

// 1. The gradient check: every weight, the input and the initial state against float64 central
//    differences, in one call — plain, and with the dropout variants the cell declares it supports.
const variants: Record<string, GradcheckCellOptions> = {
  plain: {},
  'per-gate dropout': { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'per-gate' }, // gates = 2
  'Semeniuta dropout': { dropout: 0.3, recurrentDropout: 0.3, dropoutMode: 'semeniuta' }, // hasCandidate
  zoneout: { zoneoutH: 0.3 },
};
for (const [label, options] of Object.entries(variants)) {
  const report = gradcheckCell((units, o) => new MGUCell(units, o), options);
  console.log(`gradcheckCell MGUCell, ${label}: passed ${report.passed}, max relative error below 1e-6: ${report.maxRelError < 1e-6}`);
}

// 2. Train: the RNN layer loops the cell over time; the rest is the usual Sequential.
manualSeed(42);
const data = seriesTask({ seed: 42, sizes: [2000, 1000, 100] });
const model = new Sequential([new RNN(new MGUCell(20, {}), { name: 'mgu' }), new Dense(1)], { inputFeatures: 1 });
model.compile({ optimizer: new Adam({ learningRate: 0.01 }) });
const started = Date.now();
const history = model.fit(data.train.x, data.train.y, { epochs: 3, seed: 1, validationData: data.valid });
console.error(`trained in ${((Date.now() - started) / 1000).toFixed(1)} s, validation MSE ${history.valLoss.map((v) => v.toPrecision(3)).join(' → ')}`);
console.log(`MGU(20) → Dense(1) below the naive baseline (${naiveMse(data.valid).toFixed(3)}): ${history.valLoss[2] < naiveMse(data.valid)}`);

// 3. Save (model.json + weights, TF.js's format) and load: loadModel finds 'MGUCell' in the registry.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgu-model-'));
saveModel(model, dir);
const loaded = loadModel(dir);
const x = data.test.x;
const before = model.predict(x).data;
const after = loaded.predict(x).data;
console.log(`model.json names the cell: ${fs.readFileSync(path.join(dir, 'model.json'), 'utf8').includes('"class_name":"MGUCell"')}`);
console.log(`reloaded model predicts identically on ${x.shape[0]} sequences: ${before.every((v, i) => v === after[i])}`);

// 4. The command line knows the cell too, once --require loads the module that registers it.
//    Run it on the first test sequence, [1, 50, 1], and compare with the model in memory.
const first = new Tensor(x.data.slice(0, x.shape[1]), [1, x.shape[1], 1]);
fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([Array.from(first.data, (v) => [v])]));
console.log('rnngrad predict --require examples/mgu-cell.ts --model DIR --input x.json --output y.json');
const cli = path.join(path.dirname(require.resolve('rnngrad/package.json')), 'dist', 'cli', 'main.js');
const args = ['predict', '--require', path.join(__dirname, 'mgu-cell.ts'), '--model', dir, '--input', path.join(dir, 'x.json'), '--output', path.join(dir, 'y.json')];
const run = spawnSync(process.execPath, [cli, ...args], {
  encoding: 'utf8',
  // A workaround: cli/require-flag.ts gives ts-node module commonjs, which TypeScript refuses
  // beside this project's moduleResolution node16 (TS5110).
  env: { ...process.env, TS_NODE_COMPILER_OPTIONS: '{"moduleResolution":"node10"}' },
});
if (run.status !== 0) console.error(run.stderr);
const fromCli = run.status === 0 ? (JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8')) as number[][])[0][0] : NaN;
console.log(`it predicts what the model in memory predicts: ${fromCli === model.predict(first).data[0]}`);
fs.rmSync(dir, { recursive: true });
