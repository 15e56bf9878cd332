/**
 * Evidence for each cluster: the objects its members acted on together (top shared objects with
 * times) and, per edge, the concrete co-actions behind it (both actions and the gap between
 * them), which is what analysts using coordination-network-toolkit ask for. One pass over each
 * trace's events, keeping only events of clustered accounts.
 */
import { CLUSTER_DEFAULTS, subCluster } from './clusters.js';
import type { DetectedCluster } from './clusters.js';
import type { FusedGraph } from './fuse.js';
import { byTime, clusterKeyGroups, collectCoActions, distinctActorsOnKeys, keyStartsIfSorted, ownMeetings, spanOfMost } from './explain-groups.js';
import type { EdgeCounts } from './explain-groups.js';
import { identityOrder, sortByKeyTime } from './kernel/index.js';
import { isMember, memberBits } from './member-bits.js';
import { feedMembers, organicExplanation } from './organic.js';
import type { ClusterFacts, FeedPart, OrganicExplanation, OrganicOptions } from './organic.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

export interface SharedObject {
  trace: TraceName;
  key: number;
  /** Distinct cluster members who acted on it. */
  members: number;
  /** Distinct accounts, in or out of the cluster, who acted on it in the trace. */
  allActors: number;
  actions: number;
  firstTime: number;
  lastTime: number;
  /** Store rows of up to a few of the actions. */
  sampleActions: number[];
}

export interface CoActionEvidence {
  a: number;
  b: number;
  trace: TraceName;
  key: number;
  actionA: number;
  actionB: number;
  deltaMs: number;
}

export interface ClusterEvidence {
  topObjects: SharedObject[];
  /**
   * How much the objects the members met on are their own: of all (member, shared object)
   * incidences, the share on objects where members are at least a fifth of the object's accounts.
   * A campaign's seeds, sites and hashtags are mostly its own; the posts and tags a crowd meets
   * on are everybody's.
   */
  exclusivity: number;
  coActions: CoActionEvidence[];
  /**
   * Separate occasions on which members co-acted: the cluster's own objects (see exclusivity) on
   * which two members acted within the window, their times grouped into runs more than OCCASION_GAP_MS apart. A cluster
   * that met once (one match, one breaking story) is not acting in lockstep, however many
   * hashtags that one moment carried.
   */
  occasions: number;
  firstTime: number;
  lastTime: number;
  /**
   * The shortest time within which 9 in 10 of members' meetings (co-actions, as occasions count
   * them) on the cluster's own objects of base traces (as exclusivity counts them) fall, ms; 0
   * when they never met. A campaign meets on its material at pushes days or weeks apart; an
   * event's crowd meets on its own (the event's hashtag and cries) for a few hours. Meetings, not
   * every use, and most of them, not all: two of a crowd's members who each used a rare tag weeks
   * apart, or met on one by chance, make it "their own", and how many such tags a cluster holds
   * depends on how Leiden cut the crowd.
   */
  ownSpanMs: number;
}

/** Co-actions further apart than this are separate occasions. */
export const OCCASION_GAP_MS = 60 * 60_000;

export interface ExplainOptions {
  topObjects: number;
  evidencePerEdge: number;
  maxEvidence: number;
  sampleActions: number;
  /** Co-actions within this (or the trace's window, if wider) count towards occasions. */
  occasionWindowMs: number;
}

const DERIVED_TRACES = new Set<TraceName>(['hashtag-sequence', 'fast-repost']);

/** Share of a cluster's own meetings that its own span must hold (see ClusterEvidence.ownSpanMs). */
const OWN_SPAN_SHARE = 0.9;

/** An object is the cluster's own when its members are at least this share of the accounts on it. */
const OWN_OBJECT_SHARE = 0.2;

export const EXPLAIN_DEFAULTS: Readonly<ExplainOptions> = Object.freeze({ topObjects: 10, evidencePerEdge: 3, maxEvidence: 500, sampleActions: 5, occasionWindowMs: 15 * 60_000 });

