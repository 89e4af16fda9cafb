/**
 * `rnngrad compare-grads --expected key.json --actual mine.json [--atol A] [--rtol R] [--json]`:
 * checks a gradient file against the answer key (train/compare-grads.ts) and prints, per weight,
 * the max absolute and relative error and the worst element — by gate and unit for the
 * gate-stacked weights — then one line for each weight that failed. Exit 0 when every row passes,
 * 1 when a value is out of tolerance, 2 for a file that cannot be read, is not a gradient file, or
 * does not have the key's weights and shapes.
 */
import { readGradsFile } from '../node/grads-file';
import { compareGrads, describeFailures, FLOAT32_TOLERANCE, GradRow, GradsComparison } from '../train/compare-grads';
import { parseFlags, helpText, CliError, FlagSpec } from './args';

/** 1e-5 rather than 0.00001. */
const tol = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));

const FLAGS: readonly FlagSpec[] = [
  { name: 'expected', type: 'string', help: 'the answer key (rnngrad grads, float64)' },
  { name: 'actual', type: 'string', help: 'the gradients to check, in the same form' },
  { name: 'atol', type: 'number', min: 0, help: 'absolute tolerance', default: FLOAT32_TOLERANCE.atol, defaultText: tol(FLOAT32_TOLERANCE.atol) },
  { name: 'rtol', type: 'number', min: 0, help: 'relative tolerance', default: FLOAT32_TOLERANCE.rtol, defaultText: tol(FLOAT32_TOLERANCE.rtol) },
  { name: 'json', type: 'boolean', help: 'print {"passed", "tolerance", "rows": [...]} on stdout instead of the table' },
];

export function compareGradsHelp(): string {
  return helpText('compare-grads', 'check gradients against the answer key, naming the weight, gate and element that differ',
    'rnngrad compare-grads --expected key.json --actual mine.json [--atol A] [--rtol R] [--json]', FLAGS,
    `\nAn element passes when |actual − expected| ≤ atol + rtol·|expected|. The defaults (atol ${tol(FLOAT32_TOLERANCE.atol)}, rtol ${tol(FLOAT32_TOLERANCE.rtol)})\n` +
    'suit float32 gradients checked against the float64 key; for float64 against float64 try --atol 1e-9 --rtol 1e-7.\n' +
    'Relative error = |actual − expected| / max(|expected|, 1). The worst element is the one furthest outside (or nearest to)\n' +
    'its tolerance. Gate-stacked weights (kernel, recurrent_kernel, bias of an\n' +
    'LSTM: gates i, f, c, o; of a GRU: z, r, h — Keras order along the last axis) report the gate and unit of the worst element.\n' +
    'Exit status: 0 all rows pass; 1 some value is out of tolerance; 2 a file cannot be read, holds a non-finite value,\n' +
    'or does not match the key (a weight missing, unknown, or of another shape).');
}

const exp2 = (v: number | null): string => (v === null ? '—' : v.toExponential(2));
const num = (v: number | undefined): string => (v === undefined ? '—' : v.toPrecision(7));

/** The terminal table: one row per weight, then the input gradient and the loss. */
export function formatComparison(c: GradsComparison): string {
  const head = ['weight', 'shape', 'max abs error', 'max rel error', 'worst element', 'expected', 'actual', 'pass'];
  const shapeOf = (r: GradRow): string => `[${(r.expectedShape ?? r.actualShape ?? []).join(',')}]`;
  const body = c.rows.map((r) => [
    r.name, shapeOf(r), exp2(r.maxAbsError), exp2(r.maxRelError), r.worst?.where ?? '—', num(r.worst?.expected), num(r.worst?.actual),
    r.status === 'pass' ? 'yes' : r.status === 'fail' ? 'NO' : r.status.toUpperCase(),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const left = new Set([0, 1, 4, 7]);
  const line = (cells: string[]) => cells.map((s, i) => (left.has(i) ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ').trimEnd();
  const passing = c.rows.filter((r) => r.status === 'pass').length;
  const summary = `${passing} of ${c.rows.length} rows pass at atol ${tol(c.tolerance.atol)}, rtol ${tol(c.tolerance.rtol)}`;
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line), '', summary, ...describeFailures(c)].join('\n');
}

export async function compareGradsCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(compareGradsHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('compare-grads', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad compare-grads: unexpected argument '${positional[0]}' (flags start with --)`);
  for (const k of ['expected', 'actual']) if (flags[k] === undefined) throw new CliError(`rnngrad compare-grads: --${k} is required`);
  const read = (flag: string) => {
    try {
      return readGradsFile(flags[flag] as string);
    } catch (e) {
      throw new CliError(`rnngrad compare-grads: --${flag} ${(e as Error).message}`);
    }
  };
  const expected = read('expected');
  const actual = read('actual');
  const c = compareGrads(expected, actual, { atol: flags.atol as number, rtol: flags.rtol as number });
  process.stdout.write(flags.json ? `${JSON.stringify(c)}\n` : `${formatComparison(c)}\n`);
  // Weights that cannot be compared element by element mean the files are not of the same model.
  const unmatched = c.rows.filter((r) => r.status === 'missing' || r.status === 'extra' || r.status === 'shape mismatch');
  if (unmatched.length > 0) {
    const what = unmatched.map((r) => (r.status === 'missing' ? `'${r.name}' missing` : r.status === 'extra' ? `unknown weight '${r.name}'` : `'${r.name}' has shape [${r.actualShape}], the key [${r.expectedShape}]`));
    throw new CliError(`rnngrad compare-grads: --actual ${flags.actual} does not match the key ${flags.expected}: ${what.join('; ')}`);
  }
  return c.passed ? 0 : 1;
}
