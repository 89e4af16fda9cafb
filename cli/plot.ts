/**
 * Self-contained SVG line charts (no dependencies, viewable offline): loss curves, forecasts
 * against truth, and the gradient norm ‖∂L/∂h_t‖ against t.
 */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Draw markers instead of a line: 'dot' (e.g. the true values ahead) or 'cross' (forecasts). */
  readonly marker?: 'dot' | 'cross';
  /** A colour of its own (default: the next in the palette); series that belong together share one. */
  readonly color?: string;
  /** Leave the series out of the legend (its partner carries the label). */
  readonly hideInLegend?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Log-scale y axis (loss curves, vanishing gradients). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

export const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Ticks for a log axis spanning log10 values y0 … y1: 1, 2, 5 × 10^k when it spans little, else 10^k. */
function logTicks(y0: number, y1: number): number[] {
  const lo = Math.floor(y0);
  const hi = Math.ceil(y1);
  const steps = y1 - y0 < 2.5 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of steps) ticks.push(Number((m * 10 ** e).toPrecision(3)));
  return ticks;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

/** An SVG document with one line per series, axes with ticks, and a legend. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 360;
  const m = { left: 64, right: 150, top: 36, bottom: 48 };
  const pts = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => (o.logY ? Math.log10(p[1]) : p[1]));
  let x0 = Math.min(...xs, 0), x1 = Math.max(...xs, 1);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (!Number.isFinite(y0)) { y0 = 0; y1 = 1; }
  if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
  if (x1 - x0 < 1e-12) { x0 -= 0.5; x1 += 0.5; }
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - (((o.logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.right / 2 + m.left / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(o.title)}</text>`,
  ];
  const yTicks = o.logY ? logTicks(y0, y1) : niceTicks(y0, y1, 6);
  for (const t of yTicks) {
    const y = py(t);
    if (y < m.top - 1 || y > H - m.bottom + 1) continue;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 8)) {
    const x = px(t);
    out.push(`<line x1="${x}" x2="${x}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#374151"/>`);
    out.push(`<text x="${x}" y="${H - m.bottom + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#374151"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#374151"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`);
  let legendRow = 0;
  o.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const valid = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
    const marker = s.marker ?? (valid.length === 1 ? 'dot' : undefined);
    for (const [x, y] of marker ? valid : []) {
      const cx = px(x).toFixed(1);
      const cy = py(y).toFixed(1);
      out.push(marker === 'dot'
        ? `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`
        : `<path d="M${Number(cx) - 3.5},${Number(cy) - 3.5}l7,7m0,-7l-7,7" stroke="${color}" stroke-width="1.8"/>`);
    }
    if (!marker && valid.length > 0) {
      const d = valid.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    }
    if (s.hideInLegend) return;
    const ly = m.top + 8 + legendRow++ * 18;
    const lx = W - m.right + 12;
    out.push(marker === 'dot'
      ? `<circle cx="${lx + 7}" cy="${ly - 4}" r="3" fill="${color}"/>`
      : marker === 'cross'
        ? `<path d="M${lx + 3.5},${ly - 7.5}l7,7m0,-7l-7,7" stroke="${color}" stroke-width="1.8"/>`
        : `<rect x="${lx}" y="${ly - 6}" width="14" height="4" fill="${color}"/>`);
    out.push(`<text x="${lx + 20}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
