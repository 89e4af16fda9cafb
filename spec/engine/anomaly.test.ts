/**
 * Anomaly detection: while on, the first op whose forward output or backward gradient holds a
 * NaN or an Infinity raises, naming the op, the phase, the shapes and where the op was called.
 */
import { tensor } from '../../engine/creation';
import { noGrad } from '../../engine/tape';
import { OpError } from '../../engine/shape';
import { AnomalyError, detectAnomaly, setAnomalyDetection, isAnomalyDetectionEnabled } from '../../engine/anomaly';
import { log, sqrt, sum, mul, pow, add, matmul } from '../../engine/ops';

afterEach(() => setAnomalyDetection(false));

const f64 = (values: number[], requiresGrad = true) => tensor(values, { dtype: 'float64', requiresGrad });

/** The error fn throws (failing the test when it does not throw). */
function caught(fn: () => unknown): AnomalyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    return e as AnomalyError;
  }
  throw new Error('expected an AnomalyError');
}

test('off (the default), NaN and Infinity flow through silently', () => {
  expect(isAnomalyDetectionEnabled()).toBe(false);
  expect(Array.from(log(f64([1, 0])).data)).toEqual([0, -Infinity]);
});

test('forward: the first op producing a non-finite value raises with op, shapes and the call site', () => {
  const x = f64([1, 0, 2]);
  const e = caught(() => detectAnomaly(() => sum(log(x))));
  expect(e).toBeInstanceOf(OpError);
  expect(e.message).toMatch(/^log: forward produced -Infinity at flat index 1 of its output \[3\] \(inputs \[3\]\); anomaly detection is on\ncreated at:\n/);
  expect(e.op).toBe('log');
  expect(e.phase).toBe('forward');
  expect(e.inputShapes).toEqual([[3]]);
  expect(e.createdAt).toMatch(/anomaly\.test\.ts/);
  expect(e.createdAt).not.toMatch(/engine[\\/]tape/);
});

test('forward: NaN, and ops outside the tape (noGrad, constants) are checked too', () => {
  const e = caught(() => detectAnomaly(() => noGrad(() => sqrt(f64([-1, 4], false)))));
  expect(e.message).toMatch(/^sqrt: forward produced NaN at flat index 0 of its output \[2\]/);
  const big = f64([1e200, 1], false);
  const m = caught(() => detectAnomaly(() => matmul(tensor([[1e200, 1]], { dtype: 'float64' }), tensor([[1e200], [1]], { dtype: 'float64' }))));
  expect(m.message).toMatch(/^matmul: forward produced Infinity at flat index 0 of its output \[1,1\] \(inputs \[1,2\], \[2,1\]\)/);
  expect(() => mul(big, big)).not.toThrow(); // off again once detectAnomaly returns
});

test('backward: a rule returning a non-finite gradient names the op, the input and where it was created', () => {
  const x = f64([0, 4]);
  const e = caught(() => detectAnomaly(() => {
    const y = sqrt(x); // finite: [0, 2]; its derivative 1/(2√x) is infinite at 0
    sum(y).backward();
  }));
  expect(e.message).toMatch(/^sqrt: backward produced Infinity at flat index 0 in the gradient of input 0 \[2\] \(inputs \[2\]\); anomaly detection is on\ncreated at:\n/);
  expect(e.phase).toBe('backward');
  expect(e.createdAt).toMatch(/anomaly\.test\.ts:\d+/);
});

test('backward: ops run inside a rule are reported as that rule, not as a forward step', () => {
  // pow's rule computes p·x^(p−1); at x = 0 with p = 0.5 that is an infinite x^(−0.5).
  const x = f64([0, 1]);
  const e = caught(() => detectAnomaly(() => sum(add(pow(x, 0.5), 1)).backward()));
  expect(e.message).toMatch(/^pow: backward produced Infinity/);
});

test('a non-finite dOut given to backward() is reported as such, not as the first rule\'s fault', () => {
  const y = mul(f64([1, 2]), 3);
  const e = caught(() => detectAnomaly(() => y.backward(f64([1, NaN], false))));
  expect(e.message).toMatch(/^backward: the gradient passed to backward\(\) holds NaN at flat index 1 \(inputs \[2\]\)/);
});

test('an entry recorded before detection was turned on says so', () => {
  const x = f64([0]);
  const y = sqrt(x);
  setAnomalyDetection(true);
  const e = caught(() => sum(y).backward());
  expect(e.createdAt).toMatch(/recorded before anomaly detection was turned on/);
});

test('detectAnomaly restores the previous setting, even when fn throws', () => {
  setAnomalyDetection(true);
  expect(detectAnomaly(() => 5)).toBe(5);
  expect(isAnomalyDetectionEnabled()).toBe(true);
  setAnomalyDetection(false);
  expect(() => detectAnomaly(() => log(f64([0])))).toThrow(AnomalyError);
  expect(isAnomalyDetectionEnabled()).toBe(false);
  expect(() => log(f64([0]))).not.toThrow();
});

test('finite computations pass untouched, forward and backward', () => {
  const x = f64([1, 2]);
  detectAnomaly(() => sum(mul(log(x), x)).backward());
  expect(x.grad!.data[0]).toBeCloseTo(1, 12); // d(x ln x)/dx = ln x + 1
});
