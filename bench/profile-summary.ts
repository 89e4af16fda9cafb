/**
 * Summarise a V8 CPU profile (`node --cpu-prof`): self time per function, largest first.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/run.js --only=W1 --engines=rnngrad --no-heap
 *   node dist/bench/profile-summary.js /tmp/prof/<file>.cpuprofile [top]
 *
 * Self time = the samples whose innermost frame is that function (where the time is spent,
 * not what called it). Samples are spread evenly over the profile's duration.
 */
import * as fs from 'fs';
import * as path from 'path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

export function summarise(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'} ${where}`.trim();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(total, 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`${total} samples, ${(total * msPerSample).toFixed(0)} ms`, '| self % | self ms | function |', '|---:|---:|---|'];
  for (const [name, n] of rows) lines.push(`| ${((100 * n) / total).toFixed(1)} | ${(n * msPerSample).toFixed(0)} | ${name} |`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(summarise(profile, top ? Number(top) : 25) + '\n');
}
