/**
 * Gradient checking: the analytic gradient from the tape against central differences in float64,
 *
 *   numeric_k = (f(x + ε e_k) − f(x − ε e_k)) / 2ε,    ε = 1e-6,
 *
 * an entry passing when |analytic − numeric| ≤ atol + rtol·|numeric|. Several outputs are checked
 * through the full Jacobian (small outputs) or a fixed random projection L = Σ r ⊙ out.
 * The reported relative error is |analytic − numeric| / max(|numeric|, 1), which stays meaningful
 * where the true gradient is zero.
 */
import { Tensor } from './tensor';
import { noGrad } from './tape';
import { astype } from './creation';
import { Random } from './random';
import { fmt } from './shape';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-5, PyTorch's; rnngrad's own suite uses 1e-7). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-3, PyTorch's; rnngrad's own suite uses 1e-6). */
  readonly rtol?: number;
  /** 'jacobian' checks every output element; 'projection' one random combination; 'auto' picks by size. */
  readonly mode?: 'auto' | 'jacobian' | 'projection';
  /** Seed of the projection vector. */
  readonly seed?: number;
  /** Throw a readable error on failure instead of only reporting it. */
  readonly strict?: boolean;
  /** Names of the inputs, for the report (default x0, x1, …). */
  readonly names?: readonly string[];
}

export interface InputReport {
  readonly name: string;
  readonly shape: readonly number[];
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly passed: boolean;
  /** The element with the largest relative error: its index and both values. */
  readonly worst: { readonly index: number[]; readonly analytic: number; readonly numeric: number; readonly output: number };
}

export interface GradcheckReport {
  readonly passed: boolean;
  readonly mode: 'jacobian' | 'projection';
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly inputs: InputReport[];
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/**
 * The largest absolute and relative errors over one input's elements, and the element with the
 * largest relative error. A NaN error is the worst possible and, once seen, stays.
 */
class ErrorTracker {
  private maxAbs = 0;
  private maxRel = 0;
  private worst: InputReport['worst'] | null = null;

  constructor(private readonly shape: readonly number[]) {}

  note(k: number, output: number, analytic: number, numeric: number): void {
    const abs = Math.abs(analytic - numeric);
    const rel = abs / Math.max(Math.abs(numeric), 1);
    if (!Number.isNaN(this.maxAbs) && !(abs <= this.maxAbs)) this.maxAbs = abs;
    if (this.worst === null || (!Number.isNaN(this.maxRel) && !(rel <= this.maxRel))) {
      this.maxRel = rel;
      this.worst = { index: unravel(k, this.shape), analytic, numeric, output };
    }
  }

