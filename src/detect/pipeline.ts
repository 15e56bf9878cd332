/**
 * The detection pipeline on data already turned into traces: per trace a window, the co-action
 * kernel and the null model; then fusion, clustering, scoring and evidence. Pure: data in, data
 * out (the CLI loads traces from the store and writes the outputs).
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from './clusters.js';
import type { ClusterOptions, DetectedCluster } from './clusters.js';
import { explainClusters, memberOccasions } from './explain.js';
import type { ClusterEvidence } from './explain.js';
import { fuseTraces } from './fuse.js';
import type { FusedGraph, TraceEdges } from './fuse.js';
import { KERNEL_DEFAULTS, coActionPairs } from './kernel/index.js';
import type { KernelStats, PairSink, PairTable } from './kernel/index.js';
import { MemoryPairStore, keepsPartitions } from './kernel/partitioned-pairs.js';
import { significantSpilledPairs } from './significance/partitioned-significance.js';
import type { SpilledSignificance } from './significance/partitioned-significance.js';
import { postOccasions } from './significance/post-occasions.js';
import { GROUP_DEFAULTS, SIGNIFICANCE_DEFAULTS, actorStrengths, distinctKeysPerActor, keyActorCounts, rareKeyEvents, rowsWithinGroups, significantGroups, significantPairs, tiedMembers, unionEvents } from './significance/index.js';
import type { GroupOptions, GroupReport, GroupResult, MemberTestOptions, TieTable } from './significance/index.js';
import type { TraceEvents } from './kernel/index.js';
import type { TraceData, TraceName } from './traces/trace-names.js';
import { detectTimePrecision, effectiveWindow, estimateWindow, formatDuration } from './window.js';

export type WindowSetting = number | 'auto';

export interface DetectOptions {
  /** Window for every trace, ms, or 'auto' (CooRnet's estimate per trace). */
  window: WindowSetting;
  /** Per-trace overrides of `window`. */
  windows: Partial<Record<TraceName, WindowSetting>>;
  fdr: number;
  minShared: number;
  maxPartnersPerEvent: number;
  cluster: Partial<ClusterOptions>;
  /**
   * The group test for slow campaigns (significance/group.ts): a wide window on rare objects,
   * groups kept when they act together far beyond chance; `false` turns it off.
   */
  group: Partial<GroupOptions> | false;
  /**
   * The member-level test of clusters (significance/member-test.ts): members not tied to the rest
   * of their cluster beyond chance are dropped; `false` turns it off.
   */
  memberTest: Partial<MemberTestOptions> | false;
  /** Where the kernel spills pair partitions beyond `maxPairsInMemory` (null: all in memory). */
  pairSink: PairSink | null;
  maxPairsInMemory: number;
  /**
   * The pair test counts one post's several keys of a trace (a tweet's hashtags) as one occasion
   * (significance/post-occasions.ts); `false` counts keys, as before.
   */
  postOccasions: boolean;
  /**
   * Starts the group test and returns what gives its result when needed. It is started before
   * the traces' kernels, which do not depend on it: the CLI runs it on a second thread meanwhile
   * (src/cli/detect/detect-thread.ts). Default: here, when asked.
   */
  startGroupTest: GroupTestStarter;
}

/** significantGroups' arguments. */
export interface GroupTestArgs { events: TraceEvents; activity: Float64Array; options: GroupOptions; known: { actorsOnKey: Int32Array } | undefined }

/** Given how to make the group test's arguments (made when called: the union of several traces is a copy of them all), starts it. */
export type GroupTestStarter = (args: () => GroupTestArgs) => () => GroupResult;

/** The group test on this thread, its arguments made and the test run when its result is asked for (after the kernels, as before). */
export const groupTestHere: GroupTestStarter = (args) => () => {
  const { events, activity, options, known } = args();
  return significantGroups(events, activity, options, known);
};

/**
 * 60 s by default (CooRTweet's and the toolkit's usual choice), widened to the data's time
 * precision. 'auto' (CooRnet's estimate) is offered, not the default: on data where fans or
 * news readers make the quickest objects it picks windows of many minutes, in which any
 * community of interest co-acts.
 */
