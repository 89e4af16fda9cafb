/**
 * A small typed flag parser: each command declares its flags once (name, type, range, help,
 * default) and gets validated values back, or a CliError naming the flag and what it expected.
 */

/** An error for the user: printed as one line, exit code 2, never a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export type FlagValue = string | number | boolean;

export interface FlagSpec {
  /** The flag without dashes: 'units' for --units. */
  readonly name: string;
  readonly type: 'string' | 'number' | 'int' | 'boolean' | 'choice';
  readonly help: string;
  readonly choices?: readonly string[];
  /** Inclusive lower bound, or exclusive when `minExclusive`. */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Inclusive upper bound, or exclusive when `maxExclusive`. */
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /** Shown by --help; the value used when the flag is absent (undefined: absent). */
  readonly default?: FlagValue;
  /** How the default is described in --help when it depends on something (e.g. the task). */
  readonly defaultText?: string;
}

export type Flags = Record<string, FlagValue | undefined>;

/** Parse `--name value` / `--name=value` / `--flag` into typed values; positional words are returned apart. */
export function parseFlags(command: string, specs: readonly FlagSpec[], argv: readonly string[]): { flags: Flags; positional: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: Flags = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new CliError(`rnngrad ${command}: unknown flag --${name} (see rnngrad ${command} --help)`);
    if (name in flags) throw new CliError(`rnngrad ${command}: --${name} given twice`);
    if (spec.type === 'boolean') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new CliError(`rnngrad ${command}: --${name} takes true or false, got '${v}'`);
        flags[name] = v === 'true';
      } else {
        flags[name] = true;
      }
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new CliError(`rnngrad ${command}: --${name} needs a value`);
      raw = argv[++i];
    }
    flags[name] = convert(command, spec, raw);
  }
  for (const s of specs) if (!(s.name in flags) && s.default !== undefined) flags[s.name] = s.default;
  return { flags, positional };
}

function convert(command: string, spec: FlagSpec, raw: string): FlagValue {
  const where = `rnngrad ${command}: --${spec.name}`;
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new CliError(`${where} needs a non-empty value`);
      return raw;
    case 'choice':
      if (!spec.choices?.includes(raw)) throw new CliError(`${where}: unknown value '${raw}' (expected one of: ${spec.choices?.join(', ')})`);
      return raw;
    case 'number':
    case 'int': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new CliError(`${where}: '${raw}' is not a number`);
      if (spec.type === 'int' && !Number.isInteger(v)) throw new CliError(`${where}: '${raw}' is not a whole number`);
      const lowOk = spec.min === undefined || (spec.minExclusive ? v > spec.min : v >= spec.min);
      const highOk = spec.max === undefined || (spec.maxExclusive ? v < spec.max : v <= spec.max);
      if (!lowOk || !highOk) {
        const lo = spec.min === undefined ? '(−∞' : `${spec.minExclusive ? '(' : '['}${spec.min}`;
        const hi = spec.max === undefined ? '∞)' : `${spec.max}${spec.maxExclusive ? ')' : ']'}`;
        throw new CliError(`${where}: ${raw} is outside ${lo}, ${hi}`);
      }
      return v;
    }
    default:
      throw new CliError(`${where}: unsupported flag type`);
  }
}

/** The --help text of a command. */
export function helpText(command: string, summary: string, usage: string, specs: readonly FlagSpec[], extra = ''): string {
  const rows = specs.map((s) => {
    const value = s.type === 'boolean' ? '' : s.type === 'choice' ? ` ${s.choices?.join('|')}` : s.type === 'string' ? ' VALUE' : ' N';
    const def = s.defaultText ?? (s.default !== undefined && s.type !== 'boolean' ? String(s.default) : undefined);
    return [`  --${s.name}${value}`, `${s.help}${def !== undefined ? ` (default: ${def})` : ''}`];
  });
  const width = Math.min(44, Math.max(...rows.map((r) => r[0].length)) + 2);
  const lines = rows.map(([a, b]) => (a.length >= width ? `${a}\n${' '.repeat(width)}${b}` : a.padEnd(width) + b));
  return [`rnngrad ${command} — ${summary}`, '', `usage: ${usage}`, '', 'flags:', ...lines, '  --help'.padEnd(width) + 'show this help', extra].join('\n').trimEnd() + '\n';
}
