/**
 * Seeded randomness for the synthetic benchmark. Every account, campaign and confounder draws
 * from its own stream, keyed by (seed, purpose, index), so the rows of one account can be
 * regenerated on their own (users, tweets and truth agree without holding anything in memory).
 */

import type { Rng } from '../model/index.js';

export type { Rng } from '../model/index.js';
export { mulberry32 } from '../model/index.js';

/** Makes an RNG from a 32-bit seed; inject one to replace the default mulberry32. */
export type RngFactory = (seed: number) => Rng;

/** Mixes integers (each below 2^53) into one well-spread 32-bit value (murmur3 finaliser per step). */
export function mix32(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = mixStep(h, value >>> 0);
    // Times in ms exceed 2^32: their high part must count too.
    const high = Math.floor(value / 4294967296);
    if (high !== 0) h = mixStep(h, high >>> 0);
  }
  return h >>> 0;
}

function mixStep(h: number, value: number): number {
  let x = Math.imul(h ^ value, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** Uniform in [low, high). */
export function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng();
}

/** Uniform integer in [low, high], both ends included. */
export function randInt(rng: Rng, low: number, high: number): number {
  return low + Math.floor(rng() * (high - low + 1));
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** One item of a non-empty list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick: empty list');
  return item;
}

/** Standard normal (Box–Muller, one of the pair). */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Lognormal given its median and the sigma of its log. */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Exponential with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** Poisson count: Knuth's product method for small means, a rounded normal for large ones. */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const limit = Math.exp(-mean);
  let count = 0;
  let product = rng();
  while (product > limit) {
    count++;
    product *= rng();
  }
  return count;
}

/** Rounds a non-negative expectation to an integer without bias (3.3 is 4 with probability 0.3). */
export function stochasticRound(rng: Rng, value: number): number {
  const floor = Math.floor(value);
  return floor + (rng() < value - floor ? 1 : 0);
}

/** Fisher–Yates, in place. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/** A random permutation of 0..n-1 as a typed array (cheap for a million accounts). */
export function permutation(rng: Rng, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = order[i] as number;
    order[i] = order[j] as number;
    order[j] = a;
  }
  return order;
}

/** Zipf weights 1/rank^exponent for ranks 1..n. */
export function zipfWeights(n: number, exponent: number): Float64Array {
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = 1 / Math.pow(i + 1, exponent);
  return weights;
}

/**
 * Walker's alias table: O(1) draws from a fixed discrete distribution.
 * @example const table = new AliasTable([3, 1]); table.sample(rng) // 0 three times out of four
 */
export class AliasTable {
  readonly size: number;
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable: no weights');
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i] as number;
    if (!(total > 0)) throw new Error('AliasTable: weights must sum to a positive number');
    this.size = n;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] as number) * n) / total;
      ((scaled[i] as number) < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of large) this.probability[i] = 1;
    for (const i of small) this.probability[i] = 1;
  }

  sample(rng: Rng): number {
    const i = Math.floor(rng() * this.size);
    return rng() < (this.probability[i] as number) ? i : (this.alias[i] as number);
  }
}
