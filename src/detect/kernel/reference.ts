/**
 * The slow, obvious co-action computation the fast kernel is tested against: for every key,
 * every pair of its events, string-keyed Maps. Quadratic per key; for tests and tiny inputs only.
 * Same rule as the kernel (CooRTweet's co-share rule): different actors, same key, |Δt| <= window.
 */
import type { TraceEvents } from './types.js';

export interface ReferencePair {
  a: number;
  b: number;
  shared: number;
  idf: number;
  coActions: number;
  sumDelta: number;
}

/** Pairs keyed `"a,b"` (a < b), computed by brute force. */
export function referenceCoActionPairs(events: TraceEvents, window: number): Map<string, ReferencePair> {
  const byKey = new Map<number, number[]>();
  const actors = new Set<number>();
  for (let i = 0; i < events.actor.length; i++) {
    const list = byKey.get(events.key[i]!) ?? [];
    list.push(i);
    byKey.set(events.key[i]!, list);
    actors.add(events.actor[i]!);
  }
  const keysOfPair = new Map<string, Set<number>>();
  const pairs = new Map<string, ReferencePair>();
  const idfOfKey = new Map<number, number>();
  for (const [key, list] of byKey) {
    const onKey = new Set(list.map((i) => events.actor[i]!));
    idfOfKey.set(key, Math.log(actors.size / onKey.size));
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x]!;
        const j = list[y]!;
        const ai = events.actor[i]!;
        const aj = events.actor[j]!;
        const delta = Math.abs(events.time[i]! - events.time[j]!);
        if (ai === aj || delta > window) continue;
        const a = Math.min(ai, aj);
        const b = Math.max(ai, aj);
        const id = `${a},${b}`;
        const pair = pairs.get(id) ?? { a, b, shared: 0, idf: 0, coActions: 0, sumDelta: 0 };
        pair.coActions += 1;
        pair.sumDelta += delta;
        pairs.set(id, pair);
        const keys = keysOfPair.get(id) ?? new Set<number>();
        keys.add(key);
        keysOfPair.set(id, keys);
      }
    }
  }
  for (const [id, keys] of keysOfPair) {
    const pair = pairs.get(id)!;
    pair.shared = keys.size;
    pair.idf = [...keys].reduce((sum, key) => sum + idfOfKey.get(key)!, 0);
  }
  return pairs;
}
