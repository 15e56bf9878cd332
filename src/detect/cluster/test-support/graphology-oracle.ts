// graphology-communities-louvain as a test oracle only (it is a dev dependency): the same
// graph in graphology form, and Louvain's partition and modularity on it.
import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import type louvainModule from 'graphology-communities-louvain';
import type { Rng } from '../rng.js';
import type { EdgeList } from './graphs.js';

// The package is CommonJS (`module.exports = louvain`) with ESM-style typings, which NodeNext
// resolves to the module namespace; require gives the function its typings describe.
const louvain = createRequire(import.meta.url)('graphology-communities-louvain') as typeof louvainModule.default;

/** Louvain on a simple graph (parallel edges summed, no self-loops), with membership as an Int32Array. */
export function louvainOracle(edges: EdgeList, rng: Rng, resolution = 1): { membership: Int32Array; modularity: number } {
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  for (let i = 0; i < edges.nodeCount; i++) graph.addNode(String(i));
  for (let e = 0; e < edges.source.length; e++) {
    const a = String(edges.source[e]);
    const b = String(edges.target[e]);
    if (a === b) throw new Error('louvainOracle: self-loops are not compared');
    graph.updateEdge(a, b, (attributes: { weight?: number }) => ({ weight: (attributes.weight ?? 0) + edges.weight[e]! }));
  }
  const result = louvain.detailed(graph, { getEdgeWeight: 'weight', resolution, rng });
  const membership = new Int32Array(edges.nodeCount);
  for (let i = 0; i < edges.nodeCount; i++) membership[i] = result.communities[String(i)]!;
  return { membership, modularity: result.modularity };
}
