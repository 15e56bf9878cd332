/**
 * What a worker sends per slice in the incremental design (docs/streaming.md, "Dirty-key partials:
 * built, measured, not kept (session 10)", its last paragraph): not the partition's whole partial
 * over the horizon but what changed in it since the partition's previous slice. Ids are the
 * partition's own (account ids and key ids as the publisher numbered them in the batches), so a
 * delta means something only after every delta of its partition before it.
 *
 * Why these fields suffice: the null model (significantCandidates) reads per trace only each
 * pair's shared keys, each account's activity (distinct keys) and strength (Σ shared over its
 * pairs) and the count of distinct pairs; the (pair, key) memberships give all of them. Fusion
 * reads each kept pair's IDF, shared · ln N − Σ ln n_k over its keys, and its co-actions and Σ
 * delay; N is the count of accounts with activity. So the coordinator keeps the memberships, each
 * key's n_k, and each pair's co-action sums, and needs nothing else from the events.
 */
import type { StreamTrace } from '../extract.js';

/** One trace's changes in one partition over one slice. */
export interface TraceDelta {
  trace: StreamTrace;
  /** Keys whose distinct accounts changed, with their new count (0: the key left the horizon). */
  keyId: Int32Array;
  keyActors: Int32Array;
  /** Accounts whose distinct keys in the trace changed, by how much. */
  activityActor: Int32Array;
  activityChange: Int32Array;
  /** (pair, key) memberships that began (+1) or ended (−1): the pair co-acts on the key at least once now / no more. `a < b`. */
  memberA: Int32Array;
  memberB: Int32Array;
  memberKey: Int32Array;
  memberSign: Int8Array;
  /** Pairs whose co-actions or Σ |Δt| changed, by how much (summed over keys). `a < b`. */
  pairA: Int32Array;
  pairB: Int32Array;
  pairCoActions: Int32Array;
  pairDelay: Float64Array;
}

/** A partition's changes over one slice: the horizon moved to `[upTo − H, upTo)`. */
export interface SliceDelta {
  partition: number;
  /**
   * The slice this delta closes, and the slice of the partition's previous delta (−1: none). A
   * delta applies only on top of the one it follows, so the coordinator can apply a partition's
   * deltas in order, drop a redelivered one and hold one that comes early (slice-sequencer.ts).
   */
  slice: number;
  follows: number;
  upTo: number;
  /** Events of the partition in the horizon now. */
  events: number;
  /** Labels of the partition's account ids from `labelsFrom` on (ids first seen since its previous delta). */
  labelsFrom: number;
  labels: string[];
  /** Accounts that now have an event in the horizon and had none at the previous slice, and the reverse. */
  accountsBegan: Int32Array;
  accountsEnded: Int32Array;
  traces: TraceDelta[];
}
