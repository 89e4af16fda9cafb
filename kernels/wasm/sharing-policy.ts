/**
 * When the wasm matmul shares its products with the helper thread (./threads.ts) and when it
 * runs them alone: a pure function of what the caller measured, tested with made-up timings
 * (spec/perf/sharing-policy.test.ts).
 */

/**
 * Whether sharing products with the helper pays, judged from the products themselves. For each
 * shared product the caller knows how many chunks it ran itself and how long they took, so it
 * knows what the helper's chunks saved it (their count × its own time per chunk) and what
 * waiting for the helper cost it (the time after its last chunk). Where the helper gets a core
 * late and the caller waits for it — measured on the 2-core VM under a load of ~10: W2's
 * forward took 1.3× longer with the helper than without — the cost outweighs the saving, and
 * products run on the caller alone for a while (8, doubling up to 1024 products while it
 * keeps not paying). A helper that joins late but costs no wait is no loss: an earlier rule
 * (back off unless the product took < 0.85 × the caller's time alone) took every product in
 * which a waking helper ran 2 of 16 chunks as a loss, and kept W2 on one core most of the time.
 */
export class SharingPolicy {
  static readonly FIRST_BACKOFF = 8;
  static readonly MAX_BACKOFF = 1024;
  static readonly DECAY = 0.75;
  /** Products left to run without the helper. */
  private alone = 0;
  private backoff = SharingPolicy.FIRST_BACKOFF;
  /** Saved minus lost, in ms, over recent products (older ones decay). */
  private balance = 0;

  /** Whether the next product should run on the caller alone (counts it if so). */
  runAlone(): boolean {
    if (this.alone === 0) return false;
    this.alone--;
    return true;
  }

  /** Whether the product just counted by runAlone is the last one alone (time to wake the helper). */
  get lastAlone(): boolean {
    return this.alone === 0;
  }

  /**
   * Record a shared product: the caller ran `mine` of its `chunks` chunks in `tMine` ms and
   * the whole product took `t` ms. Returns the products it will now run alone (0: keep sharing).
   */
  record(mine: number, chunks: number, tMine: number, t: number): number {
    if (mine === 0) return 0; // the helper took every chunk: nothing to judge by, and no loss
    const perChunk = tMine / mine;
    const saved = (chunks - mine) * perChunk;
    // Waiting up to one chunk for the helper's last is the normal end of a shared product.
    const lost = Math.max(0, t - tMine - perChunk);
    this.balance = SharingPolicy.DECAY * this.balance + saved - lost;
    if (this.balance < 0) {
      this.alone = this.backoff;
      this.backoff = Math.min(2 * this.backoff, SharingPolicy.MAX_BACKOFF);
      this.balance = 0;
    } else if (saved > lost) {
      this.backoff = SharingPolicy.FIRST_BACKOFF;
    }
    return this.alone;
  }
}
