/**
 * `--require FILE` (predict, evaluate, train): load a module before anything else, so that the
 * cells it registers (`registerCell`) are known to model files and to `--cell`. A `.ts` module
 * runs through ts-node when it is installed (rnngrad's dev dependency; `npm i -D ts-node`).
 * The module should import rnngrad as `'rnngrad'`, so that it registers into the same registry
 * the command reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliError, FlagSpec } from './args';

export const REQUIRE_FLAG: FlagSpec = {
  name: 'require',
  type: 'string',
  help: 'load this module first (e.g. one that calls registerCell for a custom cell); .ts runs through ts-node',
};

let tsNodeRegistered = false;

/** Load the module `file` names (relative to the working directory); errors name the file. */
export function requireModule(command: string, file: string): void {
  const absolute = path.resolve(file);
  const where = `rnngrad ${command}: --require ${file}`;
  if (!fs.existsSync(absolute)) throw new CliError(`${where}: no such file`);
  if (/\.(c|m)?tsx?$/.test(absolute) && !tsNodeRegistered) {
    let register: ((options: Record<string, unknown>) => unknown) | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      register = (require(require.resolve('ts-node', { paths: [process.cwd(), __dirname] })) as { register: typeof register }).register;
    } catch {
      throw new CliError(`${where}: a TypeScript module needs ts-node (npm install --save-dev ts-node), or compile it to .js first`);
    }
    // Transpile only, as CommonJS, whatever the working directory's tsconfig says: the module runs inside this CJS process.
    register?.({ transpileOnly: true, skipProject: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node', target: 'es2022', esModuleInterop: true } });
    tsNodeRegistered = true;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(absolute);
  } catch (e) {
    // The first lines of the cause (a compiler's message puts the diagnostic on the second), as one line.
    const lines = String((e as Error)?.message ?? e).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
    throw new CliError(`${where}: loading it failed: ${lines.slice(0, 3).join(' — ')}`);
  }
}
