/**
 * Clusters of coordinated accounts: Leiden communities of the fused graph of significant edges,
 * pruned of weakly attached members, each with a score an analyst can read.
 */
import { EdgeAdjacency, buildCsr, leiden } from './cluster/index.js';
import type { ReadonlyAdjacency } from './cluster/index.js';
import { meanDelayOf } from './fuse.js';
import type { FusedGraph } from './fuse.js';
import type { TraceName } from './traces/trace-names.js';

export interface ClusterOptions {
  /** Clusters smaller than this are not reported (a pair is a lead, not a network). */
  minClusterSize: number;
  /** Members linked to fewer than this share of the other members are pruned. */
  minAttachment: number;
  /** Leiden resolution (modularity γ). */
  resolution: number;
  seed: number;
  /**
   * Clusters whose members co-acted on fewer separate occasions than this are dropped (see
   * ClusterEvidence.occasions): lockstep is repetition, and a crowd at one event meets once.
   */
  minOccasions: number;
  /**
   * Rounds of re-partitioning the members that pruning drops from a community: Leiden is run again
   * on the graph among them alone (0: dropped members are lost). See clusterAccounts.
   */
  refineRounds: number;
  /**
   * Smallest score (clusterScore) of a cluster found only by re-partitioning, unless most of its
   * members are in one group the group test kept (`keptGroupOf`): Leiden finds communities in any
   * sparse leftover graph (the stragglers of a crowd meeting on the minimum two objects), so such a
   * cluster needs evidence of its own, tight repeated lockstep or a test of the group as a whole.
   */
  refineMinScore: number;
  /**
   * Members who co-acted with the rest of their cluster on fewer separate occasions than this, on
   * objects that were the cluster's own at the time, are dropped (explain.ts, memberOccasions;
   * applied by the pipeline through the member test; 0: off).
   */
  minMemberOccasions: number;
  /**
   * Members of a group the group test kept (`keptGroupOf`) are exempt from minMemberOccasions: a
   * slow campaign's member joins a fifth of its pushes and may meet the others once in a window,
   * and the group test already judged it on its co-actions with the whole group over the period.
   */
  occasionsExemptGroups: boolean;
  /** Split a community whose parts are not attached to each other (see detachedParts). */
  splitDetached: boolean;
}

export const CLUSTER_DEFAULTS: Readonly<ClusterOptions> = Object.freeze({ minClusterSize: 3, minAttachment: 0.1, resolution: 1, seed: 42, minOccasions: 2, refineRounds: 3, refineMinScore: 0.3, minMemberOccasions: 2, occasionsExemptGroups: true, splitDetached: true });

export interface DetectedCluster {
  id: number;
  /** Actor indexes, most attached first. */
  members: number[];
  /** Per member (same order): the account's score, cluster score × its attachment. */
  memberScores: number[];
  /** 0..1: how dense and how strong the lockstep is (see clusterScore). */
  score: number;
  density: number;
  internalEdges: number[];
  /** Traces linking members, most edges first, with how many internal edges each links. */
  traces: { trace: TraceName; edges: number }[];
  medianShared: number;
  medianDelayMs: number;
  strongestLogP: number;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] ?? Number.NaN : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * The score: density (share of member pairs with significant evidence) times how far beyond
 * chance repetition goes (median shared keys per edge, saturating): 1 − e^(−(s−1)/3), so an
 * edge of 2 shared keys gives 0.28, 5 gives 0.74, 10 gives 0.95.
 */
export function clusterScore(density: number, medianShared: number): number {
  return Math.sqrt(Math.max(0, Math.min(1, density))) * (1 - Math.exp(-Math.max(0, medianShared - 1) / 3));
}

/** Iteratively drops members linked to fewer than `minAttachment` of the others. */
function prune(members: number[], adjacency: ReadonlyAdjacency, minAttachment: number): number[] {
  let current = new Set(members);
  for (;;) {
    const keep = [...current].filter((member) => {
      let links = 0;
      for (const other of adjacency.get(member)?.keys() ?? []) if (current.has(other)) links += 1;
      return links >= Math.max(1, minAttachment * (current.size - 1));
    });
    if (keep.length === current.size) return keep;
    current = new Set(keep);
  }
}

