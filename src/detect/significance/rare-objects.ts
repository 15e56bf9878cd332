/**
 * The objects the group test looks at (significance/group.ts): rare objects, or rare episodes of
 * objects, of one trace or of several traces pooled.
 */
import { distinctActorsPerKey, sortByKeyTime } from '../kernel/index.js';
import type { TraceEvents } from '../kernel/index.js';

/**
 * Events of `events` on objects with 2..maxKeyActors distinct actors. With a finite
 * `episodeGapMs`, each object's events are split into episodes wherever two consecutive events are
 * more than episodeGapMs apart; each episode is a key of its own (keys renumbered, in (key, time)
 * order) and is kept when it has 2..maxKeyActors distinct actors.
 * @example
 * rareKeyEvents(events, 100)                // whole objects, keys unchanged
 * rareKeyEvents(events, 100, 15 * 60_000)   // episodes of objects
 */
export function rareKeyEvents(events: TraceEvents, maxKeyActors: number, episodeGapMs = Infinity): TraceEvents {
  if (episodeGapMs !== Infinity) return rareEpisodeEvents(events, maxKeyActors, episodeGapMs);
  const actorsOnKey = distinctActorsPerKey(events);
  const rare = (i: number): boolean => {
    const actors = actorsOnKey[events.key[i]!]!;
    return actors >= 2 && actors <= maxKeyActors;
  };
  let kept = 0;
  for (let i = 0; i < events.actor.length; i++) if (rare(i)) kept++;
  const actor = new Int32Array(kept);
  const key = new Int32Array(kept);
  const time = new Float64Array(kept);
  for (let i = 0, w = 0; i < events.actor.length; i++) {
    if (!rare(i)) continue;
    actor[w] = events.actor[i]!;
    key[w] = events.key[i]!;
    time[w++] = events.time[i]!;
  }
  return { actor, key, time, actorCount: events.actorCount, keyCount: events.keyCount };
}

function rareEpisodeEvents(events: TraceEvents, maxKeyActors: number, gap: number): TraceEvents {
  const n = events.actor.length;
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const { payload: order, keyStart } = sortByKeyTime(events.key, events.time, events.keyCount, index);
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
