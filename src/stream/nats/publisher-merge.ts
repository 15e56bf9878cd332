/**
 * Several publishers per job. A firehose too wide for one front end is split across publishers,
 * each on a disjoint share of the input, each with its own partitioner: it numbers its batches
 * per partition from 0 and numbers accounts and keys per partition on its own. A worker joins
 * them here, per partition, into the one numbered stream a PartitionWork takes (distributed.ts):
 * a publisher's batches are taken in its own batch order (an early one is held, a repeated one is
 * counted and dropped, as PartitionWork does for one publisher), its ids are mapped onto the
 * partition's merged ids by label, and each becomes a merged batch numbered 0, 1, 2… The merged
 * end marker comes once every publisher's end marker and every batch before it are in. A batch that
 * says the job's publisher count (`stream-publish --threads`) raises the count to it, so every
 * message of such a job, the first one taken included, tells the merge how many to wait for.
 *
 * The merge is pure (no I/O) and costs one column copy per batch and one Map look-up per label
 * (each label once per publisher and partition), not per event.
 */
import { LockstepError } from '../../model/index.js';
import { STREAM_TRACES } from '../extract.js';
import type { StreamTrace } from '../extract.js';
import { grownI32 } from '../int-table.js';
import { decodeBatch, encodeBatch, encodeEnd } from '../wire-batch.js';
import type { EventBatch } from '../wire-batch.js';

class PublisherState {
  /** The next batch number to take, the end marker's count (-1: not yet), batches that came early. */
  next = 0;
  expected = -1;
  readonly early = new Map<number, EventBatch>();
  /** This publisher's account and key ids → merged ids. */
  actor = new Int32Array(256);
  actors = 0;
  key = new Int32Array(256);
  keys = 0;
}

/**
 * Joins the batches of `publishers` publishers of one partition into one numbered batch stream.
 * @example
 * const merge = new PublisherMerge(3, 2);
 * for (const message of messages) for (const bytes of merge.add(message)) work.add(bytes);
 * merge.complete // every publisher's end marker and batches taken (the merged end marker was given)
 */
export class PublisherMerge {
  readonly #states: PublisherState[];
  readonly #actorIds = new Map<string, number>();
  /** Per STREAM_TRACES index: key label → merged key id. */
  readonly #keyIds = STREAM_TRACES.map(() => new Map<string, number>());
  #keys = 0;
  #b = 0;
  #ended = false;
  /** Events of batches that came again (a redelivery), not passed on. */
  duplicates = 0;

  constructor(readonly partition: number, publishers: number) {
    if (!Number.isInteger(publishers) || publishers < 1 || publishers > 2 ** 16) throw new RangeError(`publishers must be a whole number from 1 to 65536, got ${publishers}`);
    this.#states = Array.from({ length: publishers }, () => new PublisherState());
  }

  /** The publishers it waits for: the count it was made with, or more if a batch said so. */
  get publishers(): number {
    return this.#states.length;
  }

  /** Whether every publisher's end marker and every batch before it have been passed on. */
  get complete(): boolean {
    return this.#ended;
  }

  /**
   * Takes one message of the partition from any publisher; returns the merged batches (and, last,
   * the merged end marker) it releases, in order: none when it came early or again.
   * A message from a publisher beyond `publishers` is a LockstepError naming `where`.
   */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): Uint8Array[] {
    const batch = decodeBatch(bytes, where);
    const publisher = batch.publisher ?? 0;
    if (batch.publishers !== undefined) {
      if (publisher >= batch.publishers) throw new LockstepError('detect/bad-input', `${where}: a batch from publisher ${publisher} of ${batch.publishers}`);
      while (this.#states.length < batch.publishers) this.#states.push(new PublisherState());
    }
    const state = this.#states[publisher];
    if (state === undefined) throw new LockstepError('detect/bad-input', `${where}: a batch from publisher ${publisher}, but the job has ${this.publishers} publisher(s) (stream-worker --publishers)`);
    const out: Uint8Array[] = [];
    if (batch.end) {
      if (state.expected < 0) state.expected = batch.b;
    } else if (batch.b < state.next || state.early.has(batch.b)) {
      this.duplicates += batch.count;
      return out;
    } else if (batch.b > state.next) {
      // Views into a message's buffer: keep a copy of its own.
      state.early.set(batch.b, decodeBatch(new Uint8Array(bytes), where));
      return out;
    } else {
      out.push(this.#translate(state, batch, where));
      for (let next = state.early.get(state.next); next !== undefined; next = state.early.get(state.next)) {
        state.early.delete(next.b);
        out.push(this.#translate(state, next, where));
      }
    }
    if (!this.#ended && this.#states.every((s) => s.expected >= 0 && s.next >= s.expected)) {
      this.#ended = true;
      out.push(encodeEnd(this.#b));
    }
    return out;
  }

  /** One publisher's batch in merged ids, as the next merged batch. */
  #translate(state: PublisherState, batch: EventBatch, where: string): Uint8Array {
    state.next = batch.b + 1;
    const newActors: string[] = [];
    for (const label of batch.newActors) {
      let id = this.#actorIds.get(label);
      if (id === undefined) {
        id = this.#actorIds.size;
        this.#actorIds.set(label, id);
        newActors.push(label);
      }
      state.actor = grownI32(state.actor, state.actors + 1);
      state.actor[state.actors++] = id;
    }
    const newKeys: string[] = [];
    const newKeyTraces: StreamTrace[] = [];
    for (let i = 0; i < batch.newKeys.length; i++) {
      const label = batch.newKeys[i]!, trace = batch.newKeyTraces[i]!;
      const ids = this.#keyIds[STREAM_TRACES.indexOf(trace)]!;
      let id = ids.get(label);
      if (id === undefined) {
        id = this.#keys++;
        ids.set(label, id);
        newKeys.push(label);
        newKeyTraces.push(trace);
      }
      state.key = grownI32(state.key, state.keys + 1);
      state.key[state.keys++] = id;
    }
    const n = batch.count;
    const actor = new Int32Array(n), key = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = batch.actor[i]!, k = batch.key[i]!;
      if (!(a >= 0 && a < state.actors && k >= -1 && k < state.keys)) {
        throw new LockstepError('detect/bad-input', `${where}: publisher ${batch.publisher ?? 0}, batch ${batch.b}: event ${i} names account ${a} or key ${k} not sent yet`);
      }
      actor[i] = state.actor[a]!;
      key[i] = k < 0 ? -1 : state.key[k]!;
    }
    return encodeBatch({ b: this.#b++, end: false, newActors, newKeys, newKeyTraces, count: n, actor, key, time: batch.time });
  }
}
