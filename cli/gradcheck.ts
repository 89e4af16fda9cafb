/**
 * `rnngrad gradcheck`: the float64 gradient-check suite — every op and every cell (with its
 * dropout and masking variants) against central differences — as a table, or as JSON.
 */
import { opCases } from '../engine/op-cases';
import { cellCases } from '../cells/gradcheck-cases';
import { runCase, SUITE_TOLERANCE, GradcheckRow } from '../engine/gradcheck-suite';
import { parseFlags, helpText, CliError, FlagSpec } from './args';

const FLAGS: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', help: 'print {"rows": [...]} on stdout instead of the table' },
  { name: 'kind', type: 'choice', choices: ['op', 'cell', 'all'], help: 'which rows to run', default: 'all' },
  { name: 'only', type: 'string', help: 'run only rows whose name contains this text' },
];

export function gradcheckHelp(): string {
  return helpText('gradcheck', 'check every op and cell against float64 finite differences', 'rnngrad gradcheck [--json] [--kind op|cell|all] [--only TEXT]', FLAGS,
    `\nEach row passes when |analytic − numeric| ≤ ${SUITE_TOLERANCE.atol.toExponential(0)} + ${SUITE_TOLERANCE.rtol.toExponential(0)}·|numeric| for every element\n` +
    '(central differences, ε = 1e-6); relative error = |analytic − numeric| / max(|numeric|, 1).');
}

export function formatRows(rows: readonly GradcheckRow[]): string {
  const head = ['name', 'kind', 'max abs error', 'max rel error', 'pass'];
  const body = rows.map((r) => [r.name, r.kind, r.maxAbsError.toExponential(2), r.maxRelError.toExponential(2), r.passed ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function gradcheckCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(gradcheckHelp());
    return 0;
  }
  const { flags, positional } = parseFlags('gradcheck', FLAGS, argv);
  if (positional.length > 0) throw new CliError(`rnngrad gradcheck: unexpected argument '${positional[0]}'`);
  const kind = flags.kind as 'op' | 'cell' | 'all';
  const only = flags.only as string | undefined;
  const cases = [...(kind !== 'cell' ? opCases : []), ...(kind !== 'op' ? cellCases : [])].filter((c) => !only || c.name.includes(only));
  if (cases.length === 0) throw new CliError(`rnngrad gradcheck: no rows match --only ${only}`);
  const rows: GradcheckRow[] = [];
  for (const c of cases) {
    rows.push(runCase(c));
    if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r${rows.length}/${cases.length} ${c.name}\x1b[K`);
  }
  if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const failed = rows.filter((r) => !r.passed).length;
  if (flags.json) process.stdout.write(`${JSON.stringify({ tolerance: SUITE_TOLERANCE, rows })}\n`);
  else {
    process.stdout.write(`${formatRows(rows)}\n\n${rows.length - failed} of ${rows.length} rows pass at atol ${SUITE_TOLERANCE.atol.toExponential(0)}, rtol ${SUITE_TOLERANCE.rtol.toExponential(0)} (float64 central differences, ε = 1e-6)\n`);
  }
  return failed === 0 ? 0 : 1;
}
