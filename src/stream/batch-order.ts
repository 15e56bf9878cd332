/**
 * A partition's batches (wire-batch.ts) taken in batch-number order, as every worker takes them:
 * one that comes early is held (a copy: a message's views may not outlive it) until those before
 * it have come, one that comes again is counted as a duplicate and ignored, and the end marker
 * says how many batches there are. Shared by PartitionEvents (bounded and continuous workers) and
 * the incremental half's IncrementalPartition.
 */
import { decodeBatch } from './wire-batch.js';
import type { DecodeOptions, EventBatch } from './wire-batch.js';

export class BatchOrder {
  /** The end marker's batch count (−1: not come yet). */
  expected = -1;
  /** Events of batches taken again (redeliveries), not counted. */
  duplicates = 0;
  readonly #early = new Map<number, EventBatch>();

  /** `next`: the first batch number to apply (a restored worker's position); `decode`: how a held batch is decoded again (as the caller decoded it). */
  constructor(public next = 0, private readonly decode: DecodeOptions = {}) {}

  /** Whether the end marker and every batch before it have been applied. */
  get complete(): boolean {
    return this.expected >= 0 && this.next >= this.expected;
  }

  /**
   * Takes `batch`, decoded from `bytes`: `apply` gets it and then every held batch it lets
   * through, in batch order (`next` already past each when it does). Returns false if that batch
   * was taken before (a redelivery).
   */
  take(batch: EventBatch, bytes: Uint8Array, where: string, apply: (batch: EventBatch) => void): boolean {
    if (batch.end) {
      this.expected = batch.b;
      return true;
    }
    if (batch.b < this.next || this.#early.has(batch.b)) {
      this.duplicates += batch.count;
      return false;
    }
    if (batch.b > this.next) {
      this.#early.set(batch.b, decodeBatch(new Uint8Array(bytes), where, this.decode));
      return true;
    }
    this.next = batch.b + 1;
    apply(batch);
    for (let held = this.#early.get(this.next); held !== undefined; held = this.#early.get(this.next)) {
      this.#early.delete(held.b);
      this.next = held.b + 1;
      apply(held);
    }
    return true;
  }
}
