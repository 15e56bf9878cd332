/**
 * The pieces of explain.ts that walk a trace's events: clustered events grouped by (cluster, key),
 * everybody's distinct actors on the keys reported, a group's events by time, co-action evidence
 * per member pair, members' meetings on an object, and key runs of input already in (key, time) order.
 */
import { distinctActorsInRuns } from './kernel/index.js';
import { isMember, memberBits } from './member-bits.js';
import type { ClusterEvidence, ExplainOptions } from './explain.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

/** (cluster, key) groups of clustered accounts' events, numbered by their first event. */
export interface KeyGroups { count: number; cluster: number[]; key: number[] }

/**
 * The events of clustered actors grouped by (cluster, key): groups in order of their first event,
 * each group's events (`events[start[g] .. start[g + 1])`) in event order. One pass over the
 * trace; a group is found through its key's chain of groups (a key has few clusters on it).
 */
export function clusterKeyGroups(data: TraceData, clusterOf: Int32Array): { groups: KeyGroups; start: Int32Array; events: Int32Array } {
  const groups: KeyGroups = { count: 0, cluster: [], key: [] };
  const lastOnKey = new Int32Array(data.keyCount).fill(-1);
  const previousOnKey: number[] = [];
  let clustered = new Int32Array(1024);
  let groupOf = new Int32Array(1024);
  let size = 0;
  const members = memberBits(clusterOf);
  for (let event = 0; event < data.actor.length; event++) {
    const actor = data.actor[event]!;
    if (!isMember(members, actor)) continue;
    const cluster = clusterOf[actor]!;
    const key = data.key[event] ?? 0;
    let g = lastOnKey[key]!;
    while (g >= 0 && groups.cluster[g] !== cluster) g = previousOnKey[g]!;
    if (g < 0) {
      g = groups.count++;
      groups.cluster.push(cluster);
      groups.key.push(key);
      previousOnKey.push(lastOnKey[key]!);
      lastOnKey[key] = g;
    }
    if (size === clustered.length) {
      const more = new Int32Array(size * 2); more.set(clustered); clustered = more;
      const moreGroups = new Int32Array(size * 2); moreGroups.set(groupOf); groupOf = moreGroups;
    }
    clustered[size] = event;
    groupOf[size++] = g;
  }
  const start = new Int32Array(groups.count + 1);
  for (let i = 0; i < size; i++) start[groupOf[i]! + 1]!++;
  for (let g = 0; g < groups.count; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, groups.count);
  const events = new Int32Array(size);
  for (let i = 0; i < size; i++) events[fill[groupOf[i]!]!++] = clustered[i]!;
  return { groups, start, events };
}

/** Distinct actors on each of `keys` (key -> count), over all the trace's events. */
export function distinctActorsOnKeys(data: TraceData, keys: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  if (keys.length === 0) return counts;
  const slot = new Int32Array(data.keyCount).fill(-1);
  const wanted: number[] = [];
  for (const key of keys) if (slot[key] === -1) { slot[key] = wanted.length; wanted.push(key); }
  // The wanted keys' actors bucketed by key (counting sort), then counted with a stamp per actor.
  const start = new Int32Array(wanted.length + 1);
  for (let event = 0; event < data.key.length; event++) {
    const s = slot[data.key[event]!]!;
    if (s >= 0) start[s + 1]!++;
  }
  for (let s = 0; s < wanted.length; s++) start[s + 1]! += start[s]!;
  const fill = start.slice(0, wanted.length);
  const actors = new Int32Array(start[wanted.length]!);
  for (let event = 0; event < data.key.length; event++) {
    const s = slot[data.key[event]!]!;
    if (s >= 0) actors[fill[s]!++] = data.actor[event]!;
  }
  const distinct = distinctActorsInRuns({ start, actors }, data.actorCount);
  wanted.forEach((key, s) => counts.set(key, distinct[s]!));
  return counts;
}

/** A group's events by time, ties in event order (as a stable sort); NaN times left to the sort. */
export function byTime(events: Int32Array, time: Float64Array): number[] {
  const list = Array.from(events);
  for (let i = 1; i < list.length; i++) {
    if (!(time[list[i - 1]!]! <= time[list[i]!]!)) return list.sort((x, y) => (time[x] ?? 0) - (time[y] ?? 0));
  }
  return list;
}

