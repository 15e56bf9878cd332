/**
 * Occasions of a pair: how many times two accounts really met, when one post puts events on
 * several keys of one trace (a tweet's hashtags, mentions or links share account, post and time).
 *
 * The kernel counts a pair's distinct shared keys (CooRTweet's weight, kept as it is). For the
 * pair test that overstates what happened when the keys come from one post: an ordinary account
 * that once posted #food #HongKong in the minute a campaign posted both tags shares 2 keys, which
 * met the 2-key minimum, with every campaign member in that minute. Here a pair's occasions are
 * min(shared keys, distinct posts of a among its co-actions with b, distinct posts of b among
 * them): every occasion needs a post of each side, so a single post of either side is one occasion
 * however many keys it carries. Pairs whose posts each carry one key of the trace are untouched.
 *
 * Co-actions are found as the kernel finds them (same window, same (key, time) order, same cap on
 * preceding partners), so the posts counted are those behind the kernel's shared keys. Only
 * candidate pairs (shared >= minShared) with an account that ever put one post on two keys are
 * recounted; only pairs whose occasions fall below their shared keys are stored.
 */
import { identityOrder, PairIndex, sortByKeyTime } from '../kernel/index.js';
import type { PairTable, SortedEvents } from '../kernel/index.js';
import type { TraceData } from '../traces/trace-names.js';

export interface PostOccasionOptions {
  /** The kernel's window, ms (co-actions at most this far apart). */
  window: number;
  /** The kernel's cap on preceding events examined per event. */
  maxPartnersPerEvent: number;
  /** Pairs with fewer shared keys are never evidence, so are not recounted. */
  minShared: number;
}

export const POST_OCCASION_DEFAULTS: Readonly<PostOccasionOptions> = Object.freeze({ window: 60_000, maxPartnersPerEvent: 32, minShared: 2 });

/** A trace's events with the post (store action) behind each; events of one post share it. */
export type PostEvents = TraceData;

/** Occasions per pair, for the pairs whose occasions are fewer than their shared keys. */
export interface PairOccasions {
  /** Pairs whose count is lowered. */
  readonly lowered: number;
  /** The pair's occasions (a < b), given its shared keys: `shared` unless lowered. */
  of(a: number, b: number, shared: number): number;
}

/** No pair lowered: occasions are shared keys. */
export const SHARED_KEYS: PairOccasions = Object.freeze({ lowered: 0, of: (_a: number, _b: number, shared: number) => shared });

/**
 * Occasions of the candidate pairs of one trace.
 * @example
 * const occasions = postOccasions(trace, kernel.pairs, { window: 60_000, maxPartnersPerEvent: 32, minShared: 2 });
 * occasions.of(a, b, shared) // <= shared
 */
export function postOccasions(events: PostEvents, pairs: Pick<PairTable, 'a' | 'b' | 'shared' | 'size'>, options?: Partial<PostOccasionOptions>): PairOccasions {
  const opts = { ...POST_OCCASION_DEFAULTS, ...options };
  const found = multiKeyActors(events);
  if (found === null) return SHARED_KEYS;
  const { multi, maxAction } = found;
  // Candidate pairs one of whose accounts ever put one post on two keys.
  const index = new PairIndex(1024);
  const involved = new Uint8Array(events.actorCount);
  let shared = new Int32Array(1024);
  for (let r = 0; r < pairs.size; r++) {
    const a = pairs.a[r]!;
    const b = pairs.b[r]!;
    if (pairs.shared[r]! < opts.minShared || (multi[a] !== 1 && multi[b] !== 1)) continue;
    const entry = index.entryOf(a, b);
    if (entry >= shared.length) { const bigger = new Int32Array(shared.length * 2); bigger.set(shared); shared = bigger; }
    shared[entry] = pairs.shared[r]!;
    involved[a] = 1;
    involved[b] = 1;
  }
  if (index.size === 0) return SHARED_KEYS;
  const posts = postsPerSide(events, index, involved, opts, maxAction);
  const lowered = new Map<number, number>();
  for (let entry = 0; entry < index.size; entry++) {
    const count = Math.min(shared[entry]!, posts[2 * entry]!, posts[2 * entry + 1]!);
    if (count < shared[entry]!) lowered.set(index.keys[2 * entry]! * events.actorCount + index.keys[2 * entry + 1]!, count);
  }
  const actorCount = events.actorCount;
  return { lowered: lowered.size, of: (a, b, sharedKeys) => lowered.get(a * actorCount + b) ?? sharedKeys };
}

