/**
 * The reading guide keeps its shape: docs/README.md walks the stops in the order of STYLE.md
 * (engine → tape → ops → gradient check → cells → dropout and clipping → kernels → training →
 * benchmarks), every walkthrough page has prose, code pulled from the source and a checked example,
 * and every cell page has its equations, its diagram and the code of its cell file.
 * (Stale code blocks and broken links are spec/docs.test.ts's job; outputs spec/examples.test.ts's.)
 */
import * as fs from 'fs';
import * as path from 'path';

const DOCS = path.resolve(__dirname, '..', 'docs');
const read = (rel: string) => fs.readFileSync(path.join(DOCS, rel), 'utf8');

/** The pages linked from the reading-order table, in table order. */
function readingOrder(): string[] {
  const table = read('README.md').split('\n').filter((l) => /^\| \d+b? \|/.test(l));
  return table.map((row) => {
    const page = row.split('|').slice(-2, -1)[0];
    const m = page.match(/\]\(([^)]+\.md)\)/);
    if (!m) throw new Error(`docs/README.md: no page link in row ${row}`);
    return m[1];
  });
}

const STOPS = [
  ['tensor', '01-tensor.md'],
  ['tape', '02-tape.md'],
  ['ops', '03-ops.md'],
  ['gradient check', '04-gradcheck.md'],
  ['cells', '05-cells.md'],
  ['backpropagation through time', '06-bptt.md'],
  ['dropout and clipping', '07-dropout-and-clipping.md'],
  ['kernels', '08-kernels.md'],
  ['training', '09-training.md'],
  ['benchmarks', '10-benchmarks.md'],
] as const;

test('docs/README.md lists the stops in reading order', () => {
  expect(readingOrder()).toEqual(STOPS.map(([, page]) => page));
});

describe.each(STOPS.map(([stop, page]) => [stop, page] as const))('the %s page (%s)', (_stop, page) => {
  const text = read(page);

  test('opens with prose and names the files to open', () => {
    const firstCode = text.indexOf('```');
    const prose = text.slice(0, firstCode < 0 ? text.length : firstCode);
    expect(prose.split(/\s+/).length).toBeGreaterThan(40);
    expect(text).toMatch(/\*Files?: \[/);
  });

  test('has a runnable example with its printed output', () => {
    expect(text).toMatch(/```ts example\n[\s\S]*?```\s*\n```text output\n/);
  });

  test('ends on the one idea to take away', () => {
    expect(text).toMatch(/The one idea:/);
  });
});

test.each(STOPS.filter(([, page]) => page !== '10-benchmarks.md').map(([, page]) => page))('%s pulls real code from the source', (page) => {
  expect(read(page)).toMatch(/<!-- code: [\w/.-]+\.ts#[\w-]+ -->\n```ts\n/);
});

const CELLS = [
  ['simple-rnn', 'simple-rnn.ts'],
  ['ln-simple-rnn', 'ln-simple-rnn.ts'],
  ['lstm', 'lstm.ts'],
  ['peephole-lstm', 'peephole-lstm.ts'],
  ['gru', 'gru.ts'],
] as const;

describe.each(CELLS.map(([name, file]) => [name, file] as const))('the %s cell page', (name, file) => {
  const text = read(`cells/${name}.md`);

  test('gives the equations', () => {
    expect(text).toMatch(/## Equations/);
    expect(text).toMatch(/h_t = /);
  });

  test('shows the diagram of the cell, drawn from a Graphviz source', () => {
    expect(text).toContain(`](../figures/cells/${name}.svg)`);
    expect(fs.existsSync(path.join(DOCS, 'figures', 'cells', `${name}.dot`))).toBe(true);
  });

  test('pulls the lines that compute the equations from its cell file', () => {
    expect(text).toContain(`<!-- code: cells/${file}#`);
    expect(text).toMatch(/\| equation \| line \|/);
  });

  test('is linked from the cells page', () => {
    expect(read('05-cells.md')).toContain(`(cells/${name}.md)`);
  });
});
