/**
 * The flags of `rnngrad train`, declared once: the parser validates them, --help prints them,
 * and the per-task defaults below fill in what the user leaves out.
 */
import type { FlagSpec } from './args';

export const TASKS = ['series', 'series10', 'seq2seq', 'adding', 'chars'] as const;
export type TaskName = (typeof TASKS)[number];
export const CELLS = ['simple', 'ln-simple', 'lstm', 'peephole', 'gru'] as const;
export type CellName = (typeof CELLS)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const DROPOUT_MODES = ['variational', 'per-gate', 'per-step', 'semeniuta'] as const;

/** What each task trains with when a flag is not given (Géron's setup for the series tasks). */
export interface TaskDefaults {
  readonly cell: CellName;
  readonly units: number;
  readonly layers: number;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly epochs: number;
  readonly batch: number;
  /** Number of sequences generated (train / validation / test split by the task). */
  readonly samples: number;
  readonly length: number;
  readonly clipGlobalNorm?: number;
}

export const TASK_DEFAULTS: Record<TaskName, TaskDefaults> = {
  series: { cell: 'lstm', units: 20, layers: 2, optimizer: 'adam', lr: 1e-3, epochs: 20, batch: 32, samples: 10000, length: 50 },
  series10: { cell: 'lstm', units: 20, layers: 2, optimizer: 'adam', lr: 1e-3, epochs: 20, batch: 32, samples: 10000, length: 50 },
  // Géron compiles the sequence-to-sequence models with Adam(learning_rate=0.01) (ch. 15 notebook).
  seq2seq: { cell: 'lstm', units: 20, layers: 2, optimizer: 'adam', lr: 1e-2, epochs: 20, batch: 32, samples: 10000, length: 50 },
  adding: { cell: 'lstm', units: 32, layers: 1, optimizer: 'adam', lr: 1e-2, epochs: 20, batch: 50, samples: 10000, length: 100, clipGlobalNorm: 1 },
  chars: { cell: 'lstm', units: 128, layers: 1, optimizer: 'adam', lr: 3e-3, epochs: 5, batch: 32, samples: 0, length: 40 },
};

const dropoutRate = { type: 'number', min: 0, max: 1, maxExclusive: true } as const;
const positive = { type: 'number', min: 0, minExclusive: true } as const;
const positiveInt = { type: 'int', min: 1 } as const;

export const TRAIN_FLAGS: readonly FlagSpec[] = [
  { name: 'task', type: 'choice', choices: TASKS, help: 'what to learn: next value, next 10 values, sequence-to-sequence, the adding problem, characters' },
  { name: 'data', type: 'string', help: 'train on a JSON file {"x": [N][T][F], "y": [N][k] or [N][T][k]} instead of a task' },
  { name: 'cell', type: 'string', help: `recurrent cell: ${CELLS.join(' | ')}, or a cell class registered by --require`, defaultText: 'per task' },
  { name: 'bidirectional', type: 'boolean', help: 'wrap every recurrent layer in Bidirectional (merge: concat); series, series10, adding, --data' },
  { name: 'stateful', type: 'boolean', help: 'chars: the text as --batch contiguous streams, each batch continuing the last (states carried, reset each epoch; defaults batch 8, length 20)' },
  { name: 'require', type: 'string', help: 'load this module first (e.g. one that calls registerCell); .ts runs through ts-node' },
  { name: 'units', ...positiveInt, help: 'units per recurrent layer', defaultText: 'per task' },
  { name: 'layers', ...positiveInt, help: 'stacked recurrent layers', defaultText: 'per task' },
  { name: 'optimizer', type: 'choice', choices: OPTIMIZERS, help: 'optimizer (momentum: SGD with μ = 0.9)', defaultText: 'adam' },
  { name: 'lr', ...positive, help: 'learning rate', defaultText: 'per task' },
  { name: 'epochs', ...positiveInt, help: 'passes over the training set', defaultText: 'per task' },
  { name: 'batch', ...positiveInt, help: 'mini-batch size', defaultText: 'per task' },
  { name: 'length', ...positiveInt, help: 'sequence length (adding: T; chars: window)', defaultText: 'per task' },
  { name: 'samples', ...positiveInt, help: 'number of generated sequences', defaultText: 'per task' },
  { name: 'seed', type: 'int', min: 0, help: 'seeds everything: data, split, weights, masks, shuffling', default: 42 },
  { name: 'backend', type: 'choice', choices: ['cpu', 'gpu', 'auto'], help: 'kernels: rnngrad\'s CPU kernels, gpu.js, or auto', defaultText: 'RNNGRAD_BACKEND or cpu' },
  { name: 'dropout', ...dropoutRate, help: 'input dropout rate, in [0, 1)' },
  { name: 'recurrent-dropout', ...dropoutRate, help: 'recurrent dropout rate, in [0, 1)' },
  { name: 'dropout-mode', type: 'choice', choices: DROPOUT_MODES, help: 'how dropout masks are drawn', default: 'variational' },
  { name: 'zoneout-h', ...dropoutRate, help: 'zoneout probability on h (no rescaling)' },
  { name: 'zoneout-c', ...dropoutRate, help: 'zoneout probability on c (LSTM cells)' },
  { name: 'clip-value', ...positive, help: 'clip each gradient element to [−v, v]' },
  { name: 'clip-norm', ...positive, help: 'clip each gradient tensor to norm ≤ c' },
  { name: 'clip-global-norm', ...positive, help: 'clip all gradients together to global norm ≤ c' },
  { name: 'init', type: 'string', help: 'start from a model file DIR/model.json (fixes the architecture)' },
  { name: 'save', type: 'string', help: 'save the trained model (TF.js LayersModel format) and per-epoch checkpoints to DIR' },
  { name: 'resume', type: 'string', help: 'continue the run checkpointed in DIR' },
  { name: 'report', type: 'string', help: 'write an HTML report with SVG charts to DIR' },
  { name: 'val-split', type: 'number', min: 0, max: 1, maxExclusive: true, help: 'with --data: hold out this fraction for validation', default: 0 },
  { name: 'stop-on-nan', type: 'boolean', help: 'stop on a non-finite loss and keep the last good checkpoint (--stop-on-nan=false to go on)', default: true },
  { name: 'json', type: 'boolean', help: 'print exactly one JSON line on stdout (progress off; notices on stderr)' },
];
