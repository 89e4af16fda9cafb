/**
 * Tensors and their creation: printing, error messages that name the op and shapes, dtype
 * discipline, seeded determinism, and the statistics of the Keras initializers.
 */
import { Tensor } from '../../engine/tensor';
import { Random, manualSeed } from '../../engine/random';
import { tensor, zeros, ones, full, randn, uniform, glorotUniform, glorotNormal, orthogonal, astype } from '../../engine/creation';
import { add, sub, mul, div, matmul, concat, reshape, slice, layerNorm, mse, transpose, sum, where, split, softmaxCrossEntropy,
  sumTo, broadcastTo, stack, unstack, mean, max, clip, softmax } from '../../engine/ops';

describe('Tensor basics', () => {
  test('toArray, item, shape and dtype', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(7, { dtype: 'float64' }).item()).toBe(7);
    expect(tensor(7).toArray()).toBe(7);
    expect(() => t.item()).toThrow('item: tensor of shape [2,3] has 6 elements, not 1');
  });

  test('toString shows values, shape, dtype and flags, eliding long axes', () => {
    expect(tensor([[1, 2], [3, 4]], { requiresGrad: true }).toString()).toBe('tensor([[1, 2], [3, 4]], shape=[2,2], float32, requiresGrad)');
    expect(tensor([0.5, 1 / 3], { dtype: 'float64', name: 'w' }).toString()).toBe('tensor([0.5, 0.3333], shape=[2], float64, name=w)');
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8]).toString()).toBe('tensor([1, 2, 3, …, 6, 7, 8], shape=[8], float32)');
  });

  test('creation from typed arrays with a shape, and the fills', () => {
    expect(tensor(new Float64Array([1, 2, 3, 4]), [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([1, 2], { dtype: 'float64' }).toArray()).toEqual([[1, 1]]);
    expect(full([2], 3.5).toArray()).toEqual([3.5, 3.5]);
  });

  test('the shape a caller passes is copied, so changing that array later changes nothing', () => {
    const shape = [2, 3];
    const made = [zeros(shape), broadcastTo(zeros([3]), shape), sumTo(zeros([4, 2, 3]), shape), tensor(new Float32Array(6), shape)];
    shape[0] = 5;
    for (const t of made) expect(t.shape).toEqual([2, 3]);
  });

  test('bad shapes and ragged arrays are errors that say where', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow('tensor: shape [2,3] needs 6 elements, got 5');
    expect(() => new Tensor(new Float32Array(0), [-1, 0])).toThrow('tensor: invalid shape [-1,0]');
    expect(() => new Tensor([1, 2] as unknown as Float32Array, [2])).toThrow(
      'tensor: data must be a Float32Array or Float64Array (use tensor() for plain arrays), got [object Array]');
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: expected 2 entries at [1], shape [2,2] from the first entries');
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values cannot fill shape [2,2]');
  });
});

