/**
 * The coordinator's half of scale-out: the partitions' partials merged into one graph (labels
 * ranked across partitions, pair weights summed), then the batch engine's null model, fusion and
 * clustering. Split from distributed.ts (the workers' half) so each side can change alone.
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from '../detect/clusters.js';
import type { ClusterOptions, DetectedCluster } from '../detect/clusters.js';
import { fuseTraces } from '../detect/fuse.js';
import type { FusedGraph, TraceEdges } from '../detect/fuse.js';
import { SIGNIFICANCE_DEFAULTS, significantCandidates } from '../detect/significance/index.js';
import { LockstepError } from '../model/index.js';
import type { PairTable } from '../detect/kernel/index.js';
import type { StreamTrace } from './extract.js';
import type { LabelJoin } from './label-join.js';
import { MergeBuffers, sumCandidatePairs } from './pair-merge.js';
import type { PartitionPartial } from './partial-codec.js';

export interface AssembleOptions {
  traces: readonly StreamTrace[];
  fdr: number;
  minShared: number;
  cluster: Partial<ClusterOptions>;
  /** The partials' labels joined as they arrived (label-join.ts); without it, or if it does not match them, they are joined here. */
  labels?: LabelJoin;
}

export const ASSEMBLE_DEFAULTS: Readonly<AssembleOptions> = Object.freeze({ traces: [], fdr: SIGNIFICANCE_DEFAULTS.fdr, minShared: SIGNIFICANCE_DEFAULTS.minShared, cluster: CLUSTER_DEFAULTS });

/** What assemblePartials returns. */
export interface AssembledJob { actorIds: string[]; actorPlatforms: string[]; graph: FusedGraph; clusters: DetectedCluster[] }

/**
 * The coordinator's merge: one partial per partition (a partition given twice counts once), then
 * the batch engine's null model, fusion and clustering on the summed pair weights.
 */
export function assemblePartials(partials: readonly PartitionPartial[], options?: Partial<AssembleOptions>): AssembledJob {
  const job = prepareAssembly(partials, options);
  // One set of per-account arrays for every trace: the null model reads them and keeps none.
  const buffers: TraceBuffers = { activity: new Float64Array(job.n), merge: new MergeBuffers(job.n) };
  return finishAssembly(job, job.traceOrder.map((trace) => traceEdges(job.partitions, job.globals, trace, job.n, job.opts, buffers)));
}

/** A merge up to its traces' sums: the partials taken once each, checked, their labels joined. */
export interface PreparedAssembly {
  opts: AssembleOptions;
  partitions: PartitionPartial[];
  labels: string[];
  globals: Int32Array[];
  n: number;
  traceOrder: StreamTrace[];
  split: { actorIds: string[]; actorPlatforms: string[] } | null;
}

/** assemblePartials' first step (assemble-helper.ts takes it too, to sum some traces elsewhere). */
export function prepareAssembly(partials: readonly PartitionPartial[], options?: Partial<AssembleOptions>): PreparedAssembly {
  const opts = { ...ASSEMBLE_DEFAULTS, ...options };
  const byPartition = new Map(partials.map((partial) => [partial.partition, partial]));
  const partitions = [...byPartition.values()];
  checkPruned(partitions, opts.minShared);
  // Every partition's account ids mapped to the job's (ranks in label order) and the labels in that order.
  const joined = opts.labels?.joined(partitions) ?? null;
  const { labels, globals } = joined ?? partitionLabels(partitions);
  const traceOrder = opts.traces.length > 0 ? [...opts.traces] : [...new Set(partitions.flatMap((partial) => partial.traces.map((entry) => entry.trace)))];
  return { opts, partitions, labels, globals, n: labels.length, traceOrder, split: joined === null ? null : { actorIds: joined.actorIds, actorPlatforms: joined.actorPlatforms } };
}

/** One trace's summed pairs through the null model; null for a trace without pairs. */
export function traceEdges(partitions: readonly PartitionPartial[], globals: readonly Int32Array[], trace: StreamTrace, n: number, opts: Pick<AssembleOptions, 'fdr' | 'minShared'>, buffers?: TraceBuffers): TraceEdges | null {
  const { pairs, activity, strength, distinct } = traceSums(partitions, globals, trace, n, opts.minShared, buffers);
  if (distinct === 0) return null;
  const significance = significantCandidates(pairs, activity, { strength, distinct }, { fdr: opts.fdr, minShared: opts.minShared });
  return { trace, pairs, kept: significance.kept, logP: significance.logP };
}

