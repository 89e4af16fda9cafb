/**
 * The playground (web/) in headless Chromium: it trains the series task in its Web Worker and the
 * loss falls while the page's requestAnimationFrame counter keeps ticking; the trained model goes
 * out as TF.js LayersModel files (which `rnngrad predict` reads) and comes back in with the same
 * validation loss; an invalid model file and a model too large for the tab each get their message
 * in the page; pause, resume and reset work. The screenshot in the README
 * (docs/figures/playground.png) is taken here. Helpers: ./harness.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeBrowser, startBrowser, ROOT, type TestBrowser, type TestPage } from './harness';
import { buildWeb } from '../../web/tools/build';

interface PlaygroundState {
  frames: number;
  losses: number[];
  valLosses: number[];
  state: string;
  kernels: string;
  messages: string[];
  imported: string | null;
  live: number;
}

const SCREENSHOT = path.join(ROOT, 'docs', 'figures', 'playground.png');

describeBrowser('the playground', () => {
  let b: TestBrowser;
  let page: TestPage;
  let dir: string;

  const state = (): Promise<PlaygroundState> => page.page.evaluate('globalThis.playground') as Promise<PlaygroundState>;
  const waitFor = (condition: string, timeout = 90_000): Promise<unknown> =>
    page.page.waitForFunction(`(() => { const p = globalThis.playground; return ${condition}; })()`, null, { timeout, polling: 100 });
  const messages = async (kind: 'error' | 'notice'): Promise<string[]> => (await state()).messages.filter((m) => m.startsWith(`${kind}: `));

  beforeAll(async () => {
    buildWeb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-playground-'));
    b = await startBrowser();
    page = await b.open('/web/index.html');
    await page.page.setViewportSize({ width: 1400, height: 1000 });
    await waitFor("p && p.state === 'idle'", 30_000);
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('trains the series task in its worker: the loss falls while the animation frames keep ticking', async () => {
    const p = page.page;
    await p.fill('#units', '16');
    await p.fill('#samples', '700');
    await p.fill('#epochs', '3');
    await p.selectOption('#task', 'series');
    await p.selectOption('#cell', 'lstm');
    const before = (await state()).frames;
    await p.click('#start');
    await waitFor("p.state === 'training' && p.losses.length >= 5");
    const early = (await state()).frames;
    const earlyAt = Date.now();
    await waitFor("p.state === 'done'", 120_000);
    const s = await state();
    // the main thread drew frames all along (≥ 10 a second; 60 when idle): training ran in the worker
    const seconds = (Date.now() - earlyAt) / 1000;
    expect(s.frames - early).toBeGreaterThan(Math.max(5, 10 * seconds));
    expect(s.frames).toBeGreaterThan(before);
    expect(s.kernels).toBe('js');
    expect(s.valLosses).toHaveLength(3);
    const mean = (xs: number[]): number => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(mean(s.losses.slice(-5))).toBeLessThan(0.6 * mean(s.losses.slice(0, 5)));
    expect(s.valLosses[2]).toBeLessThan(s.valLosses[0]);
    expect(s.live).toBeGreaterThan(0); // gradient norms, gate heat map, forecast drawn
    expect(await p.locator('#tape svg').count()).toBe(1); // the tape of one step, from toDot
    expect(page.errors()).toEqual([]);
  }, 180_000);

  test('a screenshot of the trained playground is saved (docs/figures/playground.png)', async () => {
    await page.page.waitForTimeout(300);
    await page.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });

  test('export → import: the files come back as the same model (same validation loss)', async () => {
    const p = page.page;
    const downloads: string[] = [];
    const saved = new Promise<void>((resolve) => {
      p.on('download', async (d) => {
        const file = path.join(dir, d.suggestedFilename());
        await d.saveAs(file);
        downloads.push(file);
        if (downloads.length === 2) resolve();
      });
    });
    await p.click('#export');
    await saved;
    await waitFor("p.messages.some((m) => m.startsWith('notice: exported'))");
    const exported = (await messages('notice')).find((m) => m.startsWith('notice: exported')) as string;
    const loss = /validation loss (\S+)/.exec(exported)?.[1];
    expect(loss).toBeDefined();
    expect(downloads.map((f) => path.basename(f)).sort()).toEqual(['playground.json', 'playground.weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'playground.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['playground.weights.bin']);
    // `rnngrad predict` reads the exported files
    fs.writeFileSync(path.join(dir, 'x.json'), JSON.stringify([[[0.1], [0.2], [0.3], [0.25], [0.1]]]));
    execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'predict', '--model', path.join(dir, 'playground.json'), '--input', path.join(dir, 'x.json'), '--output', path.join(dir, 'y.json')], { stdio: 'pipe' });
    const y = JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8')) as number[][];
    expect(y).toHaveLength(1);
    expect(Number.isFinite(y[0][0])).toBe(true);

    await p.setInputFiles('#import', downloads);
    await waitFor("p.imported !== null && p.state === 'paused'");
    const s = await state();
    expect(s.imported).toContain(`validation loss on the series task ${loss}`);
    expect(page.errors()).toEqual([]);
  }, 60_000);

  test('an invalid model file gets a clear message in the page, and the page lives on', async () => {
    const p = page.page;
    const errorsBefore = (await messages('error')).length;
    await p.setInputFiles('#import', [{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{ this is not json') }]);
    await waitFor(`p.messages.filter((m) => m.startsWith('error: ')).length > ${errorsBefore}`, 30_000);
    expect((await messages('error')).pop()).toMatch(/^error: model\.json: malformed model\.json: /);

    await p.setInputFiles('#import', [{ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [] })) }]);
    await waitFor(`p.messages.filter((m) => m.startsWith('error: ')).length > ${errorsBefore + 1}`, 30_000);
    expect((await messages('error')).pop()).toMatch(/^error: model\.json: /);
    expect((await state()).state).toBe('paused'); // the imported model is still there
    expect(await p.locator('#messages .error').first().isVisible()).toBe(true);
    const frames = (await state()).frames;
    await p.waitForTimeout(500);
    expect((await state()).frames).toBeGreaterThan(frames);
  }, 60_000);

  test('a model too large for the tab (10⁶ units) gets a clear message, not a dead tab', async () => {
    const p = page.page;
    const errorsBefore = (await messages('error')).length;
    await p.fill('#units', '1000000');
    await p.click('#start');
    await waitFor(`p.messages.filter((m) => m.startsWith('error: ')).length > ${errorsBefore}`, 30_000);
    expect((await messages('error')).pop()).toMatch(/1000000 units .* would need about .* of memory; the playground allows 512 MB/);
    const frames = (await state()).frames;
    await p.waitForTimeout(500);
    expect((await state()).frames).toBeGreaterThan(frames);
    // and the page still trains afterwards
    await p.fill('#units', '8');
    await p.fill('#epochs', '1');
    await p.fill('#samples', '200');
    await p.click('#start');
    await waitFor("p.state === 'done' && p.valLosses.length === 1", 60_000);
  }, 90_000);

  test('pause stops the batches, resume continues them, reset ends the run', async () => {
    const p = page.page;
    await p.fill('#units', '16');
    await p.fill('#epochs', '50');
    await p.fill('#samples', '700');
    await p.click('#start');
    await waitFor("p.state === 'training' && p.losses.length >= 3");
    await p.click('#pause');
    await waitFor("p.state === 'paused'");
    const held = (await state()).losses.length;
    await p.waitForTimeout(700);
    expect((await state()).losses.length).toBeLessThanOrEqual(held + 1); // at most the batch in flight
    await p.click('#resume');
    await waitFor(`p.state === 'training' && p.losses.length > ${held + 3}`);
    await p.click('#reset');
    await waitFor("p.state === 'idle'");
    const frames = (await state()).frames;
    await p.waitForTimeout(300);
    expect((await state()).frames).toBeGreaterThan(frames);
    expect(page.errors()).toEqual([]);
  }, 60_000);
});