describe('errors name the op and the shapes', () => {
  const a = zeros([3, 4]);
  test.each([
    ['matmul', () => matmul(a, zeros([5, 2])), 'matmul: [3,4] × [5,2]: inner dimensions 4 ≠ 5'],
    ['matmul transposed', () => matmul(a, zeros([2, 5]), { transB: true }), 'matmul: [3,4] × [2,5]ᵀ: inner dimensions 4 ≠ 5'],
    ['matmul batch', () => matmul(zeros([2, 3, 4]), zeros([3, 4, 2])), 'matmul: [2,3,4] × [3,4,2]: batch sizes 2 ≠ 3'],
    ['matmul rank', () => matmul(zeros([4]), a), 'matmul: [4] × [3,4]: expected two 2-D, two 3-D, or a 3-D and a 2-D (untransposed) operand'],
    ['add', () => add(a, zeros([3])), 'add: [3,4] and [3] do not broadcast: dimension 1 is 4 vs 3'],
    ['reshape', () => reshape(a, [5, -1]), 'reshape: [3,4] → [5,-1]: cannot infer the −1'],
    ['slice', () => slice(a, [2, 0], [2, 4]), 'slice: begin [2,0] size [2,4] is outside [3,4] on axis 0'],
    ['concat', () => concat([a, zeros([2, 3])], 0), 'concat: shapes [3,4], [2,3] differ outside axis 0'],
    ['transpose', () => transpose(a, [0, 0]), 'transpose: [0,0] is not a permutation of the 2 axes of [3,4]'],
    ['sum axis', () => sum(a, 2), 'sum: axis 2 is out of range for a tensor of rank 2'],
    ['split', () => split(a, 3, 1), 'split: axis 1 of [3,4] (length 4) cannot be split into 3 equal parts'],
    ['layerNorm', () => layerNorm(a, zeros([3])), 'layerNorm: gamma has shape [3], expected [4] for input [3,4]'],
    ['mse', () => mse(a, zeros([4, 3])), 'mse: prediction [3,4] and target [4,3] differ in shape'],
    ['where', () => where(zeros([2]), a, a), 'where: [2] and [3,4] do not broadcast: dimension 1 is 2 vs 4'],
    ['sub', () => sub(zeros([2, 1, 3]), zeros([4, 2])), 'sub: [2,1,3] and [4,2] do not broadcast: dimension 2 is 3 vs 2'],
    ['mul', () => mul(a, zeros([4, 3])), 'mul: [3,4] and [4,3] do not broadcast: dimension 0 is 3 vs 4'],
    ['div', () => div(zeros([5]), a), 'div: [5] and [3,4] do not broadcast: dimension 1 is 5 vs 4'],
    ['sumTo', () => sumTo(a, [3]), 'sumTo: [3] and [3,4] do not broadcast: dimension 1 is 3 vs 4'],
    ['sumTo (not a broadcast)', () => sumTo(zeros([3, 1]), [3, 4]), 'sumTo: [3,1] is not a broadcast of [3,4]'],
    ['broadcastTo', () => broadcastTo(a, [3, 1]), 'broadcastTo: cannot broadcast [3,4] to [3,1]'],
    ['reshape (size)', () => reshape(a, [5, 2]), 'reshape: [3,4] → [5,2]: 12 elements cannot fill 10'],
    ['reshape (two −1)', () => reshape(a, [-1, -1]), 'reshape: [3,4] → [-1,-1]: at most one −1'],
    ['slice (fractional)', () => slice(a, [0.5, 0], [1, 1]), 'slice: begin [0.5,0] size [1,1] is outside [3,4] on axis 0'],
    ['slice (rank)', () => slice(a, [0], [1]), 'slice: begin [0] and size [1] must each have 2 entries for [3,4]'],
    ['split (sizes)', () => split(a, [1, 2], 1), 'split: sizes [1,2] do not add up to 4, the length of axis 1 of [3,4]'],
    ['concat (empty)', () => concat([]), 'concat: needs at least one tensor'],
    ['concat (rank)', () => concat([a, zeros([3, 4, 1])], 1), 'concat: shapes [3,4], [3,4,1] differ outside axis 1'],
    ['stack', () => stack([a, zeros([4, 3])]), 'stack: shapes differ: [3,4], [4,3]'],
    ['unstack axis', () => unstack(a, -3), 'unstack: axis -3 is out of range for a tensor of rank 2'],
    ['mean axis', () => mean(a, 5), 'mean: axis 5 is out of range for a tensor of rank 2'],
    ['max axis', () => max(a, -3), 'max: axis -3 is out of range for a tensor of rank 2'],
    ['clip', () => clip(a, 1, 0), 'clip: lower bound 1 is greater than upper bound 0'],
    ['layerNorm beta', () => layerNorm(a, null, zeros([4, 1])), 'layerNorm: beta has shape [4,1], expected [4] for input [3,4]'],
    ['layerNorm epsilon', () => layerNorm(a, null, null, 0), 'layerNorm: epsilon must be > 0, got 0'],
    ['softmax scalar', () => softmax(zeros([])), 'softmax: needs at least one axis'],
    ['softmaxCrossEntropy', () => softmaxCrossEntropy(a, zeros([3, 5])), 'softmaxCrossEntropy: logits [3,4] and labels [3,5] differ in shape'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  test('mixing dtypes is an error, never a silent cast', () => {
    const x32 = zeros([2]);
    const x64 = zeros([2], { dtype: 'float64' });
    for (const op of [add, sub, mul, div]) {
      expect(() => op(x32, x64)).toThrow(/dtypes differ: \[2\] float32 and \[2\] float64 \(cast one with astype\(x, dtype\)\)/);
    }
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: 'float64' }))).toThrow(/^matmul: dtypes differ/);
    expect(() => softmaxCrossEntropy(zeros([2, 2]), zeros([2, 2], { dtype: 'float64' }))).toThrow(/^softmaxCrossEntropy: dtypes differ/);
    expect(() => concat([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(/^concat: dtypes differ/);
    expect(() => layerNorm(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(/^layerNorm: dtypes differ/);
    expect(add(astype(x32, 'float64'), x64).dtype).toBe('float64');
  });

  test('a number operand takes the dtype of the tensor', () => {
    expect(mul(zeros([2], { dtype: 'float64' }), 2).dtype).toBe('float64');
  });
});

describe('seeded randomness', () => {
  test('the same seed gives the same numbers, a different seed different ones', () => {
    manualSeed(42);
    const first = [randn([5]), uniform([5], -1, 1), glorotUniform([3, 4]), orthogonal([4, 4])].map((t) => Array.from(t.data));
    manualSeed(42);
    const again = [randn([5]), uniform([5], -1, 1), glorotUniform([3, 4]), orthogonal([4, 4])].map((t) => Array.from(t.data));
    expect(again).toEqual(first);
    manualSeed(43);
    expect(Array.from(randn([5]).data)).not.toEqual(first[0]);
  });

  test('a generator of its own, and its saved state, replay the same draws', () => {
    const rng = new Random(7);
    rng.normal();
    const state = rng.getState();
    const a = Array.from(randn([4], { rng }).data);
    rng.setState(state);
    expect(Array.from(randn([4], { rng }).data)).toEqual(a);
    expect(() => rng.setState([1, 2])).toThrow('Random.setState: expected 4 unsigned 32-bit words');
  });
});

describe('initializers', () => {
  const stats = (t: Tensor) => {
    const v = Array.from(t.data);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
  };

  test('glorotUniform stays within ±sqrt(6 / (fanIn + fanOut)) and fills that range', () => {
    const limit = Math.sqrt(6 / (200 + 300));
    const s = stats(glorotUniform([200, 300], { rng: new Random(1), dtype: 'float64' }));
    expect(s.maxAbs).toBeLessThanOrEqual(limit);
    expect(s.maxAbs).toBeGreaterThan(0.99 * limit);
    expect(Math.abs(s.std - limit / Math.sqrt(3)) / (limit / Math.sqrt(3))).toBeLessThan(0.02);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
  });

  test('glorotNormal has std sqrt(2 / (fanIn + fanOut)) and is truncated at two of its σ', () => {
    const target = Math.sqrt(2 / (200 + 300));
    const s = stats(glorotNormal([200, 300], { rng: new Random(2), dtype: 'float64' }));
    expect(Math.abs(s.std - target) / target).toBeLessThan(0.02);
    expect(s.maxAbs).toBeLessThanOrEqual((2 * target) / 0.87962566103423978 + 1e-12);
  });

  test.each([[6, 3], [3, 6], [5, 5]])('orthogonal [%i,%i]: QᵀQ = I for tall, QQᵀ = I for wide', (rows, cols) => {
    const q = orthogonal([rows, cols], { rng: new Random(3), dtype: 'float64' });
    const tall = rows >= cols;
    const gram = tall ? matmul(q, q, { transA: true }) : matmul(q, q, { transB: true });
    const n = Math.min(rows, cols);
    expect(gram.shape).toEqual([n, n]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(gram.data[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 12);
  });

  test('orthogonal applies its gain and rejects a vector shape', () => {
    const q = orthogonal([4, 4], { rng: new Random(4), dtype: 'float64', gain: 2 });
    const gram = matmul(q, q, { transA: true });
    expect(gram.data[0]).toBeCloseTo(4, 12);
    expect(() => orthogonal([4])).toThrow('orthogonal: needs a matrix shape, got [4]');
  });
});
