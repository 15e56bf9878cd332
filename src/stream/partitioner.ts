/**
 * The front end of scale-out: actions become trace events, partitioned by (trace, key) so every
 * event on one object meets in one worker, and packed into binary batches (wire-batch.ts).
 * Accounts and keys are interned once here; each partition numbers its own accounts and keys
 * densely and sends a label the first time the partition uses it, so a worker's per-event work is
 * three integers and a time, with no string and no object per event.
 *
 * Duplicates are dropped here, once per action (the same account, time and id, as in stream mode;
 * SeenIds, seen-ids.ts); a redelivered batch is dropped by the worker by its number. A partition's
 * batches must therefore be numbered by one partitioner per job: a restarted publisher starts the
 * job again, and the message ids (job, partition, batch) make the stream store each batch once.
 */
import type { Action } from '../model/index.js';
import { DEFAULT_STREAM_TRACES, STREAM_TRACES, visitTraceEvents } from './extract.js';
import type { StreamTrace, TraceEventVisitor } from './extract.js';
import { ExpiringInterner } from './interner.js';
import { grownF64, grownI32 } from './int-table.js';
import { encodeByteLabelled, encodeEnd } from './wire-batch.js';
import { SeenIds } from './seen-ids.js';
import { PartitionBuffer } from './partition-buffer.js';

export { idHashFrom, SeenIds } from './seen-ids.js';

/** Joins an account's platform and id in its label. */
const ACTOR_SEPARATOR = '\u0000';

/** FNV-1a 32-bit: stable across processes and machines. */
function hash(text: string): number {
  return hashOn(0x811c9dc5, text) >>> 0;
}