export function explainClusters(
  clusters: readonly DetectedCluster[],
  traces: ReadonlyMap<TraceName, TraceData>,
  windows: ReadonlyMap<TraceName, number>,
  options?: Partial<ExplainOptions>,
): ClusterEvidence[] {
  const opts = { ...EXPLAIN_DEFAULTS, ...options };
  let actorBound = 0;
  for (const cluster of clusters) for (const member of cluster.members) actorBound = Math.max(actorBound, member + 1);
  // An account in two lists keeps the last (as a map set in order would).
  const clusterOf = new Int32Array(actorBound).fill(-1);
  clusters.forEach((cluster, index) => { for (const member of cluster.members) clusterOf[member] = index; });
  const evidence: ClusterEvidence[] = clusters.map(() => ({ topObjects: [], exclusivity: 0, coActions: [], occasions: 0, firstTime: Infinity, lastTime: -Infinity, ownSpanMs: 0 }));
  const coActionTimes: number[][] = clusters.map(() => []);
  const meetings: number[][] = clusters.map(() => []);
  const objects: SharedObject[][] = clusters.map(() => []);
  const perEdge: EdgeCounts = { counts: new Map(), actorBound, full: new Float64Array(clusters.length) };
  // A cluster's co-action evidence is complete once every pair of its members has evidencePerEdge
  // co-actions (edges join members of one cluster): its later groups are not walked pair by pair.
  const pairsOf = new Float64Array(clusters.length);
  for (let actor = 0; actor < actorBound; actor++) if (clusterOf[actor]! >= 0) pairsOf[clusterOf[actor]!]!++;
  for (let c = 0; c < clusters.length; c++) pairsOf[c] = (pairsOf[c]! * (pairsOf[c]! - 1)) / 2;
  const stamp = new Int32Array(actorBound);
  let mark = 0;
  for (const [trace, data] of traces) {
    const window = windows.get(trace) ?? 0;
    const { groups, start, events: grouped } = clusterKeyGroups(data, clusterOf);
    // Distinct members per group; the keys of groups with two or more need everybody's count.
    const members = new Int32Array(groups.count);
    for (let g = 0; g < groups.count; g++) {
      mark++;
      let count = 0;
      for (let p = start[g]!; p < start[g + 1]!; p++) {
        const actor = data.actor[grouped[p]!]!;
        if (stamp[actor] !== mark) { stamp[actor] = mark; count++; }
      }
      members[g] = count;
    }
    const allActors = distinctActorsOnKeys(data, groups.key.filter((_, g) => members[g]! >= 2));
    for (let g = 0; g < groups.count; g++) {
      if (members[g]! < 2) continue;
      const cluster = groups.cluster[g]!;
      const events = byTime(grouped.subarray(start[g]!, start[g + 1]!), data.time);
      const times = events.map((event) => data.time[event] ?? 0);
      const target = evidence[cluster];
      if (target === undefined) continue;
      const key = groups.key[g]!;
      const everybody = allActors.get(key) ?? members[g]!;
      const first = times[0] ?? 0;
      const last = times.at(-1) ?? 0;
      target.firstTime = Math.min(target.firstTime, first);
      target.lastTime = Math.max(target.lastTime, last);
      objects[cluster]?.push({
        trace, key, members: members[g]!, allActors: everybody,
        actions: events.length, firstTime: first, lastTime: last,
        sampleActions: events.slice(0, opts.sampleActions).map((event) => data.action[event] ?? 0),
      });
      if (opts.evidencePerEdge > 0 && perEdge.full[cluster]! < pairsOf[cluster]!) collectCoActions(events, data, window, trace, { target, cluster }, perEdge, opts);
      // Occasions count the cluster's own objects only (see exclusivity): two members among a
      // crowd of thousands on a viral post are not an occasion of theirs.
      if (members[g]! >= OWN_OBJECT_SHARE * everybody) ownMeetings(events, times, data.actor, Math.max(window, opts.occasionWindowMs), DERIVED_TRACES.has(trace), coActionTimes[cluster]!, meetings[cluster]!);
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
    target.ownSpanMs = spanOfMost(meetings[cluster]!, OWN_SPAN_SHARE);
    target.topObjects = list.sort((x, y) => y.members - x.members || y.actions - x.actions).slice(0, opts.topObjects);
  });
  return evidence;
}

export interface MemberOccasionOptions {
  /** Co-actions within this (or the trace's window, if wider) count; also the span of "that moment". */
  occasionWindowMs: number;
  /**
   * A co-action counts only when the cluster's members are at least this share of the events on
   * the object within the window around it: the object was the cluster's own at that moment.
   */
  ownShare: number;
}

export const MEMBER_OCCASION_DEFAULTS: Readonly<MemberOccasionOptions> = Object.freeze({ occasionWindowMs: EXPLAIN_DEFAULTS.occasionWindowMs, ownShare: OWN_OBJECT_SHARE });

