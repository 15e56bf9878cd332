/**
 * A continuous job's slice markers (continuous-work.ts): their own small messages on a partition's
 * subject ("LSS1"), not a change to the event batch format (wire-batch.ts). Split from
 * continuous-work.ts so the publisher's side (slice-cutter.ts) and the worker's share one codec.
 */
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
