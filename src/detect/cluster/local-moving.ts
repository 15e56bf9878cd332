/**
 * Fast local moving, the first phase of each Leiden level (Traag, Waltman & van Eck 2019,
 * "From Louvain to Leiden: guaranteeing well-connected communities", Sci. Rep. 9:5233,
 * Algorithm A.2 MoveNodesFast; after the CWTS networkanalysis reference implementation).
 * Nodes wait in a queue (initially all, in random order); a node moves to the community with
 * the largest modularity gain, an empty community included, and only then are its neighbours
 * outside the new community queued again. Unlike Louvain's sweeps, nodes whose neighbourhood
 * did not change are never revisited.
 */
import type { CsrGraph } from './csr.js';
import type { WholeLabels } from './isolated.js';
import { shuffledByCommunity } from './permute.js';
import type { Rng } from './rng.js';

/**
 * A move must beat staying by more than this fraction of the node's strength k_v: a bound on
 * the rounding error of gains that sum up to ~10^6 terms, each at most k_v. Without it, two
 * options equal in exact arithmetic could each look better from the other side and nodes
 * could cycle forever. Only moves changing modularity by less than 10^-10 · k_v / m are lost.
 */
const MOVE_TOLERANCE = 1e-10;

/**
 * Moves nodes between communities until the queue is empty: no queued node has an improving
 * move. (A node that a non-neighbour's move made worse off is not revisited; full node
 * optimality holds after a Leiden iteration in which nothing moved.)
 * `membership` (labels in 0..n-1) is updated in place. `scale` is γ / 2m, so that the gain of
 * putting node v into community c is proportional to k_v,c − scale · k_v · K_c.
 * Returns whether any node changed community. `whole`: the labels of `membership` in the whole
 * level when `graph` is its linked part (isolated.ts).
 */
export function moveNodesFast(graph: CsrGraph, strength: Float64Array, membership: Int32Array, scale: number, rng: Rng, whole?: WholeLabels): boolean {
  const { nodeCount: n, offsets, targets, weights } = graph;
  const communityWeight = new Float64Array(n);
  const communitySize = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = membership[i]!;
    communityWeight[c] = communityWeight[c]! + strength[i]!;
    communitySize[c]!++;
  }
  // Stack of empty community ids: the "move to a community of its own" option.
  const unused = new Int32Array(n);
  let unusedCount = 0;
  for (let c = n - 1; c >= 0; c--) if (communitySize[c] === 0) unused[unusedCount++] = c;

  // Circular queue over all nodes, initially in random order (kept community by community, for
  // memory locality); inQueue keeps every node in it at most once.
  const queue = shuffledByCommunity(membership, n, rng, whole);
  const inQueue = new Uint8Array(n).fill(1);
  let head = 0;
  let queued = n;

  const linkWeight = new Float64Array(n); // weight from the current node to each community
  const neighbourCommunities = new Int32Array(n);
  let moved = false;

  while (queued > 0) {
    const v = queue[head]!;
    head = head + 1 === n ? 0 : head + 1;
    queued--;
    inQueue[v] = 0;
    const start = offsets[v]!;
    const end = offsets[v + 1]!;
    // A node without edges (strength 0) stays where it is and changes nothing: skipped without
    // touching its community (most nodes of a sparse co-action graph; their reads miss cache).
    if (start === end) continue;

    const current = membership[v]!;
    const kv = strength[v]!;
    communityWeight[current] = communityWeight[current]! - kv;
    if (--communitySize[current]! === 0) {
      communityWeight[current] = 0; // no rounding residue in an empty community
      unused[unusedCount++] = current;
    }

    let found = 0;
    for (let k = start; k < end; k++) {
      const u = targets[k]!;
      if (u === v) continue;
      const c = membership[u]!;
      if (linkWeight[c] === 0) neighbourCommunities[found++] = c;
      linkWeight[c] = linkWeight[c]! + weights[k]!;
    }

    // Staying wins ties; then an empty community (gain 0); then neighbours in queue order.
    let best = current;
    let bestGain = linkWeight[current]! - scale * kv * communityWeight[current]! + MOVE_TOLERANCE * kv;
    if (unusedCount > 0 && bestGain < 0) {
      best = unused[unusedCount - 1]!;
      bestGain = 0;
    }
    for (let f = 0; f < found; f++) {
      const c = neighbourCommunities[f]!;
      const gain = linkWeight[c]! - scale * kv * communityWeight[c]!;
      if (gain > bestGain) {
        best = c;
        bestGain = gain;
      }
      linkWeight[c] = 0;
    }

    communityWeight[best] = communityWeight[best]! + kv;
    if (communitySize[best]!++ === 0) unusedCount--; // best was the empty community on top of the stack
    if (best !== current) {
      membership[v] = best;
      moved = true;
      for (let k = start; k < end; k++) {
        const u = targets[k]!;
        if (inQueue[u] === 0 && membership[u] !== best) {
          inQueue[u] = 1;
          let tail = head + queued;
          if (tail >= n) tail -= n;
          queue[tail] = u;
          queued++;
        }
      }
    }
  }
  return moved;
}