/** Number of values of sorted `values` in [low, high]. */
function countBetween(values: Float64Array | number[], low: number, high: number): number {
  const lowerBound = (bound: number, strict: boolean): number => {
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const value = values[mid] ?? 0;
      if (strict ? value <= bound : value < bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return lowerBound(high, true) - lowerBound(low, false);
}

/**
 * Per actor, on how many separate occasions (runs of co-actions more than OCCASION_GAP_MS apart)
 * it co-acted with another member of its own cluster (`clusterOf[actor]`, -1 outside) on an object
 * that was the cluster's own at that moment: the members are at least `ownShare` of everybody's
 * events on the object within the window around the co-action. 0 for actors outside clusters.
 *
 * Lockstep is repetition, for each member as for the cluster (ClusterEvidence.occasions). An
 * organic account that posts once with two popular hashtags in the minute a campaign bursts on
 * them shares two objects with every member of the burst, which passes the pair and member tests;
 * it met the campaign once. Its other meetings with members, if any, are inside crowds (a viral
 * post, a live event's hashtag), where the members are a tiny share of who acted then. A campaign
 * member meets its campaign again and again on what the campaign pushes.
 * @example memberOccasions(clusterOf, traces, windows)[actor] >= 2
 */
export function memberOccasions(
  clusterOf: Int32Array,
  traces: ReadonlyMap<TraceName, TraceData>,
  windows: ReadonlyMap<TraceName, number>,
  options?: Partial<MemberOccasionOptions>,
): Int32Array {
  const opts = { ...MEMBER_OCCASION_DEFAULTS, ...options };
  const timesOf = new Map<number, number[]>();
  for (const [trace, data] of traces) {
    const window = Math.max(windows.get(trace) ?? 0, opts.occasionWindowMs);
    // Each key's events as one run in (key, time) order, read in place: no list per (cluster, key)
    // and no copy of everybody's times per key, which at 10M events cost gigabytes.
    // Input in (key, time) order (the readers') is its own run: no permutation to build or read.
    const inPlace = keyStartsIfSorted(data);
    const sorted = inPlace === null ? sortByKeyTime(data.key, data.time, data.keyCount, identityOrder(data.key.length), true) : null;
    const keyStart = inPlace ?? sorted!.keyStart;
    const members = memberBits(clusterOf);
    const sortedTime = sorted === null ? data.time : sorted.time;
    for (let key = 0; key < data.keyCount; key++) {
      const from = keyStart[key] ?? 0;
      const to = keyStart[key + 1] ?? 0;
      let byCluster: Map<number, number[]> | undefined;
      for (let at = from; at < to; at++) {
        const event = sorted === null ? at : sorted.payload[at] ?? 0;
        const actor = data.actor[event] ?? 0;
        if (!isMember(members, actor)) continue;
        const cluster = clusterOf[actor]!;
        byCluster ??= new Map();
        let events = byCluster.get(cluster);
        if (events === undefined) byCluster.set(cluster, (events = []));
        events.push(event);
      }
      if (byCluster === undefined) continue;
      const all = sortedTime.subarray(from, to);
      for (const events of byCluster.values()) recordOccasions(events, data, all, window, opts.ownShare, timesOf);
    }
  }
  const occasions = new Int32Array(clusterOf.length);
  for (const [actor, times] of timesOf) {
    times.sort((x, y) => x - y);
    let last = -Infinity;
    for (const time of times) {
      if (time - last > OCCASION_GAP_MS) occasions[actor] = (occasions[actor] ?? 0) + 1;
      last = time;
    }
  }
  return occasions;
}

/**
 * The co-actions of one cluster's members on one key (`events` by time) that count as meetings:
 * a partner of the cluster within the window, and the members at least `ownShare` of everybody's
 * events on the key then (`all`, everybody's times on the key, sorted).
 */
function recordOccasions(events: readonly number[], data: TraceData, all: Float64Array, window: number, ownShare: number, timesOf: Map<number, number[]>): void {
  const first = data.actor[events[0] ?? 0];
  if (!events.some((event) => data.actor[event] !== first)) return;
  const times = events.map((event) => data.time[event] ?? 0);
  for (let i = 0; i < events.length; i++) {
    const actor = data.actor[events[i] ?? 0] ?? 0;
    const time = times[i] ?? 0;
    let partner = false;
    for (let j = i - 1; j >= 0 && time - (times[j] ?? 0) <= window && !partner; j--) partner = data.actor[events[j] ?? 0] !== actor;
    for (let j = i + 1; j < events.length && (times[j] ?? 0) - time <= window && !partner; j++) partner = data.actor[events[j] ?? 0] !== actor;
    if (!partner) continue;
    const members = countBetween(times, time - window, time + window);
    if (members < ownShare * countBetween(all, time - window, time + window)) continue;
    let list = timesOf.get(actor);
    if (list === undefined) timesOf.set(actor, (list = []));
    list.push(time);
  }
}

/** Feeds set aside from a flagged cluster into a cluster of their own (see setAsideFeeds). */
export interface FeedsSetAside {
  /** Ids (positions in the returned list) of the cluster they left (-1 when what stayed was dropped) and of their own. */
  from: number;
  to: number;
  domain: string;
  members: number[];
  reason: string;
}

export interface SeparatedClusters {
  clusters: DetectedCluster[];
  evidence: ClusterEvidence[];
  explanations: (OrganicExplanation | null)[];
  setAside: FeedsSetAside[];
}

export interface SetAsideOptions {
  organic: Partial<OrganicOptions>;
  /**
   * As the pipeline's: what stays must still be a cluster (every member linked to minAttachment of
   * the others, and to one at least), and one that met on this many occasions.
   */
  minClusterSize: number;
  minAttachment: number;
  minOccasions: number;
}

export const SET_ASIDE_DEFAULTS: Readonly<SetAsideOptions> = Object.freeze({ organic: {}, minClusterSize: 3, minAttachment: CLUSTER_DEFAULTS.minAttachment, minOccasions: 2 });

/**
 * Each flagged cluster (explanation null) with an outlet's feeds beside it (feedMembers) is split:
 * the feeds become a cluster of their own, explained as syndication and not flagged, and the rest
 * is pruned (members left with no attachment to it go: their ties were to the feeds), described
 * and explained anew (kept if it is still a cluster that met on minOccasions occasions). Other clusters pass unchanged; ids are renumbered to positions in the list, feeds'
 * clusters last.
 * @example setAsideFeeds(result, traces, facts, explanations).setAside // which feeds left which cluster, and why
 */
export function setAsideFeeds(
  result: { clusters: readonly DetectedCluster[]; evidence: readonly ClusterEvidence[]; graph: FusedGraph; windows: ReadonlyMap<TraceName, number> },
  traces: ReadonlyMap<TraceName, TraceData>,
  facts: readonly ClusterFacts[],
  explanations: readonly (OrganicExplanation | null)[],
  options?: Partial<SetAsideOptions>,
): SeparatedClusters {
  const opts = { ...SET_ASIDE_DEFAULTS, ...options };
  const splits: { index: number; part: FeedPart; rest: DetectedCluster; feeds: DetectedCluster }[] = [];
  result.clusters.forEach((cluster, index) => {
    const clusterFacts = facts[index];
    if (explanations[index] !== null || clusterFacts === undefined) return;
    const pairs = cluster.internalEdges.map((edge) => [result.graph.a[edge] ?? -1, result.graph.b[edge] ?? -1] as const);
    const part = feedMembers(clusterFacts, cluster.members, pairs, opts.organic);
    if (part === null) return;
    const feeds = new Set(part.members);
    // Pruned as clustering prunes: readers who shared the outlet's articles after its feeds (the
    // syndication confounder) were attached to the cluster through the feeds alone, and leave too.
    const rest = subCluster(cluster.members.filter((member) => !feeds.has(member)), cluster.internalEdges, result.graph, opts.minAttachment);
    splits.push({ index, part, rest, feeds: subCluster(part.members, cluster.internalEdges, result.graph) });
  });
  if (splits.length === 0) return { clusters: [...result.clusters], evidence: [...result.evidence], explanations: [...explanations], setAside: [] };
  // Evidence anew for what stays and for the feeds: one pass over the traces for all of them.
  const anew = explainClusters([...splits.map((split) => split.rest), ...splits.map((split) => split.feeds)], traces, result.windows);
  const splitOf = new Map(splits.map((split, at) => [split.index, at]));
  const clusters: DetectedCluster[] = [];
  const evidence: ClusterEvidence[] = [];
  const explained: (OrganicExplanation | null)[] = [];
  const restId: number[] = splits.map(() => -1);
  result.clusters.forEach((cluster, index) => {
    const at = splitOf.get(index);
    if (at === undefined) {
      clusters.push(cluster);
      evidence.push(result.evidence[index] as ClusterEvidence);
      explained.push(explanations[index] ?? null);
      return;
    }
    const split = splits[at]!;
    const restEvidence = anew[at]!;
    if (split.rest.members.length < opts.minClusterSize || restEvidence.occasions < opts.minOccasions) return;
    restId[at] = clusters.length;
    clusters.push(split.rest);
    evidence.push(restEvidence);
    const own = facts[index]!;
    const kept = new Set(split.rest.members);
    const restFacts: ClusterFacts = { ...own, members: own.members.filter((posting, i) => kept.has(posting.actor ?? cluster.members[i] ?? -1)), exclusivity: restEvidence.exclusivity,
      ...(own.ownSpanMs === undefined ? {} : { ownSpanMs: restEvidence.ownSpanMs }), ...(own.medianShared === undefined ? {} : { medianShared: split.rest.medianShared }) };
    explained.push(organicExplanation(restFacts, opts.organic));
  });
  const setAside = splits.map((split, at): FeedsSetAside => {
    const to = clusters.length;
    clusters.push(split.feeds);
    evidence.push(anew[splits.length + at]!);
    explained.push({ kind: 'syndication', domain: split.part.domain, reason: split.part.reason });
    return { from: restId[at]!, to, domain: split.part.domain, members: split.part.members, reason: split.part.reason };
  });
  return { clusters: clusters.map((cluster, id) => ({ ...cluster, id })), evidence, explanations: explained, setAside };
}
