/**
 * When the wasm matmul shares a product with its helper thread and when it stops
 * (kernels/wasm/sharing-policy.ts): the decision is a pure function of what the caller
 * measured, so it is tested with made-up timings.
 */
import { SharingPolicy } from '../../kernels/wasm/sharing-policy';

/** Run `n` products alone if the policy says so; returns how many it ran alone. */
function drainAlone(policy: SharingPolicy): number {
  let n = 0;
  while (policy.runAlone()) n++;
  return n;
}

describe('SharingPolicy (helper thread for large products)', () => {
  it('keeps sharing while the helper takes its half and the caller barely waits', () => {
    const policy = new SharingPolicy();
    // 16 chunks of 0.05 ms: the caller ran 8 in 0.4 ms, the whole product took 0.42 ms.
    for (let i = 0; i < 100; i++) expect(policy.record(8, 16, 0.4, 0.42)).toBe(0);
    expect(policy.runAlone()).toBe(false);
  });

  it('does not count a helper that joins late (or not at all) as a loss', () => {
    const policy = new SharingPolicy();
    // A sleeping helper wakes after the caller ran 14 of 16 chunks; then one where it never came.
    expect(policy.record(14, 16, 0.7, 0.75)).toBe(0);
    expect(policy.record(16, 16, 0.8, 0.801)).toBe(0);
    expect(policy.runAlone()).toBe(false);
  });

  it('runs alone for a while after the caller waited longer than the helper saved it, backing off further while that repeats', () => {
    const policy = new SharingPolicy();
    // The helper lost its core mid-chunk: the caller's 10 chunks took 0.5 ms, the product 3.6 ms.
    expect(policy.record(10, 16, 0.5, 3.6)).toBe(SharingPolicy.FIRST_BACKOFF);
    expect(drainAlone(policy)).toBe(SharingPolicy.FIRST_BACKOFF);
    expect(policy.record(12, 16, 0.6, 4)).toBe(2 * SharingPolicy.FIRST_BACKOFF);
    expect(drainAlone(policy)).toBe(2 * SharingPolicy.FIRST_BACKOFF);
    let last = 0;
    for (let i = 0; i < 20; i++) {
      last = policy.record(12, 16, 0.6, 4);
      drainAlone(policy);
    }
    expect(last).toBe(SharingPolicy.MAX_BACKOFF);
    // A product that pays again resets the back-off.
    policy.record(8, 16, 0.4, 0.42);
    expect(policy.record(10, 16, 0.5, 3.6)).toBe(SharingPolicy.FIRST_BACKOFF);
  });

  it('says which product alone is the last, so that the helper can be woken before sharing resumes', () => {
    const policy = new SharingPolicy();
    policy.record(10, 16, 0.5, 3.6);
    const last: boolean[] = [];
    while (policy.runAlone()) last.push(policy.lastAlone);
    expect(last.length).toBe(SharingPolicy.FIRST_BACKOFF);
    expect(last.slice(0, -1).every((x) => !x)).toBe(true);
    expect(last[last.length - 1]).toBe(true);
  });

  it('weighs one slow product against the recent good ones', () => {
    const policy = new SharingPolicy();
    for (let i = 0; i < 10; i++) policy.record(8, 16, 0.4, 0.42);
    // Saved ~0.4 ms per product recently; one 0.5 ms wait does not outweigh that.
    expect(policy.record(8, 16, 0.4, 0.95)).toBe(0);
  });
});
