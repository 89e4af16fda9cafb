/**
 * Backend selection: RNNGRAD_BACKEND parsing, setBackend for cpu / gpu / auto with the mode that
 * really runs, the one-line notice (and the honest fallback without a GL context), and the
 * small-call threshold that sends calls to the js kernels — counted, never silent.
 */
import { GPU } from 'gpu.js';
import { setBackend, getBackendName, kernelsName, backendFromEnv, BackendName, hybrid } from '../../kernels/backend';
import { getKernels } from '../../kernels/registry';
import { cpuKernels } from '../../kernels/cpu';
import { createGpuKernels, describeGpuKernels } from '../../kernels/gpu';

/** What gpu.js can run in this process, predicted from its own support flags (not from our probe). */
const expectedMode = GPU.isHeadlessGLSupported ? 'headlessgl' : GPU.isWebAssemblySupported ? 'webasm' : 'cpu';
const hasGl = expectedMode === 'headlessgl';

afterEach(() => setBackend('cpu'));

describe('backendFromEnv', () => {
  test.each([
    [undefined, 'cpu'],
    ['', 'cpu'],
    ['cpu', 'cpu'],
    ['gpu', 'gpu'],
    [' AUTO ', 'auto'],
  ])('RNNGRAD_BACKEND=%p → %s', (value, expected) => {
    expect(backendFromEnv(value === undefined ? {} : { RNNGRAD_BACKEND: value })).toBe(expected);
  });
  test('an unknown value names the variable and the choices', () => {
    expect(() => backendFromEnv({ RNNGRAD_BACKEND: 'tpu' })).toThrow('RNNGRAD_BACKEND=tpu: expected one of cpu, gpu, auto');
  });
});

