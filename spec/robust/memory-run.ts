/**
 * The memory run (a script, started by memory.test.ts as `node --expose-gc`): a small LSTM
 * (batch 8, 10 steps, 8 units, Adam) trained for STEPS steps; after a warm-up, the live heap and
 * the typed-array memory are sampled every SAMPLE_EVERY steps right after a full collection.
 * Then one more step is taken by hand, holding weak references to its output, its loss and
 * their tape entries, to see that nothing of a finished step stays reachable.
 * Prints one JSON line: { path, steps, warmup, samples: [{ step, heapUsed, arrayBuffers }], released }.
 *
 *   node --expose-gc <ts loader> spec/robust/memory-run.ts [fused|composed] [steps]
 */
import { LSTM, Dense } from '../../cells';
import { Random } from '../../engine/random';
import { randn, uniform } from '../../engine/creation';
import { mse } from '../../engine/ops';
import { Adam, Sequential } from '../../train';

const path = process.argv[2] === 'composed' ? 'composed' : 'fused';
const STEPS = Number(process.argv[3] ?? 10000);
const WARMUP = Math.min(1000, Math.floor(STEPS / 10));
const SAMPLE_EVERY = Math.max(1, Math.floor(STEPS / 20));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-run: start node with --expose-gc');

const rng = new Random(3);
const model = new Sequential([new LSTM(8, { rng, fused: path === 'fused' }), new Dense(1, { rng })], { inputFeatures: 1 });
const optimizer = new Adam({ learningRate: 1e-3 });
model.compile({ optimizer });
const x = randn([8, 10, 1], { rng });
const y = uniform([8, 1], -1, 1, { rng });

function sample(step: number): { step: number; heapUsed: number; arrayBuffers: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { step, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

const samples: ReturnType<typeof sample>[] = [];
let lastLoss = NaN;
for (let step = 1; step <= STEPS; step++) {
  lastLoss = model.trainOnBatch(x, y);
  if (step >= WARMUP && (step - WARMUP) % SAMPLE_EVERY === 0) samples.push(sample(step));
}

/** One training step by hand; weak references to what it created. */
function stepHoldingWeakRefs(): WeakRef<object>[] {
  const params = model.weights();
  for (const p of params) p.tensor.grad = null;
  const out = model.call(x, { training: true });
  const loss = mse(out, y);
  const refs: WeakRef<object>[] = [new WeakRef(out), new WeakRef(loss)];
  for (const t of [out, loss]) if (t.entry) refs.push(new WeakRef(t.entry));
  loss.backward();
  optimizer.step(params);
  return refs;
}

const refs = stepHoldingWeakRefs();
// A few more steps, so that no engine-internal slot still points at the last step's objects
// (without them the composed path kept all four alive through one full GC in about a third of
// the runs under jest, before and after issue 13's changes; a real leak keeps them through any
// number of later steps).
for (let step = 0; step < 3; step++) lastLoss = model.trainOnBatch(x, y);
// WeakRef targets stay alive until the current job ends: look after a turn of the event loop.
// Where something still holds them, take more steps and look again, a few times, after a pause:
// under load (CI, jest's workers beside it) the composed path kept the step's output once in a
// while through the first look, which did not reproduce alone or under a CPU hog. A leak keeps
// them through every look; something in flight (an optimizing compile job holding its handles
// on a busy machine, say) lets them go.
const LOOKS = 5;
function look(n: number): void {
  gc();
  const released = refs.map((r) => r.deref() === undefined);
  if (released.every((r) => r) || n === LOOKS) {
    process.stdout.write(`${JSON.stringify({ path, steps: STEPS, warmup: WARMUP, lastLoss, samples, released, looks: n })}\n`);
    return;
  }
  for (let step = 0; step < 3; step++) lastLoss = model.trainOnBatch(x, y);
  setTimeout(() => look(n + 1), 50);
}
setImmediate(() => look(1));
