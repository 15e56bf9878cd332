/**
 * Distinct actors per key of a trace in O(events + keys + actors): events bucketed by key with a
 * counting sort, then each key's bucket counted with a stamp per actor. The obvious way (a Set of
 * key × actorCount + actor) allocates a heap number per event once that product passes 2^31 and
 * was the slowest step of detection on 2.2M events; this is what the kernel itself uses.
 */

/** Events as far as distinct counting needs them. */
export interface KeyedActors {
  actor: Int32Array;
  key: Int32Array;
  actorCount: number;
  keyCount: number;
}

/**
 * Number of distinct actors on each key (index = key).
 *
 * @example
 * distinctActorsPerKey({ actor: Int32Array.of(0, 0, 1), key: Int32Array.of(0, 0, 0), actorCount: 2, keyCount: 1 }) // Int32Array [2]
 */
export function distinctActorsPerKey(events: KeyedActors): Int32Array {
  const { actor, key, actorCount, keyCount } = events;
  const n = actor.length;
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) start[key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, keyCount);
  const byKey = new Int32Array(n);
  for (let i = 0; i < n; i++) byKey[fill[key[i]!]!++] = actor[i]!;
  const stamp = new Int32Array(actorCount);
  const distinct = new Int32Array(keyCount);
  for (let k = 0; k < keyCount; k++) {
    const mark = k + 1;
    let count = 0;
    for (let p = start[k]!, end = start[k + 1]!; p < end; p++) {
      const a = byKey[p]!;
      if (stamp[a] !== mark) {
        stamp[a] = mark;
        count++;
      }
    }
    distinct[k] = count;
  }
  return distinct;
}
