/**
 * The device half of the gpu.js kernels (kernels/gpu/device.ts) and what it does to tensors:
 * every device kernel against the float64 js kernel (max|gpu − cpu| / max|cpu| ≤ 1e-4, shapes
 * odd, 1×N, N×1, and past one texture row), results that stay on the device between ops, the
 * readback only where the host reads (`Tensor.data`), and tidy() freeing a step's textures.
 */
import { Random } from '../../engine/random';
import { Tensor, Storage } from '../../engine/tensor';
import { tensor } from '../../engine/creation';
import { add, mul, tanh, sigmoid, matmul, sum, mse, reshape, transpose, slice, concat, split, layerNorm, softmaxCrossEntropy } from '../../engine/ops';
import { tidy } from '../../engine/tidy';
import { setKernels, getKernels } from '../../kernels/registry';
import { cpuKernels } from '../../kernels/cpu';
import type { DeviceArray, MatmulDims } from '../../kernels/kernel';
import type { UnaryOp, BinaryOp } from '../../kernels/scalar';
import { sizeOf, Shape } from '../../engine/shape';
import { LSTM, Dense } from '../../cells';
import { Adam } from '../../train/optimizers';
import { gpuKernels, randomData, relativeError, KERNEL_TOLERANCE } from './helpers';

const gpu = gpuKernels();
const device = gpu.device;
const rng = new Random(7);
/** More elements than one texture row holds (gpu.js wraps 1-D outputs into 2-D textures). */
const LONG = 70_001;

const data = (n: number, scale = 1): Float64Array => randomData(rng, n, scale);
const up = (x: Float64Array): DeviceArray => device.upload(x);
const back = (a: DeviceArray | null): Storage => {
  if (a === null) throw new Error('the device kernel declined the call');
  return a.read();
};
const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>): void => {
  expect(relativeError(actual, expected)).toBeLessThanOrEqual(KERNEL_TOLERANCE);
};

