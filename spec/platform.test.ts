/**
 * The platform seam's Node side (platform/node.ts); the browser side is exercised in a real page
 * by spec/browser/library.test.ts (console.warn notices, the helper Web Worker).
 */
import { platform } from '../platform';

test('in Node: process.env, a clock in milliseconds, notices on stderr', async () => {
  const p = platform();
  expect(p.name).toBe('node');
  expect(p.env).toBe(process.env);
  const t0 = p.now();
  await new Promise((r) => setTimeout(r, 30));
  const elapsed = p.now() - t0;
  expect(elapsed).toBeGreaterThanOrEqual(25);
  expect(elapsed).toBeLessThan(5000);
  const writes: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    p.notice('rnngrad: a notice');
  } finally {
    spy.mockRestore();
  }
  expect(writes).toEqual(['rnngrad: a notice\n']);
});

test('startWorker runs its body on another thread with workerData (shared memory included)', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const started = platform().startWorker('const w = new Int32Array(workerData.control); Atomics.store(w, 1, workerData.value); Atomics.store(w, 0, 1); Atomics.notify(w, 0);',
    { control: shared.buffer, value: 42 });
  expect(started).toBe(true);
  for (let waited = 0; Atomics.load(shared, 0) === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  expect(Array.from(shared)).toEqual([1, 42]);
});
