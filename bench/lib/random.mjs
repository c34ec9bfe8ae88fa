// Deterministic randomness: the same seed gives the same repository, byte for byte, so results
// from different runs and machines describe the same input.

/** mulberry32: small, fast, good enough for picking names and sizes. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  /** Log-normal around `median` (a file-size distribution: many small files, a long tail). */
  const logNormal = (median, sigma) => {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.exp(Math.log(median) + sigma * z);
  };
  return { next, int, pick, logNormal };
}
