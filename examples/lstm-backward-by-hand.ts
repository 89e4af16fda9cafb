/**
 * Backpropagation through time for an LSTM, by hand: plain arrays and for-loops, no engine, no
 * autodiff — the classic course assignment. It reads a TF.js model file (one LSTM layer, then a
 * Dense layer), an input and a target, computes the MSE loss and its gradient with respect to
 * every weight and to the input, and writes them in the form `rnngrad grads` writes, so that
 * `rnngrad compare-grads` can mark it against the float64 answer key (docs/11-answer-key.md):
 *
 *   npx ts-node examples/lstm-backward-by-hand.ts --model m/model.json --input x.json --target y.json --output mine.json
 *   rnngrad grads --model m/model.json --input x.json --target y.json --output key.json
 *   rnngrad compare-grads --expected key.json --actual mine.json
 *
 * `--bug forget` plants the classic mistake — the forget-gate term left out of δc, so the cell's
 * gradient no longer flows back in time — and `--bug forget-bias` forgets one gate's bias
 * gradient; compare-grads names the weights, gates and elements they break.
 *
 * The forward pass, Keras's LSTM (gate order i, f, c, o along the last axis of W, U and b):
 *
 *   z_t = x_t·W + h_{t−1}·U + b
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 *   y = h_T·W_d + b_d                L = (1/N) Σ (y − target)²
 *
 * and the backward pass, from the last step to the first (δ means ∂L/∂):
 *
 *   δh_t = (δy·W_dᵀ at t = T) + δz_{t+1}·Uᵀ
 *   δc_t = δh_t ⊙ o ⊙ (1 − tanh²c_t) + δc_{t+1} ⊙ f_{t+1}      ← the forget-gate term
 *   δo = δh_t ⊙ tanh c_t   δi = δc_t ⊙ g   δg = δc_t ⊙ i   δf = δc_t ⊙ c_{t−1}
 *   δz = [δi·σ'(z_i), δf·σ'(z_f), δg·(1 − g²), δo·σ'(z_o)]
 *   δW += x_tᵀ·δz   δU += h_{t−1}ᵀ·δz   δb += δz   δx_t = δz·Wᵀ
 */
import * as fs from 'fs';
import * as path from 'path';

type Matrix = number[][];
const zeros = (rows: number, cols: number): Matrix => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));

// #region reading-the-model-file
/** The weights of model.json's manifest, by name, read as little-endian float32 from the shards. */
function readWeights(modelFile: string): { config: ModelJson; weights: Map<string, { shape: number[]; values: number[] }> } {
  const config = JSON.parse(fs.readFileSync(modelFile, 'utf8')) as ModelJson;
  const weights = new Map<string, { shape: number[]; values: number[] }>();
  for (const group of config.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelFile), p))));
    let offset = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size }, (_, k) => bytes.readFloatLE(offset + 4 * k));
      offset += 4 * size;
      weights.set(w.name, { shape: w.shape, values });
    }
  }
  return { config, weights };
}

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
}

/** A weight of a layer as a matrix (a vector is one row), with the name the manifest gives it. */
function weightOf(all: ReturnType<typeof readWeights>['weights'], layer: string, leaf: string): { name: string; m: Matrix } {
  const name = [...all.keys()].find((n) => n.startsWith(`${layer}/`) && n.replace(/:\d+$/, '').split('/').pop() === leaf);
  if (name === undefined) throw new Error(`no weight '${leaf}' for layer '${layer}' in the model file`);
  const { shape, values } = all.get(name) as { shape: number[]; values: number[] };
  const cols = shape[shape.length - 1];
  return { name, m: Array.from({ length: values.length / cols }, (_, r) => values.slice(r * cols, (r + 1) * cols)) };
}
// #endregion reading-the-model-file

type Bug = 'none' | 'forget' | 'forget-bias';

