/**
 * The course run (`npm start` = `rnngrad course`): the next-value time-series task of Géron's
 * chapter 15 with the naive and linear baselines and every cell rnngrad has, each a 2-layer,
 * 20-unit network trained with Adam, printed beside the published Keras figures.
 */
import { parseFlags, helpText, CliError, FlagSpec } from './args';
import { TASK_DEFAULTS, CellName } from './train-flags';
import { runTraining, RunSettings, RunResult } from './run-training';
import { taskData } from './run-data';
import { createProgress, progressMode } from './progress';
import { chooseBackend } from './backend-flag';
import { writeReport } from './report';
import { naiveMse, linearBaseline } from '../train/tasks/baselines';

/** Validation MSEs Géron reports for the next-value task (Keras, 20 epochs). */
export const PUBLISHED: Readonly<Record<string, number>> = { naive: 0.02, linear: 0.004, simple: 0.003 };
const COURSE_CELLS: readonly CellName[] = ['simple', 'ln-simple', 'lstm', 'peephole', 'gru'];
/** Epochs per network: Géron trains 20; the whole run stays under 10 minutes on 2 cores. */
export const COURSE_EPOCHS = 20;

const FLAGS: readonly FlagSpec[] = [
  { name: 'epochs', type: 'int', min: 1, help: 'epochs per network', default: COURSE_EPOCHS },
  { name: 'samples', type: 'int', min: 10, help: 'number of series (split 70/20/10 %)', default: 10000 },
  { name: 'cells', type: 'string', help: `comma-separated cells to train (from ${COURSE_CELLS.join(', ')})`, default: COURSE_CELLS.join(',') },
  { name: 'seed', type: 'int', min: 0, help: 'seeds the data, the weights and the shuffling', default: 42 },
  { name: 'backend', type: 'choice', choices: ['cpu', 'gpu', 'auto'], help: 'kernels', defaultText: 'RNNGRAD_BACKEND or cpu' },
  { name: 'report', type: 'string', help: 'write an HTML report with loss curves and forecasts to DIR' },
  { name: 'json', type: 'boolean', help: 'print one JSON line with every row on stdout' },
];

export interface CourseRow {
  readonly model: string;
  readonly valMse: number;
  readonly published: number | null;
  readonly epochs: number;
  readonly seconds: number;
}

export function formatCourseTable(rows: readonly CourseRow[]): string {
  const head = ['model', 'validation MSE', 'Keras (Géron)', 'epochs', 'seconds'];
  const body = rows.map((r) => [r.model, r.valMse.toFixed(4), r.published === null ? '—' : r.published.toFixed(3), r.epochs === 0 ? '—' : String(r.epochs), r.seconds.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('   '), ...body.map(line)].join('\n');
}

const LABELS: Record<string, string> = {
  naive: 'naive (last value)', linear: 'linear (Dense on 50 steps)', simple: 'SimpleRNN ×2', 'ln-simple': 'LN-SimpleRNN ×2',
  lstm: 'LSTM ×2', peephole: 'peephole LSTM ×2', gru: 'GRU ×2',
};

export async function courseCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(helpText('course', 'every cell on the next-value time-series task, beside the published Keras figures', 'rnngrad course [flags]', FLAGS));
    return 0;
  }
  const { flags, positional } = parseFlags('course', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad course: unexpected argument '${positional[0]}'`);
  const cells = String(flags.cells).split(',').map((c) => c.trim()) as CellName[];
  for (const c of cells) if (!COURSE_CELLS.includes(c)) throw new CliError(`rnngrad course: --cells: unknown cell '${c}' (expected ${COURSE_CELLS.join(', ')})`);
  const json = flags.json === true;
  const backend = chooseBackend(flags.backend as string | undefined);
  const epochs = flags.epochs as number;
  const d = TASK_DEFAULTS.series;
  const base: RunSettings = {
    task: 'series', dataFile: null, valSplit: 0, cell: 'lstm', units: d.units, layers: d.layers, optimizer: 'adam', lr: d.lr,
    epochs, batch: d.batch, length: d.length, samples: flags.samples as number, seed: flags.seed as number,
    dropout: 0, recurrentDropout: 0, dropoutMode: 'variational', zoneoutH: 0, zoneoutC: 0,
    clipValue: null, clipNorm: null, clipGlobalNorm: null, init: null, stopOnNaN: true, bidirectional: false, stateful: false,
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`rnngrad course: series task, ${base.samples} series of ${base.length} steps, ${epochs} epochs per network, seed ${base.seed}`);
  const rows: CourseRow[] = [];
  const { data } = taskData(base);
  const t0 = Date.now();
  rows.push({ model: 'naive', valMse: naiveMse(data.valid), published: PUBLISHED.naive, epochs: 0, seconds: (Date.now() - t0) / 1000 });
  log(`naive: validation MSE ${rows[0].valMse.toFixed(4)}`);
  const t1 = Date.now();
  const linear = linearBaseline(data, { epochs, seed: base.seed });
  rows.push({ model: 'linear', valMse: linear.valMse, published: PUBLISHED.linear, epochs, seconds: (Date.now() - t1) / 1000 });
  log(`linear: validation MSE ${linear.valMse.toFixed(4)}`);
  const results: RunResult[] = [];
  for (const cell of cells) {
    const progress = createProgress(progressMode(json), () => `${cell}`);
    const r = runTraining({ ...base, cell }, { progress, saveDir: null, resumeDir: null });
    results.push(r);
    rows.push({ model: cell, valMse: r.valMse, published: PUBLISHED[cell] ?? null, epochs: r.history.loss.length, seconds: r.seconds });
    log(`${cell}: validation MSE ${r.valMse.toFixed(4)} (${r.seconds.toFixed(1)} s)`);
  }
  const table = formatCourseTable(rows.map((r) => ({ ...r, model: LABELS[r.model] ?? r.model })));
  if (flags.report) {
    const file = writeReport(flags.report as string, results, { title: 'rnngrad course: next-value time series', table });
    log(`rnngrad: report written to ${file}`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ task: 'series', kernels: backend.kernels, epochs, rows })}\n`);
  else process.stdout.write(`\nNext-value forecasting, validation MSE (published figures: Géron, Hands-On ML 2nd ed., ch. 15, 20 epochs)\n\n${table}\n`);
  return 0;
}
