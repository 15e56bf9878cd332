/**
 * Refinement, the phase that makes Leiden communities well connected (Traag, Waltman &
 * van Eck 2019, Algorithm A.2 RefinePartition / MergeNodesSubset; after the CWTS
 * networkanalysis LocalMergingAlgorithm). Within each community S of the partition from local
 * moving, every node starts alone; visiting nodes in random order, a node that is still alone
 * and well connected to S (E(v, S − v) ≥ γ/2m · k_v · (K_S − k_v)) joins a neighbouring
 * well-connected sub-community C ⊆ S chosen at random with Pr ∝ exp(ΔH / θ) among moves with
 * ΔH ≥ 0 (staying alone has ΔH = 0). Every sub-community is therefore grown along edges and
 * is connected; aggregation then works on these sub-communities.
 */
import type { CsrGraph } from './csr.js';
import type { WholeLabels } from './isolated.js';
import { shuffledByCommunity } from './permute.js';
import type { Rng } from './rng.js';

/**
 * Returns refined labels (in 0..n-1, not compact): each node's sub-community within its
 * community of `membership`. `communityWeight[c]` must be the total strength of community c.
 * `randomness` is θ, in units of edge weight as in the reference implementation. `whole`: the
 * labels of `membership` in the whole level when `graph` is its linked part (isolated.ts).
 */
export function refinePartition(
  graph: CsrGraph,
  strength: Float64Array,
  membership: Int32Array,
  communityWeight: Float64Array,
  scale: number,
  randomness: number,
  rng: Rng,
  whole?: WholeLabels,
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
  const order = shuffledByCommunity(membership, communityWeight.length, rng, whole);

  for (let o = 0; o < n; o++) {
    const v = order[o]!;
    // A node without edges has strength 0 and no candidates: it stays alone, nothing changes.
    if (offsets[v] === offsets[v + 1]) continue;
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

/**
 * Draws among staying alone (gain 0, returned as −1) and the eligible candidates (their index)
 * with Pr ∝ exp(gain / θ), shifted by the best gain so that large gains cannot overflow.
 * Overwrites `gains`.
 */
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