/** The whole computation for one batch: forward, loss, backward. */
function lstmGrads(model: ReturnType<typeof readWeights>, x: number[][][], target: Matrix, bug: Bug) {
  const [lstmLayer, denseLayer] = model.config.modelTopology.config.layers;
  if (lstmLayer?.class_name !== 'LSTM' || denseLayer?.class_name !== 'Dense' || model.config.modelTopology.config.layers.length !== 2) {
    throw new Error('this example reads a model of one LSTM layer followed by one Dense layer');
  }
  const lc = lstmLayer.config;
  if (lc.return_sequences || lc.go_backwards || (lc.activation ?? 'tanh') !== 'tanh' || (denseLayer.config.activation ?? 'linear') !== 'linear') {
    throw new Error('this example reads an LSTM with tanh, return_sequences false, go_backwards false, and a linear Dense');
  }
  const hardSigmoid = (lc.recurrent_activation ?? 'hard_sigmoid') !== 'sigmoid'; // TF.js's default is hard_sigmoid
  const sigma = (z: number) => (hardSigmoid ? Math.min(1, Math.max(0, 0.2 * z + 0.5)) : 1 / (1 + Math.exp(-z)));
  // σ'(z), from z for the hard sigmoid (flat outside ±2.5), from the output s for the sigmoid.
  const dSigma = (z: number, s: number) => (hardSigmoid ? (Math.abs(z) < 2.5 ? 0.2 : 0) : s * (1 - s));

  const name = String(lc.name);
  const W = weightOf(model.weights, name, 'kernel');
  const U = weightOf(model.weights, name, 'recurrent_kernel');
  const b = weightOf(model.weights, name, 'bias');
  const Wd = weightOf(model.weights, String(denseLayer.config.name), 'kernel');
  const bd = weightOf(model.weights, String(denseLayer.config.name), 'bias');
  const units = U.m.length;
  const features = W.m.length;
  const outputs = Wd.m[0].length;
  const [batch, time] = [x.length, x[0].length];

  const dW = zeros(features, 4 * units), dU = zeros(units, 4 * units), db = zeros(1, 4 * units);
  const dWd = zeros(units, outputs), dbd = zeros(1, outputs);
  const dx = x.map((seq) => zeros(seq.length, features));
  let loss = 0;
  const N = batch * outputs;

  for (let n = 0; n < batch; n++) {
    // #region forward
    // Forward, keeping what the backward pass needs at every step.
    const h: number[][] = [new Array<number>(units).fill(0)];
    const c: number[][] = [new Array<number>(units).fill(0)];
    const z: number[][] = [];
    const gate: { i: number[]; f: number[]; g: number[]; o: number[] }[] = [];
    for (let t = 0; t < time; t++) {
      const zt = b.m[0].slice();
      for (let k = 0; k < 4 * units; k++) {
        for (let a = 0; a < features; a++) zt[k] += x[n][t][a] * W.m[a][k];
        for (let a = 0; a < units; a++) zt[k] += h[t][a] * U.m[a][k];
      }
      const i = zt.slice(0, units).map(sigma); //                  input gate
      const f = zt.slice(units, 2 * units).map(sigma); //          forget gate
      const g = zt.slice(2 * units, 3 * units).map(Math.tanh); //  candidate
      const o = zt.slice(3 * units).map(sigma); //                 output gate
      c.push(c[t].map((cPrev, u) => f[u] * cPrev + i[u] * g[u])); // c_t = f ⊙ c_{t−1} + i ⊙ g
      h.push(o.map((ou, u) => ou * Math.tanh(c[t + 1][u]))); //      h_t = o ⊙ tanh(c_t)
      z.push(zt);
      gate.push({ i, f, g, o });
    }
    const y = bd.m[0].map((bias, k) => bias + h[time].reduce((acc, hu, u) => acc + hu * Wd.m[u][k], 0));
    // #endregion forward

    // #region backward
    // The loss and the Dense layer: δy = 2(y − target)/N.
    const dy = y.map((yk, k) => (2 * (yk - target[n][k])) / N);
    y.forEach((yk, k) => (loss += (yk - target[n][k]) ** 2 / N));
    for (let k = 0; k < outputs; k++) {
      dbd[0][k] += dy[k];
      for (let u = 0; u < units; u++) dWd[u][k] += h[time][u] * dy[k];
    }
    let dh = Wd.m.map((row) => row.reduce((acc, w, k) => acc + w * dy[k], 0)); // δh_T = δy·W_dᵀ
    let dcNext = new Array<number>(units).fill(0);
    let fNext = new Array<number>(units).fill(0);
    for (let t = time - 1; t >= 0; t--) {
      const { i, f, g, o } = gate[t];
      const tanhC = c[t + 1].map(Math.tanh);
      // δc_t = δh_t ⊙ o ⊙ (1 − tanh²c_t) + δc_{t+1} ⊙ f_{t+1}; the planted bug drops the second term.
      const dc = tanhC.map((tc, u) => dh[u] * o[u] * (1 - tc * tc) + (bug === 'forget' ? 0 : dcNext[u] * fNext[u]));
      const dz = new Array<number>(4 * units);
      for (let u = 0; u < units; u++) {
        dz[u] = dc[u] * g[u] * dSigma(z[t][u], i[u]); //                                input gate
        dz[units + u] = dc[u] * c[t][u] * dSigma(z[t][units + u], f[u]); //             forget gate
        dz[2 * units + u] = dc[u] * i[u] * (1 - g[u] * g[u]); //                         candidate
        dz[3 * units + u] = dh[u] * tanhC[u] * dSigma(z[t][3 * units + u], o[u]); //    output gate
      }
      for (let k = 0; k < 4 * units; k++) {
        const forgotten = bug === 'forget-bias' && k >= units && k < 2 * units; // the second planted bug
        if (!forgotten) db[0][k] += dz[k];
        for (let a = 0; a < features; a++) dW[a][k] += x[n][t][a] * dz[k];
        for (let a = 0; a < units; a++) dU[a][k] += h[t][a] * dz[k];
      }
      for (let a = 0; a < features; a++) dx[n][t][a] = dz.reduce((acc, d, k) => acc + d * W.m[a][k], 0); // δx_t = δz·Wᵀ
      dh = U.m.map((row) => row.reduce((acc, w, k) => acc + w * dz[k], 0)); //                            δh_{t−1} = δz·Uᵀ
      dcNext = dc;
      fNext = f;
    }
    // #endregion backward
  }
  const entry = (m: Matrix, shape: number[]) => ({ shape, values: m.flat() });
  return {
    loss,
    weights: {
      [W.name]: entry(dW, [features, 4 * units]), [U.name]: entry(dU, [units, 4 * units]), [b.name]: entry(db, [4 * units]),
      [Wd.name]: entry(dWd, [units, outputs]), [bd.name]: entry(dbd, [outputs]),
    },
    input: { shape: [batch, time, features], values: dx.flat(2) },
  };
}

