/**
 * `rnngrad train`: flags → run settings (with per-task defaults), checks that flags agree,
 * the backend notice, the run, and the output — a summary on stderr/stdout or one JSON line.
 */
import { parseFlags, helpText, CliError, Flags } from './args';
import { TRAIN_FLAGS, TASK_DEFAULTS, TaskName, CellName, OptimizerName, TASKS } from './train-flags';
import { runTraining, RunSettings, RunResult } from './run-training';
import { createProgress, progressMode } from './progress';
import { chooseBackend } from './backend-flag';
import { writeReport } from './report';
import * as path from 'path';
import { loadCheckpoint } from '../node/checkpoint';
import { checkOutputDir, showValue } from './checks';
import { CELLS, OPTIMIZERS, DROPOUT_MODES } from './train-flags';
import { requireModule } from './require-flag';
import { registeredCellNames } from '../cells/custom-cell';

const USAGE = 'rnngrad train [--task series|series10|seq2seq|adding|chars | --data FILE] [flags]';

function defaultsTable(): string {
  const rows = TASKS.map((t) => {
    const d = TASK_DEFAULTS[t];
    return `  ${t.padEnd(9)} ${d.cell.padEnd(5)} ${String(d.layers).padStart(2)}×${String(d.units).padEnd(4)} ${d.optimizer} lr ${d.lr}  epochs ${d.epochs}  batch ${d.batch}  ${t === 'chars' ? `window ${d.length}` : `${d.samples} sequences of ${d.length} steps`}${d.clipGlobalNorm ? `  clip-global-norm ${d.clipGlobalNorm}` : ''}`;
  });
  return [
    'defaults per task (cell, layers×units, optimizer, learning rate, epochs, batch, data):',
    ...rows,
    '  series, series10 and seq2seq follow Géron (Hands-On ML, ch. 15): 7000/2000/1000 series of 50 steps;',
    '  his seq2seq models use Adam with learning rate 0.01, the others Adam\'s default 0.001.',
    '  adding: T = --length (default 100); chars: Shakespeare\'s sonnets shipped in data/sonnets.txt.',
  ].join('\n');
}

export function trainHelp(): string {
  return helpText('train', 'train a recurrent network on a task or a data file', USAGE, TRAIN_FLAGS, `\n${defaultsTable()}`);
}

const num = (f: Flags, k: string): number | undefined => (f[k] === undefined ? undefined : (f[k] as number));
const str = (f: Flags, k: string): string | undefined => (f[k] === undefined ? undefined : (f[k] as string));

