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
import { LockstepError } from '../../model/index.js';
import { ClusterTracker } from '../alerts.js';
import type { AlertOptions } from '../alerts.js';
import { tracePartial } from '../distributed.js';
import { inLabelOrder } from '../sorted-partial.js';
import type { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import type { StreamTrace } from '../extract.js';
import type { EmittedAlert } from '../runner.js';
import { PartitionEvents } from '../partition-events.js';
import type { EventBatch } from '../wire-batch.js';
import { SliceGate } from './slice-gate.js';
import type { SliceMarker } from './slice-marker.js';
import { dictionaryBatches } from './worker-checkpoint.js';
import type { WorkerCheckpoint } from './worker-checkpoint.js';

export { decodeSliceMarker, encodeSliceMarker } from './slice-marker.js';
export type { SliceMarker } from './slice-marker.js';
export { SliceCutter } from './slice-cutter.js';
export type { SliceOut } from './slice-cutter.js';

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
 * A batch is held, unread (as its bytes), until the marker of its slice has come and the slice
 * before it is closed (slice-gate.ts), so a slice's partial holds exactly its marker's batches in
 * any delivery order. Batches before the first marker wait for it.
 *
 * Account labels: with a publisher's horizon (markers with `horizonMs`), each slice's marker
 * names the account ids the publisher freed at its close; they are freed here once the slice is
 * closed, and new labels take them again as the publisher numbered them: exactly between the
 * marker's batches and the next, as the holding above keeps them. Without a publisher's horizon,
 * labels are one per account the partition has ever had.
 *
 * Key traces: one per key the partition has ever had (4 bytes each); with a publisher's horizon a
 * key back after a horizon of quiet is a new key (4 bytes more).
 *
 * Checkpoints (worker-checkpoint.ts): `checkpoint` gives the partition's dictionaries at the
 * close of the slice just closed; a worker made with one starts at its next batch, and its slices
 * a horizon or more after it are the uninterrupted worker's.
 */
export class WindowedPartition {
  readonly #events: PartitionEvents;
  /** Events dropped past the horizon. */
  dropped = 0;
  readonly #gate: SliceGate;
  /** Events of held batches that came again. */
  #heldRepeats = 0;
  /** The marker `ready` was last asked about: its frees follow its slice's partial. */
  #closing: SliceMarker | null = null;
  /** The last slice closed (partialAt) and its `upTo`; -1 and NaN before the first. */
  #closed = { slice: -1, upTo: NaN, sliceMs: NaN };

  /** `restored`: the checkpoint to start from (WindowedPartition.restore). */
  constructor(readonly partition: number, readonly options: WindowedPartitionOptions, restored?: WorkerCheckpoint) {
    if (!(options.horizonMs >= options.windowMs)) throw new LockstepError('detect/bad-input', `horizon (${options.horizonMs} ms) must be at least the window (${options.windowMs} ms)`);
    this.#events = new PartitionEvents(partition, options.traces, { accept: refuseOtherPublishers });
    this.#gate = new SliceGate(restored?.batches ?? 0);
    if (restored !== undefined) {
      if (restored.partition !== partition) throw new LockstepError('detect/bad-input', `a checkpoint of partition ${restored.partition} given to partition ${partition}`);
      for (const bytes of dictionaryBatches(restored)) this.#events.add(bytes, `partition ${partition}'s checkpoint`);
      this.#free(restored.freeStack);
      this.#closed = { slice: restored.slice, upTo: restored.upTo, sliceMs: restored.sliceMs };
    }
  }

  /**
   * The partition's dictionaries at the close of the slice just closed (partialAt; before any
   * later batch is taken: the gate holds them), to start a replacement from (worker-checkpoint.ts).
   * `resumeSeq`/`resumeExact`: where in the events stream its batches after that slice begin.
   */
  checkpoint(resumeSeq: number, resumeExact: boolean): WorkerCheckpoint {
    if (this.#closed.slice < 0) throw new Error('checkpoint: no slice closed yet');
    return {
      partition: this.partition, slice: this.#closed.slice, upTo: this.#closed.upTo, sliceMs: this.#closed.sliceMs, batches: this.#events.batches,
      labels: this.#events.actorLabels.slice(), ...this.#events.dictionaries(), resumeSeq, resumeExact,
    };
  }

  /** The length of the last slice closed (its `upTo` less the one before's), NaN if not known. */
  get sliceMs(): number {
    return this.#closed.sliceMs;
  }

  #free(ids: ArrayLike<number>): void {
    if (ids.length === 0) return;
    this.#events.freeActors(ids);
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
    this.#closing = marker;
    for (const bytes of this.#gate.release(marker.batches)) this.#events.add(bytes, where);
    return this.#events.batches >= marker.batches;
  }

  /** Takes one event batch or end marker; false if that batch was taken already (a redelivery). */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    const verdict = this.#gate.hold(bytes);
    if (verdict.kind === 'take') return this.#events.add(bytes, where);
    if (verdict.kind === 'held') return true;
    this.#heldRepeats += verdict.events;
    return false;
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
      this.#closed = { slice: closing.slice, upTo, sliceMs: upTo - this.#closed.upTo };
      if (closing.freedActors !== undefined) this.#free(closing.freedActors);
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
