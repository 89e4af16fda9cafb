/**
 * `--report DIR`: a self-contained HTML page (SVG inline, viewable offline) and the same charts
 * as .svg files — loss curves per model, forecasts against the truth for a few validation
 * series, and for the adding task ‖∂L/∂h_t‖ against t for a simple RNN and an LSTM.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tensor } from '../engine/tensor';
import { manualSeed } from '../engine/random';
import { writeFileAtomic } from '../node/atomic';
import { lineChart, Series, COLORS } from './plot';
import type { RunResult } from './run-training';
import { buildModel } from './run-training';
import { hiddenGradientNorms } from './grad-norms';

interface Figure {
  readonly file: string;
  readonly caption: string;
  readonly svg: string;
}

function rows(t: Tensor, from: number, count: number): Tensor {
  const per = t.size / t.shape[0];
  return new Tensor(t.data.slice(from * per, (from + count) * per), [count, ...t.shape.slice(1)]);
}

function lossFigure(r: RunResult, label: string): Figure {
  const h = r.history;
  const series: Series[] = [
    { name: 'train', points: h.loss.map((v, i) => [i + 1, v] as const) },
    { name: 'validation', points: h.valLoss.map((v, i) => [i + 1, v] as const) },
  ];
  return {
    file: `loss-${label}.svg`,
    caption: `Loss per epoch, ${label} (${r.settings.task === 'chars' ? 'cross-entropy, nats/char' : 'MSE'}).`,
    svg: lineChart({ title: `loss — ${label}`, xLabel: 'epoch', yLabel: 'loss', series, logY: true }),
  };
}

/** Three validation series: the input, the truth ahead, and the model's forecast. */
function forecastFigure(r: RunResult, label: string): Figure | null {
  const task = r.settings.task;
  if (task !== 'series' && task !== 'series10' && task !== 'seq2seq') return null;
  const x = rows(r.data.valid.x, 0, 3);
  const y = rows(r.data.valid.y, 0, 3);
  const pred = r.model.predict(x);
  const steps = x.shape[1];
  const series: Series[] = [];
  for (let n = 0; n < 3; n++) {
    const color = COLORS[n];
    series.push({ name: `series ${n + 1}`, color, points: Array.from({ length: steps }, (_, t) => [t, x.data[n * steps + t]] as const) });
    // For seq2seq, Géron's forecast is the last step's 10 predictions.
    const ahead = task === 'seq2seq' ? 10 : y.shape[1];
    const at = (src: Tensor, k: number): number => (task === 'seq2seq' ? src.data[(n * steps + steps - 1) * 10 + k] : src.data[n * ahead + k]);
    series.push({ name: 'truth ahead', marker: 'dot', color, hideInLegend: n > 0, points: Array.from({ length: ahead }, (_, k) => [steps + k, at(y, k)] as const) });
    series.push({ name: 'forecast', marker: 'cross', color, hideInLegend: n > 0, points: Array.from({ length: ahead }, (_, k) => [steps + k, at(pred, k)] as const) });
  }
  return {
    file: `forecast-${label}.svg`,
    caption: `Three validation series (lines), the true values that follow (dots) and the model's forecast (crosses), ${label}.`,
    svg: lineChart({ title: `forecast — ${label}`, xLabel: 'time step', yLabel: 'value', series, width: 760 }),
  };
}

/** ‖∂L/∂h_t‖ for the trained model and, at initialization, for a simple RNN and an LSTM. */
function gradientFigure(results: readonly RunResult[]): Figure | null {
  const adding = results.filter((r) => r.settings.task === 'adding' && r.settings.layers === 1);
  if (adding.length === 0) return null;
  const base = adding[0];
  const x = rows(base.data.valid.x, 0, 32);
  const y = rows(base.data.valid.y, 0, 32);
  const series: Series[] = [];
  for (const r of adding) {
    series.push({ name: `${r.settings.cell}, trained`, points: hiddenGradientNorms(r.model, x, y).map((v, t) => [t, v] as const) });
  }
  for (const cell of ['simple', 'lstm'] as const) {
    manualSeed(base.settings.seed);
    const fresh = buildModel({ ...base.settings, cell, dropout: 0, recurrentDropout: 0, zoneoutH: 0, zoneoutC: 0 }, x.shape[2], y);
    series.push({ name: `${cell}, at init`, points: hiddenGradientNorms(fresh, x, y).map((v, t) => [t, v] as const) });
  }
  return {
    file: 'gradient-norms.svg',
    caption: 'Mean over a batch of ‖∂L/∂h_t‖ against the time step t (adding task): the gradient reaching early steps vanishes for the simple RNN and survives in the LSTM.',
    svg: lineChart({ title: '‖∂L/∂h_t‖ against t', xLabel: 'time step t', yLabel: '‖∂L/∂h_t‖', series, logY: true }),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
}

/** Write DIR/index.html and the SVG files; returns the HTML path. */
export function writeReport(dir: string, results: readonly RunResult[], options: { title: string; table?: string }): string {
  fs.mkdirSync(dir, { recursive: true });
  const figures: Figure[] = [];
  results.forEach((r) => {
    const label = `${r.settings.task}-${r.settings.cell}`;
    figures.push(lossFigure(r, label));
    const f = forecastFigure(r, label);
    if (f) figures.push(f);
  });
  const g = gradientFigure(results);
  if (g) figures.push(g);
  for (const f of figures) writeFileAtomic(path.join(dir, f.file), f.svg);
  const summary = results
    .map((r) => `<tr><td>${r.settings.task}</td><td>${r.settings.cell}</td><td>${r.history.loss.length}</td><td>${r.trainLoss.toPrecision(4)}</td><td>${r.valMse.toPrecision(4)}</td><td>${r.valLastStepMse?.toPrecision(4) ?? '—'}</td><td>${r.seconds.toFixed(1)}</td></tr>`)
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:900px;margin:2em auto;color:#111}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}figure{margin:1.5em 0}figcaption{color:#444;font-size:0.9em}pre{background:#f6f6f6;padding:1em}</style>
</head><body>
<h1>${escapeHtml(options.title)}</h1>
<table><tr><th>task</th><th>cell</th><th>epochs</th><th>train loss</th><th>validation MSE</th><th>last-step MSE</th><th>seconds</th></tr>
${summary}
</table>
${options.table ? `<pre>${escapeHtml(options.table)}</pre>` : ''}
${results.filter((r) => r.sampleText).map((r) => `<h2>Generated text (${r.settings.cell})</h2><pre>${escapeHtml(r.sampleText ?? '')}</pre>`).join('\n')}
${figures.map((f) => `<figure>${f.svg}<figcaption>${escapeHtml(f.caption)} (<a href="${f.file}">${f.file}</a>)</figcaption></figure>`).join('\n')}
</body></html>
`;
  const file = path.join(dir, 'index.html');
  writeFileAtomic(file, html);
  return file;
}
