/**
 * Leiden community detection for modularity (Traag, Waltman & van Eck 2019, "From Louvain to
 * Leiden: guaranteeing well-connected communities", Sci. Rep. 9:5233; after the authors' CWTS
 * networkanalysis and leidenalg implementations), on CSR typed arrays so that graphs of 10^7
 * edges fit in memory O(edges).
 *
 * One iteration: fast local moving (local-moving.ts), refinement into well-connected
 * sub-communities (refine.ts), aggregation of the refined partition with the unrefined one as
 * the aggregate's starting partition (aggregate.ts), repeated level by level until local
 * moving leaves every aggregate node alone. Iterations repeat from the last partition until
 * one changes nothing or `maxIterations` is reached.
 *
 * Memory locality decides the speed at scale (every phase reads per-node arrays at neighbour
 * ids): after the first local moving on the caller's graph, nodes are renumbered community by
 * community on a private copy (permute.ts), aggregate nodes are numbered the same way, and
 * nodes are visited in random order community by community. Results map back to caller ids.
 *
 * As in leidenalg, if refinement merges nothing at some level, that level is aggregated on the
 * unrefined partition (the graph must shrink for the loop to end). Because that fallback, and
 * only it, can join pieces that are not connected, the result is finally cut into connected
 * communities; the cut never lowers modularity, so every community returned is connected.
 *
 * Isolated nodes stay singletons; all phases run on the linked nodes only, with the random
 * draws and visiting order of a run over every node, so results are the same (isolated.ts).
 */
import { badClusterInput } from './bad-input.js';
import { aggregateGraph } from './aggregate.js';
import { splitDisconnected } from './components.js';
import { checkCsr, nodeStrengths } from './csr.js';
import type { CsrGraph } from './csr.js';
import { moveNodesFast } from './local-moving.js';
import { compactGroupedBy, compactLabels, renumberBySize } from './membership.js';
import { modularityOfCompact } from './modularity.js';
import { beforeAggregates, linkedPart, wholeLabelsOfCompact } from './isolated.js';
import type { WholeLabels } from './isolated.js';
import { invertPermutation, orderByCommunity, permuteGraph, permuteValues } from './permute.js';
import { refinePartition } from './refine.js';
import { mulberry32 } from './rng.js';
import type { Rng } from './rng.js';

export interface LeidenOptions {
  /** γ of modularity: above 1 gives more, smaller communities; below 1 fewer, larger ones. */
  resolution: number;
  /** θ of the refinement: how far merges may stray from the greediest, in units of edge weight. */
  randomness: number;
  /**
   * Upper bound on full iterations (Infinity for none); the loop stops earlier when an iteration
   * changes nothing. On 10^7 edges each iteration after the second costs ~6 s and gains ~10^-5
   * modularity: 2 (the leidenalg and igraph default) is the fast choice.
   */
  maxIterations: number;
  /** Seed of the default generator (mulberry32), so results are reproducible. */
  seed: number;
  /** A uniform source in [0, 1) used instead of mulberry32(seed). */
  rng?: Rng;
  /**
   * Run the phases over isolated nodes too (false by default: they are left out with the same
   * result, see isolated.ts); the slow reference the tests compare with.
   */
  visitIsolated?: boolean;
}

export const LEIDEN_DEFAULTS: Readonly<LeidenOptions> = {
  resolution: 1,
  randomness: 0.01,
  maxIterations: 20,
  seed: 1,
};

export interface LeidenResult {
  /** Community of every node, numbered 0..k-1 by decreasing size (ties: smallest node id first). */
  membership: Int32Array;
  communityCount: number;
  /** Modularity (at the requested resolution) of `membership`. */
  quality: number;
  /** Full iterations run, the last of which changed nothing unless maxIterations was reached. */
  iterations: number;
}

/**
 * Finds communities of high modularity, each of them connected. Isolated nodes come out as
 * singletons; a graph without edges gives all singletons and quality 0. The caller's graph is
 * not modified; memory is one renumbered copy of it plus per-level aggregates and per-node
 * arrays (measured: 1M nodes, 10M edges, ~100 s to convergence or ~36 s with maxIterations 2,
 * 826 MB peak RSS including the caller's graph; see bench/cluster.ts).
 * @example
 * const graph = buildCsr(n, source, target, weight);
 * const { membership, communityCount } = leiden(graph, { seed: 7 });
 */
