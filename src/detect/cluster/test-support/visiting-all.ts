// The local moving and refinement phases as they were before nodes without edges were skipped
// (they visited every node): references the faster phases must equal exactly, RNG draws included.
import type { CsrGraph } from '../csr.js';
import { shuffledByCommunity } from '../permute.js';
import type { Rng } from '../rng.js';

const MOVE_TOLERANCE = 1e-10;

/** moveNodesFast visiting every node, nodes without edges included. */
export function moveNodesVisitingAll(graph: CsrGraph, strength: Float64Array, membership: Int32Array, scale: number, rng: Rng): boolean {
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
  const queue = shuffledByCommunity(membership, n, rng);
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

    const current = membership[v]!;
    const kv = strength[v]!;
    communityWeight[current] = communityWeight[current]! - kv;
    if (--communitySize[current]! === 0) {
      communityWeight[current] = 0; // no rounding residue in an empty community
      unused[unusedCount++] = current;
    }

    let found = 0;
    const start = offsets[v]!;
    const end = offsets[v + 1]!;
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

/** refinePartition visiting every node, nodes without edges included. */
export function refineVisitingAll(
  graph: CsrGraph,
  strength: Float64Array,
  membership: Int32Array,
  communityWeight: Float64Array,
  scale: number,
  randomness: number,
  rng: Rng,
): Int32Array {
  const { nodeCount: n, offsets, targets, weights } = graph;
  const refined = new Int32Array(n);
  const subWeight = new Float64Array(n); // total strength of each sub-community
  const subExternal = new Float64Array(n); // weight from each sub-community to the rest of its community
  for (let i = 0; i < n; i++) {
    refined[i] = i;
    subWeight[i] = strength[i]!;
    const c = membership[i]!;
    let inside = 0;
    for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
      const u = targets[k]!;
      if (u !== i && membership[u] === c) inside += weights[k]!;
    }
    subExternal[i] = inside;
  }
  const grown = new Uint8Array(n); // sub-community i has received another node: i is no longer alone
  const linkWeight = new Float64Array(n);
  const candidates = new Int32Array(n);
  const links = new Float64Array(n); // weight from v to each eligible candidate
  const gains = new Float64Array(n);
  const order = shuffledByCommunity(membership, communityWeight.length, rng);

  for (let o = 0; o < n; o++) {
    const v = order[o]!;
    const community = membership[v]!;
    const totalWeight = communityWeight[community]!;
    const kv = strength[v]!;
    if (grown[v] === 1 || refined[v] !== v) continue;
    const inside = subExternal[v]!; // v is alone, so this is E(v, S − v)
    if (inside < scale * kv * (totalWeight - kv)) continue;

    // v leaves its singleton; going back to it is the gain-0 option.
    subWeight[v] = 0;
    subExternal[v] = 0;
    let found = 0;
    for (let k = offsets[v]!, end = offsets[v + 1]!; k < end; k++) {
      const u = targets[k]!;
      if (u === v || membership[u] !== community) continue;
      const s = refined[u]!;
      if (linkWeight[s] === 0) candidates[found++] = s;
      linkWeight[s] = linkWeight[s]! + weights[k]!;
    }
    let bestGain = 0;
    let eligible = 0;
    for (let f = 0; f < found; f++) {
      const s = candidates[f]!;
      const w = subWeight[s]!;
      const link = linkWeight[s]!;
      const gain = link - scale * kv * w;
      linkWeight[s] = 0;
      if (gain < 0 || subExternal[s]! < scale * w * (totalWeight - w)) continue;
      candidates[eligible] = s;
      links[eligible] = link;
      gains[eligible++] = gain;
      if (gain > bestGain) bestGain = gain;
    }
    const pick = eligible === 0 ? -1 : sample(gains, eligible, bestGain, randomness, rng);
    const chosen = pick < 0 ? v : candidates[pick]!;
    const link = pick < 0 ? 0 : links[pick]!;

    subWeight[chosen] = subWeight[chosen]! + kv;
    // v's edges into the chosen sub-community become internal; its other edges inside S external.
    subExternal[chosen] = subExternal[chosen]! + inside - 2 * link;
    if (chosen !== v) {
      refined[v] = chosen;
      grown[chosen] = 1;
    }
  }
  return refined;
}

function sample(gains: Float64Array, count: number, bestGain: number, randomness: number, rng: Rng): number {
  const stay = Math.exp(-bestGain / randomness);
  let total = stay;
  for (let f = 0; f < count; f++) {
    const mass = Math.exp((gains[f]! - bestGain) / randomness);
    gains[f] = mass;
    total += mass;
  }
  let r = rng() * total - stay;
  if (r < 0) return -1;
  for (let f = 0; f < count; f++) {
    r -= gains[f]!;
    if (r < 0) return f;
  }
  return count - 1; // rounding left r ≥ 0 after the last candidate
}
