/**
 * Writes the output contract of `lockstep detect` (DESIGN.md): accounts.csv, clusters.json,
 * edges.csv, network.gexf and network.graphml (summary.json is the command's, written last).
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectionResult } from '../../detect/pipeline.js';
import { accountsCsvChunks, edgesCsvChunks } from '../../detect/output/index.js';
import type { AccountRow, ExportEdge, ExportNode, NetworkExport } from '../../detect/output/index.js';
import type { ClusterReport } from './cluster-report.js';
import { GRAPH_FILES_DEFAULTS, startGraphFilesWorker, writeChunks, writeGraphFiles } from './graph-files.js';
import type { GraphFilesOptions } from './graph-files.js';
import { collectGarbage } from './release-memory.js';

/**
 * summary.json, written last and whole (a temporary file renamed over it): a run that stops part
 * way leaves no summary, since `runDetect` removes the previous one first, so an output directory
 * with a summary.json holds one finished run's outputs, never a crashed run's files beside an
 * older summary.
 */
export async function writeSummary(dir: string, summary: unknown): Promise<void> {
  const path = join(dir, 'summary.json');
  await writeFile(`${path}.partial`, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(`${path}.partial`, path);
}

const traceColumn = (trace: string): string => trace.replaceAll('-', '_');

/**
 * The fused network with per-trace edge weights (shared keys), as the writers take it: by
 * default only edges between flagged accounts (on 10M events the whole graph of significant
 * pairs, fans and crowds included, ran to gigabytes), or every edge with `fullNetwork`.
 */
function networkExport(result: DetectionResult, actorIds: readonly string[], fullNetwork: boolean): NetworkExport & { edgeCount: number } {
  const clusterOf = new Map<number, { cluster: number; score: number }>();
  for (const cluster of result.clusters) cluster.members.forEach((member, i) => clusterOf.set(member, { cluster: cluster.id, score: cluster.memberScores[i] ?? 0 }));
  const { graph } = result;
  const shown = (edge: number): boolean => fullNetwork || (clusterOf.has(graph.a[edge] ?? -1) && clusterOf.has(graph.b[edge] ?? -1));
  const inGraph = new Set<number>();
  let edgeCount = 0;
  for (let edge = 0; edge < graph.size; edge++) {
    if (!shown(edge)) continue;
    edgeCount += 1;
    inGraph.add(graph.a[edge] ?? 0);
    inGraph.add(graph.b[edge] ?? 0);
  }
  const nodes: ExportNode[] = [...inGraph].sort((x, y) => x - y).map((actor) => ({
    id: actorIds[actor] ?? String(actor), cluster: clusterOf.get(actor)?.cluster ?? null, score: clusterOf.get(actor)?.score ?? null,
  }));
  function* edges(): Generator<ExportEdge> {
    for (let edge = 0; edge < graph.size; edge++) {
      if (!shown(edge)) continue;
      const perTrace: Record<string, number> = {};
      for (const trace of graph.traces) {
        const shared = graph.perTrace.get(trace)?.shared[edge] ?? 0;
        if (shared > 0) perTrace[traceColumn(trace)] = shared;
      }
      yield { source: actorIds[graph.a[edge] ?? 0] ?? '', target: actorIds[graph.b[edge] ?? 0] ?? '', weight: Math.round((graph.weight[edge] ?? 0) * 1000) / 1000, perTrace };
    }
  }
  return { nodes, edges: { [Symbol.iterator]: edges }, traceNames: graph.traces.map(traceColumn), edgeCount };
}

/**
 * Writes the five files; network.gexf and network.graphml on a worker thread while this one
 * writes edges.csv and clusters.json when the network's size is within `graphFiles`' bounds
 * (graph-files.ts). Returns when every file is written; an error writing any of them rejects.
 */
export async function writeDetectionOutputs(dir: string, result: DetectionResult, actorIds: readonly string[], clusters: readonly ClusterReport[], fullNetwork = false,
  graphFiles: Partial<GraphFilesOptions> = {}): Promise<number> {
  const { minWorkerEdges, maxWorkerEdges } = { ...GRAPH_FILES_DEFAULTS, ...graphFiles };
  collectGarbage();
  // One export serves all three writers: its edges are re-iterable (a fresh generator each time).
  const network = networkExport(result, actorIds, fullNetwork);
  // Started first, so the worker's two files overlap all three of this thread's.
  const inWorker = network.edgeCount >= minWorkerEdges && network.edgeCount <= maxWorkerEdges;
  // The worker's copy of the edges serves edges.csv too (each pass of the generator walks the whole graph).
  const edgeList = inWorker ? [...network.edges] : null;
  const worker = edgeList === null ? null : startGraphFilesWorker({ dir, nodes: [...network.nodes], edges: edgeList, traceNames: [...network.traceNames] });
  try {
    const rows: AccountRow[] = result.clusters.flatMap((cluster) => cluster.members.map((member, i) => ({
      accountId: actorIds[member] ?? String(member), clusterId: cluster.id, score: Math.round((cluster.memberScores[i] ?? 0) * 10000) / 10000,
    })));
    await writeChunks(join(dir, 'accounts.csv'), accountsCsvChunks(rows));
    await writeChunks(join(dir, 'edges.csv'), edgesCsvChunks(edgeList === null ? network : { edges: edgeList, traceNames: network.traceNames }));
    if (worker === null) await writeGraphFiles(dir, network);
    await writeChunks(join(dir, 'clusters.json'), clustersJsonChunks(clusters));
    await worker?.done;
  } finally {
    worker?.stop();
  }
  return network.edgeCount;
}

/**
 * `JSON.stringify(clusters, null, 2)` and a newline, one cluster at a time: at 10M events the
 * whole text ran to about 200 MB (twice that as a string holding Chinese text).
 */
export function* clustersJsonChunks(clusters: readonly ClusterReport[]): Generator<string> {
  if (clusters.length === 0) {
    yield '[]\n';
    return;
  }
  yield '[\n';
  for (let i = 0; i < clusters.length; i++) {
    // Stringified inside an array of one, the element is indented as in the whole array; '[\n' and
    // '\n]' are cut off. A second pass indenting each line (replaceAll) took 3-4 times as long at 10M.
    yield `${JSON.stringify([clusters[i]], null, 2).slice(2, -2)}${i + 1 < clusters.length ? ',' : ''}\n`;
  }
  yield ']\n';
}
