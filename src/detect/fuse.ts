/**
 * Fusion: the significant pairs of every trace become one account graph, one edge per pair,
 * with each trace's evidence kept side by side (an analyst must see which traces link two
 * accounts, and Gephi users colour by them).
 */
import type { PairTable } from './kernel/index.js';
import type { TraceName } from './traces/trace-names.js';

export interface TraceEdgeEvidence {
  /**
   * Distinct shared keys (0 where the trace does not link the pair), in the narrowest integer
   * column that holds the trace's largest count (a byte per edge when all are below 256).
   */
  shared: Uint8Array | Uint16Array | Int32Array | Float64Array;
  /**
   * Mean |Δt| in ms of the trace's co-actions (NaN where the trace does not link the pair or has
   * none): per edge, or, when `delayEdges` is set, per entry of `delayEdges`. Read it with
   * `meanDelayOf`.
   */
  meanDelay: Float64Array;
  /**
   * The edges the trace links, ascending, when `meanDelay` holds only theirs (a trace linking few
   * of the edges: at 7M edges a column per trace cost 56 MB, mostly NaN).
   */
  delayEdges?: Int32Array;
}

/** The mean delay (ms) of `edge` in a trace's evidence, NaN where there is none. */
export function meanDelayOf(evidence: TraceEdgeEvidence | undefined, edge: number): number {
  if (evidence === undefined) return Number.NaN;
  const edges = evidence.delayEdges;
  if (edges === undefined) return evidence.meanDelay[edge] ?? Number.NaN;
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] ?? 0) < edge) lo = mid + 1; else hi = mid;
  }
  return lo < edges.length && edges[lo] === edge ? evidence.meanDelay[lo] ?? Number.NaN : Number.NaN;
}

export interface FusedGraph {
  actorCount: number;
  a: Int32Array;
  b: Int32Array;
  /** Clustering weight: Σ over traces of the IDF-weighted shared keys. */
  weight: Float64Array;
  /** Strongest evidence over traces, ln p (the most negative). */
  logP: Float64Array;
  traces: TraceName[];
  perTrace: Map<TraceName, TraceEdgeEvidence>;
  size: number;
}

export interface TraceEdges {
  trace: TraceName;
  pairs: PairTable;
  /** Rows of `pairs` that are significant. */
  kept: Int32Array;
  logP: Float64Array;
}

/**
 * Joins the significant pairs of all traces into one graph. Edges are numbered in the order their
 * pair first appears (input by input, kept row by kept row). Per trace only what the clusters and
 * the outputs read is kept (shared keys, mean delay): at 7M edges and 8 traces every further
 * column costs 450 MB.
 * @example
 * const graph = fuseTraces(actorCount, [{ trace: 'co-repost', pairs, kept, logP }]);
 * graph.perTrace.get('co-repost')?.shared[0] // shared reposts of the first edge
 */
export function fuseTraces(actorCount: number, inputs: readonly TraceEdges[]): FusedGraph {
  let rows = 0;
  for (const input of inputs) rows += input.kept.length;
  const rowA = new Int32Array(rows);
  const rowB = new Int32Array(rows);
  let r = 0;
  for (const input of inputs) {
    for (const row of input.kept) {
      rowA[r] = input.pairs.a[row] ?? 0;
      rowB[r] = input.pairs.b[row] ?? 0;
      r++;
    }
  }
  const { edgeOf, size } = firstAppearanceIds(rowA, rowB, actorCount);
  const a = new Int32Array(size);
  const b = new Int32Array(size);
  for (let row = 0; row < rows; row++) {
    const edge = edgeOf[row] ?? 0;
    a[edge] = rowA[row] ?? 0;
    b[edge] = rowB[row] ?? 0;
  }
  const weight = new Float64Array(size);
  const logP = new Float64Array(size);
  const perTrace = new Map<TraceName, TraceEdgeEvidence>();
  const traces: TraceName[] = [];
  // Rows that gave their pair its evidence in their trace (their mean delay is read below).
  const took = new Uint8Array(rows);
  r = 0;
  for (const input of inputs) {
    // A trace may come twice (its narrow-window pairs, then its group-test pairs): a pair keeps
    // the evidence it got first.
    let evidence = perTrace.get(input.trace);
    if (evidence === undefined) {
      evidence = { shared: new Int32Array(size), meanDelay: new Float64Array(0) };
      perTrace.set(input.trace, evidence);
      traces.push(input.trace);
    }
    for (const row of input.kept) {
      const edge = edgeOf[r] ?? 0;
      if ((evidence.shared[edge] ?? 0) > 0) { r++; continue; }
      took[r++] = 1;
      evidence.shared[edge] = input.pairs.shared[row] ?? 0;
      // A key nobody else touched still counts: IDF 0 (a key all actors touched) must not erase an edge.
      weight[edge] = (weight[edge] ?? 0) + Math.max(input.pairs.idf[row] ?? 0, 0.1 * (input.pairs.shared[row] ?? 0));
      logP[edge] = Math.min(logP[edge] ?? 0, input.logP[row] ?? 0);
    }
  }
  // Mean delays a trace at a time, so one column over all edges is held at once.
  for (const trace of traces) {
    const evidence = perTrace.get(trace) as TraceEdgeEvidence;
    const delay = new Float64Array(size).fill(Number.NaN);
    const linked = new Uint8Array(size);
    r = 0;
    for (const input of inputs) {
      if (input.trace !== trace) { r += input.kept.length; continue; }
      for (const row of input.kept) {
        if (took[r] === 1) {
          const edge = edgeOf[r] ?? 0;
          const coActions = input.pairs.coActions[row] ?? 0;
          delay[edge] = coActions > 0 ? (input.pairs.sumDelta[row] ?? 0) / coActions : Number.NaN;
          linked[edge] = 1;
        }
        r++;
      }
    }
    Object.assign(evidence, sparseDelays(delay, linked));
    evidence.shared = narrowest(evidence.shared as Int32Array);
  }
  return { actorCount, a, b, weight, logP, traces, perTrace, size };
}

