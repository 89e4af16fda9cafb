/**
 * The browser benchmark page: W1–W3 (bench/models.ts) and square matmuls, timed in this page,
 * rnngrad (js kernels, gpu.js webgl2, gpu.js webgpu where rnngrad can drive it) against TF.js
 * (cpu, wasm with its .wasm files served from web/dist/tfjs-wasm/, webgl, webgpu if it loads),
 * on the same data and the same initial weights, in one page load. A table, a chart and a JSON
 * download; `npm run bench:browser` (bench/browser/run.ts) drives it in headless Chromium.
 *
 *   ?quick=1   the sizes a software GL device finishes in minutes: T = 10 for every workload,
 *              W2 at batch 16, matmul n = 128 and 256, about one second of samples a row
 *   (no quick) the workloads' own sizes (T = 50, W2 batch 64), matmul up to 1024
 */
import { makeBatch } from '../../bench/models';
import { setBackend } from '../../kernels/backend';
import { drawBars } from './bars';
import { loadTf, rnngradEngine, tfEngine, runWorkload, runMatmul, benchSpecs, shapeOf, rnngradKernels, type BenchRow, type Engine, type Timing } from './engines';

export type { BenchRow } from './engines';

export interface BenchReport {
  readonly quick: boolean;
  readonly userAgent: string;
  readonly webglRenderer: string;
  readonly webgpuAdapter: string;
  readonly crossOriginIsolated: boolean;
  readonly tfjsVersion: string;
  readonly started: string;
  readonly seconds: number;
  readonly rows: BenchRow[];
  readonly errors: string[];
}

const params = new URLSearchParams(location.search);
const quick = params.get('quick') === '1';
const only = params.get('only')?.split(',') ?? null;
const timing: Timing = { sampleMs: quick ? 800 : 2000, maxSamples: quick ? 20 : 50 };

const statusEl = document.getElementById('status') as HTMLElement;
const tableBody = document.querySelector('#results tbody') as HTMLElement;
const rows: BenchRow[] = [];
const errors: string[] = [];

function say(line: string): void {
  statusEl.textContent = line;
  console.log(`bench: ${line}`);
}

function addRow(row: BenchRow): void {
  rows.push(row);
  const tr = document.createElement('tr');
  const cells = [row.workload, row.shape, row.op, `${row.engine} ${row.backend}`, row.medianMs === null ? '—' : row.medianMs.toPrecision(3),
    row.gflops !== undefined ? row.gflops.toPrecision(3) : '', row.maxAbsDiff !== undefined ? row.maxAbsDiff.toExponential(1) : '', row.note ?? ''];
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  tableBody.append(tr);
}

function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
}

async function webgpuAdapter(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (!gpu) return 'no WebGPU (navigator.gpu absent)';
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return 'no WebGPU adapter';
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'a WebGPU adapter (no info)';
}

async function main(): Promise<void> {
  const started = performance.now();
  const tf = await loadTf();
  tf.setWasmPaths(new URL('./tfjs-wasm/', import.meta.url).href);
  const engines: Engine[] = [
    rnngradEngine('js', 'js'),
    rnngradEngine('gpu.js webgl2', 'webgl2'),
    rnngradEngine('gpu.js webgpu', 'webgpu'),
    tfEngine('cpu'),
    tfEngine('wasm'),
    tfEngine('webgl'),
    tfEngine('webgpu'),
  ].filter((e) => !only || only.includes(`${e.engine}:${e.backend}`));
  const workloads = benchSpecs(quick);
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  for (const engine of engines) {
    say(`${engine.engine} ${engine.backend}: starting`);
    let why: string | null;
    try {
      why = await engine.start();
    } catch (e) {
      why = (e as Error).message;
    }
    if (why) {
      errors.push(`${engine.engine} ${engine.backend}: ${why}`);
      addRow({ workload: '—', engine: engine.engine, backend: engine.backend, op: 'forward', shape: '—', medianMs: null, samples: 0, note: `not run: ${why}` });
      continue;
    }
    for (const spec of workloads) {
      say(`${engine.engine} ${engine.backend}: ${spec.workload}`);
      try {
        await runWorkload(engine, spec, makeBatch(spec), timing, addRow);
      } catch (e) {
        errors.push(`${engine.engine} ${engine.backend} ${spec.workload}: ${(e as Error).message}`);
        addRow({ workload: spec.workload, engine: engine.engine, backend: engine.backend, op: 'train', shape: shapeOf(spec), medianMs: null, samples: 0, note: `failed: ${(e as Error).message}` });
      }
    }
    for (const n of sizes) {
      say(`${engine.engine} ${engine.backend}: matmul n=${n}`);
      try {
        await runMatmul(engine, n, timing, addRow);
      } catch (e) {
        errors.push(`${engine.engine} ${engine.backend} matmul ${n}: ${(e as Error).message}`);
      }
    }
  }
  setBackend('cpu');
  const report: BenchReport = {
    quick,
    userAgent: navigator.userAgent,
    webglRenderer: webglRenderer(),
    webgpuAdapter: await webgpuAdapter(),
    crossOriginIsolated: self.crossOriginIsolated,
    tfjsVersion: tf.version.tfjs,
    started: new Date(Date.now() - (performance.now() - started)).toISOString(),
    seconds: (performance.now() - started) / 1000,
    rows,
    errors,
  };
  const software = /swiftshader|llvmpipe|software/i.test(`${report.webglRenderer} ${report.webgpuAdapter}`);
  const note = `median ms, log scale${report.quick ? ', quick sizes' : ''}; GL/WebGPU: ${software ? 'SwiftShader, software — not GPU figures' : report.webglRenderer.slice(0, 70)}`;
  drawBars(document.getElementById('chart') as HTMLElement, rows, note);
  const download = document.getElementById('download') as HTMLAnchorElement;
  download.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  download.hidden = false;
  (document.getElementById('device') as HTMLElement).textContent = `WebGL: ${report.webglRenderer}; WebGPU: ${report.webgpuAdapter}; rnngrad gpu kernels: ${rnngradKernels}`;
  say(`done in ${report.seconds.toFixed(0)} s (${rows.length} rows${errors.length ? `, ${errors.length} not run or failed` : ''})`);
  (window as unknown as { benchReport: BenchReport }).benchReport = report;
}

const startButton = document.getElementById('run') as HTMLButtonElement;
startButton.addEventListener('click', () => {
  startButton.disabled = true;
  main().catch((e: Error) => {
    say(`the benchmark stopped: ${e.message}`);
    (window as unknown as { benchError: string }).benchError = e.message;
  });
});
// auto=1: start once the page has loaded (a run blocks the main thread between its awaits).
if (params.get('auto') === '1') window.addEventListener('load', () => setTimeout(() => startButton.click(), 100));
