/**
 * Seeded randomness for the clustering code: results must be reproducible for a given seed,
 * so nothing here reads Math.random.
 */

import type { Rng } from '../../model/index.js';

export type { Rng } from '../../model/index.js';
export { mulberry32 } from '../../model/index.js';

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