/** Per actor, the index of its cluster in `clusters`, or -1. */
function clusterIndex(actorCount: number, clusters: readonly number[][]): Int32Array {
  const clusterOf = new Int32Array(actorCount).fill(-1);
  clusters.forEach((members, index) => {
    for (const member of members) clusterOf[member] = index;
  });
  return clusterOf;
}

/** True when more than half of `members` are in one kept group (keptGroupOf ≥ 0). */
function inOneGroup(members: readonly number[], keptGroupOf: Int32Array | undefined): boolean {
  if (keptGroupOf === undefined) return false;
  const counts = new Map<number, number>();
  for (const member of members) {
    const group = keptGroupOf[member] ?? -1;
    if (group >= 0) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts.values()].some((count) => 2 * count > members.length);
}

/**
 * Leiden communities of the subgraph of `adjacency` among `members` (local numbering, so the cost
 * is that of the subgraph, not of the whole graph).
 */
function partitionAmong(members: readonly number[], adjacency: ReadonlyAdjacency, graph: FusedGraph, resolution: number, seed: number): number[][] {
  const local = new Map<number, number>();
  members.forEach((member, index) => local.set(member, index));
  const source: number[] = [];
  const target: number[] = [];
  const weight: number[] = [];
  for (const member of members) {
    for (const [other, edge] of adjacency.get(member) ?? []) {
      const at = local.get(other);
      if (at === undefined || member > other) continue;
      source.push(local.get(member) ?? 0);
      target.push(at);
      weight.push(graph.weight[edge] ?? 0);
    }
  }
  if (source.length === 0) return [];
  const { membership } = leiden(buildCsr(members.length, Int32Array.from(source), Int32Array.from(target), Float64Array.from(weight)), { resolution, seed, maxIterations: 4 });
  const parts = new Map<number, number[]>();
  members.forEach((member, index) => {
    const part = membership[index] ?? -1;
    let list = parts.get(part);
    if (list === undefined) parts.set(part, (list = []));
    list.push(member);
  });
  return [...parts.values()];
}

/**
 * A community split where it is two groups: Leiden is run on the community's own subgraph, and a
 * part of at most half the members whose links into the rest are fewer than minAttachment of the
 * possible ones is detached (and pruned) as a cluster of its own; the rest, pruned, stays. A
 * community is one group only if its parts are attached to each other, the rule prune applies to
 * single members. Three or four syndicated feeds of an outlet whose links a URL campaign pushes
 * (synthetic scale 10, seed 1: 4 feeds beside 16 campaign accounts, one edge between them) are
 * each linked to 3 of 19 others, enough for prune, yet the part they form has one link of 64
 * possible into the campaign. Parts of a campaign are attached: about its density of their
 * possible links. The first entry is the rest (the largest part's side).
 */
function detachedParts(members: number[], adjacency: ReadonlyAdjacency, graph: FusedGraph, opts: ClusterOptions): number[][] {
  if (members.length < 2 * opts.minClusterSize) return [members];
  const parts = partitionAmong(members, adjacency, graph, opts.resolution, opts.seed);
  if (parts.length < 2) return [members];
  const partOf = new Map<number, number>();
  parts.forEach((part, index) => { for (const member of part) partOf.set(member, index); });
  const stay: number[] = [];
  const detached: number[][] = [];
  parts.forEach((part, index) => {
    let across = 0;
    for (const member of part) {
      for (const other of adjacency.get(member)?.keys() ?? []) {
        const at = partOf.get(other);
        if (at !== undefined && at !== index) across += 1;
      }
    }
    const rest = members.length - part.length;
    if (2 * part.length <= members.length && across < opts.minAttachment * part.length * rest) detached.push(part);
    else stay.push(...part);
  });
  if (detached.length === 0) return [members];
  return [prune(stay, adjacency, opts.minAttachment), ...detached.map((part) => prune(part, adjacency, opts.minAttachment))]
    .filter((part, index) => index === 0 || part.length >= opts.minClusterSize);
}

