/** --backend (or RNNGRAD_BACKEND) → installed kernels, with the one-line notice on stderr. */
import { setBackend, backendFromEnv, BackendChoice, BackendName } from '../kernels/backend';
import { CliError } from './args';

export function chooseBackend(flag: string | undefined): BackendChoice {
  let name: BackendName;
  try {
    name = (flag as BackendName | undefined) ?? backendFromEnv();
  } catch (e) {
    throw new CliError(`rnngrad: ${(e as Error).message}`);
  }
  const choice = setBackend(name);
  if (choice.notice === null) process.stderr.write(`rnngrad: kernels ${choice.kernels}\n`);
  return choice;
}
