/**
 * Layer names as Keras makes them: the snake-cased class name, unique per process —
 * `lstm`, `lstm_1`, `lstm_2`, … (TF.js instead writes `lstm_LSTM1`; both load, since a model file
 * carries its names). A Sequential model may reset the counters to number its own layers.
 */
const counters = new Map<string, number>();

/** Keras's to_snake_case: 'SimpleRNN' → 'simple_rnn', 'LSTMCell' → 'lstm_cell', 'TimeDistributed' → 'time_distributed'. */
export function snakeCase(className: string): string {
  return className.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The next free name for this prefix: 'lstm' the first time, then 'lstm_1', 'lstm_2', … */
export function uniqueLayerName(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Record a name given explicitly (e.g. read from a file) so generated names do not collide with it. */
export function reserveLayerName(name: string): void {
  const m = /^(.*?)(?:_(\d+))?$/.exec(name);
  if (!m) return;
  const prefix = m[1];
  const index = m[2] === undefined ? 0 : Number(m[2]);
  counters.set(prefix, Math.max(counters.get(prefix) ?? 0, index + 1));
}

/** Start numbering afresh (tests; a new model that wants Keras's names from `lstm` on). */
export function resetLayerNames(): void {
  counters.clear();
}