/**
 * Leiden communities of the graph, pruned of weakly attached members, scored. `tiedTest`, given
 * the candidate clusters (actor → cluster index, -1 outside), returns per actor 1 if it is tied
 * to its cluster beyond chance (significance/member-test.ts); members it rejects are dropped.
 *
 * Modularity has a resolution limit (Fortunato & Barthélemy 2007, "Resolution limit in community
 * detection"): in a graph of total weight m it cannot separate communities whose internal weight
 * is below about √(2m), so as the graph grows, small, tight groups (a 12-account campaign) are
 * merged into large communities (several campaigns chained by a few cross edges, or a fan base),
 * where pruning then drops them for being linked to under minAttachment of the whole. Members
 * pruned from a community are therefore partitioned again on the graph among them alone, where
 * the limit is set by their own weight (the recursive remedy of Ruan & Zhang 2008, "Identifying
 * network communities with a high resolution"), up to refineRounds times. Only edges inside the
 * original community are used, so refinement only splits, never joins. A cluster found that way
 * must score at least refineMinScore or be mostly one group of the group test (`keptGroupOf`,
 * per actor its kept group or -1). Synthetic scale 10, seeds 1 and 2: the campaigns it found
 * scored 0.55-0.74, sub-communities of live-event crowds (density 0.30-0.50 on two shared
 * hashtags) 0.16-0.20; at scale 100 slow campaigns found by it score 0.19-0.42 (one shared
 * object per pair, the group test's evidence), hence the group exemption.
 */
export function clusterAccounts(graph: FusedGraph, options?: Partial<ClusterOptions>, tiedTest?: (clusterOf: Int32Array) => Uint8Array, keptGroupOf?: Int32Array): DetectedCluster[] {
  const opts = { ...CLUSTER_DEFAULTS, ...options };
  if (graph.size === 0) return [];
  // A few iterations reach nearly all the modularity (later ones gain ~1e-5 at 10M edges, seconds each).
  // The CSR is not held past Leiden.
  const { membership } = leiden(buildCsr(graph.actorCount, graph.a, graph.b, graph.weight), { resolution: opts.resolution, seed: opts.seed, maxIterations: 4 });
  // Edges inside communities, both ways, in typed arrays (a map per actor cost ~40 bytes a link).
  const adjacency = new EdgeAdjacency(graph.actorCount, graph.a, graph.b, graph.size, (edge) => membership[graph.a[edge] ?? 0] === membership[graph.b[edge] ?? 0]);
  const byCommunity = new Map<number, number[]>();
  for (const actor of adjacency.keys()) {
    const community = membership[actor] ?? -1;
    let list = byCommunity.get(community);
    if (list === undefined) byCommunity.set(community, (list = []));
    list.push(actor);
  }
  const candidates: number[][] = [];
  /** Candidates found by re-partitioning (see refineMinScore). */
  const refined = new Set<number[]>();
  let round = [...byCommunity.values()];
  for (let depth = 0; round.length > 0; depth++) {
    const next: number[][] = [];
    for (const members of round) {
      if (members.length < opts.minClusterSize) continue;
      const kept = prune(members, adjacency, opts.minAttachment);
      if (kept.length >= opts.minClusterSize) {
        candidates.push(kept);
        if (depth > 0) refined.add(kept);
      }
      if (depth >= opts.refineRounds || members.length - kept.length < opts.minClusterSize) continue;
      const stay = new Set(kept.length >= opts.minClusterSize ? kept : []);
      const dropped = members.filter((member) => !stay.has(member));
      next.push(...partitionAmong(dropped, adjacency, graph, opts.resolution, opts.seed + depth + 1));
    }
    round = next;
  }
  if (opts.splitDetached) {
    for (const members of [...candidates]) {
      const parts = detachedParts(members, adjacency, graph, opts);
      if (parts.length === 1) continue;
      candidates.splice(candidates.indexOf(members), 1, ...parts);
      const wasRefined = refined.delete(members);
      parts.forEach((part, index) => { if (wasRefined || index > 0) refined.add(part); });
    }
  }
  const clusters: DetectedCluster[] = [];
  const tied = tiedTest === undefined ? null : tiedTest(clusterIndex(graph.actorCount, candidates));
  for (const members of candidates) {
    const kept = tied === null ? members : prune(members.filter((member) => tied[member] === 1), adjacency, opts.minAttachment);
    if (kept.length < opts.minClusterSize) continue;
    const cluster = describeCluster(kept, adjacency, graph);
    if (!refined.has(members) || cluster.score >= opts.refineMinScore || inOneGroup(kept, keptGroupOf)) clusters.push(cluster);
  }
  clusters.sort((x, y) => y.score - x.score || y.members.length - x.members.length);
  return clusters.map((cluster, id) => ({ ...cluster, id }));
}

