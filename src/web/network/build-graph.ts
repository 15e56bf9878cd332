/** Turns a cluster's members and edges into a graphology graph with sigma's display attributes. */
import { UndirectedGraph } from 'graphology';
import type { ClusterDetail } from '../api-types.js';
import { mulberry32 } from '../../model/rng.js';
import { dominantTrace, traceColor } from '../trace-colors.js';

export interface NodeAttrs { x: number; y: number; size: number; color: string; label: string; actions: number; degree: number }
export interface EdgeAttrs { size: number; color: string; weight: number; trace: string; traces: Record<string, number> }
export type ClusterGraph = UndirectedGraph<NodeAttrs, EdgeAttrs>;

export const BUILD_GRAPH_DEFAULTS = { nodeColor: '#3d5a80', minSize: 2.5, maxSize: 14, seed: 2019 };


/**
 * Nodes are sized by activity (square root of actions, so one loud account does not hide the rest); edges are
 * coloured by the trace that carries most of their weight. Edges to accounts outside the member list are ignored.
 */
export function buildClusterGraph(cluster: Pick<ClusterDetail, 'members' | 'edges'>, options: Partial<typeof BUILD_GRAPH_DEFAULTS> = {}): ClusterGraph {
  const { nodeColor, minSize, maxSize, seed } = { ...BUILD_GRAPH_DEFAULTS, ...options };
  const graph: ClusterGraph = new UndirectedGraph<NodeAttrs, EdgeAttrs>();
  // Seeded, so the same cluster starts its layout from the same places.
  const random = mulberry32(seed);
  const maxActions = cluster.members.reduce((max, member) => Math.max(max, member.actions), 1);
  // Large networks get smaller dots so that they stay readable.
  const scale = Math.min(1, Math.max(0.3, Math.sqrt(500 / Math.max(cluster.members.length, 1))));
  const radius = Math.sqrt(cluster.members.length) * 10;
  for (const member of cluster.members) {
    if (graph.hasNode(member.accountId)) continue;
    const angle = random() * 2 * Math.PI;
    const distance = Math.sqrt(random()) * radius;
    graph.addNode(member.accountId, {
      x: Math.cos(angle) * distance,
      y: Math.sin(angle) * distance,
      size: scale * (minSize + (maxSize - minSize) * Math.sqrt(member.actions / maxActions)),
      color: nodeColor,
      label: member.handle ?? member.accountId,
      actions: member.actions,
      degree: member.degree,
    });
  }
  const maxWeight = cluster.edges.reduce((max, edge) => Math.max(max, edge.weight), 1e-9);
  for (const edge of cluster.edges) {
    if (edge.source === edge.target || !graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
    if (graph.hasEdge(edge.source, edge.target)) continue;
    const trace = dominantTrace(edge.traces) ?? 'unknown';
    graph.addEdge(edge.source, edge.target, {
      size: 0.5 + 2.5 * (edge.weight / maxWeight),
      color: traceColor(trace),
      weight: edge.weight,
      trace,
      traces: edge.traces,
    });
  }
  return graph;
}
