/**
 * The data of a run: its task's generator with the run's seed, or a --data file split for
 * validation. `rnngrad train`, `rnngrad evaluate` (which rebuilds the validation set from these
 * settings alone) and the course run share it.
 */
import { Tensor } from '../engine/tensor';
import { seriesTask, TaskData, Split } from '../train/tasks/series';
import { addingTask } from '../train/tasks/adding';
import type { CharsTask } from '../train/tasks/chars';
import { charsTask } from '../node/chars-text';
import { loadDataFile } from '../node/data-file';
import { CliError } from './args';
import type { TaskName } from './train-flags';

/** Split the rows of a Split at `at` (for --val-split). */
function splitRows(s: Split, at: number): [Split, Split] {
  const rows = (t: Tensor, from: number, to: number): Tensor => {
    const per = t.size / t.shape[0];
    return new Tensor(t.data.slice(from * per, to * per), [to - from, ...t.shape.slice(1)]);
  };
  const n = s.x.shape[0];
  return [{ x: rows(s.x, 0, at), y: rows(s.y, 0, at) }, { x: rows(s.x, at, n), y: rows(s.y, at, n) }];
}

/** The settings that decide a run's data (evaluate rebuilds the validation set from these alone). */
export interface DataSettings {
  readonly task: TaskName | 'data';
  readonly dataFile: string | null;
  readonly valSplit: number;
  readonly length: number;
  readonly samples: number;
  readonly seed: number;
  /** chars: the text as `batch` contiguous streams (a stateful run). */
  readonly stateful?: boolean;
  readonly batch?: number;
}

/** The data of a run: its task's generator with the run's seed, or the --data file. */
export function taskData(s: DataSettings): { data: TaskData; chars: CharsTask | null } {
  const result = taskDataUnchecked(s);
  for (const [name, split] of [['training', result.data.train], ['validation', result.data.valid]] as const) {
    if (split.x.shape[0] === 0) {
      const why = s.task === 'data' ? `--data ${s.dataFile} with --val-split ${s.valSplit}` : `--samples ${s.samples}`;
      throw new CliError(`rnngrad: ${why} leaves no ${name} set (the series tasks split the samples 70/20/10 %: give at least 10)`);
    }
  }
  return result;
}

function taskDataUnchecked(s: DataSettings): { data: TaskData; chars: CharsTask | null } {
  const trainValTest = (n: number): [number, number, number] => [Math.round(n * 0.7), Math.round(n * 0.2), n - Math.round(n * 0.7) - Math.round(n * 0.2)];
  switch (s.task) {
    case 'series':
      return { data: seriesTask({ target: 'next', seed: s.seed, steps: s.length, sizes: trainValTest(s.samples) }), chars: null };
    case 'series10':
      return { data: seriesTask({ target: 'ahead10', seed: s.seed, steps: s.length, sizes: trainValTest(s.samples) }), chars: null };
    case 'seq2seq':
      return { data: seriesTask({ target: 'seq2seq', seed: s.seed, steps: s.length, sizes: trainValTest(s.samples) }), chars: null };
    case 'adding':
      return { data: addingTask({ length: s.length, seed: s.seed, sizes: [s.samples, 1000, 1000] }), chars: null };
    case 'chars': {
      // Stateful: B = batch contiguous streams, consecutive windows, batch k+1 continuing batch k.
      const chars = charsTask({ window: s.length, ...(s.stateful ? { streams: s.batch } : {}) });
      return { data: { train: chars.train, valid: chars.valid, test: chars.test }, chars };
    }
    case 'data': {
      if (!s.dataFile) throw new CliError('rnngrad train: --data needs a file');
      const all = loadDataFile(s.dataFile);
      const n = all.x.shape[0];
      const held = Math.floor(n * s.valSplit);
      if (held === 0) return { data: { train: all, valid: all, test: all }, chars: null };
      if (held >= n) throw new CliError(`rnngrad train: --val-split ${s.valSplit} leaves no training samples out of ${n}`);
      const [train, valid] = splitRows(all, n - held);
      return { data: { train, valid, test: valid }, chars: null };
    }
  }
}