/** assemblePartials' last step: each trace's edges (in `traceOrder`; null: none) fused and clustered. */
export function finishAssembly(job: PreparedAssembly, edges: readonly (TraceEdges | null)[]): AssembledJob {
  const graph = fuseTraces(job.n, edges.filter((entry) => entry !== null));
  return { ...(job.split ?? splitLabels(job.labels)), graph, clusters: clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...job.opts.cluster }) };
}

/**
 * `platform NUL id` labels split into platforms and ids as `label.split(NUL)`'s first two parts
 * (what this did before), without split's array per label: at a firehose's 1.16M accounts those
 * were 1.16M short-lived arrays for the collector.
 */
export function splitLabels(labels: readonly string[]): { actorIds: string[]; actorPlatforms: string[] } {
  const actorIds = new Array<string>(labels.length), actorPlatforms = new Array<string>(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!, cut = label.indexOf('\u0000');
    if (cut < 0) {
      actorPlatforms[i] = label;
      actorIds[i] = undefined as unknown as string;
      continue;
    }
    const end = label.indexOf('\u0000', cut + 1);
    actorPlatforms[i] = label.slice(0, cut);
    actorIds[i] = end < 0 ? label.slice(cut + 1) : label.slice(cut + 1, end);
  }
  return { actorIds, actorPlatforms };
}

/** What `stream-coordinate` prints of a bounded job's result (one JSON line): counts and each cluster's members by id. */
export function jobResultSummary(job: string, result: AssembledJob): { job: string; accounts: number; edges: number; clusters: { members: string[]; score: number; traces: DetectedCluster['traces'] }[] } {
  return { job, accounts: result.actorIds.length, edges: result.graph.size, clusters: result.clusters.map((cluster) => ({ members: cluster.members.map((member) => result.actorIds[member]!), score: cluster.score, traces: cluster.traces })) };
}

/** Every partition's account ids mapped to the job's (ranks in label order), and the labels in that order. */
export function partitionLabels(partitions: readonly PartitionPartial[]): { labels: string[]; globals: Int32Array[] } {
  return mergedLabels(partitions) ?? rankedLabels(partitions);
}

/** Per-account arrays `traceSums` fills, kept from trace to trace (pair-merge.ts MergeBuffers says why). */
export interface TraceBuffers {
  activity: Float64Array;
  merge: MergeBuffers;
}

/**
 * What the null model reads of one trace: the pairs that can pass it (summed shared keys >=
 * minShared), each account's distinct keys (activity) and strength (Σ shared keys over every
 * pair), and the count of distinct pairs (its tests). With `buffers` (of at least n accounts),
 * activity and strength are written into them: read them before the next trace's sums.
 */
export function traceSums(partitions: readonly PartitionPartial[], globals: readonly Int32Array[], trace: StreamTrace, n: number, minShared: number, buffers?: TraceBuffers): { pairs: PairTable; activity: Float64Array; strength: Float64Array; distinct: number } {
  const activity = buffers !== undefined && buffers.activity.length >= n ? buffers.activity.fill(0).subarray(0, n) : new Float64Array(n);
  const entries = partitions.map((partial) => partial.traces.find((candidate) => candidate.trace === trace));
  for (let p = 0; p < partitions.length; p++) {
    const entry = entries[p];
    if (entry === undefined) continue;
    const global = globals[p]!;
    for (let i = 0; i < entry.activity.actor.length; i++) {
      const actor = global[entry.activity.actor[i]!] ?? 0;
      activity[actor] = activity[actor]! + entry.activity.keys[i]!;
    }
  }
  let actorsInTrace = 0;
  for (let actor = 0; actor < n; actor++) if ((activity[actor] ?? 0) > 0) actorsInTrace++;
  // Only the pairs that can pass the null model are summed into rows (on the bench, 3,842 of 982k).
  const inputs = entries.map((entry, p) => (entry === undefined ? null : { pairs: entry.pairs, global: globals[p]! }));
  const { pairs, distinct, strength } = sumCandidatePairs(inputs, Math.log(actorsInTrace), n, { minShared, ...(buffers === undefined ? {} : { buffers: buffers.merge }) });
  return { pairs, activity, strength, distinct: distinct + addPruned(entries, globals, strength) };
}

