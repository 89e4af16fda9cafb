/**
 * The library in a real page (dist/browser/rnngrad.mjs in headless Chromium): it loads cleanly,
 * the README's first example prints what it prints in Node, the gradcheck suite passes, a model
 * trained by `rnngrad train` predicts what `rnngrad predict` gives (js and gpu.js webgl2), and bad
 * model files are refused with a clear error. Helpers: ./harness.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { describeBrowser, startBrowser, ROOT, type TestBrowser, type TestPage } from './harness';
import { examplesIn, runExample } from '../support/examples';
import { Sequential, GRU, Dense, Random } from '../../api';
import { saveModel } from '../../node';

const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

describeBrowser('rnngrad in the browser', () => {
  let b: TestBrowser;
  let page: TestPage;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-browser-'));
    b = await startBrowser({ mounts: { '/tmp-models/': dir } });
    page = await b.open();
  });
  afterAll(async () => {
    await b?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the bundle loads with no console error and has the public API', async () => {
    const names = await page.run<string[]>('return Object.keys(rnngrad).sort();');
    for (const name of ['tensor', 'matmul', 'grad', 'setBackend', 'kernelsName', 'fetchModel', 'modelFromFiles', 'downloadModel', 'Sequential', 'fit', 'opCases', 'cellCases', 'runCase']) {
      expect(names).toContain(name);
    }
    // the file-system helpers stay in Node
    for (const name of ['loadModel', 'saveModel', 'saveCheckpoint', 'loadDataFile', 'sonnets']) expect(names).not.toContain(name);
    expect(await page.run('return [rnngrad.kernelsName(), self.crossOriginIsolated];')).toEqual(['js', true]);
    expect(page.errors()).toEqual([]);
  });

  test("the README's first example prints in the page what it prints in Node", async () => {
    const [example] = examplesIn(path.join(ROOT, 'README.md'));
    const js = ts.transpileModule(example.code, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const printed = await page.run<string>(`
      const lines = [];
      const fakeConsole = { ...console, log: (...args) => lines.push(args.map(String).join(' ')) };
      const require = (id) => { if (id === 'rnngrad') return rnngrad; throw new Error('no module ' + id); };
      const module = { exports: {} };
      await new Function('require', 'console', 'module', 'exports', 'return (async () => {\\n' + arg + '\\n})();')(require, fakeConsole, module, module.exports);
      return lines.join('\\n').replace(/\\s+$/, '');`, js);
    expect(printed).toBe(example.expected);
    expect(printed).toBe(await runExample(example.code));
  });

  test('the gradcheck suite (every op and every cell) passes in the page', async () => {
    const rows = await page.run<{ name: string; passed: boolean; maxRelError: number }[]>(`
      return [...rnngrad.opCases, ...rnngrad.cellCases].map((c) => {
        const row = rnngrad.runCase(c);
        return { name: c.name, passed: row.passed, maxRelError: row.maxRelError };
      });`);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.filter((r) => !r.passed)).toEqual([]);
  }, 300_000);

  test('gpu.js runs webgl2 in the page, device-resident: values and backward() as on js', async () => {
    const out = await page.run<{ kernels: string; name: string; value: number[]; grads: Record<string, number[]> }>(`
      const gradsOn = (backend) => {
        rnngrad.setBackend(backend, { log: () => {} });
        const x = rnngrad.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
        const W = rnngrad.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], { requiresGrad: true });
        rnngrad.sum(rnngrad.tanh(rnngrad.matmul(x, W))).backward();
        return [...x.grad.data, ...W.grad.data];
      };
      const choice = rnngrad.setBackend('gpu', { log: () => {} });
      try {
        const a = rnngrad.tensor([[1, 2], [3, 4]]);
        const result = { kernels: choice.kernels, name: rnngrad.kernelsName(), value: Array.from(rnngrad.tanh(rnngrad.matmul(a, a)).data) };
        return { ...result, grads: { gpu: gradsOn('gpu'), js: gradsOn('cpu') } };
      } finally {
        rnngrad.setBackend('cpu');
      }`);
    expect(out.kernels).toBe('gpu.js/webgl2');
    expect(out.name).toBe('gpu.js/webgl2');
    [7, 10, 15, 22].forEach((v, i) => expect(out.value[i]).toBeCloseTo(Math.tanh(v), 6));
    expect(out.grads.gpu).toHaveLength(12);
    out.grads.gpu.forEach((g, i) => expect(Math.abs(g - out.grads.js[i])).toBeLessThan(1e-5));
  });

  test("gpu.js's webgpu mode (promises) is refused in one line, and the js kernels run", async () => {
    const out = await page.run<{ kernels: string; notice: string | null; hasWebGpu: boolean }>(`
      const choice = rnngrad.setBackend('gpu', { log: () => {}, gpu: { mode: 'webgpu' } });
      rnngrad.setBackend('cpu');
      return { kernels: choice.kernels, notice: choice.notice, hasWebGpu: 'gpu' in navigator };`);
    expect(out.hasWebGpu).toBe(true);
    expect(out).toMatchObject({ kernels: 'js', notice: expect.stringMatching(/^rnngrad: backend gpu: gpu\.js could not start \(gpu\.js webgpu mode returns promises .*\); kernels js$/) });
  });

  test('the wasm kernels: one thread in the page; a helper Web Worker inside a worker of an isolated page, same bits', async () => {
    // A module worker that counts the Workers it starts, then multiplies with the helper and without.
    b.server.route('/__matmul-worker.mjs', `
      let started = 0;
      const Base = self.Worker;
      self.Worker = class extends Base { constructor(...args) { super(...args); started++; } };
      const rnngrad = await import('/dist/browser/rnngrad.mjs');
      const n = 320;
      const a = new rnngrad.Tensor(Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), [n, n]);
      const twoThreads = rnngrad.matmul(a, a).data;
      rnngrad.useWasmThreads(false);
      const oneThread = rnngrad.matmul(a, a).data;
      postMessage({ isolated: self.crossOriginIsolated, started, same: twoThreads.every((v, i) => v === oneThread[i]) });`);
    const inWorker = await page.run(`
      const worker = new Worker('/__matmul-worker.mjs', { type: 'module' });
      return await new Promise((resolve, reject) => { worker.onmessage = (e) => resolve(e.data); worker.onerror = (e) => reject(new Error(e.message)); });`);
    expect(inWorker).toEqual({ isolated: true, started: 1, same: true });
    const inPage = await page.run(`
      const n = 320;
      const a = new rnngrad.Tensor(Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), [n, n]);
      const c = rnngrad.matmul(a, a).data;
      return Number.isFinite(c[0]) && c.length === n * n;`);
    expect(inPage).toBe(true);
    expect(page.errors()).toEqual([]);
  });

  describe('a model trained by `rnngrad train`', () => {
    const input = Array.from({ length: 3 }, (_, i) => Array.from({ length: 12 }, (_, t) => [Math.sin(0.3 * t + i)]));
    let expected: number[][];

    beforeAll(() => {
      const model = path.join(dir, 'gru');
      execFileSync(process.execPath, [CLI, 'train', '--task', 'series', '--cell', 'gru', '--units', '8', '--layers', '2',
        '--epochs', '1', '--samples', '256', '--seed', '3', '--save', model], { stdio: 'pipe' });
      fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify(input));
      execFileSync(process.execPath, [CLI, 'predict', '--model', model, '--input', path.join(dir, 'x.json'), '--output', path.join(dir, 'y.json')], { stdio: 'pipe' });
      expected = JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8')) as number[][];
    }, 300_000);

    const predictIn = (backend: 'cpu' | 'gpu'): Promise<{ kernels: string; y: number[][] }> => page.run(`
      const choice = rnngrad.setBackend(arg.backend, { log: () => {} });
      try {
        const model = await rnngrad.fetchModel('/tmp-models/gru/model.json');
        const y = rnngrad.noGrad(() => model.predict(rnngrad.tensor(arg.input)));
        return { kernels: choice.kernels, y: y.toArray() };
      } finally {
        rnngrad.setBackend('cpu');
      }`, { backend, input });

    const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))));

    test('predicts in the page what `rnngrad predict` gives: js ≤ 2e-5', async () => {
      const { kernels, y } = await predictIn('cpu');
      expect(kernels).toBe('js');
      const diff = maxDiff(y, expected);
      process.stderr.write(`browser predict vs rnngrad predict, js: max |Δ| = ${diff.toExponential(2)}\n`);
      expect(diff).toBeLessThanOrEqual(2e-5);
    });

    test('and on gpu.js webgl2: ≤ 1e-4', async () => {
      const { kernels, y } = await predictIn('gpu');
      expect(kernels).toBe('gpu.js/webgl2');
      const diff = maxDiff(y, expected);
      process.stderr.write(`browser predict vs rnngrad predict, gpu.js/webgl2: max |Δ| = ${diff.toExponential(2)}\n`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    });

    test('modelFromFiles and modelToFiles round-trip it (the files a page picks and downloads)', async () => {
      const out = await page.run<{ same: boolean; names: string[] }>(`
        const model = await rnngrad.fetchModel('/tmp-models/gru/model.json');
        const files = rnngrad.modelToFiles(model, 'my-gru');
        const picked = [new File([JSON.stringify(files.json)], files.jsonName), new File([files.weights], files.weightsName)];
        const again = await rnngrad.modelFromFiles(picked);
        const x = rnngrad.tensor(arg);
        const a = model.predict(x).data, b = again.predict(x).data;
        return { same: a.every((v, i) => v === b[i]), names: [files.jsonName, files.weightsName] };`, input);
      expect(out).toEqual({ same: true, names: ['my-gru.json', 'my-gru.weights.bin'] });
    });
  });

  test('downloadModel saves files that `rnngrad predict` loads, predicting as the page does', async () => {
    const downloads: Promise<string>[] = [];
    const saved = path.join(dir, 'downloaded');
    fs.mkdirSync(saved, { recursive: true });
    const onDownload = (d: import('playwright-core').Download): void => {
      downloads.push(d.saveAs(path.join(saved, d.suggestedFilename())).then(() => d.suggestedFilename()));
    };
    page.page.on('download', onDownload);
    const x = [[[0.5], [-0.25], [0.125]]];
    const inPage = await page.run<{ names: string[]; y: number[][] }>(`
      const model = new rnngrad.Sequential([new rnngrad.LSTM(4, { rng: new rnngrad.Random(5) }), new rnngrad.Dense(1, { rng: new rnngrad.Random(6) })], { inputFeatures: 1 });
      const names = rnngrad.downloadModel(model, 'from-page');
      return { names, y: model.predict(rnngrad.tensor(arg)).toArray() };`, x);
    for (let waited = 0; downloads.length < 2 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect((await Promise.all(downloads)).sort()).toEqual(['from-page.json', 'from-page.weights.bin']);
    page.page.off('download', onDownload);
    expect(inPage.names).toEqual(['from-page.json', 'from-page.weights.bin']);
    fs.writeFileSync(path.join(saved, 'x.json'), JSON.stringify(x));
    execFileSync(process.execPath, [CLI, 'predict', '--model', path.join(saved, 'from-page.json'), '--input', path.join(saved, 'x.json'), '--output', path.join(saved, 'y.json')], { stdio: 'pipe' });
    expect(JSON.parse(fs.readFileSync(path.join(saved, 'y.json'), 'utf8'))).toEqual(inPage.y);
  });

  describe('bad model files get a clear error', () => {
    const writeModel = (name: string, json: unknown, shard?: Uint8Array): void => {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
      if (shard) fs.writeFileSync(path.join(dir, name, 'group1-shard1of1.bin'), shard);
    };
    const fetchError = (url: string): Promise<string> =>
      page.run(`try { await rnngrad.fetchModel(arg); return 'loaded'; } catch (e) { return e.message; }`, url);
    beforeAll(() => {
      saveModel(new Sequential([new GRU(3, { rng: new Random(1) }), new Dense(1, { rng: new Random(2) })], { inputFeatures: 1 }), path.join(dir, 'small'));
    });
    const withPaths = (paths: string[]): unknown => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'small', 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      json.weightsManifest[0].paths = paths;
      return json;
    };

    test.each([['../small/group1-shard1of1.bin'], ['%2e%2e/small/group1-shard1of1.bin'], ['sub/%2E%2E/%2e%2e/small/group1-shard1of1.bin'], ['http://example.com/w.bin'], ['/tmp-models/small/group1-shard1of1.bin']])(
      'fetchModel refuses the shard path %s (outside the model folder)', async (p) => {
        writeModel('escape', withPaths([p]));
        expect(await fetchError('/tmp-models/escape/model.json')).toMatch(/shard paths must (be relative to the model's folder and )?stay inside/);
      });

    test('a model that claims gigabytes, served without Content-Length: refused from the bytes that came, nothing allocated for the claim', async () => {
      const features = 1000;
      const units = 1_000_000; // a 4 GB kernel
      const json = {
        format: 'layers-model',
        modelTopology: { class_name: 'Sequential', config: { name: 'huge', layers: [{ class_name: 'Dense', config: { batch_input_shape: [null, features], name: 'dense', units, activation: 'linear', use_bias: true } }] } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'dense/kernel', shape: [features, units], dtype: 'float32' }, { name: 'dense/bias', shape: [units], dtype: 'float32' }] }],
      };
      b.server.route('/huge/model.json', JSON.stringify(json));
      b.server.route('/huge/group1-shard1of1.bin', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); // chunked: no Content-Length
        res.end(Buffer.alloc(12));
      });
      expect(await fetchError('/huge/model.json')).toMatch(/huge\/model\.json: the weights file\(s\) group1-shard1of1.bin hold 12 bytes, but the manifest's weights need 4004000000 \(float32\)$/);
      expect(await page.run('return 1 + 1;')).toBe(2); // the page is alive
    });

    test('malformed JSON, a missing file, a wrong shard size: each named', async () => {
      writeModel('broken', '{"format": "layers-model", "modelTopology": ');
      expect(await fetchError('/tmp-models/broken/model.json')).toMatch(/model\.json: malformed model\.json: .*\(the file looks truncated\)/);
      expect(await fetchError('/tmp-models/nothing/model.json')).toMatch(/cannot fetch .*HTTP 404/);
      writeModel('short', withPaths(['group1-shard1of1.bin']), new Uint8Array(12));
      expect(await fetchError('/tmp-models/short/model.json')).toMatch(/hold 12 bytes \(Content-Length\), but the manifest's weights need \d+ \(float32\)/);
      expect(await page.run(`try { await rnngrad.modelFromFiles([new File(['{}'], 'w.bin')]); } catch (e) { return e.message; }`))
        .toMatch(/pick one model\.json and its weights files \(\.bin\); got no \.json files/);
    });
  });
});
