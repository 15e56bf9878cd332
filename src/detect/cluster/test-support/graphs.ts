// Small generated graphs and slow obvious references for the clustering tests.
import { buildCsr } from '../csr.js';
import type { CsrGraph } from '../csr.js';
import type { Rng } from '../rng.js';

/** An edge list, the form users hand to buildCsr. */
export interface EdgeList {
  nodeCount: number;
  source: number[];
  target: number[];
  weight: number[];
}

export function toCsr(edges: EdgeList): CsrGraph {
  return buildCsr(edges.nodeCount, Int32Array.from(edges.source), Int32Array.from(edges.target), Float64Array.from(edges.weight));
}

export function edgeList(nodeCount: number, pairs: ReadonlyArray<readonly [number, number, number?]>): EdgeList {
  return { nodeCount, source: pairs.map((p) => p[0]), target: pairs.map((p) => p[1]), weight: pairs.map((p) => p[2] ?? 1) };
}

/**
 * A planted-partition stochastic block model: `groups` groups of `size` nodes; each pair is
 * joined with probability pIn inside a group and pOut across. Node ids are shuffled so that
 * groups are not contiguous ranges. Returns the edges and the true group of every node.
 */
export function plantedPartition(groups: number, size: number, pIn: number, pOut: number, rng: Rng): { edges: EdgeList; truth: Int32Array } {
  const n = groups * size;
  const ids = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) truth[ids[i]!] = Math.floor(i / size);
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const p = truth[a] === truth[b] ? pIn : pOut;
      if (rng() < p) pairs.push([a, b]);
    }
  }
  return { edges: edgeList(n, pairs), truth };
}

/** An Erdős–Rényi-like multigraph: `m` random pairs (repeats and self-loops possible). */
export function randomEdges(n: number, m: number, rng: Rng, maxWeight = 1): EdgeList {
  const pairs: Array<[number, number, number]> = [];
  for (let e = 0; e < m; e++) {
    const w = maxWeight === 1 ? 1 : 1 + Math.floor(rng() * maxWeight);
    pairs.push([Math.floor(rng() * n), Math.floor(rng() * n), w]);
  }
  return edgeList(n, pairs);
}

/**
 * Modularity straight from the edge list, networkx's way: Q = Σ_c L_c/m − γ (d_c / 2m)², with
 * L_c the weight of edges inside c (a self-loop counts once) and d_c the degree sum (a
 * self-loop counts twice). Shares no code with the CSR implementation.
 */
export function referenceModularity(edges: EdgeList, membership: ArrayLike<number>, resolution = 1): number {
  let m = 0;
  const inside = new Map<number, number>();
  const degree = new Map<number, number>();
  for (let e = 0; e < edges.source.length; e++) {
    const a = edges.source[e]!;
    const b = edges.target[e]!;
    const w = edges.weight[e]!;
    m += w;
    const ca = membership[a]!;
    const cb = membership[b]!;
    degree.set(ca, (degree.get(ca) ?? 0) + w);
    degree.set(cb, (degree.get(cb) ?? 0) + w);
    if (ca === cb) inside.set(ca, (inside.get(ca) ?? 0) + w);
  }
  if (m === 0) return 0;
  let q = 0;
  for (const [c, d] of degree) q += (inside.get(c) ?? 0) / m - resolution * (d / (2 * m)) ** 2;
  return q;
}

/** Whether the nodes of every community induce a connected subgraph (union–find on the edge list). */
export function communitiesAreConnected(edges: EdgeList, membership: ArrayLike<number>): boolean {
  const parent = Array.from({ length: edges.nodeCount }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (let e = 0; e < edges.source.length; e++) {
    const a = edges.source[e]!;
    const b = edges.target[e]!;
    if (membership[a] === membership[b]) parent[find(a)] = find(b);
  }
  const rootOf = new Map<number, number>();
  for (let i = 0; i < edges.nodeCount; i++) {
    const root = find(i);
    const seen = rootOf.get(membership[i]!);
    if (seen === undefined) rootOf.set(membership[i]!, root);
    else if (seen !== root) return false;
  }
  return true;
}

/** Connected components by union–find, as a canonical form: the sorted list of sorted node sets. */
export function referenceComponents(edges: EdgeList): number[][] {
  const parent = Array.from({ length: edges.nodeCount }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (let e = 0; e < edges.source.length; e++) parent[find(edges.source[e]!)] = find(edges.target[e]!);
  return groupsOf(Array.from({ length: edges.nodeCount }, (_, i) => find(i)));
}

/** A partition as the sorted list of its sorted node sets, to compare partitions whatever their labels. */
export function groupsOf(membership: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < membership.length; i++) {
    const list = groups.get(membership[i]!) ?? [];
    list.push(i);
    groups.set(membership[i]!, list);
  }
  return [...groups.values()].sort((a, b) => a[0]! - b[0]!);
}
