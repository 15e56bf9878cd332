/**
 * The pure half of a continuous distributed job. A publisher cuts event time into slices of S
 * seconds and, after the last batch of each slice, sends every partition a **slice marker**: the
 * slice number, the event time up to which everything has been sent (`upTo`, exclusive) and how
 * many batches it sent the partition before the marker. A worker keeps each partition's events of
 * the last horizon H as typed columns (`WindowedPartition`), drops older ones, and at each slice's
 * close makes the partition's **whole partial over the horizon**: the batch kernel on the events
 * with `upTo − H ≤ time < upTo`. A slice partial therefore replaces the one before it (no upserts,
 * no state at the coordinator beyond the latest slice), the coordinator can merge any slice on its
 * own, and a slice's partial is the same whoever computes it, whenever (events past `upTo` that a
 * worker already holds are left out), so a replacement worker's redo is idempotent.
 *
 * Slice markers are their own small messages on the partition's subject ("LSS1", 24 bytes; with
 * the publisher's horizon 36 and 4 a freed account id), not a change to the event batch format
 * (wire-batch.ts).
 */
import type { Action } from '../../model/index.js';
import { LockstepError } from '../../model/index.js';
import { ClusterTracker } from '../alerts.js';
import type { AlertOptions } from '../alerts.js';
import { tracePartial } from '../distributed.js';
import { inLabelOrder } from '../sorted-partial.js';
import type { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import type { StreamTrace } from '../extract.js';
import type { OutBatch, Partitioner } from '../partitioner.js';
import type { EmittedAlert } from '../runner.js';
import { PartitionEvents } from '../partition-events.js';
import { batchHeader } from '../wire-batch.js';
import type { EventBatch } from '../wire-batch.js';

const SLICE_MAGIC = 0x3153_534c; // "LSS1"
const SLICE_BYTES = 24;
/** A marker that also says the publisher's horizon (f64 after the rest), then the freed accounts (u32 count, u32 ids). */
const SLICE_BYTES_WITH_HORIZON = 36;

/** A slice marker: everything of event time before `upTo` has been sent in the partition's first `batches` batches. */
export interface SliceMarker {
  slice: number;
  /** Event time (ms), exclusive. */
  upTo: number;
  /** Batches of the partition sent before this marker (numbers 0 … batches − 1). */
  batches: number;
  /** The job's last slice: the publisher has finished. */
  last: boolean;
  /**
   * The publisher's horizon (ms; SliceCutter's `horizonMs`): it forgets actions older than that
   * behind the latest, so a worker with a longer horizon could count a repeat twice and refuses
   * (WindowedPartition.checkMarker). Absent: the publisher remembers every action.
   */
  horizonMs?: number;
  /**
   * With `horizonMs`: the partition-local account ids the publisher freed at this slice's close
   * (every event of theirs is older than `upTo − horizonMs`); a worker frees them once the slice
   * is closed, before it takes any later batch, whose new accounts take them again (last first).
   */
  freedActors?: Int32Array;
}

/**
 * A slice marker as bytes: magic, slice, batches, flags (bit 0: last), upTo as f64, and the
 * publisher's horizon as f64 if it has one.
 * @example encodeSliceMarker({ slice: 3, upTo: 40_000, batches: 12, last: false })
 */
export function encodeSliceMarker(marker: SliceMarker): Uint8Array {
  const freed = marker.freedActors ?? new Int32Array(0);
  if (marker.horizonMs === undefined && freed.length > 0) throw new RangeError('a slice marker frees accounts only with the publisher\'s horizon');
  const bytes = new Uint8Array(marker.horizonMs === undefined ? SLICE_BYTES : SLICE_BYTES_WITH_HORIZON + 4 * freed.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, SLICE_MAGIC, true);
  view.setUint32(4, marker.slice, true);
  view.setUint32(8, marker.batches, true);
  view.setUint32(12, marker.last ? 1 : 0, true);
  view.setFloat64(16, marker.upTo, true);
  if (marker.horizonMs !== undefined) {
    view.setFloat64(24, marker.horizonMs, true);
    view.setUint32(32, freed.length, true);
    for (let i = 0; i < freed.length; i++) view.setUint32(SLICE_BYTES_WITH_HORIZON + 4 * i, freed[i]!, true);
  }
  return bytes;
}

/** The marker in `bytes`, or null if they are not a slice marker (an event batch). */
export function decodeSliceMarker(bytes: Uint8Array): SliceMarker | null {
  if (bytes.length !== SLICE_BYTES && bytes.length < SLICE_BYTES_WITH_HORIZON) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== SLICE_MAGIC) return null;
  const marker: SliceMarker = { slice: view.getUint32(4, true), batches: view.getUint32(8, true), last: (view.getUint32(12, true) & 1) === 1, upTo: view.getFloat64(16, true) };
  if (bytes.length === SLICE_BYTES) return marker;
  const freed = view.getUint32(32, true);
  if (bytes.length !== SLICE_BYTES_WITH_HORIZON + 4 * freed) return null;
  marker.horizonMs = view.getFloat64(24, true);
  marker.freedActors = Int32Array.from({ length: freed }, (_, i) => view.getUint32(SLICE_BYTES_WITH_HORIZON + 4 * i, true));
  return marker;
}