export const DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({
  window: 60_000,
  windows: {},
  fdr: SIGNIFICANCE_DEFAULTS.fdr,
  minShared: SIGNIFICANCE_DEFAULTS.minShared,
  maxPartnersPerEvent: KERNEL_DEFAULTS.maxPartnersPerEvent,
  cluster: CLUSTER_DEFAULTS,
  group: {},
  memberTest: {},
  pairSink: null,
  maxPairsInMemory: Infinity,
  postOccasions: true,
  startGroupTest: groupTestHere,
});

export interface TraceReport {
  trace: TraceName;
  events: number;
  keys: number;
  windowMs: number;
  /** How the window was chosen, in a sentence. */
  window: string;
  precision: string;
  warning: string | null;
  kernel: KernelStats;
  pairsTested: number;
  pairsSignificant: number;
  /** Pairs the group test added to this trace's evidence (0 when off). */
  groupPairs: number;
}

/**
 * Traces pooled for the group test: one per kind of object, so that one post never counts twice
 * (hashtag-sequence restates co-hashtag, fast-repost co-repost, co-mention mostly co-reply).
 */
export const GROUP_TRACES: readonly TraceName[] = ['co-repost', 'co-link', 'co-hashtag', 'near-duplicate', 'co-reply'];

export interface DetectionResult {
  traces: TraceReport[];
  windows: Map<TraceName, number>;
  graph: FusedGraph;
  clusters: DetectedCluster[];
  evidence: ClusterEvidence[];
  /** The group test's candidate groups (empty when it is off). */
  groups: GroupReport[];
}

function chooseWindow(data: TraceData, setting: WindowSetting): { windowMs: number; explanation: string; precision: string; warning: string | null } {
  const precision = detectTimePrecision(data.time);
  if (setting === 'auto') {
    const estimate = estimateWindow({ key: data.key, time: data.time }, { precisionMs: precision.precisionMs });
    return { windowMs: estimate.windowMs, explanation: estimate.explanation, precision: precision.label, warning: null };
  }
  const { windowMs, warning } = effectiveWindow(setting, precision.precisionMs);
  return { windowMs, explanation: `${formatDuration(windowMs)}: set by the user`, precision: precision.label, warning };
}

