/**
 * The benchmark's chart: one group of horizontal bars per (workload, op), one bar per engine and
 * backend, milliseconds on a log scale (the backends differ by orders of magnitude). Plain SVG,
 * so the same markup can be saved beside the report.
 */
export interface BarRow {
  readonly workload: string;
  readonly op: string;
  readonly shape: string;
  readonly engine: string;
  readonly backend: string;
  readonly medianMs: number | null;
}

const PALETTE: Record<string, string> = {
  'rnngrad js': '#2563eb', 'rnngrad gpu.js webgl2': '#60a5fa', 'rnngrad gpu.js webgpu': '#93c5fd',
  'tfjs cpu': '#ea580c', 'tfjs wasm': '#f59e0b', 'tfjs webgl': '#16a34a', 'tfjs webgpu': '#86efac',
};

/** The group a row's bar sits in: 'W1 train', or 'matmul n=256'. */
const groupOf = (r: BarRow): string => (r.op === 'matmul' ? `matmul ${r.shape}` : `${r.workload} ${r.op}`);

/** The chart as SVG markup; `note` is printed under it (which device ran the GPU rows). */
export function barsSvg(rows: readonly BarRow[], note = ''): string {
  const measured = rows.filter((r) => r.medianMs !== null && r.medianMs > 0 && r.workload !== '—');
  const groups = [...new Set(measured.map(groupOf))];
  const labels = [...new Set(measured.map((r) => `${r.engine} ${r.backend}`))];
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...measured.map((r) => r.medianMs as number), 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...measured.map((r) => r.medianMs as number), 10))));
  const left = 150;
  const width = 760;
  const bar = 9;
  const plotW = width - left - 70;
  const x = (ms: number): number => left + (plotW * (Math.log10(ms) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const parts: string[] = [];
  let y = 30;
  for (const g of groups) {
    const inGroup = measured.filter((r) => groupOf(r) === g);
    parts.push(`<text x="${left - 8}" y="${y + (inGroup.length * (bar + 2)) / 2 + 4}" text-anchor="end" font-size="12">${g}</text>`);
    for (const r of inGroup) {
      const name = `${r.engine} ${r.backend}`;
      const ms = r.medianMs as number;
      parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(ms) - left).toFixed(1)}" height="${bar}" fill="${PALETTE[name] ?? '#888'}"><title>${name}: ${ms.toPrecision(3)} ms</title></rect>`);
      parts.push(`<text x="${(x(ms) + 4).toFixed(1)}" y="${y + bar - 1}" font-size="9" fill="#444">${ms.toPrecision(3)}</text>`);
      y += bar + 2;
    }
    y += 10;
  }
  for (let d = lo; d <= hi; d *= 10) {
    parts.push(`<line x1="${x(d)}" x2="${x(d)}" y1="24" y2="${y}" stroke="#e5e7eb"/><text x="${x(d)}" y="18" font-size="10" text-anchor="middle">${d >= 1 ? d : d.toPrecision(1)} ms</text>`);
  }
  const legend = labels.map((l, i) => `<rect x="${left + (i % 4) * 150}" y="${y + 6 + Math.floor(i / 4) * 16}" width="10" height="10" fill="${PALETTE[l] ?? '#888'}"/><text x="${left + 14 + (i % 4) * 150}" y="${y + 15 + Math.floor(i / 4) * 16}" font-size="11">${l}</text>`);
  const legendEnd = y + 16 + Math.ceil(labels.length / 4) * 16;
  const escaped = note.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
  const height = legendEnd + (note ? 18 : 0);
  const noteText = note ? `<text x="10" y="${legendEnd + 10}" font-size="11" fill="#92400e">${escaped}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}${legend.join('')}${noteText}</svg>`;
}

export function drawBars(el: HTMLElement, rows: readonly BarRow[], note = ''): void {
  el.innerHTML = barsSvg(rows, note);
}