export interface WindowedPartitionOptions {
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  /** Events this much older than a slice's `upTo` leave the state and its partial (ms). */
  horizonMs: number;
}

/**
 * One partition's events over the horizon. Batches are taken in batch-number order (an early one is
 * held, a repeated one counted and ignored), as PartitionWork does; `partialAt` drops the events
 * older than the horizon and makes the slice's partial over the rest.
 *
 * Account labels: with a publisher's horizon (markers with `horizonMs`), each slice's marker
 * names the account ids the publisher freed at its close; they are freed here once the slice is
 * closed, and new labels take them again as the publisher numbered them. Frees must come exactly
 * between the marker's batches and the next, whatever order messages come in (a redelivery may
 * bring a later batch first), so a batch is held, unread, until the marker of its slice has come
 * and the slice before it is closed: batches up to the next slice's marker are taken only then.
 * Before the first marker it is not known whether the publisher frees, so batches wait for it.
 * Without a publisher's horizon, labels are one per account the partition has ever had.
 *
 * Key traces: one per key the partition has ever had (4 bytes each); with a publisher's horizon a
 * key back after a horizon of quiet is a new key (4 bytes more).
 */
export class WindowedPartition {
  readonly #events: PartitionEvents;
  /** Events dropped past the horizon. */
  dropped = 0;
  /** Whether the publisher frees account ids (null: no marker seen yet, batches held). */
  #frees: boolean | null = null;
  /** Batches below this number are taken; the rest are held (by number, as copies) until it rises. */
  #limit = 0;
  readonly #held = new Map<number, Uint8Array>();
  /** Events of held batches that came again. */
  #heldRepeats = 0;
  /** The marker `ready` was last asked about: its frees follow its slice's partial. */
  #closing: SliceMarker | null = null;

  constructor(readonly partition: number, readonly options: WindowedPartitionOptions) {
    if (!(options.horizonMs >= options.windowMs)) throw new LockstepError('detect/bad-input', `horizon (${options.horizonMs} ms) must be at least the window (${options.windowMs} ms)`);
    this.#events = new PartitionEvents(partition, options.traces, { accept: refuseOtherPublishers });
  }

  /** Batches applied so far (the next batch number expected). */
  get batches(): number {
    return this.#events.batches;
  }

  /** Events held now (within the horizon of the last slice, or newer). */
  get size(): number {
    return this.#events.size;
  }

  /** Events ever taken. */
  get taken(): number {
    return this.#events.taken;
  }

  /** Events of redelivered batches, not counted. */
  get duplicates(): number {
    return this.#events.duplicates + this.#heldRepeats;
  }

  /** Accounts whose labels are held (sent and not freed). */
  get accounts(): number {
    return this.#events.liveActors;
  }

  /** Whether the end marker and every batch before it have been applied. */
  get ended(): boolean {
    return this.#events.complete;
  }

  /**
   * Refuses a marker from a publisher whose horizon is shorter than this worker's: it forgets
   * actions this worker still counts, so a repeat of one would be counted twice.
   */
  checkMarker(marker: SliceMarker, where = `partition ${this.partition}`): void {
    if (marker.horizonMs !== undefined && marker.horizonMs < this.options.horizonMs) {
      throw new LockstepError('detect/bad-input', `${where}: the publisher's horizon is ${marker.horizonMs / 1000} s, this worker's ${this.options.horizonMs / 1000} s; give stream-publish a --horizon at least as long as every worker's`);
    }
  }

  /**
   * Whether `marker`'s slice has every batch it names. Ask only about the next slice to close, once
   * the one before it is closed (partialAt): the batches it names are then taken.
   */
  ready(marker: SliceMarker, where = `partition ${this.partition}`): boolean {
    this.#frees ??= marker.horizonMs !== undefined;
    this.#closing = marker;
    this.#release(this.#frees ? marker.batches : Infinity, where);
    return this.#events.batches >= marker.batches;
  }

