/**
 * The browser side of the platform seam (see ./index.ts): a page or a Web Worker. The few web
 * APIs used are typed here (the project compiles without the DOM lib, as kernels/wasm/runtime.ts
 * does for WebAssembly).
 */
import type { Platform, WorkerData } from './index';

/** The slice of the web platform used here. */
interface WebGlobals {
  readonly performance?: { now(): number };
  readonly console: { warn(line: string): void };
  readonly crossOriginIsolated?: boolean;
  /** Present inside a Web Worker (where Atomics.wait is allowed), absent in a page. */
  readonly WorkerGlobalScope?: unknown;
  readonly Worker?: new (url: string) => { postMessage(data: unknown): void };
  readonly Blob?: new (parts: string[], options: { type: string }) => object;
  readonly URL: { createObjectURL?(blob: object): string };
}

const web = globalThis as unknown as WebGlobals;

/**
 * A helper thread can share work only where memory can be shared (crossOriginIsolated) and the
 * caller may block in Atomics.wait: inside a Web Worker. A page's main thread may not block,
 * so there the wasm kernels run on one thread.
 */
function helperThreadsAllowed(): boolean {
  return web.crossOriginIsolated === true && web.WorkerGlobalScope !== undefined && web.Worker !== undefined &&
    web.Blob !== undefined && web.URL.createObjectURL !== undefined;
}

export const browserPlatform: Platform = {
  name: 'browser',
  env: {},
  now: () => (web.performance ? web.performance.now() : Date.now()),
  notice: (line) => web.console.warn(line),
  startWorker(body: string, workerData: WorkerData): boolean {
    if (!helperThreadsAllowed() || !web.Worker || !web.Blob || !web.URL.createObjectURL) return false;
    // The body runs once its data arrives; a page-side worker gets data by message, not at start.
    const script = `self.onmessage = (event) => {\n  self.onmessage = null;\n  const workerData = event.data;\n${body}\n};`;
    const url = web.URL.createObjectURL(new web.Blob([script], { type: 'text/javascript' }));
    new web.Worker(url).postMessage(workerData);
    return true;
  },
  noGlReason: () => 'no WebGL2 context in this page',
};