export function detectCoordination(
  input: { actorCount: number; traces: ReadonlyMap<TraceName, TraceData> },
  options?: Partial<DetectOptions>,
  onStage?: (stage: string) => void,
): DetectionResult {
  const opts = { ...DETECT_DEFAULTS, ...options };
  const reports: TraceReport[] = [];
  const windows = new Map<TraceName, number>();
  const edges: TraceEdges[] = [];
  // Every trace's co-actions with its activity, for the member test: narrow windows, then the group test's.
  const narrow: TieTable[] = [];
  const wide: TieTable[] = [];
  const activityOf = new Map<TraceName, Float64Array>();
  // Distinct actors per key of each trace, counted with its activity: the group test's rare keys.
  const actorsOnKeyOf = new Map<TraceName, Int32Array>();
  // Traces whose pairs stayed in the pair store: their member-test rows are read back once the graph is known.
  const spilledTies: { index: number; spilled: SpilledSignificance }[] = [];
  // Activity and per-key counts first: the group test needs them, not the kernels' pairs.
  for (const [trace, data] of input.traces) {
    if (data.actor.length < 2) continue;
    const counts = keyActorCounts(data);
    activityOf.set(trace, counts.perActor);
    actorsOnKeyOf.set(trace, counts.perKey);
  }
  const groupTest = opts.group === false ? null : startGroupEvidence(input, { ...GROUP_DEFAULTS, maxPartnersPerEvent: opts.maxPartnersPerEvent, minShared: opts.minShared, ...opts.group }, actorsOnKeyOf, activityOf, opts.startGroupTest);
  for (const [trace, data] of input.traces) {
    if (data.actor.length < 2) continue;
    onStage?.(`${trace}: co-actions`);
    const window = chooseWindow(data, opts.windows[trace] ?? opts.window);
    windows.set(trace, window.windowMs);
    // Without a spill target the pairs go to a store in memory, a partition at a time (MemoryPairStore):
    // the kernel's hash tables and one table of all the trace's pairs are never held together.
    const store = opts.pairSink === null ? new MemoryPairStore() : null;
    const sink = opts.pairSink ?? store;
    const maxPairsInMemory = store === null ? opts.maxPairsInMemory : Infinity;
    const kernel = coActionPairs(data, { window: window.windowMs, maxPartnersPerEvent: opts.maxPartnersPerEvent, sink, maxPairsInMemory });
    if (store !== null) kernel.stats.spilledChunks = 0;
    const activity = activityOf.get(trace) as Float64Array;
    const occasions = opts.postOccasions ? (candidates: Parameters<typeof postOccasions>[1]) => postOccasions(data, candidates, { window: window.windowMs, maxPartnersPerEvent: opts.maxPartnersPerEvent, minShared: opts.minShared }) : null;
    if (kernel.pairs.size === 0 && keepsPartitions(sink) && (store?.chunks ?? kernel.stats.spilledChunks) > 0) {
      // The kernel left every pair in the store: tested partition by partition (significance/partitioned-significance.ts).
      onStage?.(`${trace}: test`);
      const spilled = significantSpilledPairs(sink, activity, { fdr: opts.fdr, minShared: opts.minShared, occasions });
      store?.slim();
      edges.push({ trace, ...spilled.kept });
      spilledTies.push({ index: narrow.length, spilled });
      narrow.push({ pairs: { a: new Int32Array(0), b: new Int32Array(0), shared: new Int32Array(0), size: 0 }, activity, strength: spilled.strength });
      reports.push({
        trace, events: data.actor.length, keys: data.keyCount, windowMs: window.windowMs, window: window.explanation,
        precision: window.precision, warning: window.warning, kernel: { ...kernel.stats, pairs: spilled.tested, pairsEmitted: spilled.pairsEmitted },
        pairsTested: spilled.tested, pairsSignificant: spilled.kept.kept.length, groupPairs: 0,
      });
      continue;
    }
    const significance = significantPairs(kernel.pairs, activity, { fdr: opts.fdr, minShared: opts.minShared, occasions });
    // Only the kept pairs go on to fusion, and only actors and shared keys to the member test:
    // the rest of the trace's table (and its ln p per pair) is released here.
    edges.push(keptRows(trace, kernel.pairs, significance.kept, significance.logP));
    narrow.push(tieTable(kernel.pairs, activity));
    reports.push({
      trace, events: data.actor.length, keys: data.keyCount, windowMs: window.windowMs, window: window.explanation,
      precision: window.precision, warning: window.warning, kernel: kernel.stats,
      pairsTested: significance.tested, pairsSignificant: significance.kept.length, groupPairs: 0,
    });
  }
  if (groupTest !== null) onStage?.('group test');
  const groups = groupTest === null ? [] : groupEvidence(groupTest, edges, reports, { tables: wide, activityOf, actorsOnKeyOf });
  onStage?.('clustering');
  const graph = fuseTraces(input.actorCount, edges);
  edges.length = 0;
  // Members are accounts of the graph: the member test needs no row with an actor outside it.
  const inGraph = new Uint8Array(input.actorCount);
  for (let edge = 0; edge < graph.size; edge++) {
    inGraph[graph.a[edge] ?? 0] = 1;
    inGraph[graph.b[edge] ?? 0] = 1;
  }
  for (const tables of [narrow, wide]) tables.forEach((table, index) => { tables[index] = amongActors(table, inGraph); });
  for (const { index, spilled } of spilledTies) {
    narrow[index] = { ...(narrow[index] as TieTable), pairs: spilled.among(inGraph) };
    spilled.release();
  }
  const clusterOptions = { ...CLUSTER_DEFAULTS, ...opts.cluster };
  const memberTest = opts.memberTest;
  const keptGroupOf = new Int32Array(input.actorCount).fill(-1);
  groups.forEach((group, index) => { if (group.kept) for (const member of group.members) keptGroupOf[member] = index; });
  // A member must be tied to its cluster beyond chance (member test) and have met it repeatedly (memberOccasions).
  const tiedTest = memberTest === false && clusterOptions.minMemberOccasions <= 0 ? undefined : (clusterOf: Int32Array): Uint8Array => {
    const tied = memberTest === false ? Uint8Array.from(clusterOf, (cluster) => (cluster >= 0 ? 1 : 0)) : tiedMembers(clusterOf, wide.length > 0 ? [narrow, wide] : [narrow], memberTest);
    if (clusterOptions.minMemberOccasions <= 0) return tied;
    const occasions = memberOccasions(clusterOf, input.traces, windows);
    for (let actor = 0; actor < tied.length; actor++) {
      if ((occasions[actor] ?? 0) < clusterOptions.minMemberOccasions && !(clusterOptions.occasionsExemptGroups && (keptGroupOf[actor] ?? -1) >= 0)) tied[actor] = 0;
    }
    return tied;
  };
  const found = clusterAccounts(graph, clusterOptions, tiedTest, keptGroupOf);
  // The member test's pair tables are not read after clustering: released before the evidence.
  narrow.length = 0;
  wide.length = 0;
  onStage?.('evidence');
  const explained = explainClusters(found, input.traces, windows);
  // One occasion is not lockstep: keep the clusters that met repeatedly, renumbered.
  const keep = found.flatMap((_, index) => ((explained[index]?.occasions ?? 0) >= clusterOptions.minOccasions ? [index] : []));
  const clusters = keep.map((index, id) => ({ ...(found[index] as DetectedCluster), id }));
  const evidence = keep.map((index) => explained[index] as ClusterEvidence);
  return { traces: reports, windows, graph, clusters, evidence, groups };
}