/** `--name value` pairs from the command line. */
function flags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < argv.length; k += 2) {
    if (!argv[k].startsWith('--') || argv[k + 1] === undefined) throw new Error(`expected --flag value pairs, got '${argv[k]}'`);
    out[argv[k].slice(2)] = argv[k + 1];
  }
  for (const need of ['model', 'input', 'target', 'output']) if (!(need in out)) throw new Error(`--${need} is required`);
  if (out.bug !== undefined && !['none', 'forget', 'forget-bias'].includes(out.bug)) throw new Error(`--bug: expected none, forget or forget-bias`);
  return out;
}

function main(): void {
  const f = flags(process.argv.slice(2));
  const modelFile = fs.statSync(f.model).isDirectory() ? path.join(f.model, 'model.json') : f.model;
  const x = JSON.parse(fs.readFileSync(f.input, 'utf8')) as number[][][];
  const target = JSON.parse(fs.readFileSync(f.target, 'utf8')) as Matrix;
  const grads = lstmGrads(readWeights(modelFile), x, target, (f.bug ?? 'none') as Bug);
  fs.writeFileSync(f.output, `${JSON.stringify(grads)}\n`);
  process.stderr.write(`lstm-backward-by-hand: loss ${grads.loss.toPrecision(8)}; wrote ${f.output}${f.bug && f.bug !== 'none' ? ` (planted bug: ${f.bug})` : ''}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`lstm-backward-by-hand: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
