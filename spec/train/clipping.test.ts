import { tensor } from '../../engine/creation';
import { clipValue, clipNorm, clipGlobalNorm, clipModeOf, clipFactors } from '../../train/clipping';

const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));

describe('clipValue', () => {
  it.each([
    { v: 1, g: [0.5, -2, 3, -0.25], want: [0.5, -1, 1, -0.25] },
    { v: 0.1, g: [0.5, -2, 0.05], want: [0.1, -0.1, 0.05] },
    { v: 10, g: [1, 2], want: [1, 2] },
  ])('clips each element to [−$v, $v]', ({ v, g, want }) => {
    close(Array.from(clipValue([tensor(g)], v)[0].data), want);
  });
});

describe('clipNorm (per tensor)', () => {
  // ‖[3,4]‖ = 5 → scaled by 2/5; ‖[0.6, 0.8]‖ = 1 < 2 → unchanged.
  it('scales only the tensors whose own norm exceeds c', () => {
    const [a, b] = clipNorm([tensor([3, 4]), tensor([0.6, 0.8])], 2);
    close(Array.from(a.data), [1.2, 1.6]);
    close(Array.from(b.data), [0.6, 0.8]);
  });
  it('leaves a tensor whose norm equals c unchanged', () => {
    close(Array.from(clipNorm([tensor([3, 4])], 5)[0].data), [3, 4]);
  });
});

describe('clipGlobalNorm', () => {
  // n = sqrt(3² + 4² + 12²) = 13; c = 6.5 → every element halved.
  it('scales every tensor by c / max(n, c) and returns n before clipping', () => {
    const { clipped, norm } = clipGlobalNorm([tensor([3, 4]), tensor([[12]])], 6.5);
    expect(norm).toBeCloseTo(13, 10);
    close(Array.from(clipped[0].data), [1.5, 2]);
    close(Array.from(clipped[1].data), [6]);
    expect(clipped[1].shape).toEqual([1, 1]);
  });
  it('returns the norm and leaves gradients alone when n ≤ c', () => {
    const { clipped, norm } = clipGlobalNorm([tensor([1, 2]), tensor([2])], 10);
    expect(norm).toBeCloseTo(3, 10);
    close(Array.from(clipped[0].data), [1, 2]);
  });
  it('does not modify its inputs', () => {
    const g = tensor([30, 40]);
    clipGlobalNorm([g], 1);
    expect(Array.from(g.data)).toEqual([30, 40]);
  });
});

describe('non-finite norms', () => {
  it.each([
    ['clipNorm', () => clipNorm([tensor([1, 2]), tensor([NaN, 1], { name: 'lstm/kernel' })], 1)],
    ['clipGlobalNorm', () => clipGlobalNorm([tensor([1, 2]), tensor([Infinity, 1], { name: 'lstm/kernel' })], 1)],
  ])('%s raises naming the tensor', (_, f) => {
    expect(f).toThrow(/non-finite.*'lstm\/kernel'/);
  });
  it('names the tensor given in names over the tensor name', () => {
    expect(() => clipNorm([tensor([NaN])], 1, { names: ['dense/bias'] })).toThrow(/'dense\/bias'/);
  });
  it('passes through when the caller opts out', () => {
    const { norm } = clipGlobalNorm([tensor([NaN, 1])], 1, { errorIfNonfinite: false });
    expect(Number.isNaN(norm)).toBe(true);
  });
});

describe('options', () => {
  it('rejects two modes at once, naming both flags', () => {
    expect(() => clipModeOf({ clipValue: 1, clipNorm: 1 })).toThrow(/clipValue \(--clip-value\) and clipNorm \(--clip-norm\)/);
    expect(() => clipModeOf({ clipNorm: 1, clipGlobalNorm: 1 })).toThrow(/--clip-norm.*--clip-global-norm/);
  });
  it.each([0, -1, NaN, Infinity])('rejects the threshold %p', (v) => {
    expect(() => clipModeOf({ clipGlobalNorm: v })).toThrow(/clipGlobalNorm \(--clip-global-norm\) must be a finite number > 0/);
  });
  it('allows no mode', () => {
    expect(clipModeOf({})).toBeNull();
    const f = clipFactors([tensor([100])], {});
    expect(f.scales[0]).toBe(1);
    expect(f.bound).toBe(Infinity);
  });
  it('skips null gradients', () => {
    const f = clipFactors([null, tensor([3, 4])], { clipGlobalNorm: 1 });
    expect(f.globalNorm).toBeCloseTo(5, 10);
  });
});