/** Per actor 1 when one of its posts has events on two or more keys of the trace; null when none has. */
function multiKeyActors(events: PostEvents): { multi: Uint8Array; maxAction: number } | null {
  const { action, key, actor } = events;
  let maxAction = -1;
  for (let i = 0; i < action.length; i++) if (action[i]! > maxAction) maxAction = action[i]!;
  if (maxAction < 0) return null;
  // Most traces have one event per post (a repost, a share): a bit per post finds that in cache,
  // where the key table below would miss on every event. Only a post seen twice needs the table.
  if (!anyPostTwice(action, maxAction)) return null;
  const firstKey = new Int32Array(maxAction + 1).fill(-1);
  const multi = new Uint8Array(events.actorCount);
  let any = false;
  for (let i = 0; i < action.length; i++) {
    const post = action[i]!;
    if (post < 0) continue;
    const seen = firstKey[post]!;
    if (seen < 0) firstKey[post] = key[i]!;
    else if (seen !== key[i]) { multi[actor[i]!] = 1; any = true; }
  }
  return any ? { multi, maxAction } : null;
}

/** Whether some post (action >= 0) has two or more events. */
function anyPostTwice(action: Int32Array, maxAction: number): boolean {
  const seen = new Int32Array((maxAction >>> 5) + 1);
  for (let i = 0; i < action.length; i++) {
    const post = action[i]!;
    if (post < 0) continue;
    const word = post >>> 5;
    const bit = 1 << (post & 31);
    if ((seen[word]! & bit) !== 0) return true;
    seen[word] = seen[word]! | bit;
  }
  return false;
}

/**
 * Distinct posts of each side of every indexed pair among its co-actions: [2e] for the pair's
 * first account, [2e + 1] for its second. Co-actions as in the kernel (kernel.ts). Each
 * co-action's (entry, side, post) is packed into one double and the distinct ones counted after
 * a native sort; entries are taken in batches small enough for the packing to stay exact.
 */
function postsPerSide(events: PostEvents, index: PairIndex, involved: Uint8Array, opts: PostOccasionOptions, maxAction: number): Int32Array {
  const sorted = sortByKeyTime(events.key, events.time, events.keyCount, identityOrder(events.actor.length), true);
  const postScale = 2 ** Math.ceil(Math.log2(maxAction + 2));
  const batch = Math.max(1, Math.floor(2 ** 52 / postScale));
  const posts = new Int32Array(2 * index.size);
  for (let first = 0; first < index.size; first += batch) countPosts(events, sorted, index, involved, opts, { first, end: Math.min(index.size, first + batch), postScale }, posts);
  return posts;
}

function countPosts(
  events: PostEvents, sorted: SortedEvents, index: PairIndex, involved: Uint8Array, opts: PostOccasionOptions,
  range: { first: number; end: number; postScale: number }, posts: Int32Array,
): void {
  const { keyStart, time, payload } = sorted;
  const { actor, action } = events;
  const { first, end: last, postScale } = range;
  let records = new Float64Array(1024);
  let size = 0;
  const push = (slot: number, post: number): void => {
    if (size === records.length) { const bigger = new Float64Array(records.length * 2); bigger.set(records); records = bigger; }
    records[size++] = slot * postScale + post;
  };
  const cap = opts.maxPartnersPerEvent;
  for (let k = 0; k < events.keyCount; k++) {
    const start = keyStart[k]!;
    const end = keyStart[k + 1]!;
    let lo = start;
    for (let j = start + 1; j < end; j++) {
      const tj = time[j]!;
      while (tj - time[lo]! > opts.window) lo++;
      const ej = payload[j]!;
      const aj = actor[ej]!;
      if (involved[aj] !== 1) continue;
      for (let i = Math.max(lo, j - cap); i < j; i++) {
        const ei = payload[i]!;
        const ai = actor[ei]!;
        if (ai === aj || involved[ai] !== 1) continue;
        const entry = ai < aj ? index.find(ai, aj) : index.find(aj, ai);
        if (entry < first || entry >= last) continue;
        const slot = 2 * (entry - first);
        push(slot + (ai < aj ? 0 : 1), action[ei]!);
        push(slot + (ai < aj ? 1 : 0), action[ej]!);
      }
    }
  }
  const ordered = records.subarray(0, size).sort();
  for (let r = 0; r < size; r++) {
    if (r > 0 && ordered[r] === ordered[r - 1]) continue;
    posts[2 * first + Math.floor(ordered[r]! / postScale)]!++;
  }
}