describe(`gpu.js device kernels (${gpu.name}) vs js float64`, () => {
  test.each(['tanh', 'sigmoid', 'exp', 'relu', 'square', 'neg'] as UnaryOp[])('unary %s and its backward', (op) => {
    for (const n of [1, 37, LONG]) {
      const x = data(n, 2);
      const y = new Float64Array(n);
      cpuKernels.unary(op, x, y);
      const dy = data(n);
      const dx = new Float64Array(n);
      cpuKernels.unaryBackward(op, x, y, dy, dx);
      expectClose(back(device.unary(op, up(x))), y);
      expectClose(back(device.unaryBackward(op, up(x), up(y), up(dy))), dx);
    }
  });

  const layouts: Array<[Shape, Shape]> = [
    [[5, 7], [5, 7]], [[1, 9], [9]], [[9, 1], [1]], [[13, 7], [7]], [[13, 7], [13, 1]], [[4, 1, 6], [4, 5, 6]],
    [[3, 5, 7], [1, 5, 1]], [[LONG], [LONG]], [[], [4, 3]],
  ];
  test.each(['add', 'sub', 'mul', 'div'] as BinaryOp[])('binary %s with broadcasting', (op) => {
    for (const [aShape, bShape] of layouts) {
      const outShape = aShape.length >= bShape.length
        ? aShape.map((d, i) => Math.max(d, bShape[i - (aShape.length - bShape.length)] ?? 1))
        : bShape.map((d, i) => Math.max(d, aShape[i - (bShape.length - aShape.length)] ?? 1));
      const a = data(sizeOf(aShape));
      const b = op === 'div' ? data(sizeOf(bShape)).map((v) => v + Math.sign(v) * 2) : data(sizeOf(bShape));
      const expected = new Float64Array(sizeOf(outShape));
      cpuKernels.binary(op, a, aShape, b, bShape, expected, outShape);
      expectClose(back(device.binary(op, up(a), aShape, up(b), bShape, outShape)), expected);
    }
  });

  test('matmul: four transpose variants, batched and shared B, odd and long shapes', () => {
    const cases: Array<Omit<MatmulDims, 'transA' | 'transB'>> = [
      { batch: 1, m: 1, n: 17, k: 5, batchB: true }, { batch: 1, m: 17, n: 1, k: 5, batchB: true },
      { batch: 3, m: 7, n: 5, k: 9, batchB: true }, { batch: 4, m: 6, n: 11, k: 3, batchB: false },
      { batch: 1, m: 300, n: 240, k: 2, batchB: true },
    ];
    for (const c of cases) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const d: MatmulDims = { ...c, transA, transB };
        const a = data(d.batch * d.m * d.k);
        const b = data((d.batchB ? d.batch : 1) * d.k * d.n);
        const expected = new Float64Array(d.batch * d.m * d.n);
        cpuKernels.matmul(a, b, expected, d);
        expectClose(back(device.matmul(up(a), up(b), d)), expected);
      }
    }
  });

  test('reduce sum and max, one and two stages; sumTo of each layout', () => {
    for (const [outer, n, inner] of [[1, 9, 1], [4, 7, 3], [1, 3000, 5], [2, 1000, 1], [LONG, 1, 1]]) {
      const x = data(outer * n * inner);
      for (const op of ['sum', 'max'] as const) {
        const expected = new Float64Array(outer * inner);
        cpuKernels.reduce(op, x, outer, n, inner, expected);
        expectClose(back(device.reduce(op, up(x), outer, n, inner)), expected);
      }
    }
    const sumTos: Array<[Shape, Shape]> = [[[30, 7], [7]], [[30, 7], [30, 1]], [[6, 5, 4], [5, 1]], [[3, 4], [3, 4]], [[5, 3], []]];
    for (const [xShape, outShape] of sumTos) {
      const x = data(sizeOf(xShape));
      const expected = new Float64Array(sizeOf(outShape));
      cpuKernels.sumTo(x, xShape, expected, outShape);
      expectClose(back(device.sumTo(up(x), xShape, outShape)), expected);
    }
  });

  test('permute, slice, pad (slice backward) and concat (more parts than one kernel reads)', () => {
    const shape = [3, 5, 4];
    const x = data(60);
    for (const perm of [[1, 0, 2], [2, 1, 0], [0, 2, 1]]) {
      const expected = new Float64Array(60);
      cpuKernels.permute(x, shape, perm, expected);
      expectClose(back(device.permute(up(x), shape, perm)), expected);
    }
    const begin = [1, 2, 0];
    const outShape = [2, 3, 4];
    const part = new Float64Array(24);
    cpuKernels.slice(x, shape, begin, part, outShape);
    expectClose(back(device.slice(up(x), shape, begin, outShape)), part);
    const padded = new Float64Array(60);
    cpuKernels.writeSlice(part, outShape, begin, padded, shape);
    expectClose(back(device.pad(up(part), outShape, begin, shape)), padded);

    const lengths = [1, 2, 1, 3, 1, 1, 2, 1, 1, 4, 1]; // 11 parts: two rounds of concat kernels
    const [outer, inner] = [3, 2];
    const parts = lengths.map((l) => data(outer * l * inner));
    const total = lengths.reduce((a, b) => a + b, 0);
    const joined = new Float64Array(outer * total * inner);
    let start = 0;
    parts.forEach((p, k) => {
      cpuKernels.writeSlice(p, [outer, lengths[k], inner], [0, start, 0], joined, [outer, total, inner]);
      start += lengths[k];
    });
    expectClose(back(device.concat(parts.map(up), outer, lengths, inner)), joined);
  });

  test.each([false, true])('LSTM gate parts c and h and their gradients, against the js LSTM gate kernels (hard σ: %s)', (hard) => {
    const [batch, units] = [5, 7];
    const n = batch * units;
    const z = data(4 * n, 2);
    const cPrev = data(n);
    const saved = { i: new Float64Array(n), f: new Float64Array(n), g: new Float64Array(n), o: new Float64Array(n),
      c: new Float64Array(n), tanhC: new Float64Array(n), h: new Float64Array(n) };
    cpuKernels.lstmGates(z, cPrev, batch, units, hard, saved);
    const [zD, cPrevD] = [up(z), up(cPrev)];
    const c = device.lstmGate('c', zD, cPrevD, batch, units, hard)!;
    expectClose(back(c), saved.c);
    expectClose(back(device.lstmGate('h', zD, c, batch, units, hard)), saved.h);
    // backward through both parts, chained, equals the fused js backward from dh and dc
    const dh = data(n);
    const dcIn = data(n);
    const dz = new Float64Array(4 * n);
    const dcPrev = new Float64Array(n);
    cpuKernels.lstmGatesBackward(z, cPrev, saved, dh, dcIn, batch, units, hard, dz, dcPrev);
    const cD = up(saved.c);
    const dzFromH = back(device.lstmGateBackward('h', 'z', zD, cD, up(dh), batch, units, hard));
    const dcFromH = back(device.lstmGateBackward('h', 'other', zD, cD, up(dh), batch, units, hard));
    const dcTotal = Float64Array.from(dcFromH, (v, k) => v + dcIn[k]);
    const dzFromC = back(device.lstmGateBackward('c', 'z', zD, cPrevD, up(dcTotal), batch, units, hard));
    expectClose(Float64Array.from(dzFromC, (v, k) => v + dzFromH[k]), dz);
    expectClose(back(device.lstmGateBackward('c', 'other', zD, cPrevD, up(dcTotal), batch, units, hard)), dcPrev);
    // each part touches only its own gates: h the output gate, c the other three
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < 4 * units; j++) {
        if (j < 3 * units) expect(dzFromH[b * 4 * units + j]).toBe(0);
        else expect(dzFromC[b * 4 * units + j]).toBe(0);
      }
    }
  });

  test.each([[1, 7], [13, 20], [4, 300]])('layer norm and softmax over %i rows of %i, and their backward', (rows, cols) => {
    const n = rows * cols;
    const x = data(n, 3);
    const gamma = data(cols);
    const beta = data(cols);
    for (const [g, b] of [[gamma, beta], [null, null]] as const) {
      const [out, xhat, rstd] = [new Float64Array(n), new Float64Array(n), new Float64Array(rows)];
      cpuKernels.layerNorm(x, g, b, rows, cols, 1e-3, out, xhat, rstd);
      const onDevice = device.layerNorm(up(x), g && up(g), b && up(b), rows, cols, 1e-3)!;
      expectClose(back(onDevice.out), out);
      expectClose(back(onDevice.xhat), xhat);
      expectClose(back(onDevice.rstd), rstd);
      const dy = data(n);
      const [dx, dGamma, dBeta] = [new Float64Array(n), new Float64Array(cols), new Float64Array(cols)];
      cpuKernels.layerNormBackward(dy, xhat, rstd, g, rows, cols, dx, dGamma, dBeta);
      const grads = device.layerNormBackward(up(dy), up(xhat), up(rstd), g && up(g), rows, cols)!;
      expectClose(back(grads.dx), dx);
      expectClose(back(grads.dGamma), dGamma);
      expectClose(back(grads.dBeta), dBeta);
    }
    for (const log of [false, true]) {
      const y = new Float64Array(n);
      cpuKernels.softmax(x, rows, cols, log, y);
      expectClose(back(device.softmax(up(x), rows, cols, log)), y);
      const dy = data(n);
      const dx = new Float64Array(n);
      cpuKernels.softmaxBackward(y, dy, rows, cols, log, dx);
      expectClose(back(device.softmaxBackward(up(y), up(dy), rows, cols, log)), dx);
    }
  });

  test('broadcastTo and select (a null operand is zeros)', () => {
    for (const [xShape, outShape] of [[[1, 5], [4, 5]], [[3, 1, 2], [3, 4, 2]], [[], [6]], [[7, 1], [7, 9]]] as Array<[Shape, Shape]>) {
      const x = data(sizeOf(xShape));
      const expected = new Float64Array(sizeOf(outShape));
      cpuKernels.broadcastTo(x, xShape, expected, outShape);
      expectClose(back(device.broadcastTo(up(x), xShape, outShape)), expected);
    }
    const n = 1001;
    const cond = data(n).map((v) => (v > 0 ? 1 : 0));
    const [a, b] = [data(n), data(n)];
    const zeros = new Float64Array(n);
    for (const [da, db, ha, hb] of [[up(a), up(b), a, b], [up(a), null, a, zeros], [null, up(b), zeros, b]] as const) {
      const expected = new Float64Array(n);
      cpuKernels.select(cond, ha, hb, expected);
      expectClose(back(device.select(up(cond), da, db)), expected);
    }
  });

  test('calls the device kernels do not take are declined, and the op runs on the host', () => {
    expect(device.binary('add', up(data(2)), [2, 1, 2, 1, 2], up(data(2)), [1, 2, 1, 2, 1], [2, 2, 2, 2, 2])).toBeNull();
    expect(device.unary('tanh', up(new Float64Array(0)))).toBeNull();
  });
});

