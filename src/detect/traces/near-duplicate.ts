/**
 * Near-duplicate text trace: posts whose texts are near-duplicates share a key, so the co-action
 * kernel pairs the accounts that post the same copypasta within its time window.
 * Method: copypasta detection as in Pacheco et al. 2021, "Uncovering Coordinated Networks on
 * Social Media" (ICWSM), and the coordination-network-toolkit's co-similar-tweet network (Graham
 * et al., QUT DMRC): two texts are near-duplicates when the Jaccard similarity of their token
 * sets reaches a threshold. Computed at scale with MinHash (Broder 1997, "On the resemblance and
 * containment of documents") and banding LSH (Indyk & Motwani 1998; Leskovec, Rajaraman &
 * Ullman, "Mining of Massive Datasets", ch. 3):
 * 1. prepare each text (shingles.ts): NFKC, lower case, no URLs, mentions, RT prefix, punctuation
 *    or emoji; word 3-shingles, or character bigrams for Han, kana, Thai, Lao, Khmer, Myanmar;
 * 2. deduplicate equal shingle sets up front (exactly, element by element), so a text posted
 *    100,000 times, verbatim or with other links and mentions, is one set and costs no pairs;
 * 3. MinHash signature and band hashes of each distinct set (minhash.ts), the banding placed
 *    so a pair at the threshold is a candidate with probability `recall`;
 * 4. candidates from equal band hashes, verified by exact Jaccard of the shingle sets (so no
 *    pair below the threshold is ever linked directly) and merged with union-find — single
 *    linkage: a chain of edits, each within the threshold, is one group (minhash-lsh.ts);
 * 5. one key per group of at least two posts; a post in no such group gets no event.
 */
import { LockstepError } from '../../model/index.js';
import type { TraceEvents } from '../kernel/index.js';
import { chooseBanding, minhashPermutations, minhashSignature, sCurveThreshold } from './minhash.js';
import type { Banding } from './minhash.js';
import { groupNearDuplicates } from './minhash-lsh.js';
import type { LshStats } from './minhash-lsh.js';
import { DistinctSets } from './minhash-texts.js';
import { SHINGLE_DEFAULTS, shingleBuffer, shingleHashes, sortUnique } from './shingles.js';
import type { ShingleOptions } from './shingles.js';

export interface NearDuplicateOptions extends ShingleOptions {
  /** Texts whose shingle sets have Jaccard similarity at least this are near-duplicates. */
  threshold: number;
  /** MinHash signature length (of which bands × rows entries are used). */
  numHashes: number;
  /** LSH bands; `'auto'` picks bands × rows ≤ numHashes from `threshold` and `recall`. */
  bands: number | 'auto';
  /** For `bands: 'auto'`: the chance that a pair exactly at the threshold becomes a candidate. */
  recall: number;
  /** Each text is compared with at most this many − 1 preceding texts of any one band bucket. */
  maxBucketSize: number;
  /** Seed of the hash permutations: equal seeds give equal results. */
  seed: number;
}

export const NEAR_DUPLICATE_DEFAULTS: Readonly<NearDuplicateOptions> = Object.freeze({
  ...SHINGLE_DEFAULTS,
  threshold: 0.8,
  numHashes: 64,
  bands: 'auto',
  recall: 0.95,
  maxBucketSize: 100,
  seed: 0x5eed,
});

/** Posts: post i is `text[i]` by `actor[i]` at `time[i]` (ms since the epoch). */
export interface NearDuplicateInput {
  actor: Int32Array;
  time: Float64Array;
  text: readonly (string | null)[];
  actorCount: number;
}

/** One near-duplicate group, for explanations. */
export interface NearDuplicateGroup {
  key: number;
  /** Posts in the group. */
  size: number;
  /** Distinct shingle sets among them (1: every copy identical after preparation). */
  variants: number;
  /** The raw text of the group's first post. */
  sample: string;
}

