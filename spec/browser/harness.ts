/**
 * Tests in a real browser: the system's Chromium driven by playwright-core (no browser is ever
 * downloaded), pages served from this checkout by a small http server on 127.0.0.1 that sends the
 * cross-origin-isolation headers (so SharedArrayBuffer, and the wasm helper thread, are there).
 *
 *   describeBrowser('my pages', () => {      // a skipped describe (one line says why) without Chromium
 *     let b: TestBrowser;
 *     beforeAll(async () => { b = await startBrowser({ mounts: { '/models/': dir } }); });
 *     afterAll(() => b?.close());
 *     test('…', async () => {
 *       const page = await b.open();           // the blank page; or b.open('/web/index.html')
 *       expect(await page.run('return rnngrad.kernelsName();')).toBe('js');   // rnngrad = the bundle
 *       expect(page.errors()).toEqual([]);     // console errors and uncaught exceptions, ReadPixels notices left out
 *     });
 *   });
 *
 * The server serves the whole checkout (so /dist/browser/rnngrad.mjs, /web/…, /node_modules/…),
 * plus `mounts` (folders under URL prefixes) and `routes` (fixed bodies or handlers). Where
 * Chromium is missing the suites skip, saying so in one line; with RNNGRAD_REQUIRE_BROWSER=1 (set
 * by .ci/run) a missing browser fails instead. Used by spec/browser/*.test.ts, the playground's
 * tests included.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { chromium, type Browser, type Page, type ConsoleMessage } from 'playwright-core';

/** The checkout's root: the server's document root. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Where the bundle is served (npm run build writes it). */
export const BUNDLE_URL = '/dist/browser/rnngrad.mjs';
/** A page with nothing on it but a title: the tests import the bundle into it. */
export const BLANK_URL = '/__blank.html';

/** The Chromium executable: RNNGRAD_CHROMIUM, or Debian's package (`apt-get install -y chromium`). */
export const CHROMIUM = process.env.RNNGRAD_CHROMIUM ?? '/usr/bin/chromium';
/** Launch flags: headless, no sandbox (containers), WebGL2 and WebGPU on SwiftShader, no network chatter. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu',
  '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
];

/** Console messages that are performance notices, not errors (every WebGL readback makes one). */
const NOT_ERRORS = [/GPU stall due to ReadPixels/];