/** The group test started on the pooled traces (startGroupEvidence), to be finished by groupEvidence. */
interface StartedGroupTest {
  pooled: { trace: TraceName; data: TraceData }[];
  options: GroupOptions;
  result: () => GroupResult;
}

/** Starts the group test on the pooled traces (null: no trace to pool). */
function startGroupEvidence(
  input: { actorCount: number; traces: ReadonlyMap<TraceName, TraceData> },
  options: GroupOptions,
  actorsOnKeyOf: ReadonlyMap<TraceName, Int32Array>,
  activityOf: ReadonlyMap<TraceName, Float64Array>,
  start: GroupTestStarter,
): StartedGroupTest | null {
  const pooled = GROUP_TRACES.flatMap((trace) => {
    const data = input.traces.get(trace);
    return data === undefined || data.actor.length < 2 ? [] : [{ trace, data }];
  });
  if (pooled.length === 0) return null;
  const result = start(() => {
    const activity = new Float64Array(input.actorCount);
    for (const { trace, data } of pooled) {
      const own = activityOf.get(trace) ?? distinctKeysPerActor(data);
      for (let actor = 0; actor < activity.length; actor++) activity[actor] = (activity[actor] ?? 0) + (own[actor] ?? 0);
    }
    const union = unionEvents(pooled.map(({ data }) => data), input.actorCount);
    // One trace pooled is its own union (same keys and actors): its per-key counts hold for it.
    const onlyCounts = pooled.length === 1 && union.key === pooled[0]!.data.key && union.actor === pooled[0]!.data.actor ? actorsOnKeyOf.get(pooled[0]!.trace) : undefined;
    return { events: union, activity, options: { ...options, recruitOnceKeys: options.recruitOnceKeys ?? replyTargets(pooled, union.keyCount) }, known: onlyCounts === undefined ? undefined : { actorsOnKey: onlyCounts } };
  });
  return { pooled, options, result };
}

/**
 * The group test's result; each pooled trace then contributes its wide-window pairs inside kept
 * groups as evidence (appended to `edges`, counted in `reports`). ln p of such a pair is its group's.
 */
