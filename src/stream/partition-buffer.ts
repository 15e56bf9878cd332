/** A partition's batch being filled, and its partition-local ids (the partitioner's, partitioner.ts). */
import type { StreamTrace } from './extract.js';
import { LabelBytes } from './label-bytes.js';

export class PartitionBuffer {
  b = 0;
  count = 0;
  readonly actor: Int32Array;
  readonly key: Int32Array;
  readonly time: Float64Array;
  /** Global ids of the accounts first used here in this batch (their labels: actorBytes). */
  newActorIds: number[] = [];
  newKeys: string[] = [];
  newKeyTraces: StreamTrace[] = [];
  /** The new accounts' and newKeys' labels as UTF-8 (encodeByteLabelled front-codes them). */
  readonly actorBytes = new LabelBytes();
  readonly keyBytes = new LabelBytes();
  /** UTF-16 units of the new accounts' and keys' labels. */
  labelChars = 0;
  /** Global account id → this partition's id + 1 (0: not yet used here). */
  local = new Int32Array(1024);
  actors = 0;
  keys = 0;
  /**
   * With a retention (forgetActorsBefore): per partition-local account id, the latest time it was
   * used here and its global id (-1: freed); the freed ids, which new accounts take again, the
   * last freed first (a worker frees and takes them in the same order: WindowedPartition).
   */
  actorLastUse = new Float64Array(0);
  actorGlobal = new Int32Array(0);
  readonly freeActors: number[] = [];

  constructor(batchSize: number) {
    this.actor = new Int32Array(batchSize);
    this.key = new Int32Array(batchSize);
    this.time = new Float64Array(batchSize);
  }
}
