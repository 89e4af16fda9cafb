#!/usr/bin/env node
/**
 * The `rnngrad` command. Each subcommand lives in its own file; this one dispatches, and turns
 * errors into one line on stderr and a non-zero exit — never a stack trace for a user's mistake.
 */
import { CliError } from './args';
import { trainCommand, trainHelp } from './train';
import { predictCommand } from './predict';
import { evaluateCommand } from './evaluate';
import { gradcheckCommand } from './gradcheck';
import { courseCommand } from './course';
import { gradsCommand } from './grads';
import { compareGradsCommand } from './compare-grads';

const COMMANDS: Record<string, { run: (argv: readonly string[]) => Promise<number>; summary: string }> = {
  train: { run: trainCommand, summary: 'train a recurrent network on a task or a data file' },
  predict: { run: predictCommand, summary: 'run a saved model on inputs from a JSON file' },
  evaluate: { run: evaluateCommand, summary: "measure a saved model on a task's validation set" },
  gradcheck: { run: gradcheckCommand, summary: 'check every op and cell against float64 finite differences' },
  grads: { run: gradsCommand, summary: 'the answer key: float64 gradients of a loss for every weight and the input' },
  'compare-grads': { run: compareGradsCommand, summary: 'check gradients against the answer key, naming weight, gate and element' },
  course: { run: courseCommand, summary: "the course run (npm start): every cell on the time-series task, beside Keras's figures" },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'rnngrad — recurrent networks on a from-scratch autodiff engine',
    '',
    'usage: rnngrad <command> [flags]     (rnngrad <command> --help for its flags)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(usage());
    if (command === 'help' && rest[0] === 'train') process.stdout.write(`\n${trainHelp()}`);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new CliError(`rnngrad: unknown command '${command}' (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
  return entry.run(rest);
}

/**
 * The line a failure prints. An allocation that does not fit (a RangeError from a typed array or
 * an array buffer) says so in words rather than as V8's message.
 */
export function errorMessage(e: unknown, command = ''): string {
  const prefix = `rnngrad${command && /^[a-z-]+$/.test(command) ? ` ${command}` : ''}: `;
  if (!(e instanceof Error)) return `${prefix}${String(e)}`;
  if (e instanceof RangeError && /typed array length|array buffer allocation failed|invalid array length|allocation failed|out of memory/i.test(e.message)) {
    return `${prefix}out of memory: a buffer of the size asked for could not be allocated (${e.message}); use a smaller model, batch or input`;
  }
  return e.message.startsWith('rnngrad') ? e.message : `rnngrad: ${e.message}`;
}

/** One line, at most 2 000 characters: control characters from a file's names are escaped. */
export function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const line = message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return line.length > 2000 ? `${line.slice(0, 2000)}…` : line;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      // A user's mistake (CliError) or a library error with a readable message: one line, exit 2.
      process.stderr.write(`${oneLine(errorMessage(e, argv[0]))}\n`);
      if (process.env.RNNGRAD_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    },
  );
}