describe(`setBackend (gpu.js can run ${expectedMode} here)`, () => {
  test('cpu: the js kernels, no notice', () => {
    const lines: string[] = [];
    const choice = setBackend('cpu', { log: (l) => lines.push(l) });
    expect(choice).toEqual({ requested: 'cpu', kernels: 'js', notice: null });
    expect(getKernels()).toBe(cpuKernels);
    expect([getBackendName(), kernelsName()]).toEqual(['cpu', 'js']);
    expect(lines).toEqual([]);
  });

  test(`gpu: kernels gpu.js/${expectedMode}, said in one line${hasGl ? '' : ' that names the missing GL context'}`, () => {
    const lines: string[] = [];
    const choice = setBackend('gpu', { log: (l) => lines.push(l) });
    expect(choice.kernels).toBe(`gpu.js/${expectedMode}`);
    expect([getBackendName(), kernelsName()]).toEqual(['gpu', `gpu.js/${expectedMode}`]);
    expect(lines).toEqual([choice.notice]);
    if (hasGl) expect(choice.notice).toBe(`rnngrad: backend gpu: kernels gpu.js/${expectedMode}`);
    else expect(choice.notice).toMatch(new RegExp(`^rnngrad: backend gpu: no GL context: .*; gpu\\.js runs in ${expectedMode} mode instead`));
  });

  test('gpu with size thresholds: they are in the notice', () => {
    const lines: string[] = [];
    const choice = setBackend('gpu', { log: (l) => lines.push(l), gpu: { minElements: 64, minMatmulWork: 4096 } });
    expect(choice.kernels).toBe(`gpu.js/${expectedMode}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/; calls under 64 elements \(matmul under 4096 multiply-adds\) run on js$/);
  });

  test('gpu: the notice goes to stderr by default, one line', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      setBackend('gpu');
    } finally {
      spy.mockRestore();
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^rnngrad: backend gpu: .*\n$/);
  });

  test('auto: one line; without GL the gpu.js modes never beat js, so js', () => {
    const lines: string[] = [];
    const choice = setBackend('auto', { log: (l) => lines.push(l) });
    expect(lines).toEqual([choice.notice]);
    expect(getBackendName()).toBe('auto');
    if (!hasGl) expect(choice).toMatchObject({ kernels: 'js' });
    if (choice.kernels === 'js') expect(choice.notice).toMatch(/slower than js at every matmul size measured/);
    else expect(choice.notice).toMatch(/for matmuls from \d+³ multiply-adds up, js for the rest/);
  });

  test('gpu.js that cannot start at all: the js kernels, said in one line, no crash', () => {
    jest.isolateModules(() => {
      jest.doMock('../../kernels/gpu', () => {
        throw new Error("Cannot find module 'gpu.js'");
      });
      const backend = require('../../kernels/backend') as typeof import('../../kernels/backend');
      const lines: string[] = [];
      const choice = backend.setBackend('gpu', { log: (l) => lines.push(l) });
      expect(choice).toEqual({
        requested: 'gpu',
        kernels: 'js',
        notice: "rnngrad: backend gpu: gpu.js could not start (Cannot find module 'gpu.js'); kernels js",
      });
      expect(lines).toEqual([choice.notice]);
      expect(backend.kernelsName()).toBe('js');
    });
  });

  test('an unknown name is an error naming the choices', () => {
    expect(() => setBackend('tpu' as BackendName)).toThrow('setBackend: unknown backend "tpu" (expected cpu, gpu, auto)');
  });
});

describe('small calls under the threshold run on the js kernels, counted', () => {
  const k = createGpuKernels({ minElements: 100, minMatmulWork: 1000 });
  test('described in the notice line', () => {
    expect(describeGpuKernels(k)).toBe(
      `kernels ${k.name}; calls under 100 elements (matmul under 1000 multiply-adds) run on the js kernels`);
  });
  test.each([
    { n: 99, where: 'js' },
    { n: 100, where: 'gpu' },
  ])('sigmoid on $n elements runs on $where', ({ n, where }) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const before = { js: k.stats.jsCalls.unary ?? 0, gpu: k.stats.gpuCalls.unary ?? 0 };
    k.unary('sigmoid', x, new Float32Array(n));
    expect({ js: k.stats.jsCalls.unary ?? 0, gpu: k.stats.gpuCalls.unary ?? 0 })
      .toEqual(where === 'js' ? { js: before.js + 1, gpu: before.gpu } : { js: before.js, gpu: before.gpu + 1 });
  });
  test('empty calls (no elements, or k = 0) go to js and still write their output', () => {
    const before = k.stats.jsCalls.unary ?? 0;
    k.unary('exp', new Float32Array(0), new Float32Array(0));
    expect(k.stats.jsCalls.unary).toBe(before + 1);
    const out = new Float32Array(6).fill(7);
    k.matmul(new Float32Array(0), new Float32Array(0), out, { batch: 1, m: 2, n: 3, k: 0, transA: false, transB: false, batchB: true });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test('a 9×10·10×10 matmul (900 multiply-adds) runs on js, a 10×10·10×10 one on gpu.js', () => {
    const dims = (m: number) => ({ batch: 1, m, n: 10, k: 10, transA: false, transB: false, batchB: true });
    k.matmul(new Float32Array(90), new Float32Array(100), new Float32Array(90), dims(9));
    k.matmul(new Float32Array(100), new Float32Array(100), new Float32Array(100), dims(10));
    expect([k.stats.jsCalls.matmul, k.stats.gpuCalls.matmul]).toEqual([2, 1]); // + the k = 0 one
  });
});

describe('auto where gpu.js wins: matmuls from the crossover up on gpu.js, the rest on js', () => {
  const k = createGpuKernels();
  const mixed = hybrid(k, 1000);
  test.each([
    { m: 9, where: 'js' },
    { m: 10, where: 'gpu' },
  ])('a $m×10·10×10 matmul runs on $where', ({ m, where }) => {
    const before = k.stats.gpuCalls.matmul ?? 0;
    const a = Float32Array.from({ length: m * 10 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 100 }, (_, i) => Math.cos(i));
    const out = new Float32Array(m * 10);
    const expected = new Float32Array(m * 10);
    const dims = { batch: 1, m, n: 10, k: 10, transA: false, transB: false, batchB: true };
    mixed.matmul(a, b, out, dims);
    cpuKernels.matmul(a, b, expected, dims);
    expect(k.stats.gpuCalls.matmul ?? 0).toBe(before + (where === 'gpu' ? 1 : 0));
    expect(Math.max(...out.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4);
  });
  test('named after the gpu.js mode; every other kernel is the js one', () => {
    expect(mixed.name).toBe(k.name);
    expect(mixed.unary).toBe(cpuKernels.unary);
    expect(mixed.lstmGates).toBe(cpuKernels.lstmGates);
  });
});
