/**
 * The device kernels of the neural-network rows and gates: layer norm, softmax / log-softmax and
 * their backward, and the two LSTM gate parts (c_t, h_t; cells/lstm-device.ts) with theirs —
 * the same math as kernels/cpu/nn.ts, results left on the device. Row statistics (a mean, a
 * maximum, a sum) are one thread per row; element-wise results read them back per thread.
 */
import type { DType } from '../../engine/tensor';
import type { DeviceArray, DeviceKernels } from '../kernel';
import { coordinates } from './shader';

/** Run a flat kernel of n threads and keep the result on the device (device.ts). */
export type RunFlat = (family: string, key: string, n: number, dtype: DType, source: string, args: readonly DeviceArray[],
  loop?: number) => DeviceArray;
/** Does the device take a call with n outputs on these operands (device.ts)? */
export type Keeps = (n: number, ...operands: DeviceArray[]) => boolean;

type NnDeviceKernels = Pick<DeviceKernels, 'layerNorm' | 'layerNormBackward' | 'softmax' | 'softmaxBackward' | 'lstmGate' | 'lstmGateBackward'>;

export function nnDeviceKernels(run: RunFlat, keeps: Keeps): NnDeviceKernels {
  return {
    layerNorm(x: DeviceArray, gamma: DeviceArray | null, beta: DeviceArray | null, rows: number, cols: number, eps: number) {
      if (!keeps(rows * cols, x, ...[gamma, beta].filter((p): p is DeviceArray => p !== null))) return null;
      const key = `${rows}x${cols}`;
      // one thread per row: μ, then 1/σ = 1/sqrt(mean((x − μ)²) + ε) (biased variance, as Keras)
      const mean = run('layerNorm', `layerNorm:mean:${key}`, rows, x.dtype, `function(x) {
    const o = this.thread.x * ${cols};
    let sum = 0;
    for (let j = 0; j < ${cols}; j++) sum += x[o + j];
    return sum / ${cols};
  }`, [x], cols);
      const rstd = run('layerNorm', `layerNorm:rstd:${key}:${eps}`, rows, x.dtype, `function(x, mean) {
    const o = this.thread.x * ${cols};
    const mu = mean[this.thread.x];
    let sum = 0;
    for (let j = 0; j < ${cols}; j++) sum += (x[o + j] - mu) * (x[o + j] - mu);
    return 1 / Math.sqrt(sum / ${cols} + ${eps});
  }`, [x, mean], cols);
      const rowOf = `const r = floorDiv(this.thread.x, ${cols});`;
      const xhat = run('layerNorm', `layerNorm:xhat:${key}`, rows * cols, x.dtype, `function(x, mean, rstd) {
    ${rowOf}
    return (x[this.thread.x] - mean[r]) * rstd[r];
  }`, [x, mean, rstd]);
      // out = γ ⊙ x̂ + β, the missing parameters left out of the source
      const args = [xhat, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
      const names = ['xhat', ...(gamma ? ['gamma'] : []), ...(beta ? ['beta'] : [])];
      const column = `(this.thread.x - floorDiv(this.thread.x, ${cols}) * ${cols})`;
      const out = run('layerNorm', `layerNorm:out:${key}:${gamma ? 'g' : ''}${beta ? 'b' : ''}`, rows * cols, x.dtype, `function(${names.join(', ')}) {
    const j = ${column};
    return ${gamma ? 'gamma[j] * ' : ''}xhat[this.thread.x]${beta ? ' + beta[j]' : ''};
  }`, args);
      return { out, xhat, rstd };
    },

    layerNormBackward(dy: DeviceArray, xhat: DeviceArray, rstd: DeviceArray, gamma: DeviceArray | null, rows: number, cols: number) {
      if (!keeps(rows * cols, dy, xhat, rstd, ...(gamma ? [gamma] : []))) return null;
      const key = `${rows}x${cols}:${gamma ? 'g' : ''}`;
      const names = ['dy', 'xhat', ...(gamma ? ['gamma'] : [])];
      const args = [dy, xhat, ...(gamma ? [gamma] : [])];
      const d = (idx: string, j: string): string => (gamma ? `dy[${idx}] * gamma[${j}]` : `dy[${idx}]`); // d = dy ⊙ γ
      // per row: mean(d) and mean(d ⊙ x̂)
      const rowMean = (withXhat: boolean): DeviceArray => run('layerNormBackward', `layerNormBackward:mean${withXhat ? 'DX' : 'D'}:${key}`,
        rows, dy.dtype, `function(${names.join(', ')}) {
    const o = this.thread.x * ${cols};
    let sum = 0;
    for (let j = 0; j < ${cols}; j++) sum += ${d('o + j', 'j')}${withXhat ? ' * xhat[o + j]' : ''};
    return sum / ${cols};
  }`, args, cols);
      const meanD = rowMean(false);
      const meanDX = rowMean(true);
      const dx = run('layerNormBackward', `layerNormBackward:dx:${key}`, rows * cols, dy.dtype, `function(${names.join(', ')}, meanD, meanDX, rstd) {
    const t = this.thread.x;
    const r = floorDiv(t, ${cols});
    const j = t - r * ${cols};
    return (${d('t', 'j')} - meanD[r] - xhat[t] * meanDX[r]) * rstd[r];
  }`, [...args, meanD, meanDX, rstd]);
      // per column: dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy
      const columnSum = (withXhat: boolean): DeviceArray => run('layerNormBackward', `layerNormBackward:d${withXhat ? 'Gamma' : 'Beta'}:${key}`,
        cols, dy.dtype, `function(dy, xhat) {
    let sum = 0;
    for (let r = 0; r < ${rows}; r++) sum += dy[r * ${cols} + this.thread.x]${withXhat ? ` * xhat[r * ${cols} + this.thread.x]` : ''};
    return sum;
  }`, [dy, xhat], rows);
      return { dx, dGamma: columnSum(true), dBeta: columnSum(false) };
    },

    softmax(x: DeviceArray, rows: number, cols: number, log: boolean) {
      if (!keeps(rows * cols, x)) return null;
      const key = `${rows}x${cols}`;
      // per row: the maximum (subtracted first, so exp never overflows), then Σ e^(x − max)
      const max = run('softmax', `softmax:max:${key}`, rows, x.dtype, `function(x) {
    const o = this.thread.x * ${cols};
    let m = -3.4028234663852886e38;
    for (let j = 0; j < ${cols}; j++) m = Math.max(m, x[o + j]);
    return m;
  }`, [x], cols);
      const sum = run('softmax', `softmax:sum:${key}`, rows, x.dtype, `function(x, max) {
    const o = this.thread.x * ${cols};
    let s = 0;
    for (let j = 0; j < ${cols}; j++) s += Math.exp(x[o + j] - max[this.thread.x]);
    return s;
  }`, [x, max], cols);
      const value = log ? 'x[t] - (max[r] + Math.log(sum[r]))' : 'Math.exp(x[t] - max[r]) / sum[r]';
      return run('softmax', `softmax:${log ? 'log' : 'plain'}:${key}`, rows * cols, x.dtype, `function(x, max, sum) {
    const t = this.thread.x;
    const r = floorDiv(t, ${cols});
    return ${value};
  }`, [x, max, sum]);
    },

    softmaxBackward(y: DeviceArray, dy: DeviceArray, rows: number, cols: number, log: boolean) {
      if (!keeps(rows * cols, y, dy)) return null;
      const key = `${rows}x${cols}`;
      // per row: Σ dy (log-softmax) or Σ dy ⊙ y (softmax)
      const s = run('softmaxBackward', `softmaxBackward:sum:${log ? 'log' : 'plain'}:${key}`, rows, y.dtype, `function(y, dy) {
    const o = this.thread.x * ${cols};
    let s = 0;
    for (let j = 0; j < ${cols}; j++) s += dy[o + j]${log ? '' : ' * y[o + j]'};
    return s;
  }`, [y, dy], cols);
      const value = log ? 'dy[t] - Math.exp(y[t]) * s[r]' : 'y[t] * (dy[t] - s[r])';
      return run('softmaxBackward', `softmaxBackward:${log ? 'log' : 'plain'}:${key}`, rows * cols, y.dtype, `function(y, dy, s) {
    const t = this.thread.x;
    const r = floorDiv(t, ${cols});
    return ${value};
  }`, [y, dy, s]);
    },

    lstmGate(part: 'c' | 'h', z: DeviceArray, other: DeviceArray, batch: number, units: number, hard: boolean) {
      const n = batch * units;
      if (!keeps(n, z, other)) return null; // z (4n) is a device array already, so 4n is in range too
      const act = hard ? 'hardSigmoidF' : 'sigmoidF';
      const value = part === 'c'
        ? `${act}(z[zr + ${units}]) * other[t] + ${act}(z[zr]) * tanhF(z[zr + ${2 * units}])` // f ⊙ c_{t−1} + i ⊙ g
        : `${act}(z[zr + ${3 * units}]) * tanhF(other[t])`; //                                    o ⊙ tanh(c_t)
      const source = `function(z, other) {
    const t = this.thread.x;
    ${coordinates([batch, units], 'i')}
    const zr = i0 * ${4 * units} + i1;
    return ${value};
  }`;
      return run('lstmGate', `lstmGate:${part}:${batch}x${units}:${hard ? 'hard' : 'sigmoid'}`, n, z.dtype, source, [z, other]);
    },

    lstmGateBackward(part: 'c' | 'h', wrt: 'z' | 'other', z: DeviceArray, other: DeviceArray, dOut: DeviceArray, batch: number,
      units: number, hard: boolean) {
      if (!keeps(batch * units, z, other, dOut)) return null;
      const [act, actD] = hard ? ['hardSigmoidF', 'hardSigmoidD'] : ['sigmoidF', 'sigmoidD'];
      const gate = (q: number): string => `z[zr + ${q * units}]`;
      const sig = (q: number): string => `${act}(${gate(q)})`;
      const sigD = (q: number): string => `${actD}(${gate(q)}, ${sig(q)})`;
      const g = `tanhF(${gate(2)})`;
      let body: string;
      if (wrt === 'other') {
        body = part === 'c'
          ? `return d[k] * ${sig(1)};` //                                    dc_{t−1} = dc ⊙ f
          : `const tc = tanhF(other[k]);
    return d[k] * ${sig(3)} * tanhD(other[k], tc);`; // dc = dh ⊙ o ⊙ tanh'(c)
      } else if (part === 'c') {
        body = `if (q === 0) return d[k] * ${g} * ${sigD(0)};           // dz_i = dc ⊙ g ⊙ σ'(z_i)
    if (q === 1) return d[k] * other[k] * ${sigD(1)};                   // dz_f = dc ⊙ c_{t−1} ⊙ σ'(z_f)
    if (q === 2) return d[k] * ${sig(0)} * tanhD(${gate(2)}, ${g});     // dz_c = dc ⊙ i ⊙ tanh'(z_c)
    return 0;`;
      } else {
        body = `if (q === 3) return d[k] * tanhF(other[k]) * ${sigD(3)}; // dz_o = dh ⊙ tanh(c) ⊙ σ'(z_o)
    return 0;`;
      }
      // threads: one per element of the result; (b, j) its row and unit, q its gate block for dz
      const shape = wrt === 'z' ? [batch, 4, units] : [batch, 1, units];
      const source = `function(z, other, d) {
    const t = this.thread.x;
    ${coordinates(shape, 'i')}
    const q = i1;
    const k = i0 * ${units} + i2;
    const zr = i0 * ${4 * units} + i2;
    ${body}
  }`;
      const n = shape[0] * shape[1] * shape[2];
      return run('lstmGateBackward', `lstmGateBackward:${part}:${wrt}:${batch}x${units}:${hard ? 'hard' : 'sigmoid'}`, n, z.dtype, source,
        [z, other, dOut]);
    },
  };
}
