/**
 * The command line meets issue 15: `--require FILE` makes a registered cell known to train,
 * predict and evaluate (examples/mgu-cell.ts, a TypeScript module, through ts-node);
 * `--bidirectional` and `--stateful` train, and are refused by name where they cannot mean anything.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rnngrad, tempDir, jsonLine, ROOT } from './run-cli';
import { messageLines } from '../robust/cli-fixtures';

const MGU = path.join(ROOT, 'examples', 'mgu-cell.ts');
const small = ['--samples', '200', '--epochs', '1', '--units', '4', '--layers', '1', '--seed', '3'];

describe('--require: a custom cell on the command line', () => {
  const dir = tempDir('custom-cli');
  fs.writeFileSync(path.join(dir, 'x.json'), '[[[0.1],[0.2],[0.3]]]');

  it('train --cell MGUCell saves a model of the registered cell; predict and evaluate load it', () => {
    const trained = jsonLine(rnngrad(['train', '--require', MGU, '--cell', 'MGUCell', '--task', 'series', ...small, '--save', 'mgu', '--json'], { cwd: dir }));
    expect(trained.cell).toBe('MGUCell');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'mgu', 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.cell.class_name).toBe('MGUCell');
    const predicted = rnngrad(['predict', '--require', MGU, '--model', 'mgu', '--input', 'x.json', '--output', 'y.json'], { cwd: dir });
    expect(predicted.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'y.json'), 'utf8'))[0][0]).toEqual(expect.any(Number));
    const evaluated = jsonLine(rnngrad(['evaluate', '--require', MGU, '--model', 'mgu', '--task', 'series', '--samples', '200', '--seed', '3', '--json'], { cwd: dir }));
    expect(evaluated.valMse).toBeCloseTo(trained.valMse as number, 6);
  });

  it('without --require the class is refused in one line that says how to load it', () => {
    const run = rnngrad(['predict', '--model', 'mgu', '--input', 'x.json', '--output', 'z.json'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(messageLines(run.stderr)).toEqual([expect.stringMatching(/cell class 'MGUCell' is not supported .* or --require FILE on the command line/)]);
    expect(fs.existsSync(path.join(dir, 'z.json'))).toBe(false);
  });

  it('a --cell that is neither built in nor registered, and a --require file that is missing, are named', () => {
    expect(messageLines(rnngrad(['train', '--cell', 'MGUCell', '--task', 'series', ...small], { cwd: dir }).stderr))
      .toEqual([expect.stringMatching(/--cell 'MGUCell' is not a cell \(expected simple, ln-simple, lstm, peephole, gru, or a cell class registered by --require FILE\)/)]);
    expect(messageLines(rnngrad(['predict', '--require', 'nope.ts', '--model', 'mgu', '--input', 'x.json', '--output', 'z.json'], { cwd: dir }).stderr))
      .toEqual(['rnngrad predict: --require nope.ts: no such file']);
  });
});

describe('--bidirectional and --stateful', () => {
  it('--bidirectional trains series with Bidirectional layers', () => {
    const dir = tempDir('bidi-cli');
    const out = jsonLine(rnngrad(['train', '--task', 'series', '--bidirectional', ...small, '--save', 'm', '--json'], { cwd: dir }));
    expect(out.bidirectional).toBe(true);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].class_name).toBe('Bidirectional');
  });

  it.each(['seq2seq', 'chars'])('--bidirectional is refused for --task %s (its targets are future inputs)', (task) => {
    const run = rnngrad(['train', '--task', task, '--bidirectional']);
    expect(run.status).toBe(2);
    expect(messageLines(run.stderr)).toEqual([expect.stringMatching(new RegExp(`--bidirectional cannot be used with --task ${task}: its targets are future inputs`))]);
  });

  it('--stateful trains the chars task as streams and reports bits per character', () => {
    const out = jsonLine(rnngrad(['train', '--task', 'chars', '--stateful', '--units', '16', '--length', '20', '--batch', '8', '--epochs', '1', '--json']));
    expect(out.stateful).toBe(true);
    expect(out.valBitsPerChar).toEqual(expect.any(Number));
    expect(Number.isFinite(out.valBitsPerChar)).toBe(true);
  });

  it('--stateful is refused for tasks of independent sequences', () => {
    expect(messageLines(rnngrad(['train', '--task', 'adding', '--stateful']).stderr)).toEqual([expect.stringMatching(/--stateful applies to --task chars/)]);
  });
});
