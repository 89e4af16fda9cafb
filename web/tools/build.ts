/**
 * Builds web/dist/: the playground's page and worker bundles, the browser benchmark's bundle,
 * and the files they load at run time — uPlot's stylesheet, the chars text (data/sonnets.txt)
 * and TF.js's wasm binaries — so the pages fetch nothing from the internet.
 * The bundles are made from the library's TypeScript sources by esbuild (platform browser).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { webRoot } from './serve';

/** Build web/dist/ and say what was written; returns the web/ folder. */
export function buildWeb(): string {
  const web = webRoot();
  const repo = path.dirname(web);
  const out = path.join(web, 'dist');
  fs.mkdirSync(out, { recursive: true });

  const started = Date.now();
  buildSync({
    entryPoints: {
      page: path.join(web, 'src', 'page.ts'),
      worker: path.join(web, 'src', 'worker.ts'),
      bench: path.join(web, 'bench', 'bench.ts'),
      tfjs: path.join(web, 'bench', 'tfjs-entry.ts'),
    },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  });

  const copies: [string, string][] = [
    [path.join(repo, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'uPlot.min.css'],
    [path.join(repo, 'data', 'sonnets.txt'), 'sonnets.txt'],
  ];
  const wasmDir = path.join(repo, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of fs.readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copies.push([path.join(wasmDir, f), path.join('tfjs-wasm', f)]);
  for (const [from, to] of copies) {
    fs.mkdirSync(path.dirname(path.join(out, to)), { recursive: true });
    fs.copyFileSync(from, path.join(out, to));
  }
  const kb = (f: string): string => `${Math.round(fs.statSync(path.join(out, f)).size / 1024)} kB`;
  process.stderr.write(`web/dist: page.js ${kb('page.js')}, worker.js ${kb('worker.js')}, bench.js ${kb('bench.js')}, tfjs.js ${kb('tfjs.js')} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return web;
}
