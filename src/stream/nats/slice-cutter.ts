/**
 * The publisher's half of a continuous job: actions cut into slices of event time, each closed by
 * a slice marker per partition (slice-marker.ts). Split from continuous-work.ts (the workers'
 * half and the coordinator's alerts).
 */
import type { Action } from '../../model/index.js';
import { LockstepError } from '../../model/index.js';
import type { OutBatch, Partitioner } from '../partitioner.js';
import { encodeSliceMarker } from './slice-marker.js';
import type { SliceMarker } from './slice-marker.js';

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
