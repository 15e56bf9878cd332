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

export interface ActorsByKey {
  /** Key k's actors are `actors[start[k] .. start[k + 1])`, in event order. */
  start: Int32Array;
  actors: Int32Array;
}

/** The events' actors bucketed by key with a stable counting sort, O(events + keys). */
export function actorsByKey(events: KeyedActors): ActorsByKey {
  const { actor, key, keyCount } = events;
  const n = actor.length;
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) start[key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, keyCount);
  const actors = new Int32Array(n);
  for (let i = 0; i < n; i++) actors[fill[key[i]!]!++] = actor[i]!;
  return { start, actors };
}

/**
 * Number of distinct actors on each key (index = key).
 *
 * @example
 * distinctActorsPerKey({ actor: Int32Array.of(0, 0, 1), key: Int32Array.of(0, 0, 0), actorCount: 2, keyCount: 1 }) // Int32Array [2]
 */
export function distinctActorsPerKey(events: KeyedActors): Int32Array {
  return distinctActorsInRuns(actorsByKey(events), events.actorCount);
}

/** Number of distinct actors in each key's run of `runs` (actors numbered below `actorCount`). */
export function distinctActorsInRuns(runs: ActorsByKey, actorCount: number): Int32Array {
  const { start, actors } = runs;
  const keyCount = start.length - 1;
  const stamp = new Int32Array(actorCount);
  const distinct = new Int32Array(keyCount);
  for (let k = 0; k < keyCount; k++) {
    const mark = k + 1;
    let count = 0;
    for (let p = start[k]!, end = start[k + 1]!; p < end; p++) {
      const a = actors[p]!;
      if (stamp[a] !== mark) {
        stamp[a] = mark;
        count++;
      }
    }
    distinct[k] = count;
  }
  return distinct;
}
