/**
 * The detection pipeline on data already turned into traces: per trace a window, the co-action
 * kernel and the null model; then fusion, clustering, scoring and evidence. Pure: data in, data
 * out (the CLI loads traces from the store and writes the outputs).
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from './clusters.js';
import type { ClusterOptions, DetectedCluster } from './clusters.js';
import { explainClusters } from './explain.js';
import type { ClusterEvidence } from './explain.js';
import { fuseTraces } from './fuse.js';
import type { FusedGraph, TraceEdges } from './fuse.js';
import { KERNEL_DEFAULTS, coActionPairs } from './kernel/index.js';
import type { KernelStats } from './kernel/index.js';
import { SIGNIFICANCE_DEFAULTS, distinctKeysPerActor, significantPairs } from './significance/index.js';
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
}

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
}

export interface DetectionResult {
  traces: TraceReport[];
  windows: Map<TraceName, number>;
  graph: FusedGraph;
  clusters: DetectedCluster[];
  evidence: ClusterEvidence[];
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
  for (const [trace, data] of input.traces) {
    if (data.actor.length < 2) continue;
    onStage?.(`${trace}: co-actions`);
    const window = chooseWindow(data, opts.windows[trace] ?? opts.window);
    windows.set(trace, window.windowMs);
    const kernel = coActionPairs(data, { window: window.windowMs, maxPartnersPerEvent: opts.maxPartnersPerEvent });
    const significance = significantPairs(kernel.pairs, distinctKeysPerActor(data), { fdr: opts.fdr, minShared: opts.minShared });
    edges.push({ trace, pairs: kernel.pairs, kept: significance.kept, logP: significance.logP });
    reports.push({
      trace, events: data.actor.length, keys: data.keyCount, windowMs: window.windowMs, window: window.explanation,
      precision: window.precision, warning: window.warning, kernel: kernel.stats,
      pairsTested: significance.tested, pairsSignificant: significance.kept.length,
    });
  }
  onStage?.('clustering');
  const graph = fuseTraces(input.actorCount, edges);
  const clusters = clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...opts.cluster });
  onStage?.('evidence');
  const evidence = explainClusters(clusters, input.traces, windows);
  return { traces: reports, windows, graph, clusters, evidence };
}
