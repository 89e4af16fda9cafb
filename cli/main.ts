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

const COMMANDS: Record<string, { run: (argv: readonly string[]) => Promise<number>; summary: string }> = {
  train: { run: trainCommand, summary: 'train a recurrent network on a task or a data file' },
  predict: { run: predictCommand, summary: 'run a saved model on inputs from a JSON file' },
  evaluate: { run: evaluateCommand, summary: "measure a saved model on a task's validation set" },
  gradcheck: { run: gradcheckCommand, summary: 'check every op and cell against float64 finite differences' },
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      // A user's mistake (CliError) or a library error with a readable message: one line, exit 2.
      // Anything else is a bug in rnngrad: show the stack so it can be reported.
      const known = err instanceof CliError || err instanceof Error;
      process.stderr.write(known ? `${err.message.startsWith('rnngrad') ? '' : 'rnngrad: '}${err.message}\n` : `rnngrad: ${String(e)}\n`);
      if (process.env.RNNGRAD_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 2;
    },
  );
}
