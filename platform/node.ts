/**
 * The Node side of the platform seam (see ./index.ts). It reaches Node only through the
 * `process` global, and its one built-in module (worker_threads) through
 * `process.getBuiltinModule` (Node ≥ 20.16), so the browser bundle can carry this file without
 * a stub: none of it runs there.
 */
import type { Platform, WorkerData } from './index';

/** The slice of Node's `process` used here. */
interface NodeProcess {
  readonly versions: { readonly node?: string };
  readonly platform: string;
  readonly env: Record<string, string | undefined>;
  readonly hrtime: { bigint(): bigint };
  readonly stderr: { write(chunk: string): boolean };
  getBuiltinModule?(id: 'worker_threads'): typeof import('worker_threads');
  getBuiltinModule?(id: 'v8'): typeof import('v8');
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** Whether this is Node (not a browser page or a web worker). */
export function isNode(): boolean {
  return typeof nodeProcess?.versions?.node === 'string';
}

function node(): NodeProcess {
  if (!nodeProcess) throw new Error('rnngrad: the Node platform used outside Node');
  return nodeProcess;
}

export const nodePlatform: Platform = {
  name: 'node',
  get env() {
    return node().env;
  },
  now: () => Number(node().hrtime.bigint()) / 1e6,
  notice: (line) => {
    node().stderr.write(`${line}\n`);
  },
  startWorker(body: string, workerData: WorkerData): boolean {
    const threads = node().getBuiltinModule?.('worker_threads');
    if (!threads) return false;
    const worker = new threads.Worker(`const { workerData } = require('worker_threads');\n${body}`, { eval: true, workerData });
    worker.unref();
    return true;
  },
  setEngineFlag(flag: string): boolean {
    const v8 = node().getBuiltinModule?.('v8');
    if (!v8) return false;
    v8.setFlagsFromString(flag);
    return true;
  },
  noGlReason: () =>
    node().platform === 'linux' && !node().env.DISPLAY
      ? 'no GL context: DISPLAY is unset (run under xvfb-run for headlessgl)'
      : 'no GL context: the gl package could not create one',
};