/** A trace's mean delays over the edges it links when that is smaller than a column over all edges. */
function sparseDelays(delay: Float64Array, linked: Uint8Array): Pick<TraceEdgeEvidence, 'meanDelay' | 'delayEdges'> {
  let count = 0;
  for (let edge = 0; edge < linked.length; edge++) count += linked[edge] ?? 0;
  // 12 bytes an entry against 8 an edge.
  if (3 * count >= 2 * linked.length) return { meanDelay: delay };
  const delayEdges = new Int32Array(count);
  const meanDelay = new Float64Array(count);
  for (let edge = 0, i = 0; edge < linked.length; edge++) {
    if (linked[edge] !== 1) continue;
    delayEdges[i] = edge;
    meanDelay[i++] = delay[edge] ?? Number.NaN;
  }
  return { meanDelay, delayEdges };
}

/** The counts in a Uint8Array or Uint16Array when they fit (at 7M edges and 8 traces, 170 MB less), else as they are. */
function narrowest(counts: Int32Array): Uint8Array | Uint16Array | Int32Array {
  let max = 0;
  for (let i = 0; i < counts.length; i++) if ((counts[i] ?? 0) > max) max = counts[i] ?? 0;
  if (max >= 65_536) return counts;
  const narrow = max < 256 ? new Uint8Array(counts.length) : new Uint16Array(counts.length);
  narrow.set(counts);
  return narrow;
}

/**
 * Per row, the id of its pair (rowA[r], rowB[r]), pairs numbered in the order of their first row:
 * rows stably ordered by (a, b) with two counting sorts, so no hash map of pairs is built.
 */
function firstAppearanceIds(rowA: Int32Array, rowB: Int32Array, actorCount: number): { edgeOf: Int32Array; size: number } {
  const rows = rowA.length;
  const order = stableOrder(rowA, actorCount, stableOrder(rowB, actorCount, null));
  // first[r]: the first row of r's pair (rows of a pair are ascending within the order).
  const first = new Int32Array(rows);
  for (let i = 0; i < rows;) {
    const head = order[i] ?? 0;
    let j = i;
    for (; j < rows; j++) {
      const row = order[j] ?? 0;
      if (rowA[row] !== rowA[head] || rowB[row] !== rowB[head]) break;
      first[row] = head;
    }
    i = j;
  }
  // In place: first[r] ≤ r, so the edge id of first[r] is already known when r is reached.
  let size = 0;
  for (let row = 0; row < rows; row++) {
    const head = first[row] ?? 0;
    first[row] = head === row ? size++ : first[head] ?? 0;
  }
  return { edgeOf: first, size };
}

/** Rows (all, or those of `order`, in that order) stably sorted by `keys[row]` in [0, buckets). */
function stableOrder(keys: Int32Array, buckets: number, order: Int32Array | null): Int32Array {
  const starts = new Int32Array(buckets + 1);
  for (let row = 0; row < keys.length; row++) starts[(keys[row] ?? 0) + 1]!++;
  for (let bucket = 0; bucket < buckets; bucket++) starts[bucket + 1]! += starts[bucket] ?? 0;
  const out = new Int32Array(keys.length);
  if (order === null) {
    for (let row = 0; row < keys.length; row++) out[starts[keys[row] ?? 0]!++] = row;
  } else {
    for (const row of order) out[starts[keys[row] ?? 0]!++] = row;
  }
  return out;
}
