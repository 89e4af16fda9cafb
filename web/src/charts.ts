/**
 * The playground's live figures: uPlot line charts (loss, ‖∂L/∂h_t‖, forecast) and a canvas
 * heat map of one sequence's gates over time. Each chart keeps its data and redraws on demand.
 */
import uPlot from 'uplot';
import type { Forecast, GateHeat } from './protocol';

const BLUE = '#2563eb';
const RED = '#dc2626';
const GREEN = '#16a34a';
const COLORS = [BLUE, GREEN, '#9333ea', '#ea580c', '#0891b2', '#be123c'];

/** Tick labels for a log axis: 1e-3 rather than 0.001 or a rounded 0. */
const logTicks = (_u: uPlot, splits: number[]): string[] => splits.map((v) => (v == null ? '' : v.toExponential(0)));

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(280, el.clientWidth - 8), height: 220 };
}

/** Training loss per batch and validation loss per epoch, against the step. */
export class LossChart {
  private readonly steps: number[] = [];
  private readonly train: (number | null)[] = [];
  private readonly valid: (number | null)[] = [];
  private readonly plot: uPlot;

  constructor(el: HTMLElement) {
    this.plot = new uPlot({
      ...size(el),
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'training step' }, { label: 'loss (log)', values: logTicks, size: 60 }],
      series: [{}, { label: 'train (batch)', stroke: BLUE, width: 1 }, { label: 'validation', stroke: RED, width: 2, spanGaps: true, points: { show: true, size: 6 } }],
    }, [[], [], []], el);
  }

  clear(): void {
    this.steps.length = this.train.length = this.valid.length = 0;
    this.plot.setData([[], [], []]);
  }

  addBatch(step: number, loss: number): void {
    this.steps.push(step);
    this.train.push(loss > 0 && Number.isFinite(loss) ? loss : null);
    this.valid.push(null);
  }

  addEpoch(step: number, valLoss: number): void {
    const k = this.steps.lastIndexOf(step);
    const v = valLoss > 0 && Number.isFinite(valLoss) ? valLoss : null;
    if (k >= 0) this.valid[k] = v;
    else {
      this.steps.push(step);
      this.train.push(null);
      this.valid.push(v);
    }
  }

  redraw(): void {
    this.plot.setData([this.steps, this.train, this.valid] as uPlot.AlignedData);
  }
}

/** ‖∂L/∂h_t‖ against t: the latest measurement, and the first one (at initialization) faded. */
export class GradNormChart {
  private first: number[] | null = null;
  private readonly plot: uPlot;

  constructor(el: HTMLElement) {
    this.plot = new uPlot({
      ...size(el),
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'time step t' }, { label: '‖∂L/∂h_t‖ (log)', values: logTicks, size: 60 }],
      series: [{}, { label: 'now', stroke: BLUE, width: 2 }, { label: 'at the start', stroke: '#9ca3af', width: 1, dash: [4, 4] }],
    }, [[], [], []], el);
  }

  clear(): void {
    this.first = null;
    this.plot.setData([[], [], []]);
  }

  update(norms: readonly number[]): void {
    const positive = norms.map((v) => (v > 0 && Number.isFinite(v) ? v : null));
    if (this.first === null) this.first = positive as number[];
    this.plot.setData([norms.map((_, t) => t), positive, this.first] as uPlot.AlignedData);
  }
}

/** A few validation series with the true next value and the forecast, or truth against prediction. */
export class ForecastChart {
  private plot: uPlot | null = null;
  private kind = '';
  private count = 0;

  constructor(private readonly el: HTMLElement, private readonly textEl: HTMLElement) {}

  clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.kind = '';
    this.textEl.textContent = '';
  }

  update(f: Forecast): void {
    if (f.kind === 'text') {
      this.clear();
      if (f.text) this.textEl.textContent = `Shall I compare thee${f.text}`;
      return;
    }
    const count = f.truth.length;
    if (f.kind !== this.kind || count !== this.count || !this.plot) this.make(f.kind, count);
    this.textEl.textContent = f.kind === 'series' ? 'lines: the inputs; filled dots: the true next value; rings: the forecast' : '';
    const data: (number | null)[][] = [];
    if (f.kind === 'series') {
      const time = f.inputs[0].length;
      data.push(Array.from({ length: time + 1 }, (_, t) => t));
      for (let n = 0; n < count; n++) {
        data.push([...f.inputs[n], null]);
        data.push([...new Array<null>(time).fill(null), f.truth[n][0]]);
        data.push([...new Array<null>(time).fill(null), f.predicted[n][0]]);
      }
    } else {
      data.push(f.truth.map((_, n) => n));
      data.push(f.truth.map((v) => v[0]));
      data.push(f.predicted.map((v) => v[0]));
    }
    this.plot?.setData(data as uPlot.AlignedData);
  }

  private make(kind: string, count: number): void {
    this.plot?.destroy();
    this.textEl.textContent = '';
    this.kind = kind;
    this.count = count;
    const series: uPlot.Series[] = [{}];
    if (kind === 'series') {
      for (let n = 0; n < count; n++) {
        const color = COLORS[n % COLORS.length];
        series.push({ label: `series ${n + 1}`, stroke: color, width: 1 });
        series.push({ label: n === 0 ? 'truth' : '', stroke: color, width: 0, points: { show: true, size: 9, fill: color } });
        series.push({ label: n === 0 ? 'forecast' : '', stroke: RED, width: 0, points: { show: true, size: 9, fill: '#fff', stroke: RED, width: 2 } });
      }
    } else {
      series.push({ label: 'truth', stroke: BLUE, width: 0, points: { show: true, size: 8, fill: BLUE } });
      series.push({ label: 'prediction', stroke: RED, width: 0, points: { show: true, size: 8, fill: '#fff', stroke: RED, width: 2 } });
    }
    this.plot = new uPlot({
      ...size(this.el),
      scales: { x: { time: false } },
      axes: [{ label: kind === 'series' ? 'time step' : 'validation sample' }, { label: 'value' }],
      legend: { show: kind !== 'series' },
      series,
    }, [[]], this.el);
  }
}

/**
 * One sequence's gates as a heat map: a band of `units` rows per gate, time left to right.
 * σ gates run 0 (white) → 1 (blue); tanh values −1 (red) → 0 (white) → 1 (blue).
 */
export function drawGateHeat(canvas: HTMLCanvasElement, heat: GateHeat): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const label = 70;
  const shownUnits = Math.min(heat.units, 32);
  const rows = heat.gates.length * (shownUnits + 1);
  const cellW = Math.max(2, Math.floor((canvas.width - label) / heat.time));
  const cellH = Math.max(2, Math.floor((canvas.height - 16) / rows));
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '12px Helvetica, Arial, sans-serif';
  ctx.textBaseline = 'middle';
  const signed = (g: string): boolean => g === 'g' || g === 'h' || g === 'candidate';
  heat.gates.forEach((g, k) => {
    const top = k * (shownUnits + 1) * cellH;
    ctx.fillStyle = '#111';
    ctx.fillText(g === 'candidate' ? 'h̃ (cand.)' : g, 4, top + (shownUnits * cellH) / 2);
    const values = heat.values[g];
    for (let t = 0; t < heat.time; t++) {
      for (let u = 0; u < shownUnits; u++) {
        const v = values[t][u];
        ctx.fillStyle = signed(g) ? diverging(v) : sequential(v);
        ctx.fillRect(label + t * cellW, top + u * cellH, cellW, cellH);
      }
    }
  });
  ctx.fillStyle = '#444';
  ctx.fillText(`time step → (${heat.time} steps${heat.units > shownUnits ? `, first ${shownUnits} of ${heat.units} units` : `, ${heat.units} units`})`, label, canvas.height - 8);
}

function sequential(v: number): string {
  const a = Math.min(1, Math.max(0, v));
  return `rgb(${Math.round(255 - 218 * a)},${Math.round(255 - 156 * a)},${Math.round(255 - 20 * a)})`;
}

function diverging(v: number): string {
  const a = Math.min(1, Math.max(-1, v));
  if (a >= 0) return sequential(a);
  const b = -a;
  return `rgb(${Math.round(255 - 35 * b)},${Math.round(255 - 217 * b)},${Math.round(255 - 217 * b)})`;
}

export { RED, BLUE };
