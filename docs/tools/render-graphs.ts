/**
 * The tape made visible. Builds two small computations, exports their tapes with `toDot`
 * (engine/tape-print.ts) and writes them to docs/figures/ as Graphviz files:
 *
 *   tape-expression.dot   L = Σ tanh(x ⊙ w + b) ⊙ x       (x is used twice: its gradient accumulates)
 *   tape-lstm-step.dot    one LSTM step, L = Σ h_t, with the gates named i, f, g, o
 *
 * Where Graphviz's `dot` is installed, every .dot file under docs/figures/ (these two and the
 * hand-written cell diagrams in docs/figures/cells/) is rendered to an .svg beside it.
 * spec/docs-figures.test.ts checks that the committed .dot files equal what this script writes.
 *
 * Run: `npm run build && node dist/docs/tools/render-graphs.js`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { Tensor } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { Random } from '../../engine/random';
import { add, mul, tanh, sum } from '../../engine/ops';
import { toDot } from '../../engine/tape-print';
import { LSTMCell } from '../../cells/lstm';
import { NO_MASKS } from '../../cells/cell';
import { ROOT } from './regions';

export const FIGURES = path.join(ROOT, 'docs', 'figures');

export interface TapeGraph {
  /** File name without extension. */
  readonly name: string;
  readonly dot: string;
}

/**
 * toDot names graph nodes by tensor id, a process-wide counter; renumber them n1, n2, … in order
 * of appearance so the file does not depend on how many tensors were made before.
 */
export function stableIds(dot: string): string {
  const ids = new Map<string, string>();
  return dot.replace(/(^ {2}|-> )(t\d+)\b/gm, (_m, lead: string, id: string) => {
    if (!ids.has(id)) ids.set(id, `n${ids.size + 1}`);
    return `${lead}${ids.get(id)}`;
  });
}

/** L = Σ tanh(x ⊙ w + b) ⊙ x for two-element x and w and a scalar b. */
export function expressionGraph(): TapeGraph {
  const x = tensor([1, 2], { requiresGrad: true, name: 'x' });
  const w = tensor([0.5, -1], { requiresGrad: true, name: 'w' });
  const b = tensor(0.1, { requiresGrad: true, name: 'b' });
  const loss = sum(mul(tanh(add(mul(x, w), b)), x));
  loss.name = 'L';
  return { name: 'tape-expression', dot: stableIds(toDot(loss, 'L = sum(tanh(x*w + b) * x)')) };
}

/** Name a tensor if it is the output of `op` (so a change in the cell code shows up as an error). */
function named(t: Tensor | undefined, op: string, name: string): Tensor {
  if (!t || t.entry?.op !== op) {
    throw new Error(`render-graphs: expected '${name}' to come from '${op}', got '${t?.entry?.op ?? 'a leaf'}' (did cells/lstm.ts change?)`);
  }
  t.name = name;
  return t;
}

/**
 * One step of the composed LSTM cell (cells/lstm.ts), batch 1, one input feature, two units:
 * xW_t = x_t·W + b, then h_t, c_t = step(xW_t, h_{t−1}, c_{t−1}), and L = Σ h_t. The gate
 * tensors are found by walking back from c_t = f ⊙ c_{t−1} + i ⊙ g and h_t = o ⊙ tanh(c_t).
 */
export function lstmStepGraph(): TapeGraph {
  const cell = new LSTMCell(2, { rng: new Random(1) });
  cell.build(1);
  const x = tensor([[0.5]], { name: 'x_t' });
  const hPrev = tensor([[0.1, -0.2]], { requiresGrad: true, name: 'h_prev' });
  const cPrev = tensor([[0.3, 0.4]], { requiresGrad: true, name: 'c_prev' });
  const xW = cell.projectInput(x, null);
  const [h, c] = cell.step(xW, [hPrev, cPrev], NO_MASKS);
  named(h, 'mul', 'h_t');
  named(c, 'add', 'c_t');
  const [fc, ig] = c.entry!.inputs;
  named(fc, 'mul', 'f*c_prev');
  named(ig, 'mul', 'i*g');
  const f = named(fc.entry!.inputs[0], 'sigmoid', 'f');
  const i = named(ig.entry!.inputs[0], 'sigmoid', 'i');
  const g = named(ig.entry!.inputs[1], 'tanh', 'g');
  const o = named(h.entry!.inputs[0], 'sigmoid', 'o');
  named(h.entry!.inputs[1], 'tanh', 'tanh(c_t)');
  for (const [gate, block] of [[i, 'z_i'], [f, 'z_f'], [g, 'z_c'], [o, 'z_o']] as const) named(gate.entry!.inputs[0], 'split', block);
  named(i.entry!.inputs[0].entry!.inputs[0], 'add', 'z');
  named(xW, 'add', 'xW_t');
  const loss = sum(h);
  loss.name = 'L';
  return { name: 'tape-lstm-step', dot: stableIds(toDot(loss, 'one LSTM step, L = sum(h_t)')) };
}

export function tapeGraphs(): TapeGraph[] {
  return [expressionGraph(), lstmStepGraph()];
}

/** Is Graphviz's dot on the PATH? */
export function hasGraphviz(): boolean {
  try {
    execFileSync('dot', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every .dot file under dir, recursively. */
function dotFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? dotFiles(p) : e.name.endsWith('.dot') ? [p] : [];
  });
}

function main(): void {
  fs.mkdirSync(FIGURES, { recursive: true });
  for (const g of tapeGraphs()) {
    fs.writeFileSync(path.join(FIGURES, `${g.name}.dot`), `${g.dot}\n`);
    process.stderr.write(`wrote docs/figures/${g.name}.dot\n`);
  }
  if (!hasGraphviz()) {
    process.stderr.write('Graphviz (dot) is not installed: the .svg files were not rendered (apt-get install graphviz)\n');
    return;
  }
  for (const file of dotFiles(FIGURES)) {
    const svg = execFileSync('dot', ['-Tsvg', file], { encoding: 'utf8' });
    fs.writeFileSync(file.replace(/\.dot$/, '.svg'), svg);
    process.stderr.write(`rendered ${path.relative(ROOT, file).replace(/\.dot$/, '.svg')}\n`);
  }
}

if (require.main === module) main();
