/**
 * `rnngrad evaluate --model DIR/model.json --task T [--seed S]`: rebuilds the task's validation
 * set from the seed (the same one training used) and measures the model on it.
 */
import { loadModel } from '../node/model-files';
import { parseFlags, helpText, CliError, FlagSpec } from './args';
import { REQUIRE_FLAG, requireModule } from './require-flag';
import { TASKS, TASK_DEFAULTS, TaskName } from './train-flags';
import { measure } from './run-training';
import { taskData, DataSettings } from './run-data';
import { chooseBackend } from './backend-flag';
import { checkFiniteWeights, checkFeatures } from './checks';

const FLAGS: readonly FlagSpec[] = [
  { name: 'model', type: 'string', help: 'the model file (model.json or its directory)' },
  { name: 'task', type: 'choice', choices: TASKS, help: 'the task whose validation set to rebuild' },
  { name: 'data', type: 'string', help: 'evaluate on all of a JSON data file instead' },
  { name: 'seed', type: 'int', min: 0, help: 'the seed the model was trained with (rebuilds the same validation set)', default: 42 },
  { name: 'length', type: 'int', min: 1, help: 'sequence length (adding: T; chars: window)', defaultText: 'per task' },
  { name: 'samples', type: 'int', min: 1, help: 'number of generated sequences', defaultText: 'per task' },
  { name: 'backend', type: 'choice', choices: ['cpu', 'gpu', 'auto'], help: 'kernels', defaultText: 'RNNGRAD_BACKEND or cpu' },
  { name: 'json', type: 'boolean', help: 'print one JSON line on stdout' },
  REQUIRE_FLAG,
];

export function evaluateHelp(): string {
  return helpText('evaluate', 'measure a saved model on a task\'s validation set', 'rnngrad evaluate --model DIR/model.json (--task T [--seed S] | --data FILE) [--json]', FLAGS);
}

export async function evaluateCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(evaluateHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('evaluate', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad evaluate: unexpected argument '${positional[0]}' (flags start with --)`);
  if (flags.model === undefined) throw new CliError('rnngrad evaluate: --model is required');
  if ((flags.task === undefined) === (flags.data === undefined)) throw new CliError('rnngrad evaluate: give exactly one of --task and --data');
  const backend = chooseBackend(flags.backend as string | undefined);
  const task: TaskName | 'data' = flags.data !== undefined ? 'data' : (flags.task as TaskName);
  const d = TASK_DEFAULTS[task === 'data' ? 'series' : task];
  const settings: DataSettings = {
    task, dataFile: (flags.data as string | undefined) ?? null, valSplit: 0,
    length: (flags.length as number | undefined) ?? d.length, samples: (flags.samples as number | undefined) ?? d.samples,
    seed: flags.seed as number,
  };
  const { data } = taskData(settings);
  if (flags.require !== undefined) requireModule('evaluate', flags.require as string);
  const model = loadModel(flags.model as string);
  checkFiniteWeights('evaluate', model, flags.model as string);
  checkFeatures('evaluate', model, flags.model as string, data.valid.x.shape[data.valid.x.rank - 1], task === 'data' ? `--data ${flags.data}` : `--task ${task}`);
  if (task === 'chars') model.loss = 'softmaxCrossEntropy'; // the character model outputs logits
  const m = measure(model, data, settings);
  const out = {
    task, model: flags.model, seed: flags.seed, kernels: backend.kernels, samples: data.valid.x.shape[0], valMse: m.valMse,
    ...(m.valLastStepMse !== null ? { valLastStepMse: m.valLastStepMse } : {}),
    ...(m.valCrossEntropy !== null ? { valCrossEntropy: m.valCrossEntropy } : {}),
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    process.stdout.write(`${task} validation set (${out.samples} sequences, seed ${flags.seed}): MSE ${m.valMse.toPrecision(4)}` +
      (m.valLastStepMse !== null ? `, last-step MSE ${m.valLastStepMse.toPrecision(4)}` : '') +
      (m.valCrossEntropy !== null ? `, cross-entropy ${m.valCrossEntropy.toFixed(4)} nats/char` : '') + '\n');
  }
  return 0;
}
