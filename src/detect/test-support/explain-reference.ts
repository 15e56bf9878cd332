/**
 * The first explainClusters (a map of event lists keyed by "cluster:key" strings, a Set of members
 * per group, every key's distinct actors counted): the property test's oracle for the one that
 * groups clustered events with integer ids and counts only the keys it reports.
 */
import type { DetectedCluster } from '../clusters.js';
import { distinctActorsPerKey } from '../kernel/index.js';
import { EXPLAIN_DEFAULTS, OCCASION_GAP_MS } from '../explain.js';
import type { ClusterEvidence, ExplainOptions, SharedObject } from '../explain.js';
import type { TraceData, TraceName } from '../traces/trace-names.js';

const DERIVED_TRACES = new Set<TraceName>(['hashtag-sequence', 'fast-repost']);
const OWN_OBJECT_SHARE = 0.2;

export function explainClustersReference(
  clusters: readonly DetectedCluster[],
  traces: ReadonlyMap<TraceName, TraceData>,
  windows: ReadonlyMap<TraceName, number>,
  options?: Partial<ExplainOptions>,
): ClusterEvidence[] {
  const opts = { ...EXPLAIN_DEFAULTS, ...options };
  const clusterOf = new Map<number, number>();
  clusters.forEach((cluster, index) => cluster.members.forEach((member) => clusterOf.set(member, index)));
  const evidence: ClusterEvidence[] = clusters.map(() => ({ topObjects: [], exclusivity: 0, coActions: [], occasions: 0, firstTime: Infinity, lastTime: -Infinity, ownSpanMs: 0 }));
  const coActionTimes: number[][] = clusters.map(() => []);
  const metTimes: number[][] = clusters.map(() => []);
  const objects: SharedObject[][] = clusters.map(() => []);
  const perEdge = new Map<string, number>();
  for (const [trace, data] of traces) {
    const window = windows.get(trace) ?? 0;
    const allActors = distinctActorsPerKey(data);
    // (cluster, key) -> event indexes of that cluster's members on the key
    const groups = new Map<string, number[]>();
    for (let event = 0; event < data.actor.length; event++) {
      const cluster = clusterOf.get(data.actor[event] ?? -1);
      if (cluster === undefined) continue;
      const id = `${cluster}:${data.key[event] ?? 0}`;
      let group = groups.get(id);
      if (group === undefined) groups.set(id, (group = []));
      group.push(event);
    }
    for (const [id, events] of groups) {
      const cluster = Number(id.slice(0, id.indexOf(':')));
      const members = new Set(events.map((event) => data.actor[event]));
      if (members.size < 2) continue;
      events.sort((x, y) => (data.time[x] ?? 0) - (data.time[y] ?? 0));
      const times = events.map((event) => data.time[event] ?? 0);
      const target = evidence[cluster];
      if (target === undefined) continue;
      const first = times[0] ?? 0;
      const last = times.at(-1) ?? 0;
      target.firstTime = Math.min(target.firstTime, first);
      target.lastTime = Math.max(target.lastTime, last);
      objects[cluster]?.push({
        trace, key: data.key[events[0] ?? 0] ?? 0, members: members.size, allActors: allActors[data.key[events[0] ?? 0] ?? 0] ?? members.size,
        actions: events.length, firstTime: first, lastTime: last,
        sampleActions: events.slice(0, opts.sampleActions).map((event) => data.action[event] ?? 0),
      });
      collectCoActions(events, data, window, trace, target, perEdge, opts);
      // Occasions count the cluster's own objects only (see exclusivity): two members among a
      // crowd of thousands on a viral post are not an occasion of theirs.
      const ownObject = members.size >= OWN_OBJECT_SHARE * (allActors[data.key[events[0] ?? 0] ?? 0] ?? members.size);
      // Every meeting (two members within the occasion window) on an own object: the first is an
      // occasion, and on base traces each counts towards the own span.
      const meetings = ownObject ? times.filter((time, i) => i > 0 && time - (times[i - 1] ?? 0) <= Math.max(window, opts.occasionWindowMs) && data.actor[events[i] ?? 0] !== data.actor[events[i - 1] ?? 0]) : [];
      if (meetings.length > 0) coActionTimes[cluster]?.push(meetings[0]!);
      if (!DERIVED_TRACES.has(trace)) metTimes[cluster]?.push(...meetings);
    }
  }
  coActionTimes.forEach((times, cluster) => {
    const target = evidence[cluster];
    if (target === undefined) return;
    times.sort((x, y) => x - y);
    let last = -Infinity;
    for (const time of times) {
      if (time - last > OCCASION_GAP_MS) target.occasions += 1;
      last = time;
    }
  });
  objects.forEach((list, cluster) => {
    const target = evidence[cluster];
    if (target === undefined) return;
    // Derived traces repeat base objects (a hashtag sequence is its tags; a fast repost is a repost),
    // and a rare combination of common tags would pass for the cluster's own: count base objects only.
    const base = list.filter((object) => !DERIVED_TRACES.has(object.trace));
    const incidences = base.reduce((sum, object) => sum + object.members, 0);
    let own = 0;
    for (const object of base) if (object.members >= OWN_OBJECT_SHARE * object.allActors) own += object.members;
    target.exclusivity = incidences > 0 ? own / incidences : 0;
    // The shortest of all intervals from one meeting to another that hold 9 in 10 of them.
    const met = metTimes[cluster] ?? [];
    const holds = Math.max(1, Math.ceil(0.9 * met.length));
    let span = met.length > 0 ? Infinity : 0;
    for (const from of met) for (const to of met) if (to >= from && met.filter((time) => time >= from && time <= to).length >= holds) span = Math.min(span, to - from);
    target.ownSpanMs = span;
    target.topObjects = list.sort((x, y) => y.members - x.members || y.actions - x.actions).slice(0, opts.topObjects);
  });
  return evidence;
}


function collectCoActions(events: number[], data: TraceData, window: number, trace: TraceName, target: ClusterEvidence, perEdge: Map<string, number>, opts: ExplainOptions): void {
  for (let i = 0; i < events.length && target.coActions.length < opts.maxEvidence; i++) {
    const x = events[i] ?? 0;
    for (let j = i + 1; j < events.length; j++) {
      const y = events[j] ?? 0;
      const delta = (data.time[y] ?? 0) - (data.time[x] ?? 0);
      if (delta > window) break;
      const actorX = data.actor[x] ?? 0;
      const actorY = data.actor[y] ?? 0;
      if (actorX === actorY) continue;
      const [a, b, actionA, actionB] = actorX < actorY ? [actorX, actorY, data.action[x] ?? 0, data.action[y] ?? 0] : [actorY, actorX, data.action[y] ?? 0, data.action[x] ?? 0];
      const edge = `${a}:${b}`;
      const count = perEdge.get(edge) ?? 0;
      if (count >= opts.evidencePerEdge) continue;
      perEdge.set(edge, count + 1);
      target.coActions.push({ a, b, trace, key: data.key[x] ?? 0, actionA, actionB, deltaMs: delta });
    }
  }
}
