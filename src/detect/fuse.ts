/**
 * Fusion: the significant pairs of every trace become one account graph, one edge per pair,
 * with each trace's evidence kept side by side (an analyst must see which traces link two
 * accounts, and Gephi users colour by them).
 */
import type { PairTable } from './kernel/index.js';
import type { TraceName } from './traces/trace-names.js';

export interface TraceEdgeEvidence {
  shared: Float64Array;
  idf: Float64Array;
  coActions: Float64Array;
  /** Mean |Δt| in ms of the trace's co-actions (NaN where the trace does not link the pair). */
  meanDelay: Float64Array;
  /** ln p of the pair under the null (0 where the trace does not link the pair). */
  logP: Float64Array;
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

/** Joins the significant pairs of all traces into one graph. */
export function fuseTraces(actorCount: number, inputs: readonly TraceEdges[]): FusedGraph {
  const index = new Map<number, number>();
  const a: number[] = [];
  const b: number[] = [];
  for (const input of inputs) {
    for (const row of input.kept) {
      const x = input.pairs.a[row] ?? 0;
      const y = input.pairs.b[row] ?? 0;
      const id = x * actorCount + y;
      if (!index.has(id)) {
        index.set(id, a.length);
        a.push(x);
        b.push(y);
      }
    }
  }
  const size = a.length;
  const weight = new Float64Array(size);
  const logP = new Float64Array(size);
  const perTrace = new Map<TraceName, TraceEdgeEvidence>();
  const traces: TraceName[] = [];
  for (const input of inputs) {
    // A trace may come twice (its narrow-window pairs, then its group-test pairs): a pair keeps
    // the evidence it got first.
    let evidence = perTrace.get(input.trace);
    if (evidence === undefined) {
      evidence = {
        shared: new Float64Array(size), idf: new Float64Array(size), coActions: new Float64Array(size),
        meanDelay: new Float64Array(size).fill(Number.NaN), logP: new Float64Array(size),
      };
      perTrace.set(input.trace, evidence);
      traces.push(input.trace);
    }
    for (const row of input.kept) {
      const edge = index.get((input.pairs.a[row] ?? 0) * actorCount + (input.pairs.b[row] ?? 0)) ?? 0;
      if ((evidence.shared[edge] ?? 0) > 0) continue;
      const coActions = input.pairs.coActions[row] ?? 0;
      evidence.shared[edge] = input.pairs.shared[row] ?? 0;
      evidence.idf[edge] = input.pairs.idf[row] ?? 0;
      evidence.coActions[edge] = coActions;
      evidence.meanDelay[edge] = coActions > 0 ? (input.pairs.sumDelta[row] ?? 0) / coActions : Number.NaN;
      evidence.logP[edge] = input.logP[row] ?? 0;
      // A key nobody else touched still counts: IDF 0 (a key all actors touched) must not erase an edge.
      weight[edge] = (weight[edge] ?? 0) + Math.max(input.pairs.idf[row] ?? 0, 0.1 * (input.pairs.shared[row] ?? 0));
      logP[edge] = Math.min(logP[edge] ?? 0, input.logP[row] ?? 0);
    }
  }
  return { actorCount, a: Int32Array.from(a), b: Int32Array.from(b), weight, logP, traces, perTrace, size };
}
