/** `rnngrad predict --model DIR/model.json --input x.json --output y.json`. */
import * as fs from 'fs';
import { tensor } from '../engine/creation';
import type { NestedArray } from '../engine/tensor';
import { loadModel } from '../node/model-files';
import { writeFileAtomic } from '../node/atomic';
import { parseFlags, helpText, CliError, FlagSpec } from './args';
import { REQUIRE_FLAG, requireModule } from './require-flag';
import { chooseBackend } from './backend-flag';
import { checkOutputFile, checkFiniteWeights, checkFeatures, showValue } from './checks';

const FLAGS: readonly FlagSpec[] = [
  { name: 'model', type: 'string', help: 'the model file (TF.js LayersModel model.json, or its directory)' },
  { name: 'input', type: 'string', help: 'a JSON nested array [batch][time][features] (or [batch][features] for a Dense-first model)' },
  { name: 'output', type: 'string', help: 'where to write the predictions as a JSON nested array (written atomically)' },
  { name: 'backend', type: 'choice', choices: ['cpu', 'gpu', 'auto'], help: 'kernels', defaultText: 'RNNGRAD_BACKEND or cpu' },
  REQUIRE_FLAG,
];

export function predictHelp(): string {
  return helpText('predict', 'run a saved model on inputs from a JSON file', 'rnngrad predict --model DIR/model.json --input x.json --output y.json', FLAGS);
}

/** Read a JSON nested array of finite numbers, with errors naming the file. */
export function readNestedArray(file: string, flag: string): NestedArray {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`rnngrad: ${flag} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`rnngrad: ${flag} ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new CliError(`rnngrad: ${flag} ${file}: expected a non-empty nested array of numbers`);
  const check = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((e, i) => check(e, `${where}[${i}]`));
    else if (typeof v !== 'number' || !Number.isFinite(v)) throw new CliError(`rnngrad: ${flag} ${file}: ${where} is ${showValue(v)}, expected a finite number`);
    else if (!Number.isFinite(Math.fround(v))) throw new CliError(`rnngrad: ${flag} ${file}: ${where} is ${v}, beyond the float32 range (±3.4e38)`);
  };
  check(value, '');
  return value as NestedArray;
}

export async function predictCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(predictHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('predict', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad predict: unexpected argument '${positional[0]}' (flags start with --)`);
  for (const k of ['model', 'input', 'output']) if (flags[k] === undefined) throw new CliError(`rnngrad predict: --${k} is required`);
  checkOutputFile('predict', 'output', flags.output as string);
  if (flags.require !== undefined) requireModule('predict', flags.require as string);
  chooseBackend(flags.backend as string | undefined);
  const model = loadModel(flags.model as string);
  checkFiniteWeights('predict', model, flags.model as string);
  const values = readNestedArray(flags.input as string, '--input');
  let x;
  try {
    x = tensor(values);
  } catch (e) {
    throw new CliError(`rnngrad predict: --input ${flags.input}: ${(e as Error).message}`);
  }
  const expected = model.inputShape.length;
  if (x.rank !== expected) {
    throw new CliError(`rnngrad predict: --input ${flags.input} has shape [${x.shape}], the model expects rank ${expected} ([batch${expected === 3 ? ', time' : ''}, features])`);
  }
  checkFeatures('predict', model, flags.model as string, x.shape[x.rank - 1], `--input ${flags.input}`);
  const y = model.predict(x);
  writeFileAtomic(flags.output as string, `${JSON.stringify(y.toArray())}\n`);
  process.stderr.write(`rnngrad: wrote predictions of shape [${y.shape}] to ${flags.output}\n`);
  return 0;
}
