import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { Tensor } from '../../engine/tensor';
import { Random } from '../../engine/random';
import { Dense } from '../../cells/dense';
import { SimpleRNN, LSTM } from '../../cells/recurrent-layers';
import { Sequential } from '../../train/model';
import { Adam, SGD } from '../../train/optimizers';
import { saveCheckpoint, loadCheckpoint, hasCheckpoint } from '../../node/checkpoint';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rnngrad-ckpt-'));

function data() {
  const rng = new Random(3);
  const x = new Tensor(Float32Array.from({ length: 40 * 6 * 2 }, () => rng.normal()), [40, 6, 2]);
  const y = new Tensor(Float32Array.from({ length: 40 }, (_, i) => x.data[i * 12] - x.data[i * 12 + 11]), [40, 1]);
  return { x, y };
}

/** A model with dropout, its masks drawn from `rng` (as its initial weights), so that generator's state matters. */
function build(rng: Random): Sequential {
  return new Sequential([
    new LSTM(5, { name: 'lstm', returnSequences: true, recurrentDropout: 0.2, rng }),
    new SimpleRNN(4, { name: 'simple_rnn', dropout: 0.1, rng }),
    new Dense(1, { name: 'dense', rng }),
  ], { inputFeatures: 2 });
}

const weightsOf = (m: Sequential) => m.weights().map((p) => Array.from(p.tensor.data));

describe('resume', () => {
  it('continues with bit-identical weights and losses vs an uninterrupted run', () => {
    const { x, y } = data();
    const settings = { task: 'test', lr: 0.01 };

    const straight = build(new Random(11));
    straight.compile({ optimizer: new Adam({ learningRate: 0.01 }) });
    const full = straight.fit(x, y, { epochs: 4, batchSize: 8, rng: new Random(7), validationData: { x, y } });

    const dir = tmp();
    const layerRng = new Random(11);
    const first = build(layerRng);
    const optimizer = new Adam({ learningRate: 0.01 });
    first.compile({ optimizer });
    const shuffle = new Random(7);
    first.fit(x, y, {
      epochs: 2, batchSize: 8, rng: shuffle, validationData: { x, y },
      onEpoch: (e) => void saveCheckpoint(dir, { model: first, optimizer, generators: { layers: layerRng, shuffle }, epoch: e.epoch + 1, settings }),
    });
    // Another process starts from other generator states: restoring them must make up for it.
    const resumedShuffle = new Random(12345);
    const resumedLayerRng = new Random(54321);
    const resumedOptimizer = new Adam({ learningRate: 0.01 });
    const ck = loadCheckpoint(dir, { generators: { layers: resumedLayerRng, shuffle: resumedShuffle }, optimizer: resumedOptimizer, layerRng: resumedLayerRng });
    expect(ck.epoch).toBe(2);
    expect(ck.settings).toEqual(settings);
    expect(resumedOptimizer.iterations).toBe(10);
    ck.model.compile({ optimizer: resumedOptimizer });
    const rest = ck.model.fit(x, y, { epochs: 4, initialEpoch: ck.epoch, batchSize: 8, rng: resumedShuffle, validationData: { x, y } });

    expect(rest.epoch).toEqual([2, 3]);
    expect(rest.loss).toEqual(full.loss.slice(2));
    expect(rest.valLoss).toEqual(full.valLoss.slice(2));
    expect(weightsOf(ck.model)).toEqual(weightsOf(straight));
  });

  it('keeps only the latest checkpoint and points at it', () => {
    const dir = tmp();
    const model = new Sequential([new Dense(2, { name: 'dense', rng: new Random(1) })], { inputFeatures: 3 });
    const optimizer = new SGD({ momentum: 0.9 });
    for (let epoch = 1; epoch <= 3; epoch++) saveCheckpoint(dir, { model, optimizer, generators: {}, epoch, settings: null });
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.json', 'epoch-0003']);
    expect(hasCheckpoint(dir)).toBe(true);
    expect(loadCheckpoint(dir).epoch).toBe(3);
  });

  it('names a missing generator state and a missing checkpoint', () => {
    const dir = tmp();
    expect(hasCheckpoint(dir)).toBe(false);
    expect(() => loadCheckpoint(dir)).toThrow(/checkpoint\.json: cannot read the checkpoint pointer \(ENOENT\)/);
    const model = new Sequential([new Dense(2, { name: 'dense', rng: new Random(1) })], { inputFeatures: 3 });
    saveCheckpoint(dir, { model, optimizer: new Adam(), generators: { global: new Random(1) }, epoch: 1, settings: null });
    expect(() => loadCheckpoint(dir, { generators: { shuffle: new Random(1) } })).toThrow(/no state for the generator 'shuffle' \(saved: global\)/);
  });
});

describe('SIGKILL while writing a checkpoint', () => {
  /** Start the writer, wait for `after` checkpoints, kill it `delayMs` later; resolve with the dir. */
  function killDuring(after: number, delayMs: number): Promise<string> {
    const dir = tmp();
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'checkpoint-writer.js'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes(`saved ${after}\n`)) setTimeout(() => child.kill('SIGKILL'), delayMs);
      });
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(dir) : reject(new Error(`writer exited ${code}: ${stderr}`))));
    });
  }

  // Kills at different instants of the next write: a write of this model takes tens of ms, and
  // kills 5–40 ms after a "saved" line were seen to leave the next one's staging directory behind.
  it.concurrent.each([0, 5, 10, 20, 40])('killed %i ms into a write: the previous or the new checkpoint loads whole', async (delayMs) => {
    const dir = await killDuring(2, delayMs);
    const ck = loadCheckpoint(dir);
    expect(ck.epoch).toBeGreaterThanOrEqual(2);
    // Every value of a checkpoint is its epoch number: a mix of two writes would show.
    for (const p of ck.model.weights()) expect(p.tensor.data.every((v) => v === ck.epoch)).toBe(true);
    for (const s of Object.values(ck.optimizerState.slots)) for (const b of s) expect(b.every((v) => v === ck.epoch)).toBe(true);
    expect(ck.optimizerState.iterations).toBe(ck.epoch);
    expect(ck.settings).toEqual({ epoch: ck.epoch });
  });
});