test('on the js kernels there is no device: tidy just runs fn, and every tensor is on the host', () => {
  setKernels(cpuKernels);
  const x = tensor([1, 2, 3]);
  const y = tidy(() => tanh(x));
  expect(y.onDevice).toBe(false);
  expect(y.values).toBe(y.data);
  expect(tidy(() => 42)).toBe(42);
  expect(() => tidy(() => { throw new Error('inside'); })).toThrow('inside');
});

describe(`tensors on the device (${gpu.name})`, () => {
  beforeEach(() => setKernels(gpu));
  afterEach(() => setKernels(cpuKernels));

  test('an op result stays on the device; .data reads it back once, then the host copy is the only one', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[0.5], [-1]]);
    const reads = gpu.stats.readbacks;
    const y = tanh(add(matmul(a, b), 1));
    expect(y.onDevice).toBe(true);
    expect(gpu.stats.readbacks).toBe(reads); // nothing came back yet
    const expected = [[Math.tanh(1 + 0.5 - 2)], [Math.tanh(1 + 1.5 - 4)]];
    expectClose(y.data, expected.flat());
    expect(gpu.stats.readbacks).toBe(reads + 1);
    void y.data;
    expect(gpu.stats.readbacks).toBe(reads + 1); // read once
    expect(y.onDevice).toBe(false);
    // the host copy may be written; the next device op uploads it
    const uploads = gpu.stats.uploads;
    y.data[0] = 10;
    const z = mul(y, 2);
    expect(gpu.stats.uploads).toBe(uploads + 2); // y and the constant 2
    expect(z.data[0]).toBe(20);
  });

  test('views share one storage: a write through one view is what a device op on another sees', () => {
    const w = tensor([[1, 2], [3, 4]]);
    const view = w.detach();
    const x = tensor([[1, 1]]);
    expect(Array.from(matmul(x, view).data)).toEqual([4, 6]); // view uploaded
    w.data[0] = 100; // written on the host through w: the upload is dropped for every view
    expect(Array.from(matmul(x, view).data)).toEqual([103, 6]);
    expect(Array.from(matmul(x, reshape(w, [2, 2])).data)).toEqual([103, 6]);
  });

  test('arrays of 2^24 elements or more are not put on the device: every kernel declines them', () => {
    const big = device.upload(new Float32Array(1 << 24));
    expect(device.unary('neg', big)).toBeNull();
    expect(device.reduce('sum', big, 1, 1 << 24, 1)).toBeNull();
    expect(big.read().length).toBe(1 << 24);
  });

  test('views share the device values without a readback: reshape, detach, transpose, split, concat', () => {
    const x = tensor(Float32Array.from(data(24)), [2, 3, 4]);
    const reads = gpu.stats.readbacks;
    const y = sigmoid(x);
    const r = reshape(y, [6, 4]);
    const d = y.detach();
    const t = transpose(y, [1, 0, 2]);
    const parts = split(t, 3, 0);
    const c = concat(parts, 0);
    const s = slice(c, [1, 0, 1], [2, 2, 3]);
    for (const v of [y, r, d, t, ...parts, c, s]) expect(v.onDevice).toBe(true);
    expect(gpu.stats.readbacks).toBe(reads);
    const host = Array.from(x.data, (v) => 1 / (1 + Math.exp(-v)));
    expectClose(r.data, host);
    expectClose(d.data, host);
    const expectedT = new Float64Array(24);
    cpuKernels.permute(Float64Array.from(host), [2, 3, 4], [1, 0, 2], expectedT);
    expectClose(c.data, expectedT);
  });

  test('backward runs on the device: the gradients a leaf receives are read back only when the host asks', () => {
    const w = tensor(Float32Array.from(data(12)), [3, 4], { requiresGrad: true });
    const x = tensor(Float32Array.from(data(15)), [5, 3]);
    const target = tensor(Float32Array.from(data(20)), [5, 4]);
    const loss = mse(tanh(matmul(x, w)), target);
    const reads = gpu.stats.readbacks;
    loss.backward();
    expect(gpu.stats.readbacks).toBe(reads);
    expect(w.grad!.onDevice).toBe(true);
    // the same gradient on the js kernels
    setKernels(cpuKernels);
    const w2 = tensor(w.data, [3, 4], { requiresGrad: true });
    mse(tanh(matmul(x, w2)), target).backward();
    setKernels(gpu);
    expectClose(w.grad!.data, w2.grad!.data);
    expect(gpu.stats.readbacks).toBe(reads + 1);
  });

  test('layer norm and softmax cross-entropy train on the device: gradients equal the js ones, read back only when asked', () => {
    const x = tensor(Float32Array.from(data(6 * 5)), [6, 5]);
    const labels = tensor(Float32Array.from({ length: 30 }, (_, i) => (i % 5 === i % 3 ? 1 : 0) / 1), [6, 5]);
    const grads = (): Float32Array[] => {
      const gamma = tensor(Float32Array.from({ length: 5 }, (_, j) => 1 + j / 10), [5], { requiresGrad: true });
      const beta = tensor(Float32Array.from({ length: 5 }, (_, j) => j / 20), [5], { requiresGrad: true });
      const w = tensor(Float32Array.from({ length: 25 }, (_, i) => Math.sin(i)), [5, 5], { requiresGrad: true });
      const reads = gpu.stats.readbacks;
      softmaxCrossEntropy(matmul(layerNorm(x, gamma, beta), w), labels).backward();
      if (getKernels().device) expect(gpu.stats.readbacks).toBe(reads);
      return [gamma, beta, w].map((t) => Float32Array.from(t.grad!.data));
    };
    const onGpu = grads();
    setKernels(cpuKernels);
    const onCpu = grads();
    setKernels(gpu);
    onGpu.forEach((g, k) => expectClose(g, onCpu[k]));
  });

  test('tidy frees the textures a step made, keeps what it returns, and a freed tensor says so when read', () => {
    const x = tensor(Float32Array.from(data(40)), [8, 5]);
    const live = gpu.stats.liveTextures;
    let inner: Tensor | null = null;
    const kept = tidy(() => {
      inner = tanh(x);
      return { y: sum(mul(inner, inner)) };
    });
    expect(kept.y.onDevice).toBe(true);
    expect(kept.y.item()).toBeCloseTo(Array.from(x.data).reduce((s, v) => s + Math.tanh(v) ** 2, 0), 3);
    if (gpu.mode === 'headlessgl' || gpu.mode === 'webgl2' || gpu.mode === 'webgl') expect(gpu.stats.liveTextures).toBeLessThanOrEqual(live + 1);
    expect(() => inner!.data).toThrow(/freed at the end of a tidy\(\) scope/);
    expect(() => add(inner!, 1)).toThrow(/freed at the end of a tidy\(\) scope/);
    // a host tensor's uploaded copy was freed too: it is uploaded again when needed
    expect(add(x, 0).data[0]).toBeCloseTo(x.data[0], 6);
  });

  test('Keras masking runs on the device too (where, broadcastTo): no readback until the output is read', () => {
    const r = new Random(5);
    const x = tensor(Float32Array.from(randomData(r, 3 * 6 * 2)), [3, 6, 2]);
    const mask = tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]]);
    const run = (onDevice: boolean): Float32Array => {
      const lstm = new LSTM(4, { rng: new Random(9), name: 'lstm', returnSequences: true });
      lstm.build(2);
      const reads = gpu.stats.readbacks;
      const y = lstm.call(x, { training: false, mask }) as Tensor;
      expect(y.onDevice).toBe(onDevice);
      if (onDevice) expect(gpu.stats.readbacks).toBe(reads);
      return Float32Array.from(y.data);
    };
    const onGpu = run(true);
    setKernels(cpuKernels);
    const onCpu = run(false);
    setKernels(gpu);
    expect(relativeError(onGpu, onCpu)).toBeLessThanOrEqual(1e-5);
  });

  test('one LSTM training step: reads back the loss and one gradient per weight, nothing else', () => {
    const r = new Random(3);
    const lstm = new LSTM(6, { rng: r, name: 'lstm' });
    const dense = new Dense(1, { rng: r, name: 'dense' });
    lstm.build(2);
    dense.build(6);
    const x = tensor(Float32Array.from(randomData(r, 3 * 9 * 2)), [3, 9, 2]);
    const y = tensor(Float32Array.from(randomData(r, 3)), [3, 1]);
    const params = [...lstm.weights(), ...dense.weights()];
    const adam = new Adam({ learningRate: 0.01 });
    const step = (): { readbacks: number; uploads: number; live: number } => {
      const before = { readbacks: gpu.stats.readbacks, uploads: gpu.stats.uploads };
      tidy(() => {
        const loss = mse(dense.call(lstm.call(x, { training: true }) as Tensor, { training: true }) as Tensor, y);
        loss.backward();
        expect(Number.isFinite(loss.item())).toBe(true);
        adam.step(params);
        for (const p of params) p.tensor.zeroGrad();
      });
      return { readbacks: gpu.stats.readbacks - before.readbacks, uploads: gpu.stats.uploads - before.uploads, live: gpu.stats.liveTextures };
    };
    const first = step();
    const second = step();
    process.stdout.write(`${gpu.name}, one LSTM step [batch 3, time 9, 6 units]: ${second.readbacks} readbacks, ${second.uploads} uploads, ${gpu.stats.gpuCalls.matmul} matmuls on gpu.js so far\n`);
    expect(second.readbacks).toBe(params.length + 1);
    expect(first.readbacks).toBe(params.length + 1);
    // uploads: the weights the optimizer wrote, the batch, the zero initial states, the seed and loss constants
    expect(second.uploads).toBeLessThanOrEqual(params.length + 8);
    expect(second.live).toBe(first.live);
  });
});