/** Why the browser tests cannot run here (null: they can). Throws when RNNGRAD_REQUIRE_BROWSER=1. */
export function browserMissing(): string | null {
  let why: string | null = null;
  if (!fs.existsSync(CHROMIUM)) why = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set RNNGRAD_CHROMIUM)`;
  else if (!fs.existsSync(path.join(ROOT, BUNDLE_URL))) why = `no ${BUNDLE_URL.slice(1)} (npm run build writes it)`;
  if (why && process.env.RNNGRAD_REQUIRE_BROWSER === '1') throw new Error(`browser tests required (RNNGRAD_REQUIRE_BROWSER=1) but ${why}`);
  return why;
}

/**
 * `describe`, or — where the browser tests cannot run — a skipped describe and one line on
 * stderr saying why. With RNNGRAD_REQUIRE_BROWSER=1 a missing browser fails the suite.
 */
export function describeBrowser(name: string, body: () => void): void {
  let why: string | null;
  try {
    why = browserMissing();
  } catch (e) {
    describe(name, () => test('the browser is there', () => {
      throw e;
    }));
    return;
  }
  if (why) {
    process.stderr.write(`${name}: browser tests skipped: ${why}\n`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

// #region the server
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript',
  '.json': 'application/json', '.map': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
};

export interface ServerOptions {
  /** Send COOP/COEP (crossOriginIsolated pages); default true. */
  readonly isolated?: boolean;
  /** Folders served under URL prefixes: { '/models/': '/tmp/x' } serves /tmp/x/a.json as /models/a.json. */
  readonly mounts?: Record<string, string>;
  /** Extra responses by URL path (a test's fixtures): a body, or a handler. */
  readonly routes?: Record<string, string | Uint8Array | ((req: http.IncomingMessage, res: http.ServerResponse) => void)>;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Serve folder `dir` under URL prefix `prefix` (ending in '/') while running. */
  mount(prefix: string, dir: string): void;
  /** Add or replace a route while running. */
  route(urlPath: string, body: string | Uint8Array | ((req: http.IncomingMessage, res: http.ServerResponse) => void)): void;
  close(): Promise<void>;
}

/** Serve the checkout (read-only, GET/HEAD, nothing outside ROOT) plus `routes` on 127.0.0.1, a free port. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const routes = new Map(Object.entries(options.routes ?? {}));
  routes.set(BLANK_URL, '<!doctype html><meta charset="utf-8"><title>rnngrad test page</title><body></body>');
  const mounts = new Map(Object.entries(options.mounts ?? {}));
  const isolated = options.isolated ?? true;
  const server = http.createServer((req, res) => {
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    res.setHeader('Cache-Control', 'no-store');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    const route = routes.get(url.pathname);
    const type = TYPES[path.extname(url.pathname)] ?? 'application/octet-stream';
    if (typeof route === 'function') return route(req, res);
    if (route !== undefined) {
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(route) });
      return res.end(req.method === 'HEAD' ? undefined : route);
    }
    const mount = [...mounts.keys()].find((prefix) => url.pathname.startsWith(prefix));
    const [base, rest] = mount ? [path.resolve(mounts.get(mount)!), url.pathname.slice(mount.length)] : [ROOT, url.pathname];
    let file: string;
    try {
      file = path.join(base, decodeURIComponent(rest));
    } catch {
      res.writeHead(400);
      return res.end();
    }
    if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': fs.statSync(file).size });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    mount: (prefix, dir) => void mounts.set(prefix, dir),
    route: (p, body) => void routes.set(p, body),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
// #endregion

// #region the browser and its pages
export interface TestPage {
  readonly page: Page;
  /** Console errors and uncaught page errors so far (ReadPixels notices left out). */
  errors(): string[];
  /** Every console line so far, as "type: text". */
  logs(): string[];
  /**
   * Run `body` (JavaScript, the body of an async function) in the page with `rnngrad` bound to
   * the bundle's module; returns what it returns (JSON-serialisable values).
   */
  run<T = unknown>(body: string, arg?: unknown): Promise<T>;
}

export interface TestBrowser {
  readonly browser: Browser;
  readonly server: TestServer;
  /** Open `urlPath` on the test server (default: the blank page). */
  open(urlPath?: string): Promise<TestPage>;
  close(): Promise<void>;
}

/** Launch the system Chromium (playwright-core; never a download). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A server and a browser; close() ends both. */
export async function startBrowser(options: ServerOptions = {}): Promise<TestBrowser> {
  const server = await startServer(options);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    browser,
    server,
    open: (urlPath = BLANK_URL) => openPage(browser, server.origin + urlPath),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Open `url` in a new page, collecting console errors and uncaught exceptions. */
export async function openPage(browser: Browser, url: string): Promise<TestPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const logs: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    logs.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error' && !NOT_ERRORS.some((re) => re.test(m.text()))) errors.push(m.text());
  });
  page.on('pageerror', (e: Error) => errors.push(`uncaught: ${e.message}`));
  await page.goto(url);
  return {
    page,
    errors: () => errors.filter((e) => !NOT_ERRORS.some((re) => re.test(e))),
    logs: () => logs.slice(),
    // A string, not a function: ts-jest would turn a function's import() into require().
    run: <T>(body: string, arg?: unknown) =>
      page.evaluate(`(async (arg) => {\n const rnngrad = await import(${JSON.stringify(BUNDLE_URL)});\n${body}\n})(${JSON.stringify(arg ?? null)})`) as Promise<T>,
  };
}
// #endregion