/**
 * The cluster of `members` described anew (score, density, traces, member order) from the edges
 * among them in `edges` (the internal edges of a cluster they were part of): a part set aside, or
 * what stays (see feedMembers in organic.ts). Given `minAttachment`, members are first pruned as
 * clustering prunes them (linked to at least that share of the others, and to one at least): what
 * stays once an outlet's feeds leave keeps no reader whose only ties were to the feeds.
 */
export function subCluster(members: readonly number[], edges: readonly number[], graph: FusedGraph, minAttachment?: number): DetectedCluster {
  const inside = new Set(members);
  const adjacency = new Map<number, Map<number, number>>();
  const link = (x: number, y: number, edge: number): void => {
    let row = adjacency.get(x);
    if (row === undefined) adjacency.set(x, (row = new Map()));
    row.set(y, edge);
  };
  for (const edge of edges) {
    const x = graph.a[edge] ?? -1;
    const y = graph.b[edge] ?? -1;
    if (inside.has(x) && inside.has(y)) { link(x, y, edge); link(y, x, edge); }
  }
  return describeCluster(minAttachment === undefined ? [...members] : prune([...members], adjacency, minAttachment), adjacency, graph);
}

function describeCluster(members: number[], adjacency: ReadonlyAdjacency, graph: FusedGraph): DetectedCluster {
  const inside = new Set(members);
  const edges: number[] = [];
  const degree = new Map<number, number>();
  for (const member of members) {
    for (const [other, edge] of adjacency.get(member) ?? []) {
      if (!inside.has(other)) continue;
      degree.set(member, (degree.get(member) ?? 0) + 1);
      if (member < other) edges.push(edge);
    }
  }
  const possible = (members.length * (members.length - 1)) / 2;
  const density = possible > 0 ? edges.length / possible : 0;
  const traceCounts = graph.traces.map((trace) => {
    const shared = graph.perTrace.get(trace)?.shared;
    return { trace, edges: shared === undefined ? 0 : edges.filter((edge) => (shared[edge] ?? 0) > 0).length };
  }).filter((entry) => entry.edges > 0).sort((x, y) => y.edges - x.edges);
  const sharedPerEdge = edges.map((edge) => Math.max(...graph.traces.map((trace) => graph.perTrace.get(trace)?.shared[edge] ?? 0)));
  const delays = edges.flatMap((edge) => graph.traces.map((trace) => meanDelayOf(graph.perTrace.get(trace), edge))).filter((delay) => !Number.isNaN(delay));
  const medianShared = median(sharedPerEdge);
  // Every reported pair met on 2+ objects, or its members met their group on 2+ occasions (the
  // group test's pairs may share one object each): repetition counts from 2.
  const score = clusterScore(density, Math.max(2, medianShared));
  const ordered = [...members].sort((x, y) => (degree.get(y) ?? 0) - (degree.get(x) ?? 0) || x - y);
  return {
    id: 0,
    members: ordered,
    memberScores: ordered.map((member) => score * Math.sqrt((degree.get(member) ?? 0) / Math.max(1, members.length - 1))),
    score, density, internalEdges: edges, traces: traceCounts, medianShared,
    medianDelayMs: median(delays),
    strongestLogP: Math.min(...edges.map((edge) => graph.logP[edge] ?? 0)),
  };
}