/**
 * Pruned partials' left-out pairs (pruned-partial.ts) added to a trace's tests and strengths;
 * returns how many. Each is in one partition only, so it is a distinct pair of its own, and its
 * shared keys are whole numbers: the sums are exact in any order.
 */
function addPruned(entries: readonly (PartitionPartial['traces'][number] | undefined)[], globals: readonly Int32Array[], strength: Float64Array): number {
  let pairs = 0;
  for (let p = 0; p < entries.length; p++) {
    const pruned = entries[p]?.pruned;
    if (pruned === undefined) continue;
    pairs += pruned.pairs;
    const global = globals[p]!;
    for (let i = 0; i < pruned.strength.length; i++) {
      const actor = global[i]!;
      strength[actor] = strength[actor]! + pruned.strength[i]!;
    }
  }
  return pairs;
}

/**
 * Pruned partials hold only if their left-out pairs can pass neither here nor elsewhere: every
 * other partition merged must have been checked against, and their rows' bound (minShared) may
 * not be above the one this merge tests with.
 */
function checkPruned(partitions: readonly PartitionPartial[], minShared: number): void {
  for (const partial of partitions) {
    if (partial.prunedAgainst === undefined) continue;
    const against = new Set(partial.prunedAgainst);
    const missed = partitions.find((other) => other.partition !== partial.partition && !against.has(other.partition));
    if (missed !== undefined) throw new LockstepError('detect/bad-input', `partition ${partial.partition}'s partial left out pairs unchecked against partition ${missed.partition}'s: make it again with every partition's filters`);
    const bound = Math.max(0, ...partial.traces.map((entry) => entry.pruned?.minShared ?? 0));
    if (bound > minShared) throw new LockstepError('detect/bad-input', `partition ${partial.partition}'s partial left out pairs of up to ${bound - 1} shared keys, which a merge with minShared ${minShared} tests: make it again unpruned`);
  }
}

/**
 * The partitions' labels merged in code-unit order (`platform NUL id` in that order is (platform,
 * id) order: NUL sorts before any character), with each partition's ids as ranks in it: workers
 * write their accounts in label order (sorted-partial.ts), so a k-way merge of the lists gives the
 * ranks without hashing or sorting 160k labels (the bench's). Null if a partition's labels are not
 * strictly ascending (partials from before labels were sorted): `rankedLabels` takes those.
 */
function mergedLabels(partitions: readonly PartitionPartial[]): { labels: string[]; globals: Int32Array[] } | null {
  const lists = partitions.map((partial) => partial.actors);
  const globals = lists.map((list) => new Int32Array(list.length));
  const at = new Int32Array(lists.length);
  const labels: string[] = [];
  for (;;) {
    let least: string | undefined;
    for (let p = 0; p < lists.length; p++) {
      const head = lists[p]![at[p]!];
      if (head !== undefined && (least === undefined || head < least)) least = head;
    }
    if (least === undefined) return { labels, globals };
    const rank = labels.length;
    labels.push(least);
    for (let p = 0; p < lists.length; p++) {
      const list = lists[p]!;
      if (list[at[p]!] !== least) continue;
      globals[p]![at[p]!++] = rank;
      const next = list[at[p]!];
      if (next !== undefined && !(least < next)) return null;
    }
  }
}

/** `mergedLabels` for labels in any order: each numbered once as first seen, then the numbers mapped to ranks in label order. */
function rankedLabels(partitions: readonly PartitionPartial[]): { labels: string[]; globals: Int32Array[] } {
  const seen = new Map<string, number>();
  const firstSeen = partitions.map((partial) => {
    const ids = new Int32Array(partial.actors.length);
    for (let i = 0; i < ids.length; i++) {
      const label = partial.actors[i]!;
      let id = seen.get(label);
      if (id === undefined) {
        id = seen.size;
        seen.set(label, id);
      }
      ids[i] = id;
    }
    return ids;
  });
  const firstLabels = [...seen.keys()];
  const byLabel = Int32Array.from(firstLabels.keys()).sort((x, y) => (firstLabels[x]! < firstLabels[y]! ? -1 : 1));
  const rank = new Int32Array(firstLabels.length);
  for (let r = 0; r < byLabel.length; r++) rank[byLabel[r]!] = r;
  return { labels: Array.from(byLabel, (id) => firstLabels[id]!), globals: firstSeen.map((ids) => ids.map((id) => rank[id]!)) };
}