  /** Takes one event batch or end marker; false if that batch was taken already (a redelivery). */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    if (this.#frees === false) return this.#events.add(bytes, where);
    const header = batchHeader(bytes);
    if (header === null || header.end || header.b < this.#limit) return this.#events.add(bytes, where);
    if (this.#held.has(header.b)) {
      this.#heldRepeats += header.count;
      return false;
    }
    // A copy: the message's buffer may be reused once it is handled.
    this.#held.set(header.b, bytes.slice());
    return true;
  }

  /** Takes the held batches below `limit`, in number order. */
  #release(limit: number, where: string): void {
    if (limit <= this.#limit) return;
    this.#limit = limit;
    if (this.#held.size === 0) return;
    for (const b of [...this.#held.keys()].filter((b) => b < limit).sort((x, y) => x - y)) {
      this.#events.add(this.#held.get(b)!, where);
      this.#held.delete(b);
    }
  }

  /**
   * Drops events older than `upTo − horizon` (their memory with them) and returns the partition's
   * partial over `[upTo − horizon, upTo)`: only the accounts of those events, numbered densely in
   * label order (sorted-partial.ts).
   */
  partialAt(upTo: number): PartitionPartial {
    this.dropped += this.#events.keepFrom(upTo - this.options.horizonMs);
    // The closing slice's frees: those accounts' events are older than its horizon, dropped now.
    const closing = this.#closing;
    if (closing !== null && closing.upTo === upTo) {
      this.#closing = null;
      if (closing.freedActors !== undefined && closing.freedActors.length > 0) this.#events.freeActors(closing.freedActors);
    }
    const taken = this.#events.traceColumns(upTo, true);
    const { actors, traces } = inLabelOrder(taken.actors, taken.traces);
    return {
      partition: this.partition,
      actors,
      traces: traces.map(({ trace, events: columns }) => ({ trace, ...tracePartial(columns, this.options) })),
      events: taken.events,
      duplicates: this.duplicates,
      upTo,
    };
  }
}

/** A continuous job has one publisher: a batch or end marker from another is refused. */
function refuseOtherPublishers(batch: EventBatch, where: string): void {
  if ((batch.publisher ?? 0) !== 0) throw new LockstepError('detect/bad-input', `${where}: a batch from publisher ${batch.publisher}; a continuous job has one publisher`);
}

/** A message for a partition's subject: an event batch, end marker or slice marker, with its id suffix (`<batch>`, `end`, `s<slice>`). */
export interface SliceOut {
  partition: number;
  id: string;
  bytes: Uint8Array;
  /** The slice marker it carries, if it is one. */
  marker: SliceMarker | null;
}

/**
 * Cuts a publisher's actions into slices of event time: an action at or past the current slice's
 * end first closes it (and any empty slices up to the action's), sending every partition what is
 * buffered and a slice marker. Slices are aligned to multiples of `sliceMs` (slice n ends at
 * `(n + 1 + first) × sliceMs`, `first` the first action's slice). An action older than the open
 * slice (late) goes into it: the next slice's partials take it in, since each is recomputed over
 * the whole horizon.
 *
 * With `horizonMs` (a long-running job), an action older than the open slice's end minus the
 * horizon is dropped as late (`late` counts them): every later slice's partial, over
 * `[upTo − H, upTo)` with `upTo` at least that end, leaves it out anyway. So the duplicate check
 * need only remember actions from there on, and the partitioner must be made with a
 * `seenRetentionMs` of at least the horizon (SeenIds forgets from its latest time minus that,
 * which is earlier): memory by the horizon, not by the job's length. At each slice's close the
 * partitioner also forgets the keys last used before the slice's end minus the horizon
 * (Partitioner.forgetKeysBefore). Markers then carry the horizon, and a worker with a longer one
 * refuses them.
 * @example
 * const cutter = new SliceCutter(new Partitioner({ partitions: 4 }), 10_000);
 * for (const action of actions) cutter.push(action, out);
 * cutter.finish(out); // the last slice's marker (last: true) and the end markers
 */
export class SliceCutter {
  #first = NaN;
  /** The open slice's number (from 0) and end. */
  slice = 0;
  #end = NaN;
  readonly #sent: Int32Array;
  readonly #batches: OutBatch[] = [];
  /** Actions dropped as older than the open slice's end minus the horizon. */
  late = 0;
  /** Keys the partitioner forgot, unused for the horizon (with `horizonMs`). */
  keysForgotten = 0;
  /** Partition-local account ids freed, unused there for the horizon (with `horizonMs`). */
  actorsFreed = 0;
  /** The horizon (ms; Infinity: none, every action taken). */
  readonly horizonMs: number;

  constructor(readonly partitioner: Partitioner, readonly sliceMs: number, options: { horizonMs?: number } = {}) {
    if (!(sliceMs > 0)) throw new LockstepError('detect/bad-input', `slice must be a positive duration, got ${sliceMs} ms`);
    this.horizonMs = options.horizonMs ?? Infinity;
    if (!(this.horizonMs > 0)) throw new LockstepError('detect/bad-input', `horizon must be a positive duration, got ${this.horizonMs} ms`);
    const remembered = partitioner.options.seenRetentionMs;
    if (remembered < this.horizonMs) throw new LockstepError('detect/bad-input', `the partitioner remembers actions for ${remembered} ms, less than the horizon (${this.horizonMs} ms): a repeat would be counted twice; make it with seenRetentionMs ≥ the horizon`);
    this.#sent = new Int32Array(partitioner.options.partitions);
  }

  /** The open slice's end (event time, exclusive); NaN before the first action. */
  get end(): number {
    return this.#end;
  }

  push(action: Action, out: SliceOut[]): void {
    if (Number.isNaN(this.#first)) {
      this.#first = Math.floor(action.time / this.sliceMs);
      this.#end = (this.#first + 1) * this.sliceMs;
    }
    while (action.time >= this.#end) this.close(out);
    if (action.time < this.#end - this.horizonMs) {
      this.late++;
      return;
    }
    this.partitioner.push(action, this.#batches);
    this.#drain(out);
  }

  #drain(out: SliceOut[]): void {
    for (const batch of this.#batches) {
      if (!batch.end) this.#sent[batch.partition] = batch.b + 1;
      out.push({ partition: batch.partition, id: batch.end ? 'end' : String(batch.b), bytes: batch.bytes, marker: null });
    }
    this.#batches.length = 0;
  }

  /** Closes the open slice: buffered batches, then each partition's marker. */
  close(out: SliceOut[], last = false): void {
    this.partitioner.finish(this.#batches, false);
    this.#drain(out);
    // Accounts last used before this slice's horizon are in no later slice's partial: freed, and
    // each marker says which ids, so its partition's worker frees them at the same place.
    const freed = this.horizonMs === Infinity ? null : this.partitioner.forgetActorsBefore(this.#end - this.horizonMs);
    for (let partition = 0; partition < this.#sent.length; partition++) {
      const marker: SliceMarker = { slice: this.slice, upTo: this.#end, batches: this.#sent[partition]!, last };
      if (freed !== null) {
        marker.horizonMs = this.horizonMs;
        marker.freedActors = freed[partition]!;
        this.actorsFreed += freed[partition]!.length;
      }
      out.push({ partition, id: `s${this.slice}`, bytes: encodeSliceMarker(marker), marker });
    }
    // Keys last used before this slice's horizon are in no later slice's partial: forgotten (and
    // sent again as new keys if they come back), so the publisher holds a horizon of keys.
    if (this.horizonMs !== Infinity) this.keysForgotten += this.partitioner.forgetKeysBefore(this.#end - this.horizonMs);
    this.slice++;
    this.#end += this.sliceMs;
  }

  /** Closes the open slice as the last and sends the end markers. */
  finish(out: SliceOut[]): void {
    if (Number.isNaN(this.#first)) {
      this.#first = 0;
      this.#end = this.sliceMs;
    }
    this.close(out, true);
    this.partitioner.finish(this.#batches, true);
    this.#drain(out);
  }
}

/**
 * The continuous coordinator's alerts: each slice's merged result goes through the stream mode's
 * ClusterTracker (stable cluster ids, "appeared" at `minMembers`, "grew" by `growBy`), so alerts
 * have `lockstep stream`'s format and go to its sinks. What a slice's partials do not carry is
 * left empty: `topKeys` (partials name no key) and the co-action span (`firstCoAction`,
 * `lastCoAction`: NaN, null in JSON); `latencyMs` and `lagMs` are null (the coordinator does not
 * see event arrivals; the bench measures the lag from the publisher's side). `watermark` is the
 * slice's `upTo`.
 */
export class SliceAlerts {
  readonly #tracker: ClusterTracker;

  constructor(options?: Partial<AlertOptions>) {
    this.#tracker = new ClusterTracker(options);
  }

  update(result: ReturnType<typeof assemblePartials>, upTo: number): EmittedAlert[] {
    const clusters = result.clusters;
    const detection = {
      actorIds: result.actorIds, actorPlatforms: result.actorPlatforms, graph: result.graph, clusters, watermark: upTo,
      topKeys: clusters.map(() => []), span: clusters.map(() => ({ first: NaN, last: NaN })),
    };
    return this.#tracker.update(detection).map((alert) => ({ ...alert, latencyMs: null, lagMs: null }));
  }
}