export interface NearDuplicateStats extends LshStats {
  posts: number;
  /** Posts with a null or empty text. */
  withoutText: number;
  /** Posts with text but below `minTokens` / `minChars` after preparation. */
  tooShort: number;
  /** Distinct shingle sets (texts long enough to shingle, after deduplication). */
  distinctTexts: number;
  /** Of those, how many were shingled by characters (unsegmented scripts). */
  charShingled: number;
  bands: number;
  rows: number;
  /** (1/bands)^(1/rows): where the LSH S-curve is steepest. */
  sCurveThreshold: number;
  /** Groups of at least two posts (= keys). */
  groups: number;
  /** Posts in those groups (= events). */
  groupedPosts: number;
}

export interface NearDuplicateResult {
  events: TraceEvents;
  /** Per event, the index of its post in the input (events come in input order). */
  source: Int32Array;
  groups: NearDuplicateGroup[];
  stats: NearDuplicateStats;
}

/**
 * The near-duplicate text trace: one event per post whose text belongs to a group of at least
 * two posts; the event's key is the group (dense ids in order of the groups' first posts).
 *
 * @example
 * const text = ['We love Hong Kong and we want peace and order back now!',
 *   'we love hong kong and we want peace and order back now 🙏 https://t.co/x', 'lol'];
 * const { events, groups } = nearDuplicateTrace({ actor: Int32Array.of(0, 1, 2),
 *   time: Float64Array.of(0, 5_000, 9_000), text, actorCount: 3 });
 * // events: actors 0 and 1 on key 0; groups: [{ key: 0, size: 2, variants: 1, sample: text[0] }]
 */
export function nearDuplicateTrace(input: NearDuplicateInput, options?: Partial<NearDuplicateOptions>): NearDuplicateResult {
  const opts: NearDuplicateOptions = { ...NEAR_DUPLICATE_DEFAULTS, ...options };
  const banding = checkOptions(opts);
  checkInput(input);
  const { text } = input;
  const n = text.length;
  const perms = minhashPermutations(banding.bands * banding.rows, opts.seed);
  const signature = new Int32Array(banding.bands * banding.rows);
  const buffer = shingleBuffer();

  // Posts with equal shingle sets (verbatim copies, copies differing only in links, mentions,
  // punctuation or case) share one distinct set: MinHash and LSH see each set once.
  const textOf = new Int32Array(n).fill(-1);
  const sets = new DistinctSets(banding);
  let withoutText = 0;
  let tooShort = 0;
  let charShingled = 0;
  for (let i = 0; i < n; i++) {
    const raw = text[i];
    if (raw === null || raw === undefined || raw === '') {
      withoutText++;
      continue;
    }
    const count = shingleHashes(raw, opts, buffer);
    if (count < 0) {
      tooShort++;
      continue;
    }
    const size = sortUnique(buffer.hashes, count);
    const hash = DistinctSets.hash(buffer.hashes, size);
    let id = sets.find(buffer.hashes, size, hash);
    if (id < 0) {
      minhashSignature(buffer.hashes, size, perms, signature);
      id = sets.add(buffer.hashes, size, hash, signature);
      if (buffer.mode === 'char') charShingled++;
    }
    textOf[i] = id;
  }

  const { root, stats: lsh } = groupNearDuplicates(sets.texts(), { threshold: opts.threshold, maxBucketSize: opts.maxBucketSize });
  const { events, source, groups } = buildTrace(input, textOf, root, sets.count);
  return {
    events,
    source,
    groups,
    stats: {
      posts: n,
      withoutText,
      tooShort,
      distinctTexts: sets.count,
      charShingled,
      bands: banding.bands,
      rows: banding.rows,
      sCurveThreshold: sCurveThreshold(banding),
      ...lsh,
      groups: groups.length,
      groupedPosts: events.actor.length,
    },
  };
}