function groupEvidence(
  started: StartedGroupTest,
  edges: TraceEdges[],
  reports: TraceReport[],
  tie: { tables: TieTable[]; activityOf: ReadonlyMap<TraceName, Float64Array>; actorsOnKeyOf: ReadonlyMap<TraceName, Int32Array> },
): GroupReport[] {
  const { pooled, options } = started;
  const { groups, groupOf, pairs: unionPairs } = started.result();
  if (!groups.some((group) => group.kept)) return groups;
  for (const { trace, data } of pooled) {
    // One trace pooled: its union is itself (keys unchanged), so the group test's pairs are its own.
    const { pairs } = pooled.length === 1 ? { pairs: unionPairs } : coActionPairs(rareKeyEvents(data, options.maxKeyActors, options.episodeGapMs, knownCounts(tie.actorsOnKeyOf.get(trace))), { window: options.windowMs, maxPartnersPerEvent: options.maxPartnersPerEvent });
    const kept = rowsWithinGroups(pairs, groupOf);
    const logP = new Float64Array(pairs.size);
    for (const row of kept) logP[row] = groups[groupOf[pairs.a[row] ?? 0] ?? 0]?.logP ?? 0;
    edges.push(keptRows(trace, pairs, kept, logP));
    tie.tables.push(tieTable(pairs, tie.activityOf.get(trace) ?? distinctKeysPerActor(data)));
    const report = reports.find((entry) => entry.trace === trace);
    if (report !== undefined) report.groupPairs = kept.length;
  }
  return groups;
}

/** Per-key counts as rareKeyEvents takes them, when there are any. */
function knownCounts(actorsOnKey: Int32Array | undefined): { actorsOnKey: Int32Array } | undefined {
  return actorsOnKey === undefined ? undefined : { actorsOnKey };
}

/**
 * The keys of the pooled union (unionEvents numbers each trace's keys after the previous trace's)
 * that are reply targets: someone else's post, whose co-actions a recruit counts once (recruit.ts).
 */
function replyTargets(pooled: readonly { trace: TraceName; data: TraceData }[], keyCount: number): Uint8Array {
  const once = new Uint8Array(keyCount);
  let offset = 0;
  for (const { trace, data } of pooled) {
    if (trace === 'co-reply') once.fill(1, offset, offset + data.keyCount);
    offset += data.keyCount;
  }
  return once;
}

/** The kept rows of a trace's pairs as a table of their own (row i of it is kept[i] of `pairs`). */
function keptRows(trace: TraceName, pairs: PairTable, kept: Int32Array, logP: Float64Array): TraceEdges {
  const size = kept.length;
  const table: PairTable = {
    a: new Int32Array(size), b: new Int32Array(size), shared: new Int32Array(size),
    idf: new Float64Array(size), coActions: new Int32Array(size), sumDelta: new Float64Array(size), size,
  };
  const keptLogP = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const row = kept[i] ?? 0;
    table.a[i] = pairs.a[row] ?? 0;
    table.b[i] = pairs.b[row] ?? 0;
    table.shared[i] = pairs.shared[row] ?? 0;
    table.idf[i] = pairs.idf[row] ?? 0;
    table.coActions[i] = pairs.coActions[row] ?? 0;
    table.sumDelta[i] = pairs.sumDelta[row] ?? 0;
    keptLogP[i] = logP[row] ?? 0;
  }
  return { trace, pairs: table, kept: Int32Array.from({ length: size }, (_, i) => i), logP: keptLogP };
}

/** What the member test reads of a trace: actors and shared keys of each pair (the table's own columns), strengths, activity. */
function tieTable(pairs: PairTable, activity: Float64Array): TieTable {
  return { pairs: { a: pairs.a, b: pairs.b, shared: pairs.shared, size: pairs.size }, activity, strength: actorStrengths(pairs, activity.length).strength };
}

/** The rows of `table` whose two actors are both marked in `keep` (strengths stay the whole trace's). */
function amongActors(table: TieTable, keep: Uint8Array): TieTable {
  const { pairs } = table;
  let size = 0;
  for (let row = 0; row < pairs.size; row++) if (keep[pairs.a[row] ?? 0] === 1 && keep[pairs.b[row] ?? 0] === 1) size++;
  const a = new Int32Array(size);
  const b = new Int32Array(size);
  const shared = new Int32Array(size);
  let at = 0;
  for (let row = 0; row < pairs.size; row++) {
    const x = pairs.a[row] ?? 0;
    const y = pairs.b[row] ?? 0;
    if (keep[x] !== 1 || keep[y] !== 1) continue;
    a[at] = x;
    b[at] = y;
    shared[at++] = pairs.shared[row] ?? 0;
  }
  return { ...table, pairs: { a, b, shared, size } };
}
