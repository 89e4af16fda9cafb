/**
 * The chart, as a hand-written SVG (no dependencies): one horizontal bar per measurement.
 *   top:    training and forward steps, median ms on a log scale (shorter is faster)
 *   bottom: square A·B matmul, GFLOP/s on a linear scale (longer is faster)
 * Colours are per engine/backend, with a legend.
 */
import type { Result } from './harness';

const COLOURS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const ROW = 14;
const LABEL = 190;
const WIDTH = 760;
const BAR_SPACE = WIDTH - LABEL - 90;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// PyTorch runs at 1 and 2 threads: one series each.
const series = (r: Result): string => `${r.engine}/${r.backend}${r.engine === 'pytorch' ? ` ${r.threads}T` : ''}`;

interface Bar {
  readonly label: string;
  readonly series: string;
  readonly value: number;
  readonly text: string;
}

/** Groups of bars under a heading; returns the SVG elements and the height used. */
function panel(title: string, groups: Map<string, Bar[]>, scale: (v: number) => number, colour: (s: string) => string,
  top: number): { svg: string[]; height: number } {
  const svg = [`<text x="8" y="${top + 14}" font-weight="bold">${esc(title)}</text>`];
  let y = top + 26;
  for (const [group, bars] of groups) {
    svg.push(`<text x="8" y="${y + 10}" font-weight="bold">${esc(group)}</text>`);
    y += ROW;
    for (const b of bars) {
      const w = Math.max(1, scale(b.value) * BAR_SPACE);
      svg.push(`<text x="${LABEL - 6}" y="${y + 10}" text-anchor="end">${esc(b.label)}</text>`);
      svg.push(`<rect x="${LABEL}" y="${y + 1}" width="${w.toFixed(1)}" height="${ROW - 3}" fill="${colour(b.series)}"/>`);
      svg.push(`<text x="${(LABEL + w + 4).toFixed(1)}" y="${y + 10}">${esc(b.text)}</text>`);
      y += ROW;
    }
    y += 4;
  }
  return { svg, height: y - top };
}

export function chartSvg(results: readonly Result[], title: string): string {
  const names = [...new Set(results.map(series))];
  const colour = (s: string): string => COLOURS[names.indexOf(s) % COLOURS.length];

  const steps = results.filter((r) => r.workload !== 'matmul');
  const stepGroups = new Map<string, Bar[]>();
  for (const r of steps) {
    const g = `${r.workload} ${r.model} ${r.op}`;
    if (!stepGroups.has(g)) stepGroups.set(g, []);
    stepGroups.get(g)!.push({ label: series(r), series: series(r), value: r.medianMs, text: `${r.medianMs.toPrecision(3)} ms` });
  }
  // Log scale from the fastest to the slowest step, with a decade of headroom below.
  const lo = Math.log10(Math.min(...steps.map((r) => r.medianMs), 1)) - 1;
  const hi = Math.log10(Math.max(...steps.map((r) => r.medianMs), 10));
  const logScale = (v: number): number => (Math.log10(v) - lo) / (hi - lo);

  const mm = results.filter((r) => r.workload === 'matmul' && r.model === 'A·B');
  const mmGroups = new Map<string, Bar[]>();
  for (const r of mm) {
    const g = `n = ${r.size}`;
    if (!mmGroups.has(g)) mmGroups.set(g, []);
    mmGroups.get(g)!.push({ label: series(r), series: series(r), value: r.gflops ?? 0, text: `${(r.gflops ?? 0).toFixed(1)} GFLOP/s` });
  }
  const maxGflops = Math.max(1, ...mm.map((r) => r.gflops ?? 0));

  const body: string[] = [`<text x="8" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`];
  let y = 28;
  if (steps.length > 0) {
    const p = panel('Steps: median ms (log scale; shorter is faster)', stepGroups, logScale, colour, y);
    body.push(...p.svg);
    y += p.height + 10;
  }
  if (mm.length > 0) {
    const p = panel('matmul A·B, float32: GFLOP/s (longer is faster)', mmGroups, (v) => v / maxGflops, colour, y);
    body.push(...p.svg);
    y += p.height + 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}
