/**
 * The messages between the playground page (page.ts) and its training worker (worker.ts).
 * Everything here is structured-cloneable: numbers, strings, arrays, typed arrays.
 */

export type TaskChoice = 'series' | 'adding' | 'chars';
export type CellChoice = 'simple' | 'ln-simple' | 'lstm' | 'peephole' | 'gru';
export type OptimizerChoice = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam';
export type DropoutModeChoice = 'variational' | 'per-gate' | 'per-step' | 'semeniuta';
export type ClipChoice = 'none' | 'value' | 'norm' | 'global-norm';
export type KernelChoice = 'js' | 'gpu';

/** What the learner picked in the form. */
export interface Settings {
  readonly task: TaskChoice;
  readonly cell: CellChoice;
  readonly units: number;
  readonly layers: number;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly dropoutMode: DropoutModeChoice;
  readonly zoneoutH: number;
  readonly zoneoutC: number;
  readonly clip: ClipChoice;
  readonly clipAmount: number;
  readonly optimizer: OptimizerChoice;
  readonly lr: number;
  readonly batch: number;
  readonly epochs: number;
  /** Sequence length: the series (50 in Géron), the adding problem, the chars window. */
  readonly length: number;
  readonly samples: number;
  readonly seed: number;
  readonly kernels: KernelChoice;
}

export type ToWorker =
  | { readonly type: 'start'; readonly settings: Settings }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'reset' }
  | { readonly type: 'export' }
  /** Files picked in the page (model.json and its shards): File objects cross to the worker as they are. */
  | { readonly type: 'import'; readonly files: readonly File[]; readonly settings: Settings };

/** One sequence's gate values: values[gate][t][u] for the first sample of a validation batch. */
export interface GateHeat {
  readonly cell: string;
  readonly gates: readonly string[];
  readonly units: number;
  readonly time: number;
  readonly values: Readonly<Record<string, number[][]>>;
}

/** A few validation samples: the inputs, the truth and the model's output. */
export interface Forecast {
  readonly kind: 'series' | 'points' | 'text';
  /** series: input values per sample (first feature). */
  readonly inputs: number[][];
  readonly truth: number[][];
  readonly predicted: number[][];
  readonly text?: string;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly offscreenCanvas: boolean; readonly crossOriginIsolated: boolean }
  | { readonly type: 'status'; readonly state: 'building' | 'training' | 'paused' | 'done' | 'idle'; readonly kernels: string; readonly detail: string }
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'batch'; readonly step: number; readonly epoch: number; readonly loss: number }
  | { readonly type: 'epoch'; readonly step: number; readonly epoch: number; readonly loss: number; readonly valLoss: number }
  | { readonly type: 'live'; readonly step: number; readonly gradNorms: number[]; readonly gates: GateHeat; readonly forecast: Forecast }
  | { readonly type: 'tape'; readonly dot: string; readonly title: string }
  | { readonly type: 'exported'; readonly json: string; readonly jsonName: string; readonly weights: ArrayBuffer; readonly weightsName: string }
  | { readonly type: 'imported'; readonly summary: string };
