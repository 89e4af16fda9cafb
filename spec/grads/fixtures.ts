/** TF.js-made model files for the answer-key tests (docs/tools/answer-key-models.ts), written once per test file. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeModel, writeBatch, AnswerKeyModel } from '../../docs/tools/answer-key-models';

export interface Fixture {
  readonly dir: string;
  readonly model: string;
  readonly x: string;
  readonly y: string;
}

/** Save a model of `kind` with TF.js, with an input and a target, in a fresh temporary folder. */
export async function fixture(kind: AnswerKeyModel): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rnngrad-grads-${kind}-`));
  const model = await writeModel(kind, dir);
  const { x, y } = writeBatch(kind, dir);
  return { dir, model, x, y };
}
