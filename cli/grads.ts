/**
 * `rnngrad grads --model model.json --input x.json --target y.json [--loss mse|crossentropy]
 * [--output grads.json] [--engine rnngrad|tfjs-cpu|tfjs-wasm]`: the answer key — the loss and its
 * gradient with respect to every weight and to the input, in float64 on rnngrad's js CPU kernels
 * (train/grads.ts), or the same gradients computed by TF.js (node/grads-tfjs.ts), written in the
 * form of train/grads-file.ts.
 */
import { tensor } from '../engine/creation';
import type { Tensor, DType } from '../engine/tensor';
import { setBackend } from '../kernels/backend';
import { loadModel } from '../node/model-files';
import { writeFileAtomic } from '../node/atomic';
import { computeGrads, weightNames, GRAD_LOSSES, GradLoss } from '../train/grads';
import { computeTfjsGrads, TfjsBackend } from '../node/grads-tfjs';
import { gradsFileText, GradsFile } from '../train/grads-file';
import type { Sequential } from '../train/model';
import { parseFlags, helpText, CliError, FlagSpec } from './args';
import { checkOutputFile, checkFiniteWeights, checkFeatures } from './checks';
import { readNestedArray } from './predict';

const ENGINES = ['rnngrad', 'tfjs-cpu', 'tfjs-wasm'] as const;
type Engine = (typeof ENGINES)[number];

const FLAGS: readonly FlagSpec[] = [
  { name: 'model', type: 'string', help: 'the model file (TF.js LayersModel model.json, or its directory)' },
  { name: 'input', type: 'string', help: 'a JSON nested array [batch][time][features] (or [batch][features] for a Dense-first model)' },
  { name: 'target', type: 'string', help: "a JSON nested array of the model's output shape for this input" },
  { name: 'loss', type: 'choice', choices: GRAD_LOSSES, help: 'mse: mean over every target element; crossentropy: mean over every predicted position', default: 'mse' },
  { name: 'output', type: 'string', help: 'where to write the gradients (JSON, written atomically)', defaultText: 'stdout' },
  { name: 'engine', type: 'choice', choices: ENGINES, help: 'who computes: rnngrad (the answer key), or TF.js on its cpu or wasm backend (float32)', default: 'rnngrad' },
  { name: 'dtype', type: 'choice', choices: ['float64', 'float32'], help: 'precision of --engine rnngrad (float32: check rnngrad itself against the key)', default: 'float64' },
];

export function gradsHelp(): string {
  return helpText('grads', 'the answer key: float64 gradients of a loss with respect to every weight and the input',
    'rnngrad grads --model model.json --input x.json --target y.json [--loss mse|crossentropy] [--output grads.json] [--engine rnngrad|tfjs-cpu|tfjs-wasm]', FLAGS,
    '\nWrites { "loss": L, "weights": { "<name in model.json>": { "shape": [...], "values": [...] } }, "input": { "shape", "values" } }\n' +
    '(values row-major). Inference mode: dropout is off. crossentropy reads the output as probabilities when the\n' +
    'last layer ends in softmax, as logits otherwise. Check another engine against it with rnngrad compare-grads.');
}

/** A JSON nested array as a tensor of `dtype`, errors naming the flag and file. */
function readTensor(flag: string, file: string, dtype: DType): Tensor {
  try {
    return tensor(readNestedArray(file, `--${flag}`), { dtype });
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`rnngrad grads: --${flag} ${file}: ${(e as Error).message}`);
  }
}

/** The input and target, checked against the model: rank, feature count, the output's shape. */
function readBatch(model: Sequential, flags: Record<string, unknown>, dtype: DType): { x: Tensor; target: Tensor } {
  const [modelFile, inputFile, targetFile] = [flags.model, flags.input, flags.target] as string[];
  const x = readTensor('input', inputFile, dtype);
  const rank = model.inputShape.length;
  if (x.rank !== rank) {
    throw new CliError(`rnngrad grads: --input ${inputFile} has shape [${x.shape}], the model expects rank ${rank} ([batch${rank === 3 ? ', time' : ''}, features])`);
  }
  checkFeatures('grads', model, modelFile, x.shape[x.rank - 1], `--input ${inputFile}`);
  const target = readTensor('target', targetFile, dtype);
  const out = model.predict(x).shape;
  if (out.length !== target.rank || out.some((d, i) => d !== target.shape[i])) {
    throw new CliError(`rnngrad grads: --target ${targetFile} has shape [${target.shape}], but the model outputs [${out}] for this input`);
  }
  return { x, target };
}

export async function gradsCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(gradsHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('grads', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad grads: unexpected argument '${positional[0]}' (flags start with --)`);
  for (const k of ['model', 'input', 'target']) if (flags[k] === undefined) throw new CliError(`rnngrad grads: --${k} is required`);
  const engine = flags.engine as Engine;
  if (engine !== 'rnngrad' && argv.some((a) => a.startsWith('--dtype'))) {
    throw new CliError('rnngrad grads: --dtype applies to --engine rnngrad (TF.js computes in float32)');
  }
  const output = flags.output as string | undefined;
  if (output !== undefined) checkOutputFile('grads', 'output', output);
  // The answer key is computed by the js CPU kernels: the same loops every gradient check trusts.
  setBackend('cpu');
  const dtype: DType = engine === 'rnngrad' ? (flags.dtype as DType) : 'float32';
  const model = loadModel(flags.model as string, { dtype });
  checkFiniteWeights('grads', model, flags.model as string);
  const { x, target } = readBatch(model, flags, dtype);
  const loss = flags.loss as GradLoss;
  let grads: GradsFile;
  if (engine === 'rnngrad') grads = computeGrads(model, x, target, loss);
  else {
    const asArray = (t: Tensor) => ({ shape: t.shape.slice(), values: Array.from(t.data) });
    grads = await computeTfjsGrads(flags.model as string, engine.slice('tfjs-'.length) as TfjsBackend, asArray(x), asArray(target), loss,
      weightNames(model), model.weights().map((w) => w.tensor.shape));
  }
  const text = gradsFileText(grads);
  if (output === undefined) process.stdout.write(text);
  else {
    writeFileAtomic(output, text);
    const count = Object.keys(grads.weights).length;
    process.stderr.write(`rnngrad: wrote the ${engine === 'rnngrad' ? dtype : 'float32'} gradients (${engine}) of ${count} weight${count === 1 ? '' : 's'} and the input, loss ${grads.loss.toPrecision(8)}, to ${output}\n`);
  }
  return 0;
}
