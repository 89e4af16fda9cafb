/**
 * Re-write a report and chart from a saved results file, without measuring again:
 *
 *   node dist/bench/render.js bench/results/results-quick.json
 *
 * writes report-quick.md and chart-quick.svg beside it (the suffix follows the file name).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Result } from './harness';
import type { HeapCheck } from './heap';
import type { MemoryRow } from './memory';
import { markdownReport, memoryMarkdown, firstLossMarkdown, type Machine, type FirstLoss } from './report';
import { chartSvg } from './svg';

interface Saved {
  readonly machine: Machine;
  readonly results: readonly Result[];
  readonly heap: HeapCheck | null;
  /** Absent from files written before issue 13. */
  readonly memory?: readonly MemoryRow[];
  readonly pytorch?: { readonly firstLoss: readonly FirstLoss[] };
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/render.js bench/results/results[-suffix].json\n');
  process.exit(2);
}
const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Saved;
const dir = path.dirname(file);
const suffix = path.basename(file, '.json').replace(/^results/, '');
fs.writeFileSync(path.join(dir, `report${suffix}.md`), markdownReport(saved.machine, saved.results, saved.heap,
  [...firstLossMarkdown(saved.pytorch?.firstLoss ?? []), ...memoryMarkdown(saved.memory ?? [])]));
fs.writeFileSync(path.join(dir, `chart${suffix}.svg`),
  chartSvg(saved.results, `rnngrad vs TF.js ${saved.machine.tfjs}${saved.machine.pytorch ? ' and PyTorch' : ''} — ${saved.machine.cpu}, Node ${saved.machine.node}`));
process.stderr.write(`wrote ${dir}/report${suffix}.md, chart${suffix}.svg\n`);
