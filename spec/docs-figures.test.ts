/**
 * The figures in docs/ cannot drift from the code that draws them: the committed tape graphs
 * equal what docs/tools/render-graphs.ts writes now, and every Graphviz source has its rendered
 * SVG beside it, and the measured plots equal what docs/tools/render-plots.ts draws now (all seeded;
 * the one that trains models is only checked to exist). Regenerate:
 * `npm run build && node dist/docs/tools/render-graphs.js && node dist/docs/tools/render-plots.js`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tapeGraphs, FIGURES, stableIds } from '../docs/tools/render-graphs';
import { PLOTS } from '../docs/tools/render-plots';

const graphs = tapeGraphs();

test.each(graphs.map((g) => [g.name, g] as const))('docs/figures/%s.dot is what render-graphs writes', (name, g) => {
  const committed = fs.readFileSync(path.join(FIGURES, `${name}.dot`), 'utf8');
  expect(committed).toBe(`${g.dot}\n`);
});

test('the backward order is numbered 1 … n, one number per op box', () => {
  for (const g of graphs) {
    const steps = [...g.dot.matchAll(/backward #(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(steps).toEqual(steps.map((_s, k) => k + 1));
    expect(steps.length).toBeGreaterThan(3);
  }
});

test('the LSTM step graph names every gate and both states', () => {
  const lstm = graphs.find((g) => g.name === 'tape-lstm-step')!;
  for (const name of ['i', 'f', 'g', 'o', 'z', 'c_prev', 'h_prev', 'c_t', 'h_t']) expect(lstm.dot).toContain(`label="${name}\\n`);
});

test('node ids do not depend on how many tensors were made before', () => {
  expect(stableIds('  t41 [x];\n  t7 -> op0;\n  op0 -> t41;')).toBe('  n1 [x];\n  n2 -> op0;\n  op0 -> n1;');
});

test('every .dot under docs/figures has its rendered .svg', () => {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const missing = walk(FIGURES).filter((f) => f.endsWith('.dot') && !fs.existsSync(f.replace(/\.dot$/, '.svg')));
  expect(missing).toEqual([]);
});

describe('the measured plots', () => {
  test.each(PLOTS.filter((p) => !p.slow).map((p) => [p.file, p] as const))(
    'docs/figures/%s is what render-plots draws now',
    (file, plot) => {
      expect(fs.readFileSync(path.join(FIGURES, file), 'utf8')).toBe(`${plot.draw()}\n`);
    },
  );

  test('the slow plot (it trains two models) is committed', () => {
    for (const p of PLOTS.filter((q) => q.slow)) expect(fs.existsSync(path.join(FIGURES, p.file))).toBe(true);
  });
});
