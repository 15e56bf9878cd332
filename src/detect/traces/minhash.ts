/**
 * MinHash signatures and LSH banding.
 * MinHash: Broder 1997, "On the resemblance and containment of documents" — for a random
 * permutation π of the hash space, P[min π(A) = min π(B)] = |A ∩ B| / |A ∪ B| (Jaccard), so the
 * share of agreeing minima over k permutations estimates Jaccard with variance J(1 − J)/k.
 * Banding: Indyk & Motwani 1998; Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets",
 * ch. 3.4 — cut a signature into b bands of r rows; two sets collide in some band with
 * probability 1 − (1 − s^r)^b, an S-curve in the similarity s whose steepest point is near
 * (1/b)^(1/r).
 *
 * Permutations are the universal family h(x) = (a·x + b) mod 2^32 with a odd (a bijection of
 * 32-bit words), computed with Math.imul on typed arrays; inputs must already be well-mixed
 * 32-bit hashes (apply `fmix32` to raw integers), because a linear map keeps the structure of
 * small consecutive integers. Minima are taken in signed 32-bit order: any fixed total order
 * of the hash space serves.
 */

/** The k permutations of one signature scheme: h_i(x) = a[i]·x + b[i] mod 2^32, a[i] odd. */
export interface MinhashPermutations {
  a: Int32Array;
  b: Int32Array;
}

/** LSH banding: `bands` × `rows` signature entries are used (the rest, if any, are not). */
export interface Banding {
  bands: number;
  rows: number;
}

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * `numHashes` seeded permutations; the same seed always gives the same permutations (splitmix32
 * stream), so signatures and results are reproducible.
 */
export function minhashPermutations(numHashes: number, seed: number): MinhashPermutations {
  const a = new Int32Array(numHashes);
  const b = new Int32Array(numHashes);
  let state = seed | 0;
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    return fmix32(state);
  };
  for (let i = 0; i < numHashes; i++) {
    a[i] = next() | 1;
    b[i] = next();
  }
  return { a, b };
}

/**
 * The MinHash signature of the set `values[0..count)` (duplicates allowed: they do not change a
 * minimum), written to `out` (length ≥ number of permutations) and returned.
 * An empty set gets the all-maximum signature.
 */
export function minhashSignature(
  values: Int32Array,
  count: number,
  perms: MinhashPermutations,
  out: Int32Array = new Int32Array(perms.a.length),
): Int32Array {
  const { a, b } = perms;
  const k = a.length;
  let i = 0;
  // Four permutations per pass over the set: one load of each value, four independent minima.
  for (; i + 4 <= k; i += 4) {
    const a0 = a[i]!;
    const a1 = a[i + 1]!;
    const a2 = a[i + 2]!;
    const a3 = a[i + 3]!;
    const b0 = b[i]!;
    const b1 = b[i + 1]!;
    const b2 = b[i + 2]!;
    const b3 = b[i + 3]!;
    let m0 = 0x7fffffff;
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    for (let j = 0; j < count; j++) {
      const x = values[j]!;
      const v0 = (Math.imul(a0, x) + b0) | 0;
      if (v0 < m0) m0 = v0;
      const v1 = (Math.imul(a1, x) + b1) | 0;
      if (v1 < m1) m1 = v1;
      const v2 = (Math.imul(a2, x) + b2) | 0;
      if (v2 < m2) m2 = v2;
      const v3 = (Math.imul(a3, x) + b3) | 0;
      if (v3 < m3) m3 = v3;
    }
    out[i] = m0;
    out[i + 1] = m1;
    out[i + 2] = m2;
    out[i + 3] = m3;
  }
  for (; i < k; i++) {
    const ai = a[i]!;
    const bi = b[i]!;
    let min = 0x7fffffff;
    for (let j = 0; j < count; j++) {
      const v = (Math.imul(ai, values[j]!) + bi) | 0;
      if (v < min) min = v;
    }
    out[i] = min;
  }
  return out;
}

/** Share of equal entries of two signatures of the same scheme: the MinHash estimate of Jaccard. */
export function estimateJaccard(x: Int32Array, y: Int32Array): number {
  const k = Math.min(x.length, y.length);
  if (k === 0) return 0;
  let equal = 0;
  for (let i = 0; i < k; i++) if (x[i] === y[i]) equal++;
  return equal / k;
}

/** Exact Jaccard similarity of two ascending, duplicate-free integer arrays (two empty sets: 0). */
export function exactJaccard(x: Int32Array, y: Int32Array): number {
  return mergeJaccard(x, 0, x.length, y, 0, y.length);
}

/**
 * Exact Jaccard similarity of the ascending, duplicate-free runs `pool[a0..a1)` and `pool[b0..b1)`
 * (no subarray objects: this is the verification inner loop).
 */
export function exactJaccardRange(pool: Int32Array, a0: number, a1: number, b0: number, b1: number): number {
  return mergeJaccard(pool, a0, a1, pool, b0, b1);
}

function mergeJaccard(x: Int32Array, x0: number, x1: number, y: Int32Array, y0: number, y1: number): number {
  let i = x0;
  let j = y0;
  let common = 0;
  while (i < x1 && j < y1) {
    const u = x[i]!;
    const v = y[j]!;
    if (u === v) {
      common++;
      i++;
      j++;
    } else if (u < v) {
      i++;
    } else {
      j++;
    }
  }
  const union = x1 - x0 + (y1 - y0) - common;
  return union === 0 ? 0 : common / union;
}

/** Probability that two sets of Jaccard similarity `s` share at least one band bucket: 1 − (1 − s^r)^b. */
export function candidateProbability(s: number, banding: Banding): number {
  return 1 - (1 - s ** banding.rows) ** banding.bands;
}

/** The similarity near which the banding's S-curve is steepest: (1/b)^(1/r) (MMDS §3.4.2). */
export function sCurveThreshold(banding: Banding): number {
  return (1 / banding.bands) ** (1 / banding.rows);
}

/**
 * Banding for `numHashes` signature entries: the most rows per band (hence the fewest chance
 * candidates) such that a pair exactly at `threshold` still becomes a candidate with probability
 * ≥ `recall`; one row per band if even that falls short. Candidates are verified afterwards, so
 * the S-curve is deliberately placed below the threshold: false candidates cost a comparison,
 * missed ones lose a match (MMDS §3.4.3 and §3.8.2).
 * @example chooseBanding(64, 0.8, 0.99) // { bands: 12, rows: 5 }: S-curve at 0.61, P(candidate | s = 0.8) = 0.992
 */
export function chooseBanding(numHashes: number, threshold: number, recall: number): Banding {
  for (let rows = numHashes; rows > 1; rows--) {
    const banding = { bands: Math.floor(numHashes / rows), rows };
    if (candidateProbability(threshold, banding) >= recall) return banding;
  }
  return { bands: numHashes, rows: 1 };
}

/**
 * Hashes each band of `signature` to one 32-bit value, written to `out[offset + band]`: FNV-1a
 * over the band's rows, seeded by the band index so equal rows in different bands do not
 * collide, then murmur3's finaliser.
 */
export function bandHashes(signature: Int32Array, banding: Banding, out: Int32Array, offset: number): void {
  const { bands, rows } = banding;
  for (let band = 0, p = 0; band < bands; band++) {
    let h = (0x811c9dc5 ^ Math.imul(band + 1, 0x9e3779b1)) | 0;
    for (let r = 0; r < rows; r++, p++) h = Math.imul(h ^ signature[p]!, 0x01000193);
    out[offset + band] = fmix32(h);
  }
}
