/**
 * `npm run bench:browser`: build web/dist/, serve web/ on 127.0.0.1, open the benchmark page
 * (web/bench/index.html) in headless Chromium (playwright-core, Debian's /usr/bin/chromium, no
 * browser download), wait for it, and write bench/results/report-browser.{md,json,svg,png}.
 *
 *   --full     the workloads' own sizes (default: quick, sized for software GL — see the page)
 *   --headed   a visible window (a desktop with a real GPU)
 *   --chromium PATH   another Chromium or Chrome
 *   --only rnngrad:js,tfjs:wasm   some engines only (engine:backend as the table names them)
 *
 * Headless Chromium on a server has no GPU: its WebGL2 and WebGPU run on SwiftShader, in
 * software. The report says which device the page saw.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { buildWeb } from '../../web/tools/build';
import { serve } from '../../web/tools/serve';

interface Row {
  readonly workload: string;
  readonly engine: string;
  readonly backend: string;
  readonly op: string;
  readonly shape: string;
  readonly medianMs: number | null;
  readonly samples: number;
  readonly gflops?: number;
  readonly maxAbsDiff?: number;
  readonly note?: string;
}

interface Report {
  readonly quick: boolean;
  readonly userAgent: string;
  readonly webglRenderer: string;
  readonly webgpuAdapter: string;
  readonly crossOriginIsolated: boolean;
  readonly tfjsVersion: string;
  readonly started: string;
  readonly seconds: number;
  readonly rows: Row[];
  readonly errors: string[];
}

const args = process.argv.slice(2);
const full = args.includes('--full');
const headed = args.includes('--headed');
const at = args.indexOf('--chromium');
const executablePath = at >= 0 ? args[at + 1] : process.env.CHROMIUM ?? '/usr/bin/chromium';
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const LIMIT_MS = (full ? 60 : 10) * 60_000;

const load = { before: os.loadavg()[0].toFixed(1) };

function isSoftware(s: string): boolean {
  return /swiftshader|llvmpipe|software|subzero/i.test(s);
}

function markdown(r: Report, command: string): string {
  const software = isSoftware(r.webglRenderer) || isSoftware(r.webgpuAdapter);
  const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toPrecision(digits));
  const table = (op: string): string[] => {
    const rows = r.rows.filter((x) => x.op === op && x.medianMs !== null);
    const workloads = [...new Set(rows.map((x) => `${x.workload} ${x.shape}`))];
    const engines = [...new Set(r.rows.filter((x) => x.medianMs !== null).map((x) => `${x.engine} ${x.backend}`))];
    const head = `| ${op === 'matmul' ? 'matmul' : 'workload'} | ${engines.join(' | ')} |`;
    const lines = [head, `|---|${engines.map(() => '---:').join('|')}|`];
    for (const w of workloads) {
      const cells = engines.map((e) => {
        const row = rows.find((x) => `${x.workload} ${x.shape}` === w && `${x.engine} ${x.backend}` === e);
        if (!row) return '—';
        return op === 'matmul' ? `${fmt(row.medianMs)} ms (${fmt(row.gflops, 2)} GFLOP/s)` : fmt(row.medianMs);
      });
      lines.push(`| ${w} | ${cells.join(' | ')} |`);
    }
    return lines;
  };
  const diffs = r.rows.filter((x) => x.op === 'forward' && x.maxAbsDiff !== undefined).map((x) => `${x.workload} ${x.engine} ${x.backend}: ${x.maxAbsDiff?.toExponential(1)}`);
  return [
    '# rnngrad in the browser: W1–W3 and matmul against TF.js',
    '',
    `Measured by \`${command}\` on ${r.started.slice(0, 10)} in ${r.seconds.toFixed(0)} s, one page load, ${r.quick ? '**quick sizes** (every workload at T = 10 instead of 50, W2 at batch 16 instead of 64, matmul n ≤ 256: software GL is too slow for the full sizes in ten minutes)' : 'the workloads\' own sizes'}.`,
    `Browser: ${r.userAgent}. Cross-origin isolated: ${r.crossOriginIsolated}. TF.js ${r.tfjsVersion}. Machine: ${os.cpus().length} cores, load average ${load.before} before the run and ${os.loadavg()[0].toFixed(1)} after (a busy machine slows every row: compare rows within one run, not across runs).`,
    '',
    `- WebGL2 renderer: ${r.webglRenderer}`,
    `- WebGPU adapter: ${r.webgpuAdapter}`,
    '',
    software
      ? '**The GL and WebGPU device here is software (SwiftShader on the CPU): the gpu.js, TF.js webgl and TF.js webgpu rows are CPU emulation of a GPU, correct but slow — they are not GPU figures and say nothing about how these engines run on a real GPU.** The js, cpu and wasm rows are ordinary CPU figures for this 2-core machine.'
      : 'The GL/WebGPU device above is not a known software rasterizer: the GPU rows are figures for that device.',
    '',
    'Median milliseconds per call; same data and the same initial weights for every engine (bench/models.ts: rnngrad builds the model, TF.js gets its weights). `train` is one step (forward, backward, Adam, loss read back); `forward` is inference with the output read back.',
    '',
    '## Training step (ms)',
    '',
    ...table('train'),
    '',
    '## Forward (ms)',
    '',
    ...table('forward'),
    '',
    '## Matmul, square float32, read back',
    '',
    ...table('matmul'),
    '',
    '## Same numbers?',
    '',
    'Forward outputs against rnngrad js on the same weights and data, max |Δ|: ' + (diffs.length ? diffs.join('; ') : 'none measured') + '.',
    '',
    ...(r.errors.length ? ['## Not run or failed', '', ...r.errors.map((e) => `- ${e}`), ''] : []),
    '## Run it on a machine with a real GPU',
    '',
    'Open the page in a desktop browser (Chrome or Edge with hardware acceleration on; WebGPU where the browser has it):',
    '',
    '```sh',
    'npm install',
    'npm run playground            # builds web/dist/ and serves web/ on http://127.0.0.1:8080/',
    '# then open http://127.0.0.1:8080/bench/?auto=1        (full sizes; ?quick=1&auto=1 for the quick ones)',
    '```',
    '',
    'The page is `web/bench/index.html` in this repository (served from `web/`); it shows the WebGL renderer and WebGPU adapter it ran on, a table, a chart and a JSON download. Or drive it headed with your Chrome:',
    '`npm run bench:browser -- --full --headed --chromium /path/to/chrome` (writes this file).',
    '',
    '![chart](report-browser.png) ([SVG](report-browser.svg), [JSON](report-browser.json))',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const root = buildWeb();
  const server = await serve(root, 0);
  const browser = await chromium.launch({
    executablePath,
    headless: !headed,
    args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--enable-features=Vulkan'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('bench: ')) process.stderr.write(`${text}\n`);
    });
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    const url = `${server.url}bench/?auto=1${full ? '' : '&quick=1'}${only ? `&only=${encodeURIComponent(only)}` : ''}`;
    process.stderr.write(`bench:browser: ${url}\n`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => {
      const g = globalThis as unknown as { benchReport?: unknown; benchError?: string };
      return g.benchReport !== undefined || g.benchError !== undefined;
    }, null, { timeout: LIMIT_MS, polling: 1000 });
    const error = await page.evaluate(() => (globalThis as unknown as { benchError?: string }).benchError);
    if (error) throw new Error(`the benchmark page stopped: ${error}`);
    const report = await page.evaluate(() => (globalThis as unknown as { benchReport: Report }).benchReport);
    const svg = await page.$eval('#chart', (el) => (el as unknown as { innerHTML: string }).innerHTML);
    await page.locator('#chart').screenshot({ path: path.join(path.dirname(root), 'bench', 'results', 'report-browser.png') });
    const out = path.join(path.dirname(root), 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'report-browser.json'), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(out, 'report-browser.svg'), svg + '\n');
    fs.writeFileSync(path.join(out, 'report-browser.md'), markdown(report, `npm run bench:browser${full ? ' -- --full' : ''}`));
    process.stderr.write(`bench:browser: wrote bench/results/report-browser.md (.json, .svg) in ${report.seconds.toFixed(0)} s of page time\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench:browser: ${e.message}\n`);
  process.exit(1);
});