export function leiden(graph: CsrGraph, options: Partial<LeidenOptions> = {}): LeidenResult {
  checkCsr(graph, 'leiden');
  const resolution = options.resolution ?? LEIDEN_DEFAULTS.resolution;
  const randomness = options.randomness ?? LEIDEN_DEFAULTS.randomness;
  const maxIterations = options.maxIterations ?? LEIDEN_DEFAULTS.maxIterations;
  const seed = options.seed ?? LEIDEN_DEFAULTS.seed;
  if (!(resolution >= 0 && resolution < Infinity)) throw badClusterInput('leiden', `resolution must be finite and ≥ 0, got ${resolution}`);
  if (!(randomness > 0 && randomness < Infinity)) throw badClusterInput('leiden', `randomness must be finite and > 0, got ${randomness}`);
  if (!(maxIterations === Infinity || (Number.isInteger(maxIterations) && maxIterations >= 1))) {
    throw badClusterInput('leiden', `maxIterations must be an integer ≥ 1 or Infinity, got ${maxIterations}`);
  }
  const rng = options.rng ?? mulberry32(seed);

  const n = graph.nodeCount;
  const linked = linkedPart(graph, options.visitIsolated === true);
  const strength = nodeStrengths(linked.graph);
  let twoM = 0;
  for (let i = 0; i < strength.length; i++) twoM += strength[i]!;
  if (twoM === 0) return { membership: identity(n), communityCount: n, quality: 0, iterations: 0 };

  const scale = resolution / twoM;
  const { isolated } = linked;
  // Iteration 1 starts with local moving on the caller's graph (its linked part); the nodes are
  // then renumbered community by community (see permute.ts) and everything else runs on that copy.
  const membership = identity(linked.graph.nodeCount);
  moveNodesFast(linked.graph, strength, membership, scale, rng, wholeLabelsOfCompact(membership, membership.length, linked.before, isolated));
  const first = compactLabels(membership);
  const order = orderByCommunity(first.membership, first.communityCount);
  const local = permuteGraph(linked.graph, order, invertPermutation(order));
  const localStrength = permuteValues(strength, order);
  const localMembership = permuteValues(first.membership, order);
  // Nodes numbered community by community, as aggregates are: isolated nodes before each the same way.
  let whole = wholeLabelsOfCompact(first.membership, first.communityCount, linked.before, isolated);
  const localBefore = beforeAggregates(localMembership, whole);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const step = leidenIteration(local, localStrength, localMembership, { whole, before: localBefore }, scale, randomness, rng);
    whole = step.whole;
    if (!step.changed) break;
  }
  const split = splitDisconnected(local, localMembership);
  const quality = modularityOfCompact(local, split.membership, split.communityCount, resolution, localStrength);
  // Isolated nodes are singletons: labels after the linked ones', renumbered by size with them.
  const original = new Int32Array(n).fill(-1);
  for (let p = 0; p < order.length; p++) original[linked.id[order[p]!]!] = split.membership[p]!;
  let single = split.communityCount;
  for (let i = 0; i < n; i++) if (original[i] === -1) original[i] = single++;
  const result = renumberBySize(original);
  return { membership: result.membership, communityCount: result.communityCount, quality, iterations };
}

/** Where a linked level stands in the whole one: its labels' whole values, isolated nodes before each node. */
interface WholeLevel {
  whole: WholeLabels;
  before: Int32Array;
}

/**
 * One Leiden iteration from `membership` (labels in 0..n-1), updated in place; `at` places the
 * graph and the labels in the whole graph. Returns whether any node, at any level, changed
 * community, and the whole labels of the new membership.
 */
function leidenIteration(graph: CsrGraph, strength: Float64Array, membership: Int32Array, at: WholeLevel, scale: number, randomness: number, rng: Rng): { changed: boolean; whole: WholeLabels } {
  const n = graph.nodeCount;
  const toLevel = identity(n); // original node -> its node in the current level's graph
  let level = graph;
  let levelStrength = strength;
  let levelMembership: Int32Array = membership.slice();
  let { whole, before } = at;
  let changed = false;
  for (;;) {
    if (moveNodesFast(level, levelStrength, levelMembership, scale, rng, whole)) changed = true;
    const { membership: community, communityCount } = compactLabels(levelMembership);
    levelMembership = community;
    whole = wholeLabelsOfCompact(community, communityCount, before, whole.isolated);
    if (communityCount === level.nodeCount) break;

    const communityWeight = new Float64Array(communityCount);
    for (let v = 0; v < level.nodeCount; v++) communityWeight[community[v]!] = communityWeight[community[v]!]! + levelStrength[v]!;
    const refinedLabels = refinePartition(level, levelStrength, community, communityWeight, scale, randomness, rng, whole);
    let { membership: refined, communityCount: refinedCount } = compactGroupedBy(refinedLabels, community, communityCount);
    let start: Int32Array; // aggregate node -> its community: the unrefined partition
    if (refinedCount === level.nodeCount) {
      refined = community;
      refinedCount = communityCount;
      start = identity(communityCount);
    } else {
      start = new Int32Array(refinedCount);
      for (let v = 0; v < level.nodeCount; v++) start[refined[v]!] = community[v]!;
    }
    const nextStrength = new Float64Array(refinedCount);
    for (let v = 0; v < level.nodeCount; v++) nextStrength[refined[v]!] = nextStrength[refined[v]!]! + levelStrength[v]!;
    level = aggregateGraph(level, refined, refinedCount);
    levelStrength = nextStrength;
    levelMembership = start; // labels of `community`, so `whole` still holds
    before = beforeAggregates(start, whole);
    for (let i = 0; i < n; i++) toLevel[i] = refined[toLevel[i]!]!;
  }
  for (let i = 0; i < n; i++) membership[i] = levelMembership[toLevel[i]!]!;
  return { changed, whole };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
