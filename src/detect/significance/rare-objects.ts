/**
 * The objects the group test looks at (significance/group.ts): rare objects, or rare episodes of
 * objects, of one trace or of several traces pooled.
 */
import { actorsByKey, distinctActorsInRuns, sortByKeyTime } from '../kernel/index.js';
import type { ActorsByKey, KeyedActors, TraceEvents } from '../kernel/index.js';

/**
 * The events' actors bucketed by key, in event order within a key (as the kernel's `actorsByKey`).
 * Events already in key order (what the direct readers, the store export and rareKeyEvents hand
 * over) are their own buckets: the actor column is returned as is, with no scatter and no copy.
 */
export function keyRuns(events: KeyedActors): ActorsByKey {
  const { key, keyCount } = events;
  const n = key.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = key[i - 1]! <= key[i]!;
  if (!sorted) return actorsByKey(events);
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) start[key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  return { start, actors: events.actor };
}

/** Distinct actors per key (as the kernel's `distinctActorsPerKey`), over `keyRuns`. */
function distinctPerKey(events: KeyedActors): Int32Array {
  return distinctActorsInRuns(keyRuns(events), events.actorCount);
}

/**
 * Events of `events` on objects with 2..maxKeyActors distinct actors. With a finite
 * `episodeGapMs`, each object's events are split into episodes wherever two consecutive events are
 * more than episodeGapMs apart; each episode is a key of its own (keys renumbered, in (key, time)
 * order) and is kept when it has 2..maxKeyActors distinct actors.
 * @example
 * rareKeyEvents(events, 100)                // whole objects, keys unchanged
 * rareKeyEvents(events, 100, Infinity, { actorsOnKey: keyActorCounts(events).perKey }) // the same, counts given
 * rareKeyEvents(events, 100, 15 * 60_000)   // episodes of objects
 */
export function rareKeyEvents(events: TraceEvents, maxKeyActors: number, episodeGapMs = Infinity, known?: { actorsOnKey: Int32Array }): TraceEvents {
  if (episodeGapMs !== Infinity) return rareEpisodeEvents(events, maxKeyActors, episodeGapMs);
  // The caller may have counted them already (keyActorCounts, with the activity).
  const actorsOnKey = known?.actorsOnKey ?? distinctPerKey(events);
  const isRare = new Uint8Array(events.keyCount);
  for (let k = 0; k < events.keyCount; k++) isRare[k] = actorsOnKey[k]! >= 2 && actorsOnKey[k]! <= maxKeyActors ? 1 : 0;
  const n = events.actor.length;
  const eventKey = events.key;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += isRare[eventKey[i]!]!;
  // Every event kept: the columns themselves (nothing here or downstream writes to them).
  if (kept === n) return { actor: events.actor, key: events.key, time: events.time, actorCount: events.actorCount, keyCount: events.keyCount };
  const actor = new Int32Array(kept);
  const key = new Int32Array(kept);
  const time = new Float64Array(kept);
  for (let i = 0, w = 0; i < n; i++) {
    const k = eventKey[i]!;
    if (isRare[k] === 0) continue;
    actor[w] = events.actor[i]!;
    key[w] = k;
    time[w++] = events.time[i]!;
  }
  return { actor, key, time, actorCount: events.actorCount, keyCount: events.keyCount };
}

function rareEpisodeEvents(events: TraceEvents, maxKeyActors: number, gap: number): TraceEvents {
  const n = events.actor.length;
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const { payload: order, keyStart } = sortByKeyTime(events.key, events.time, events.keyCount, index, true);
  // Episode of each sorted position, and distinct actors per episode (stamped by episode).
  const episodeAt = new Int32Array(n);
  const distinct = new Int32Array(n + 1);
  const stamp = new Int32Array(events.actorCount).fill(-1);
  let episode = -1;
  for (let k = 0; k < events.keyCount; k++) {
    let last = -Infinity;
    for (let p = keyStart[k]!, end = keyStart[k + 1]!; p < end; p++) {
      const i = order[p]!;
      const t = events.time[i]!;
      if (p === keyStart[k] || t - last > gap) episode++;
      last = t;
      episodeAt[p] = episode;
      const a = events.actor[i]!;
      if (stamp[a] !== episode) {
        stamp[a] = episode;
        distinct[episode]!++;
      }
    }
  }
  const rank = new Int32Array(episode + 1).fill(-1);
  let keys = 0;
  let kept = 0;
  for (let e = 0; e <= episode; e++) {
    const actors = distinct[e]!;
    if (actors < 2 || actors > maxKeyActors) continue;
    rank[e] = keys++;
  }
  for (let p = 0; p < n; p++) if (rank[episodeAt[p]!]! >= 0) kept++;
  const actor = new Int32Array(kept);
  const key = new Int32Array(kept);
  const time = new Float64Array(kept);
  for (let p = 0, w = 0; p < n; p++) {
    const k = rank[episodeAt[p]!]!;
    if (k < 0) continue;
    const i = order[p]!;
    actor[w] = events.actor[i]!;
    key[w] = k;
    time[w++] = events.time[i]!;
  }
  return { actor, key, time, actorCount: events.actorCount, keyCount: keys };
}

/**
 * Several traces as one: keys renumbered so that every trace keeps its own (a post, a URL and a
 * hashtag never collide). Pass traces that do not restate one another (not co-hashtag and
 * hashtag-sequence, not co-repost and fast-repost), or one post counts twice.
 */
export function unionEvents(traces: readonly TraceEvents[], actorCount: number): TraceEvents {
  // One trace is its own union (keys unchanged): no copy.
  const only = traces.length === 1 ? traces[0]! : null;
  if (only !== null && only.actorCount === actorCount) return { actor: only.actor, key: only.key, time: only.time, actorCount, keyCount: only.keyCount };
  const length = traces.reduce((sum, trace) => sum + trace.actor.length, 0);
  const actor = new Int32Array(length);
  const key = new Int32Array(length);
  const time = new Float64Array(length);
  let at = 0;
  let keyOffset = 0;
  for (const trace of traces) {
    actor.set(trace.actor, at);
    time.set(trace.time, at);
    for (let i = 0; i < trace.key.length; i++) key[at + i] = (trace.key[i] ?? 0) + keyOffset;
    at += trace.actor.length;
    keyOffset += trace.keyCount;
  }
  return { actor, key, time, actorCount, keyCount: keyOffset };
}
