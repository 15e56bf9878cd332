/**
 * Seeded randomness for the clustering code: results must be reproducible for a given seed,
 * so nothing here reads Math.random.
 */

/** A uniform source in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a tiny 32-bit generator, good enough for shuffles and tie-breaking, and
 * identical across platforms for the same seed.
 * @example const rng = mulberry32(42); rng(); // 0.6011037519201636
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform random permutation of 0..n-1 (Fisher–Yates). */
export function randomPermutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}
