/**
 * Progress for long work, on stderr: a live bar on a terminal (steps, loss, ETA, steps/s),
 * plain lines when stderr is not a terminal, and no progress in --json mode (notices still go
 * to stderr; stdout then holds only the JSON line).
 */
export interface ProgressSink {
  /** A step of epoch `epoch` (1-based, of `epochs`) finished: `done` of `total` steps. */
  step(done: number, total: number, loss: number, epoch: number, epochs: number): void;
  /** The epoch finished (a summary line stays on screen). */
  epochEnd(summary: string): void;
  /** A notice (the backend in use, a fallback, a saved file). */
  notice(text: string): void;
}

export function createProgress(mode: 'tty' | 'plain' | 'silent', label: () => string, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let started = Date.now();
  let lastDraw = 0;
  let lastPlainPercent = -1;
  return {
    step(done, total, loss, epoch, epochs) {
      if (mode === 'silent') return;
      if (done === 1) {
        started = Date.now();
        lastPlainPercent = -1;
      }
      const now = Date.now();
      const elapsed = (now - started) / 1000;
      // Too early for a rate: a figure from the first millisecond would be nonsense.
      const measured = elapsed >= 0.05;
      const rate = done / Math.max(elapsed, 1e-9);
      const etaText = measured ? `${((total - done) / rate).toFixed(0)}s` : '…';
      const rateText = measured ? `${rate.toFixed(1)} steps/s` : '… steps/s';
      if (mode === 'tty') {
        if (now - lastDraw < 80 && done < total) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round((done / total) * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        stream.write(`\r${label()} epoch ${epoch}/${epochs} ${bar} ${done}/${total}  loss ${loss.toFixed(5)}  ETA ${etaText}  ${rateText}\x1b[K`);
      } else {
        const percent = Math.floor((done / total) * 4) * 25; // a line at 25 %, 50 %, 75 %, 100 %
        if (percent > lastPlainPercent && percent > 0) {
          lastPlainPercent = percent;
          if (percent < 100) stream.write(`${label()} epoch ${epoch}/${epochs}: ${done}/${total} steps (${percent}%)  loss ${loss.toFixed(5)}  ETA ${etaText}  ${rateText}\n`);
        }
      }
    },
    epochEnd(summary) {
      if (mode === 'silent') return;
      stream.write(mode === 'tty' ? `\r${summary}\x1b[K\n` : `${summary}\n`);
    },
    notice(text) {
      // Notices (the kernels in use, a fallback, a saved file) go to stderr even with --json.
      stream.write(`${text}\n`);
    },
  };
}

/** 'tty' on a terminal, 'plain' otherwise, 'silent' with --json. */
export function progressMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): 'tty' | 'plain' | 'silent' {
  if (json) return 'silent';
  return stream.isTTY ? 'tty' : 'plain';
}
