/** Every example in README.md and docs/ prints exactly the output shown beneath it. */
import * as path from 'path';
import { examplesIn, runExample, markdownFiles } from './support/examples';

const examples = markdownFiles().flatMap(examplesIn);

test('the README has at least one checked example', () => {
  expect(examples.some((e) => path.basename(e.file) === 'README.md')).toBe(true);
});

test.each(examples.map((e) => [`${path.relative(path.resolve(__dirname, '..'), e.file)}:${e.line}`, e] as const))(
  '%s prints what it shows',
  async (_where, example) => {
    expect(await runExample(example.code)).toBe(example.expected);
  },
);
