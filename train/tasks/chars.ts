/**
 * A character-level language model's data (Karpathy's char-rnn, Géron ch. 16 "Shakespeare"):
 * the text shipped in data/sonnets.txt, one-hot encoded, cut into windows of T characters; the
 * target at every step is the next character (x = text[i … i+T), y = text[i+1 … i+T+1)).
 * Train / validation / test are consecutive stretches of the text (80 / 10 / 10 %), so no
 * validation window overlaps a training window.
 */
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import type { Split } from './series';

/** Anything that maps [batch, time, vocab] inputs to logits ([batch, time, vocab] or [batch, vocab]). */
export interface Predictor {
  predict(x: Tensor): Tensor;
}

export interface CharsOptions {
  /**
   * The text. Required here; in Node, rnngrad's `charsTask` (node/chars-text.ts) defaults it to
   * data/sonnets.txt, and a page passes the text it ships.
   */
  readonly text?: string;
  /** Window length T (default 40). */
  readonly window?: number;
  /** Characters between the starts of consecutive windows (default 3). */
  readonly stride?: number;
  /**
   * For a stateful model (the course's stateful char-RNN): cut each stretch into this many
   * contiguous streams and each stream into consecutive windows (no overlap, no stride), ordered
   * so that sample i of batch k+1 continues sample i of batch k when batches hold `streams` samples.
   */
  readonly streams?: number;
}

export interface CharsTask {
  /** The distinct characters, sorted; index = one-hot position. */
  readonly vocab: readonly string[];
  readonly window: number;
  readonly train: Split;
  readonly valid: Split;
  readonly test: Split;
  /** Indices of each character of `text` (an error names an unknown character). */
  encode(text: string): Int32Array;
  /** One-hot [1, length, vocab] of `text`. */
  oneHot(text: string): Tensor;
}

export function charsTask(options: CharsOptions = {}): CharsTask {
  const text = options.text;
  if (text === undefined) throw new Error('charsTask: no text (pass options.text; in Node, charsTask from rnngrad reads data/sonnets.txt)');
  const window = options.window ?? 40;
  const stride = options.stride ?? 3;
  if (!Number.isInteger(window) || window < 1) throw new Error(`chars: window must be an integer ≥ 1, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`chars: stride must be an integer ≥ 1, got ${stride}`);
  const vocab = Array.from(new Set(text)).sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const encode = (s: string): Int32Array =>
    Int32Array.from(Array.from(s), (c, i) => {
      const k = index.get(c);
      if (k === undefined) throw new Error(`chars: character ${JSON.stringify(c)} at position ${i} is not in the corpus's vocabulary`);
      return k;
    });
  const codes = encode(text);
  const v = vocab.length;

  const streams = options.streams;
  if (streams !== undefined && (!Number.isInteger(streams) || streams < 1)) throw new Error(`chars: streams must be an integer ≥ 1, got ${streams}`);
  /** Window starts: every `stride` characters; or, with streams, window w of stream b at index w·B + b. */
  const startsIn = (from: number, to: number): number[] => {
    const starts: number[] = [];
    if (streams === undefined) {
      for (let s = from; s + window + 1 <= to; s += stride) starts.push(s);
      return starts;
    }
    const streamLength = Math.floor((to - from - 1) / streams);
    const perStream = Math.floor(streamLength / window);
    for (let w = 0; w < perStream; w++) for (let b = 0; b < streams; b++) starts.push(from + b * streamLength + w * window);
    return starts;
  };
  const windows = (from: number, to: number): Split => {
    const starts = startsIn(from, to);
    if (starts.length === 0) {
      if (streams !== undefined) {
        throw new Error(`chars: a stretch of ${to - from} characters cut into ${streams} streams (${Math.floor((to - from - 1) / streams)} each) holds no window of ${window}; use fewer streams (the batch size) or a shorter window`);
      }
      throw new Error(`chars: a stretch of ${to - from} characters holds no window of ${window} + 1`);
    }
    const x = new Float32Array(starts.length * window * v);
    const y = new Float32Array(starts.length * window * v);
    starts.forEach((s, n) => {
      for (let t = 0; t < window; t++) {
        x[(n * window + t) * v + codes[s + t]] = 1;
        y[(n * window + t) * v + codes[s + t + 1]] = 1;
      }
    });
    return { x: new Tensor(x, [starts.length, window, v]), y: new Tensor(y, [starts.length, window, v]) };
  };
  const a = Math.floor(codes.length * 0.8);
  const b = Math.floor(codes.length * 0.9);
  const oneHot = (s: string): Tensor => {
    const c = encode(s);
    const data = new Float32Array(c.length * v);
    c.forEach((k, t) => (data[t * v + k] = 1));
    return new Tensor(data, [1, c.length, v]);
  };
  return { vocab, window, train: windows(0, a), valid: windows(a, b), test: windows(b, codes.length), encode, oneHot };
}

export interface SampleOptions {
  /** Softmax temperature τ: p ∝ exp(logit / τ); small τ → likelier characters (default 1). */
  readonly temperature?: number;
  readonly rng?: Random;
}

/**
 * Generate `n` characters after `seedText`: at each step run the model on the last `window`
 * characters, take the last step's logits, draw from softmax(logits / τ), append.
 */
export function sample(model: Predictor, task: CharsTask, seedText: string, n: number, options: SampleOptions = {}): string {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`sample: temperature must be > 0, got ${temperature}`);
  if (seedText.length === 0) throw new Error('sample: the seed text is empty');
  const rng = options.rng ?? new Random(0);
  let text = seedText;
  task.encode(seedText); // reject unknown characters before running anything
  const v = task.vocab.length;
  const p = new Float64Array(v);
  for (let step = 0; step < n; step++) {
    const out = model.predict(task.oneHot(text.slice(-task.window)));
    const last = out.size - v; // the last step's logits, whether [1, T, V] or [1, V]
    let max = -Infinity;
    for (let k = 0; k < v; k++) max = Math.max(max, out.data[last + k] / temperature);
    let total = 0;
    for (let k = 0; k < v; k++) total += p[k] = Math.exp(out.data[last + k] / temperature - max);
    let u = rng.next() * total;
    let choice = v - 1;
    for (let k = 0; k < v; k++) {
      u -= p[k];
      if (u < 0) {
        choice = k;
        break;
      }
    }
    text += task.vocab[choice];
  }
  return text.slice(seedText.length);
}