/** FNV-1a continued over `text` from `h`. */
function hashOn(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The two id hashes of SeenIds, continued over `units` (char codes or bytes: an ASCII id hashes
 * the same either way), from `h` = [h1, h2] (start: ID_HASH_START).
 */
export function idHashes(units: ArrayLike<number>, start: number, end: number, h: Int32Array): void {
  let h1 = h[0]!, h2 = h[1]!;
  for (let i = start; i < end; i++) {
    const c = units[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  h[0] = h1;
  h[1] = h2;
}

/** SeenIds' hash seeds. */
export const ID_HASH_START: readonly [number, number] = [0x811c9dc5 | 0, 0x2f6b1a73];

/** The partition of a (trace, key). */
export function partitionOf(trace: string, key: string, partitions: number): number {
  // hash(`${trace}\u0000${key}`), without making that string (a new key's, ~1.2 an event at a firehose's cardinality).
  return (hashOn(Math.imul(hashOn(0x811c9dc5, trace), 0x01000193), key) >>> 0) % partitions;
}

export interface PartitionerOptions {
  partitions: number;
  traces: readonly StreamTrace[];
  /** Events per batch (at most 2^20). */
  batchSize: number;
  /**
   * A batch also leaves once the labels it carries reach this many UTF-16 units (long URLs seen
   * for the first time), so a message stays well under NATS's 1 MB max_payload.
   */
  maxLabelChars: number;
  /**
   * This publisher's index when several publish one job, each a disjoint share of the input (a
   * worker joins them: nats/publisher-merge.ts). Batch numbers and ids are per publisher.
   */
  publisher: number;
  /**
   * The job's publisher count, when this publisher knows it (stream-publish --threads): above 1,
   * every batch says it, so a worker waits for all of them unasked. 1: not said (one publisher, or
   * separate `--publisher i` processes whose workers take --publishers).
   */
  publishers: number;
  /**
   * How far behind the latest action's time the duplicate check remembers actions (ms; SeenIds'
   * retention): a continuous job's horizon (SliceCutter drops older actions as late). Infinity
   * (default): every action of the job, as a bounded job needs.
   */
  seenRetentionMs: number;
}

/**
 * 2,000 events a message (about 70 KB): NATS's CPU goes by messages more than by bytes, and 2,000
 * cost the servers about half of what 500 did per event (bench/stream.mjs nats; docs/streaming.md).
 */
export const PARTITIONER_DEFAULTS: Readonly<PartitionerOptions> = Object.freeze({ partitions: 16, traces: DEFAULT_STREAM_TRACES, batchSize: 2_000, maxLabelChars: 160_000, publisher: 0, publishers: 1, seenRetentionMs: Infinity });

/** One encoded batch for one partition. */
export interface OutBatch {
  partition: number;
  /** Batch number within the partition (an end marker: the batches before it). */
  b: number;
  /** An end marker (no events; the partition's last message). */
  end: boolean;
  /** The publisher that numbered it (PartitionerOptions.publisher). */
  publisher: number;
  bytes: Uint8Array;
}

/**
 * Partitions and batches actions for a job's workers.
 * @example
 * const partitioner = new Partitioner({ partitions: 8 });
 * const out: OutBatch[] = [];
 * for (const action of actions) partitioner.push(action, out);
 * partitioner.finish(out); // the last batches and each partition's end marker
 */
export class Partitioner {
  readonly options: PartitionerOptions;
  readonly #actors = new ExpiringInterner(ACTOR_SEPARATOR);
  /**
   * Per trace (STREAM_TRACES index): key interner, and per key its partition + 1 (0: new) and
   * partition-local id side by side (one cache line a lookup, not two).
   */
  readonly #keys = STREAM_TRACES.map(() => new ExpiringInterner());
  readonly #keyPlace = STREAM_TRACES.map(() => new Int32Array(2048));
  /** Global account id → partition + 1 of its actions without trace events. */
  #actorPartition = new Int32Array(1024);
  readonly #traceIndex = new Map<StreamTrace, number>(STREAM_TRACES.map((trace, index) => [trace, index]));
  readonly #seen: SeenIds;
  /** Whether accounts' last use per partition is kept (a retention: forgetActorsBefore). */
  readonly #tracksUse: boolean;
  readonly #parts: PartitionBuffer[];
  /** The publisher count every batch says (undefined: not said). */
  readonly #publishers: number | undefined;
  #out: OutBatch[] = [];
  #actor = 0;
  #time = 0;
  #events = 0;
  readonly #visit: TraceEventVisitor = (trace, scope, raw) => {
    this.#events++;
    const t = this.#traceIndex.get(trace)!;
    // The action's time marks the key as seen then (forgetKeysBefore).
    this.#event(t, this.#keys[t]!.internIn(scope, raw, this.#time));
  };
  /** Actions taken, events sent, duplicates dropped. */
  actions = 0;
  events = 0;
  duplicates = 0;

  constructor(options?: Partial<PartitionerOptions>) {
    this.options = { ...PARTITIONER_DEFAULTS, ...options };
    const { partitions, batchSize } = this.options;
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a whole number >= 1, got ${partitions}`);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 2 ** 20) throw new RangeError(`batchSize must be a whole number from 1 to 2^20, got ${batchSize}`);
    if (!Number.isInteger(this.options.publisher) || this.options.publisher < 0 || this.options.publisher >= 2 ** 16) throw new RangeError(`publisher must be a whole number from 0 to 65535, got ${this.options.publisher}`);
    const { publisher, publishers } = this.options;
    if (!Number.isInteger(publishers) || publishers < 1 || publishers >= 2 ** 16 || (publishers > 1 && publisher >= publishers)) throw new RangeError(`publishers must be a whole number from 1 to 65535 and above publisher ${publisher}, got ${publishers}`);
    this.#publishers = publishers > 1 ? publishers : undefined;
    if (!(this.options.maxLabelChars >= 1)) throw new RangeError(`maxLabelChars must be at least 1, got ${this.options.maxLabelChars}`);
    this.#parts = Array.from({ length: partitions }, () => new PartitionBuffer(batchSize));
    this.#seen = new SeenIds(undefined, this.options.seenRetentionMs);
    this.#tracksUse = this.options.seenRetentionMs !== Infinity;
  }

  /** Actions the duplicate check holds now (SeenIds.size, 20 bytes each; benches watch it). */
  get seenActions(): number {
    return this.#seen.size;
  }

  /** Keys interned now, all traces (benches watch it). */
  get liveKeys(): number {
    return this.#keys.reduce((sum, keys) => sum + keys.size, 0);
  }

  /**
   * Forgets every key whose latest action (by `push`) is before `cutoff`: its label, its id and
   * its partition-local id. If it comes again it is a new key to its partition, with a new local
   * id and its label sent again, so the publisher holds the keys of a horizon, not of the job. A
   * continuous job's SliceCutter calls it at each slice's close with the slice's end minus the
   * horizon: the forgotten key's events are then all out of every later slice's partial, so
   * no partial holds both its old and new ids. Not for the byte front end (pushIds): it keeps key
   * ids of its own. Returns how many keys were forgotten.
   */
  forgetKeysBefore(cutoff: number): number {
    let forgotten = 0;
    for (let t = 0; t < this.#keys.length; t++) {
      const place = this.#keyPlace[t]!;
      for (const id of this.#keys[t]!.expire(cutoff)) {
        if (2 * id < place.length) place[2 * id] = 0;
        forgotten++;
      }
    }
    return forgotten;
  }

  /**
   * Forgets, in each partition, every account whose latest event there is before `cutoff`, and
   * then every account whose latest action anywhere is (its label and global id; its actions are
   * in no partition then). Returns per partition the local ids freed, in the order they were put
   * on the partition's free stack: a later new account there takes the last of them first, so a
   * worker told of the frees at the same place in the partition's batches (a slice marker: the
   * frees come after every batch the marker names and before the next) numbers its labels alike.
   * Only for a partitioner with a `seenRetentionMs` (it keeps the last use), with nothing buffered
   * (after `finish(out, false)`), and not for the byte front end (it keeps account ids of its own).
   */
  forgetActorsBefore(cutoff: number): Int32Array[] {
    if (!this.#tracksUse) throw new RangeError('forgetActorsBefore: the partitioner was made without seenRetentionMs, so it keeps no last use');
    const freed = this.#parts.map((part) => {
      if (part.count > 0 || part.newActorIds.length > 0) throw new RangeError('forgetActorsBefore: a partition has a batch buffered; call finish(out, false) first');
      const ids: number[] = [];
      for (let local = 0; local < part.actors; local++) {
        const global = part.actorGlobal[local]!;
        if (global < 0 || !(part.actorLastUse[local]! < cutoff)) continue;
        part.local[global] = 0;
        part.actorGlobal[local] = -1;
        part.freeActors.push(local);
        ids.push(local);
      }
      return Int32Array.from(ids);
    });
    for (const id of this.#actors.expire(cutoff)) {
      if (id < this.#actorPartition.length) this.#actorPartition[id] = 0;
    }
    return freed;
  }

  /** Accounts interned now (benches watch it). */
  get liveActors(): number {
    return this.#actors.size;
  }

  /**
   * The global id of a key of trace `t` (an index into STREAM_TRACES): `scope:raw`, or `raw` in
   * the empty scope. `owned`: see ExpiringInterner.internIn.
   */
  keyId(t: number, scope: string, raw: string, owned = false): number {
    return this.#keys[t]!.internIn(scope, raw, 0, owned);
  }

  /** The label of a key id of trace `t`. */
  keyLabel(t: number, id: number): string {
    return this.#keys[t]!.label(id);
  }

  /** The global id of an account. `owned`: see ExpiringInterner.internIn. */
  actorId(platform: string, actorId: string, owned = false): number {
    return this.#actors.internIn(platform, actorId, 0, owned);
  }

  /**
   * Takes one action given as ids (the byte front end: byte-front.ts): its account's id, its time,
   * its id's two hashes (idHashes) and its `n` trace events (trace index, key id), in the order
   * visitTraceEvents gives them; the same as `push` of that action.
   */
  pushIds(actor: number, time: number, h1: number, h2: number, traces: Int32Array, keys: Int32Array, n: number, out: OutBatch[]): void {
    if (!this.#seen.addHashed(actor, h1, h2, time)) {
      this.duplicates++;
      return;
    }
    this.actions++;
    this.#out = out;
    this.#actor = actor;
    this.#time = time;
    for (let e = 0; e < n; e++) this.#event(traces[e]!, keys[e]!);
    if (n === 0) this.#noEvent(actor);
  }

  #event(t: number, id: number): void {
    let place = this.#keyPlace[t]!;
    if (2 * id >= place.length) place = this.#keyPlace[t] = grownI32(place, 2 * id + 2);
    let partition = place[2 * id]! - 1;
    let local: number;
    if (partition < 0) {
      const trace = STREAM_TRACES[t]!;
      const label = this.#keys[t]!.label(id);
      partition = partitionOf(trace, label, this.options.partitions);
      const part = this.#parts[partition]!;
      local = part.keys++;
      place[2 * id] = partition + 1;
      place[2 * id + 1] = local;
      part.newKeys.push(label);
      part.keyBytes.add(label);
      part.newKeyTraces.push(trace);
      part.labelChars += label.length;
    } else local = place[2 * id + 1]!;
    this.#append(partition, local);
  }

  #noEvent(actor: number): void {
    // No trace event: the account still counts (it is one of the N accounts of the null model).
    this.#actorPartition = grownI32(this.#actorPartition, actor + 1);
    let partition = this.#actorPartition[actor]! - 1;
    if (partition < 0) {
      partition = hash(this.#actors.label(actor)) % this.options.partitions;
      this.#actorPartition[actor] = partition + 1;
    }
    this.#append(partition, -1);
  }

  /** Takes one action; batches that fill are appended to `out`. */
  push(action: Action, out: OutBatch[]): void {
    // The action's time marks the account as seen then (forgetActorsBefore).
    const actor = this.#actors.internIn(action.platform, action.actorId, action.time);
    if (!this.#seen.add(actor, action.id, action.time)) {
      this.duplicates++;
      return;
    }
    this.actions++;
    this.#out = out;
    this.#actor = actor;
    this.#time = action.time;
    this.#events = 0;
    visitTraceEvents(action, this.options.traces, this.#visit);
    if (this.#events === 0) this.#noEvent(actor);
  }

  #append(partition: number, key: number): void {
    const part = this.#parts[partition]!;
    const actor = this.#actor;
    if (actor >= part.local.length) part.local = grownI32(part.local, actor + 1);
    let local = part.local[actor]! - 1;
    if (local < 0) {
      local = part.freeActors.pop() ?? part.actors++;
      part.local[actor] = local + 1;
      // The label's bytes from its parts: no string made for it (a joined label, made flat, for
      // each of 1.16M accounts at a firehose's cardinality was a third of what the heap kept).
      const [scope, raw] = this.#actors.parts(actor);
      part.newActorIds.push(actor);
      part.actorBytes.addJoined(scope, ACTOR_SEPARATOR, raw);
      part.labelChars += scope === '' ? raw.length : scope.length + ACTOR_SEPARATOR.length + raw.length;
      if (this.#tracksUse) {
        if (local >= part.actorGlobal.length) [part.actorGlobal, part.actorLastUse] = [grownI32(part.actorGlobal, local + 1), grownF64(part.actorLastUse, local + 1)];
        part.actorGlobal[local] = actor;
        part.actorLastUse[local] = this.#time;
      }
    }
    if (this.#tracksUse && !(part.actorLastUse[local]! >= this.#time)) part.actorLastUse[local] = this.#time;
    const n = part.count++;
    part.actor[n] = local;
    part.key[n] = key;
    part.time[n] = this.#time;
    this.events++;
    if (part.count === part.actor.length || part.labelChars >= this.options.maxLabelChars) this.#emit(partition, this.#out);
  }

  #emit(partition: number, out: OutBatch[]): void {
    const part = this.#parts[partition]!;
    if (part.count === 0 && part.newActorIds.length === 0 && part.newKeys.length === 0) return;
    const publisher = this.options.publisher;
    const labels = (): { newActors: string[]; newKeys: string[] } => ({ newActors: part.newActorIds.map((id) => this.#actors.label(id)), newKeys: part.newKeys });
    out.push({ partition, b: part.b, end: false, publisher, bytes: encodeByteLabelled({ b: part.b, publisher, publishers: this.#publishers, end: false, actorBytes: part.actorBytes, keyBytes: part.keyBytes, labels, newKeyTraces: part.newKeyTraces, count: part.count, actor: part.actor, key: part.key, time: part.time }) });
    part.b++;
    part.count = 0;
    part.newActorIds = [];
    part.newKeys = [];
    part.newKeyTraces = [];
    part.actorBytes.clear();
    part.keyBytes.clear();
    part.labelChars = 0;
  }

  /** Sends what is buffered (a partial batch per partition), then, if `end`, each partition's end marker. */
  finish(out: OutBatch[], end = true): void {
    for (let partition = 0; partition < this.#parts.length; partition++) {
      this.#emit(partition, out);
      const b = this.#parts[partition]!.b, publisher = this.options.publisher;
      if (end) out.push({ partition, b, end: true, publisher, bytes: encodeEnd(b, publisher, this.#publishers) });
    }
  }
}

/**
 * Every batch of `actions`, by partition, end markers included (tests and benches).
 * @example partitionActions(actions, { partitions: 8 }).get(3) // partition 3's batches, in order
 */
export function partitionActions(actions: Iterable<Action>, options?: Partial<PartitionerOptions>): Map<number, Uint8Array[]> {
  const partitioner = new Partitioner(options);
  const out: OutBatch[] = [];
  for (const action of actions) partitioner.push(action, out);
  partitioner.finish(out);
  const byPartition = new Map<number, Uint8Array[]>();
  for (const { partition, bytes } of out) {
    let list = byPartition.get(partition);
    if (list === undefined) byPartition.set(partition, (list = []));
    list.push(bytes);
  }
  return byPartition;
}