/** Turn parsed flags into run settings, rejecting combinations that cannot mean anything. */
export function settingsFromFlags(f: Flags, given: ReadonlySet<string>): RunSettings {
  const clips = ['clip-value', 'clip-norm', 'clip-global-norm'].filter((k) => given.has(k));
  if (clips.length > 1) throw new CliError(`rnngrad train: --${clips.join(' and --')} given together; use at most one clipping mode`);
  if (given.has('task') && given.has('data')) throw new CliError('rnngrad train: --task and --data given together; choose one');
  if (given.has('init')) {
    const fixed = ['cell', 'units', 'layers'].filter((k) => given.has(k));
    if (fixed.length > 0) throw new CliError(`rnngrad train: --init fixes the architecture; --${fixed.join(', --')} cannot be given with it`);
  }
  const task: TaskName | 'data' = given.has('data') ? 'data' : ((str(f, 'task') as TaskName | undefined) ?? 'series');
  const d = TASK_DEFAULTS[task === 'data' ? 'series' : task];
  const cell = str(f, 'cell') ?? d.cell;
  checkCellName(cell, 'cell');
  if (f.bidirectional === true && (task === 'seq2seq' || task === 'chars')) {
    throw new CliError(`rnngrad train: --bidirectional cannot be used with --task ${task}: its targets are future inputs, which the backward direction would read`);
  }
  if (f.stateful === true && task !== 'chars') {
    throw new CliError(`rnngrad train: --stateful applies to --task chars (one long text read as streams); the --task ${task} sequences are independent`);
  }
  if (f.stateful === true && f.bidirectional === true) throw new CliError('rnngrad train: --stateful and --bidirectional given together; a stateful layer reads forwards only');
  if (given.has('zoneout-c') && cell !== 'lstm' && cell !== 'peephole') {
    throw new CliError(`rnngrad train: --zoneout-c applies to cells with a cell state (lstm, peephole), not --cell ${cell}`);
  }
  if (given.has('length') && task === 'data') throw new CliError('rnngrad train: --length applies to generated tasks, not to --data');
  if (given.has('val-split') && task !== 'data') throw new CliError('rnngrad train: --val-split applies to --data (tasks have their own validation split)');
  const taskClip = !clips.length && d.clipGlobalNorm !== undefined ? d.clipGlobalNorm : null;
  return {
    task,
    dataFile: str(f, 'data') ?? null,
    valSplit: num(f, 'val-split') ?? 0,
    cell,
    units: num(f, 'units') ?? d.units,
    layers: num(f, 'layers') ?? d.layers,
    optimizer: (str(f, 'optimizer') as OptimizerName | undefined) ?? d.optimizer,
    lr: num(f, 'lr') ?? d.lr,
    epochs: num(f, 'epochs') ?? d.epochs,
    // Stateful chars: the shipped text is short, so fewer streams and shorter windows by default
    // (8 streams of 20-character windows: the validation stretch still holds 6 batches).
    batch: num(f, 'batch') ?? (f.stateful === true ? 8 : d.batch),
    length: num(f, 'length') ?? (f.stateful === true ? 20 : d.length),
    samples: num(f, 'samples') ?? d.samples,
    seed: num(f, 'seed') ?? 42,
    dropout: num(f, 'dropout') ?? 0,
    recurrentDropout: num(f, 'recurrent-dropout') ?? 0,
    dropoutMode: (str(f, 'dropout-mode') as RunSettings['dropoutMode'] | undefined) ?? 'variational',
    zoneoutH: num(f, 'zoneout-h') ?? 0,
    zoneoutC: num(f, 'zoneout-c') ?? 0,
    clipValue: num(f, 'clip-value') ?? null,
    clipNorm: num(f, 'clip-norm') ?? null,
    clipGlobalNorm: num(f, 'clip-global-norm') ?? taskClip,
    init: str(f, 'init') ?? null,
    stopOnNaN: f['stop-on-nan'] !== false,
    bidirectional: f.bidirectional === true,
    stateful: f.stateful === true,
  };
}

/** A --cell name: a built-in one, or a cell class registered (by a --require module). */
function checkCellName(cell: unknown, what: string, where = 'rnngrad train'): void {
  if (typeof cell === 'string' && (CELLS.includes(cell as CellName) || registeredCellNames().includes(cell))) return;
  const registered = registeredCellNames();
  throw new CliError(`${where}: --${what} '${String(cell)}' is not a cell (expected ${CELLS.join(', ')}${registered.length ? `, or a registered cell: ${registered.join(', ')}` : ', or a cell class registered by --require FILE'})`);
}

/** Flags a resumed run may still set: everything else comes from the checkpoint. */
const RESUME_FLAGS = new Set(['resume', 'epochs', 'save', 'report', 'json', 'backend', 'stop-on-nan', 'require']);

/** The JSON line of --json. */
export function resultJson(r: RunResult, backend: string, kernels: string): Record<string, unknown> {
  const s = r.settings;
  return {
    task: s.task, cell: s.init ? 'init' : s.cell, backend, kernels, epochs: r.history.loss.length,
    trainLoss: r.trainLoss, valMse: r.valMse,
    ...(r.valLastStepMse !== null ? { valLastStepMse: r.valLastStepMse } : {}),
    ...(r.valCrossEntropy !== null ? { valCrossEntropy: r.valCrossEntropy, valBitsPerChar: r.valCrossEntropy / Math.LN2 } : {}),
    seconds: r.seconds,
    units: s.units, layers: s.layers, optimizer: s.optimizer, lr: s.lr, batch: s.batch, seed: s.seed,
    ...(s.task === 'adding' || s.task === 'chars' ? { length: s.length } : {}),
    ...(r.sampleText !== null ? { sample: r.sampleText } : {}),
    ...(r.stoppedOnNaN ? { stoppedOnNaN: r.stoppedOnNaN } : {}),
    ...(s.bidirectional ? { bidirectional: true } : {}),
    ...(s.stateful ? { stateful: true } : {}),
  };
}

