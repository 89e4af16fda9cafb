/**
 * Anomaly detection (PyTorch's `detect_anomaly`): while it is on, the first op whose forward
 * output, or whose backward rule's returned gradient, holds a NaN or an Infinity raises an
 * `AnomalyError` naming the op, the shapes, the phase, and where the op was called.
 *
 * It costs nothing while off: the tape holds a null hook and checks it once per op. While on,
 * every output is scanned and every recorded op captures a stack trace, so it is for debugging.
 */
import type { Tensor } from './tensor';
import { setAnomalyHooks, type AnomalyHooks, type TapeEntry } from './tape';
import { OpError, fmt } from './shape';

/** How many call sites of the "created at" trace the message keeps. */
const STACK_LINES = 8;

/** The error anomaly detection raises: which op, which phase, which shapes, and from where. */
export class AnomalyError extends OpError {
  constructor(
    op: string,
    readonly phase: 'forward' | 'backward',
    readonly inputShapes: readonly (readonly number[])[],
    readonly createdAt: string,
    /** What went wrong, e.g. `forward produced NaN at flat index 3 of its output [2,4]`. */
    what: string,
  ) {
    super(op, `${what} (inputs ${inputShapes.map((s) => fmt(s)).join(', ') || 'none'}); anomaly detection is on\n` +
      `created at:\n${createdAt}`);
    this.name = 'AnomalyError';
  }
}

/** 'NaN' or 'Infinity' for the first non-finite value of data, with its flat index; null when all finite. */
function firstNonFinite(t: Tensor): string | null {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v − v is 0 for every finite v and NaN for ±Infinity and NaN: one test per element.
    if (v - v !== 0) return `${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'} at flat index ${i}`;
  }
  return null;
}

/** The call sites of a stack trace, without the frames inside the engine itself (tape, ops, anomaly). */
function callSites(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(1);
  const outside = frames.filter((line) => !/[\\/]engine[\\/](tape|anomaly|ops[\\/]\w+)\.[jt]s/.test(line));
  const kept = (outside.length > 0 ? outside : frames).slice(0, STACK_LINES);
  return kept.length > 0 ? kept.join('\n') : '    (no stack trace available)';
}

/** The call sites of the current call, with room for the engine's own frames that are dropped. */
function stackHere(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return callSites(stack);
}

const hooks: AnomalyHooks = {
  forward(op: string, inputs: readonly Tensor[], output: Tensor): void {
    const bad = firstNonFinite(output);
    if (bad === null) return;
    throw new AnomalyError(op, 'forward', inputs.map((x) => x.shape), stackHere(),
      `forward produced ${bad} of its output ${fmt(output.shape)}`);
  },
  capture: stackHere,
  backward(entry: TapeEntry, inputGrads: readonly (Tensor | null)[]): void {
    for (let k = 0; k < inputGrads.length; k++) {
      const g = inputGrads[k];
      const bad = g ? firstNonFinite(g) : null;
      if (g === null || bad === null) continue;
      throw new AnomalyError(entry.op, 'backward', entry.inputs.map((x) => x.shape),
        entry.createdAt ?? '    (recorded before anomaly detection was turned on)',
        `backward produced ${bad} in the gradient of input ${k} ${fmt(g.shape)}`);
    }
  },
  seed(dOut: Tensor): void {
    const bad = firstNonFinite(dOut);
    if (bad === null) return;
    throw new AnomalyError('backward', 'backward', [dOut.shape], stackHere(), `the gradient passed to backward() holds ${bad}`);
  },
};

let enabled = false;

/** Turn anomaly detection on or off for everything that follows. */
export function setAnomalyDetection(on: boolean): void {
  enabled = on;
  setAnomalyHooks(on ? hooks : null);
}

/** Is anomaly detection on? */
export function isAnomalyDetectionEnabled(): boolean {
  return enabled;
}

/** Run fn (forward and backward) with anomaly detection on, then restore the previous setting. */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = enabled;
  setAnomalyDetection(true);
  try {
    return fn();
  } finally {
    setAnomalyDetection(previous);
  }
}
