/**
 * Bit-level comparison for tests that promise "the same bits" (a faster kernel against the
 * path it replaces): the first index where two float32 arrays differ, or -1.
 */

/** The first index where a and b differ in bits, or -1; -2 when their lengths differ. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
