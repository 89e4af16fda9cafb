/**
 * The platform seam: the few things rnngrad's engine needs from the machine it runs on, and the
 * only way the floors above it reach them. `engine/`, `cells/`, `train/` and `kernels/` import
 * no Node built-in; what differs between Node and a browser page sits behind this interface:
 *
 *   | need                          | Node (platform/node.ts)            | browser (platform/browser.ts)        |
 *   | environment variables         | process.env                        | none                                 |
 *   | a monotonic clock             | process.hrtime                     | performance.now()                    |
 *   | one-line notices              | stderr                             | console.warn                         |
 *   | a helper thread for wasm      | worker_threads                     | a Web Worker, where the page is      |
 *   |                               |                                    | crossOriginIsolated and the caller   |
 *   |                               |                                    | may block (inside a Web Worker)      |
 *   | why no GL context             | DISPLAY unset / the gl package     | no WebGL2 in this page               |
 *
 * The side is picked when this module loads, from what the JavaScript engine has (Node has a
 * `process.versions.node`), so both bundles and Node's CommonJS build load the same code with no
 * aliases. Files on disk are not part of the seam: they are Node-only modules under `node/`
 * (model files, checkpoints, data files), and their browser counterparts (fetch, File objects,
 * downloads) are under `browser/`.
 */
import { nodePlatform, isNode } from './node';
import { browserPlatform } from './browser';

/** Data handed to a helper thread: structured-cloneable values (numbers, strings, SharedArrayBuffers, wasm memories). */
export type WorkerData = Readonly<Record<string, unknown>>;

export interface Platform {
  /** Which side this is. */
  readonly name: 'node' | 'browser';
  /** Environment variables (Node's process.env; empty in a browser). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds from a monotonic clock, sub-millisecond resolution (for timings, not dates). */
  now(): number;
  /** Write one line where notices go (stderr in Node, console.warn in a page). */
  notice(line: string): void;
  /**
   * Start a helper thread running `body`, a script that reads the constant `workerData`; it may
   * block in Atomics.wait. The thread never keeps the process alive. Returns false where no such
   * thread can run here (a browser page without cross-origin isolation, or a caller that may
   * not block while the helper works).
   */
  startWorker(body: string, workerData: WorkerData): boolean;
  /**
   * Turn on a V8 flag for this process where the engine allows it (Node: v8.setFlagsFromString;
   * absent in a browser). Used for one thing: WebAssembly relaxed SIMD, behind a flag in Node 20
   * (kernels/wasm/relaxed.ts). Returns whether it could try.
   */
  setEngineFlag?(flag: string): boolean;
  /** Why gpu.js found no GL context, in words, for the fallback notice. */
  noGlReason(): string;
}

const current: Platform = isNode() ? nodePlatform : browserPlatform;

/** The platform this code runs on. */
export function platform(): Platform {
  return current;
}