/**
 * Evidence per edge so far: (a, b) -> co-actions recorded, across clusters and traces; per
 * cluster, how many of its edges have all the evidence they may have.
 */
export interface EdgeCounts { counts: Map<number | string, number>; actorBound: number; full: Float64Array }

/** An integer id per actor pair while a × bound + b stays exact; a string beyond. */
function edgeId(edges: EdgeCounts, a: number, b: number): number | string {
  return edges.actorBound <= 2 ** 26 ? a * edges.actorBound + b : `${a}:${b}`;
}

/** Co-actions of one group's events (by time) within the window as evidence, up to the caps (see ExplainOptions). */
export function collectCoActions(events: number[], data: TraceData, window: number, trace: TraceName, into: { target: ClusterEvidence; cluster: number }, perEdge: EdgeCounts, opts: ExplainOptions): void {
  const { target, cluster } = into;
  for (let i = 0; i < events.length && target.coActions.length < opts.maxEvidence; i++) {
    const x = events[i]!;
    const timeX = data.time[x] ?? 0;
    const actorX = data.actor[x] ?? 0;
    for (let j = i + 1; j < events.length; j++) {
      const y = events[j]!;
      const delta = (data.time[y] ?? 0) - timeX;
      if (delta > window) break;
      const actorY = data.actor[y] ?? 0;
      if (actorX === actorY) continue;
      const forward = actorX < actorY;
      const a = forward ? actorX : actorY;
      const b = forward ? actorY : actorX;
      const edge = edgeId(perEdge, a, b);
      const count = perEdge.counts.get(edge) ?? 0;
      if (count >= opts.evidencePerEdge) continue;
      perEdge.counts.set(edge, count + 1);
      if (count + 1 === opts.evidencePerEdge) perEdge.full[cluster]!++;
      const actionA = forward ? data.action[x] ?? 0 : data.action[y] ?? 0;
      const actionB = forward ? data.action[y] ?? 0 : data.action[x] ?? 0;
      target.coActions.push({ a, b, trace, key: data.key[x] ?? 0, actionA, actionB, deltaMs: delta });
    }
  }
}

/** Key starts of events already in (key, time) order (keys in range), or null. */
export function keyStartsIfSorted(data: TraceData): Int32Array | null {
  const { key, time, keyCount } = data;
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const k = key[i]!;
    if (!(k >= 0 && k < keyCount)) return null;
    if (i > 0) {
      const d = k - key[i - 1]!;
      if (d < 0 || (d === 0 && time[i]! < time[i - 1]!)) return null;
    }
  }
  const keyStart = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) keyStart[key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) keyStart[k + 1]! += keyStart[k]!;
  return keyStart;
}

/**
 * Members meeting on one of the cluster's own objects (`events` by time): two members acting
 * within `reach` of each other. The first meeting is an occasion (see ClusterEvidence.occasions);
 * on a base trace every meeting's time goes to `meetings` (for ownSpanMs).
 */
export function ownMeetings(events: readonly number[], times: readonly number[], actorOf: Int32Array, reach: number, derived: boolean, occasions: number[], meetings: number[]): void {
  let first = true;
  for (let i = 1; i < events.length; i++) {
    if ((times[i] ?? 0) - (times[i - 1] ?? 0) > reach || actorOf[events[i] ?? 0] === actorOf[events[i - 1] ?? 0]) continue;
    if (first) occasions.push(times[i] ?? 0);
    first = false;
    if (derived) return;
    meetings.push(times[i] ?? 0);
  }
}

/** The shortest interval holding `share` of `times` (sorted here), ms; 0 for none. */
export function spanOfMost(times: number[], share: number): number {
  if (times.length === 0) return 0;
  times.sort((x, y) => x - y);
  const holds = Math.max(1, Math.ceil(share * times.length));
  let shortest = Infinity;
  for (let i = 0; i + holds <= times.length; i++) shortest = Math.min(shortest, times[i + holds - 1]! - times[i]!);
  return shortest;
}
