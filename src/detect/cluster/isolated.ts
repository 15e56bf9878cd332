/**
 * Leiden on the linked nodes only, with exactly the random draws and visiting order of a run
 * over every node. A co-action graph is mostly isolated nodes (10M CooRTweet rows: 490k of 500k
 * accounts), and each Leiden phase costs a few passes over all of them although they stay
 * singletons. They cannot simply be dropped: the random orders are permutations of every label
 * of a level (isolated ones included), so dropping them changes which linked node comes first,
 * and results with it (session 9 saw a 61-account crowd flagged at scale 100).
 *
 * Why the linked run can match the whole run: an isolated node has no neighbour, so it is
 * never moved, never joined and never a candidate; it stays a singleton community, one node of
 * every aggregate graph, with a label of its own. Every renumbering (first appearance, grouped
 * by community) keeps the linked nodes in the same relative order, with the isolated ones
 * interleaved. So a linked level can stand for the whole level given, per linked node, how
 * many isolated nodes come before it (`before`), and per label, the label it has in the whole
 * level: the random permutation is then drawn over every label of the whole level (the same
 * draws) and read at the linked labels' whole values. Isolated nodes' singleton blocks draw
 * nothing more, and their visits change nothing; empty labels, the only other labels, sit after
 * all used ones in both runs, so "move to an empty community" picks corresponding labels.
 */
import type { CsrGraph } from './csr.js';

/** Labels of a linked level as the whole level numbers them. */
export interface WholeLabels {
  /** Per label of the linked level, its label in the whole level. */
  readonly label: Int32Array;
  /** Isolated nodes (each its own community in the whole level, never in the linked one). */
  readonly isolated: number;
}

/** The graph of the nodes with an entry (or that are one), and where the other nodes were. */
export interface LinkedPart {
  /** The linked nodes, renumbered in ascending order; the caller's graph when none is isolated. */
  readonly graph: CsrGraph;
  /** Per linked node, its id in the caller's graph. */
  readonly id: Int32Array;
  /** Per linked node, how many isolated nodes have a smaller id. */
  readonly before: Int32Array;
  readonly isolated: number;
}

/**
 * The linked part of `graph`: nodes with a row entry or that some row names. With `keepAll`,
 * every node counts as linked (the whole run, for comparison).
 */
export function linkedPart(graph: CsrGraph, keepAll = false): LinkedPart {
  const { nodeCount: n, offsets, targets, weights } = graph;
  const local = new Int32Array(n).fill(-1);
  if (keepAll) local.fill(0);
  for (let i = 0; i < n; i++) if (offsets[i] !== offsets[i + 1]) local[i] = 0;
  for (let k = 0; k < targets.length; k++) local[targets[k]!] = 0;
  let linked = 0;
  for (let i = 0; i < n; i++) if (local[i] === 0) local[i] = linked++;
  const id = new Int32Array(linked);
  const before = new Int32Array(linked);
  for (let i = 0; i < n; i++) {
    const at = local[i]!;
    if (at < 0) continue;
    id[at] = i;
    before[at] = i - at;
  }
  if (linked === n) return { graph, id, before, isolated: 0 };
  const linkedOffsets = new Int32Array(linked + 1);
  for (let at = 0; at < linked; at++) linkedOffsets[at + 1] = linkedOffsets[at]! + offsets[id[at]! + 1]! - offsets[id[at]!]!;
  // Entries keep their order within a row: neighbours are visited in the same order.
  const linkedTargets = new Int32Array(targets.length);
  for (let k = 0; k < targets.length; k++) linkedTargets[k] = local[targets[k]!]!;
  return { graph: { nodeCount: linked, offsets: linkedOffsets, targets: linkedTargets, weights }, id, before, isolated: n - linked };
}

/**
 * Whole labels of `labels`, compact (0..count-1) and numbered by first appearance in node
 * order, as the whole level numbers them: label l, first seen at node i, has the l linked labels
 * and the `before[i]` isolated ones first seen before it.
 */
export function wholeLabelsOfCompact(labels: Int32Array, count: number, before: Int32Array, isolated: number): WholeLabels {
  const label = new Int32Array(count).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (label[l]! < 0) label[l] = l + before[i]!;
  }
  return { label, isolated };
}

/**
 * Per node of the next level (aggregate node r, community `start[r]`), the isolated nodes before
 * it: those of the whole level whose labels come before its community's (aggregates are numbered
 * community by community, an isolated node is a community).
 */
export function beforeAggregates(start: Int32Array, whole: WholeLabels): Int32Array {
  const before = new Int32Array(start.length);
  for (let r = 0; r < start.length; r++) before[r] = whole.label[start[r]!]! - start[r]!;
  return before;
}