export async function trainCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(trainHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('train', TRAIN_FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad train: unexpected argument '${positional[0]}' (flags start with --)`);
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const json = flags.json === true;
  if (flags.require !== undefined) requireModule('train', flags.require as string);
  let settings: RunSettings;
  const resumeDir = str(flags, 'resume') ?? null;
  if (resumeDir) {
    const extra = [...given].filter((k) => !RESUME_FLAGS.has(k));
    if (extra.length > 0) throw new CliError(`rnngrad train: --resume takes the run's settings from ${resumeDir}; --${extra.join(', --')} cannot be changed`);
    const saved = peekSettings(resumeDir);
    // (Checkpoints written before --bidirectional and --stateful existed have neither.)
    settings = { ...saved, bidirectional: saved.bidirectional ?? false, stateful: saved.stateful ?? false, epochs: num(flags, 'epochs') ?? saved.epochs, stopOnNaN: flags['stop-on-nan'] !== false };
  } else {
    settings = settingsFromFlags(flags, given);
  }
  for (const flag of ['save', 'report']) {
    const dir = str(flags, flag);
    if (dir) checkOutputDir('train', flag, dir);
  }
  const backend = chooseBackend(str(flags, 'backend'));
  const progress = createProgress(progressMode(json), () => `${settings.task} ${settings.cell}`);
  const result = runTraining(settings, { progress, saveDir: str(flags, 'save') ?? resumeDir, resumeDir });
  const reportDir = str(flags, 'report');
  if (reportDir) {
    const file = writeReport(reportDir, [result], { title: `rnngrad train --task ${settings.task} --cell ${settings.cell}` });
    progress.notice(`rnngrad: report written to ${file}`);
  }
  const out = resultJson(result, backend.requested, backend.kernels);
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    const lines = [
      `task ${settings.task}  cell ${settings.cell}  kernels ${backend.kernels}  epochs ${out.epochs}  ${result.seconds.toFixed(1)} s`,
      `train loss ${result.trainLoss.toPrecision(4)}   validation MSE ${result.valMse.toPrecision(4)}` +
        (result.valLastStepMse !== null ? `   last-step MSE ${result.valLastStepMse.toPrecision(4)}` : '') +
        (result.valCrossEntropy !== null ? `   cross-entropy ${result.valCrossEntropy.toFixed(3)} nats/char (${(result.valCrossEntropy / Math.LN2).toFixed(3)} bits)` : ''),
      ...(result.sampleText !== null ? ['sample:', `  Shall I compare thee${result.sampleText}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.stoppedOnNaN ? 1 : 0;
}

/** The settings stored in a checkpoint (without restoring anything yet). */
function peekSettings(dir: string): RunSettings {
  const cp = loadCheckpoint(dir);
  const s = cp.settings as unknown as RunSettings | null;
  const where = path.join(cp.path, 'state.json');
  if (!s || typeof s !== 'object' || typeof (s as { task?: unknown }).task !== 'string') {
    throw new CliError(`rnngrad train: ${dir} holds a checkpoint without rnngrad train settings; it cannot be resumed from the command line`);
  }
  // The settings rebuild the run: check them as strictly as the flags they came from.
  const bad = (what: string, value: unknown, expected: string) =>
    new CliError(`rnngrad train: ${where}: saved setting ${what} ${typeof value === 'string' ? `'${value}'` : showValue(value)} is not valid (expected ${expected})`);
  if (![...TASKS, 'data'].includes(s.task)) throw bad('task', s.task, [...TASKS, 'data'].join(', '));
  if (!CELLS.includes(s.cell as CellName) && !registeredCellNames().includes(s.cell)) throw bad('cell', s.cell, `${CELLS.join(', ')}, or a cell registered by --require`);
  for (const k of ['bidirectional', 'stateful'] as const) if (s[k] !== undefined && typeof s[k] !== 'boolean') throw bad(k, s[k], 'true or false');
  if (!OPTIMIZERS.includes(s.optimizer)) throw bad('optimizer', s.optimizer, OPTIMIZERS.join(', '));
  if (!DROPOUT_MODES.includes(s.dropoutMode)) throw bad('dropoutMode', s.dropoutMode, DROPOUT_MODES.join(', '));
  for (const k of ['dropout', 'recurrentDropout', 'zoneoutH', 'zoneoutC'] as const) {
    if (typeof s[k] !== 'number' || !(s[k] >= 0 && s[k] < 1)) throw bad(k, s[k], 'a rate in [0, 1)');
  }
  for (const k of ['units', 'layers', 'epochs', 'batch', 'length', 'samples'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < (k === 'samples' && s.task === 'chars' ? 0 : 1)) throw bad(k, s[k], 'a positive whole number');
  }
  for (const k of ['lr', 'seed'] as const) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw bad(k, s[k], 'a finite number');
  return s;
}