function buildTrace(
  input: NearDuplicateInput,
  textOf: Int32Array,
  root: Int32Array,
  distinct: number,
): { events: TraceEvents; source: Int32Array; groups: NearDuplicateGroup[] } {
  const n = textOf.length;
  const postsOf = new Int32Array(distinct);
  const variantsOf = new Int32Array(distinct);
  for (let t = 0; t < distinct; t++) variantsOf[root[t]!]!++;
  let grouped = 0;
  for (let i = 0; i < n; i++) {
    const t = textOf[i]!;
    if (t >= 0) postsOf[root[t]!]!++;
  }
  const keyOf = new Int32Array(distinct).fill(-1);
  const groups: NearDuplicateGroup[] = [];
  for (let i = 0; i < n; i++) {
    const t = textOf[i]!;
    if (t < 0) continue;
    const r = root[t]!;
    const size = postsOf[r]!;
    if (size < 2) continue;
    grouped++;
    if (keyOf[r] === -1) {
      keyOf[r] = groups.length;
      groups.push({ key: groups.length, size, variants: variantsOf[r]!, sample: input.text[i]! });
    }
  }
  const actor = new Int32Array(grouped);
  const key = new Int32Array(grouped);
  const time = new Float64Array(grouped);
  const source = new Int32Array(grouped);
  for (let i = 0, e = 0; i < n; i++) {
    const t = textOf[i]!;
    if (t < 0) continue;
    const k = keyOf[root[t]!]!;
    if (k < 0) continue;
    actor[e] = input.actor[i]!;
    key[e] = k;
    source[e] = i;
    time[e++] = input.time[i]!;
  }
  return { events: { actor, key, time, actorCount: input.actorCount, keyCount: groups.length }, source, groups };
}

function badInput(reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `near-duplicate trace: ${reason}`);
}

function checkOptions(opts: NearDuplicateOptions): Banding {
  if (!(opts.threshold > 0 && opts.threshold <= 1)) throw badInput(`threshold must be in (0, 1], got ${opts.threshold}`);
  const positive: (keyof NearDuplicateOptions)[] = ['wordShingle', 'charShingle', 'minTokens', 'minChars', 'maxBucketSize'];
  for (const name of positive) {
    const value = opts[name];
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) throw badInput(`${name} must be an integer >= 1, got ${String(value)}`);
  }
  const k = opts.numHashes;
  if (!(Number.isInteger(k) && k >= 1 && k <= 1024)) throw badInput(`numHashes must be an integer from 1 to 1024, got ${k}`);
  if (!Number.isInteger(opts.seed)) throw badInput(`seed must be an integer, got ${opts.seed}`);
  if (opts.bands === 'auto') {
    if (!(opts.recall > 0 && opts.recall < 1)) throw badInput(`recall must be in (0, 1), got ${opts.recall}`);
    return chooseBanding(k, opts.threshold, opts.recall);
  }
  const bands = opts.bands;
  if (!(Number.isInteger(bands) && bands >= 1 && bands <= k)) throw badInput(`bands must be 'auto' or an integer from 1 to numHashes (${k}), got ${bands}`);
  return { bands, rows: Math.floor(k / bands) };
}

function checkInput(input: NearDuplicateInput): void {
  const { actor, time, text, actorCount } = input;
  const n = text.length;
  if (actor.length !== n || time.length !== n) {
    throw badInput(`actor, time and text must have the same length (got ${actor.length}, ${time.length}, ${n})`);
  }
  if (!Number.isInteger(actorCount) || actorCount < 0) throw badInput(`actorCount must be an integer >= 0, got ${actorCount}`);
  for (let i = 0; i < n; i++) {
    const a = actor[i]!;
    if (a < 0 || a >= actorCount) throw badInput(`post ${i}: actor ${a} outside [0, ${actorCount})`);
    if (!Number.isFinite(time[i]!)) throw badInput(`post ${i}: time ${time[i]} is not a finite number of ms`);
    const t = text[i];
    if (t !== null && typeof t !== 'string') throw badInput(`post ${i}: text must be a string or null, got ${typeof t}`);
  }
}