  result(): Pick<InputReport, 'maxAbsError' | 'maxRelError' | 'worst'> {
    return {
      maxAbsError: this.maxAbs,
      maxRelError: this.maxRel,
      worst: this.worst ?? { index: [], analytic: 0, numeric: 0, output: 0 },
    };
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

/**
 * Check fn's gradients with respect to `inputs` (those with requiresGrad, or all when none has it).
 * Inputs are copied to float64; fn must build its result from them with rnngrad ops.
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const xs = inputs.map((x) => astype(x, 'float64'));
  const checkAll = !inputs.some((x) => x.requiresGrad);
  const checked = inputs.map((x) => checkAll || x.requiresGrad);
  xs.forEach((x, i) => (x.requiresGrad = checked[i]));
  const names = inputs.map((x, i) => options.names?.[i] ?? x.name ?? `x${i}`);

  const evalOutputs = (): Tensor[] => {
    const out = fn(...xs);
    return Array.isArray(out) ? [...(out as readonly Tensor[])] : [out as Tensor];
  };
  const flat = (outs: Tensor[]): Float64Array => {
    const total = outs.reduce((a, o) => a + o.size, 0);
    const v = new Float64Array(total);
    let k = 0;
    for (const o of outs) {
      v.set(o.data, k);
      k += o.size;
    }
    return v;
  };

  const probe = noGrad(evalOutputs);
  // Checked before any backward, whose own dtype error would hide the cause.
  if (probe.some((o) => o.dtype !== 'float64')) {
    throw new Error('gradcheck: fn produced a float32 output from float64 inputs; build it from the inputs with rnngrad ops');
  }
  const shapes = probe.map((o) => o.shape);
  const totalOut = probe.reduce((a, o) => a + o.size, 0);
  const mode = options.mode === 'jacobian' || (options.mode !== 'projection' && totalOut <= 8) ? 'jacobian' : 'projection';

  // Each "direction" is a vector over the flattened outputs: one-hot rows of the Jacobian, or r.
  const directions: Float64Array[] = [];
  if (mode === 'jacobian') {
    for (let j = 0; j < totalOut; j++) {
      const d = new Float64Array(totalOut);
      d[j] = 1;
      directions.push(d);
    }
  } else {
    const rng = new Random(options.seed ?? 1234);
    const r = new Float64Array(totalOut);
    for (let j = 0; j < totalOut; j++) r[j] = rng.normal();
    directions.push(r);
  }

  // Analytic: one backward per direction.
  const analytic: Float64Array[][] = directions.map((dir) => {
    xs.forEach((x) => x.zeroGrad());
    const outs = evalOutputs();
    let k = 0;
    outs.forEach((o, idx) => {
      const part = dir.subarray(k, k + o.size);
      k += o.size;
      if (!o.requiresGrad) return;
      const last = idx === outs.length - 1;
      o.backward(new Tensor(Float64Array.from(part), o.shape), { retainGraph: !last });
    });
    return xs.map((x) => (x.grad ? Float64Array.from(x.grad.data) : new Float64Array(x.size)));
  });

  const reports: InputReport[] = [];
  xs.forEach((x, i) => {
    if (!checked[i]) return;
    const errors = new ErrorTracker(x.shape);
    let passed = true;
    for (let k = 0; k < x.size; k++) {
      // #region central-difference
      const saved = x.data[k];
      x.data[k] = saved + eps;
      const plus = flat(noGrad(evalOutputs));
      x.data[k] = saved - eps;
      const minus = flat(noGrad(evalOutputs));
      x.data[k] = saved;
      directions.forEach((dir, di) => {
        let numeric = 0;
        for (let j = 0; j < totalOut; j++) numeric += (dir[j] * (plus[j] - minus[j])) / (2 * eps);
        const a = analytic[di][i][k];
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) passed = false;
        errors.note(k, di, a, numeric);
      });
      // #endregion central-difference
    }
    reports.push({ name: names[i], shape: x.shape, passed, ...errors.result() });
  });

  const report: GradcheckReport = {
    passed: reports.every((r) => r.passed),
    mode,
    maxAbsError: Math.max(0, ...reports.map((r) => r.maxAbsError)),
    maxRelError: Math.max(0, ...reports.map((r) => r.maxRelError)),
    inputs: reports,
  };
  if (options.strict && !report.passed) throw new Error(describeFailure(report, shapes, atol, rtol));
  return report;
}

/** The readable failure: which input, which element, both values, and the tolerance it missed. */
export function describeFailure(report: GradcheckReport, outputShapes: readonly (readonly number[])[], atol: number, rtol: number): string {
  const lines = [`gradcheck failed (${report.mode}, atol ${atol}, rtol ${rtol}; outputs ${outputShapes.map((s) => fmt(s)).join(', ')}):`];
  for (const r of report.inputs.filter((x) => !x.passed)) {
    const w = r.worst;
    const where = report.mode === 'jacobian' ? ` of output element ${w.output}` : ' (random projection of the outputs)';
    lines.push(
      `  input '${r.name}' ${fmt(r.shape)}: worst element [${w.index.join(',')}]${where}: analytic ${w.analytic.toPrecision(10)}, ` +
        `numeric ${w.numeric.toPrecision(10)}, max abs error ${r.maxAbsError.toExponential(2)}, max rel error ${r.maxRelError.toExponential(2)}`,
    );
  }
  return lines.join('\n');
}
