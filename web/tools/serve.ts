/**
 * A small static server for the playground and the browser benchmark: web/ on 127.0.0.1 only,
 * with the headers that make a page cross-origin isolated (COOP same-origin, COEP require-corp:
 * SharedArrayBuffer and so rnngrad's wasm helper threads). Nothing is fetched from elsewhere.
 *
 * `npm run playground` (web/tools/playground.ts) builds web/dist/ and serves it with this.
 */
import * as http from 'http';
import * as fs from 'fs';
import * as path from 'path';
import type { AddressInfo } from 'net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve `root` on 127.0.0.1:`port` (0: any free port). */
export function serve(root: string, port = 0): Promise<Served> {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    let file = path.resolve(base, `.${pathname}`);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403, headers).end('outside the served folder');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** The web/ folder, from web/tools/ (sources) or web/dist/tools/ (the built script). */
export function webRoot(from = __dirname): string {
  let dir = from;
  const isWeb = (d: string): boolean => fs.existsSync(path.join(d, 'index.html')) && fs.existsSync(path.join(d, 'src', 'page.ts'));
  for (let up = 0; up < 7; up++) {
    if (isWeb(dir)) return dir;
    if (isWeb(path.join(dir, 'web'))) return path.join(dir, 'web');
    dir = path.dirname(dir);
  }
  throw new Error(`serve: no web/ folder (index.html and src/) above ${from}`);
}
