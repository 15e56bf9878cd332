/**
 * A continuous worker's checkpoint of one partition, taken at a slice's close, so a replacement
 * can start after that slice instead of at batch 0 (which the events stream's max age drops on a
 * job that runs for days). It holds the partition's **dictionaries** as of the slice's last batch:
 * account labels by partition-local id ('' for an id freed and not yet taken again), the free
 * stack (new labels take the last first), each key id's trace, and the batch count. Not the
 * window's events: a replacement reads the partition's batches again from just after an older
 * checkpoint, one at least a horizon before the first slice it must make (continuous.ts), so each
 * slice it stores is over every event of its horizon, in the order the uninterrupted worker took
 * them, and its partial is the same bit for bit. The checkpoint is small (no events), and the
 * events stream must keep a horizon and a margin anyway (events-retention.ts).
 *
 * Bytes: snapshot-bytes.ts's layout ("LWC1", version, body length, FNV-1a checksum): a checkpoint
 * cut short, damaged or of another version is refused, never half-restored.
 */
import { LockstepError } from '../../model/index.js';
import { STREAM_TRACES } from '../extract.js';
import { SnapshotReader, SnapshotWriter } from '../incremental/snapshot-bytes.js';
import { encodeBatch } from '../wire-batch.js';

const MAGIC = 0x3143_574c; // "LWC1"
const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface WorkerCheckpoint {
  partition: number;
  /** The slice closed last: the checkpoint is of its close (its frees done). */
  slice: number;
  /** That slice's `upTo` (event time, ms): every batch before `batches` holds only older events. */
  upTo: number;
  /** The slice's length (ms; `upTo` less the slice before's), NaN if not known (slice 0). */
  sliceMs: number;
  /** Batches taken: the next batch number. */
  batches: number;
  /** Account labels by partition-local id; '' for a freed id not yet taken again. */
  labels: string[];
  /** Freed ids, bottom to top: new labels take them from the end. */
  freeStack: Int32Array;
  /** Each key id's trace, as its STREAM_TRACES index. */
  keyTraces: Uint8Array;
  /** The events stream's sequence to read again from (every later batch and marker is at or after it). */
  resumeSeq: number;
  /** Whether the message at `resumeSeq` is one of the partition's (so a replacement can see it was dropped). */
  resumeExact: boolean;
}

/** A checkpoint as bytes (versioned, checksummed). */
export function encodeCheckpoint(checkpoint: WorkerCheckpoint): Uint8Array {
  const out = new SnapshotWriter(MAGIC, VERSION);
  out.u32(checkpoint.partition);
  out.u32(checkpoint.slice);
  out.f64(checkpoint.upTo);
  out.f64(checkpoint.sliceMs);
  out.u32(checkpoint.batches);
  out.f64(checkpoint.resumeSeq);
  out.u32(checkpoint.resumeExact ? 1 : 0);
  // Labels as one text and their lengths (UTF-16 units): one encode, not one a label (6.3k labels: the whole encode 2.7 → 1.0 ms).
  out.column(Int32Array.from(checkpoint.labels, (label) => label.length));
  out.column(encoder.encode(checkpoint.labels.join('')));
  out.column(checkpoint.freeStack);
  out.column(checkpoint.keyTraces);
  return out.finish();
}

/** The checkpoint in `bytes`; refused (LockstepError) if cut short, damaged, of another version or inconsistent. */
export function decodeCheckpoint(bytes: Uint8Array, where: string): WorkerCheckpoint {
  const input = new SnapshotReader(bytes, MAGIC, VERSION, where);
  const partition = input.u32(), slice = input.u32(), upTo = input.f64(), sliceMs = input.f64(), batches = input.u32();
  const resumeSeq = input.f64(), resumeExact = input.u32() === 1;
  const lengths = input.i32s(), text = decoder.decode(input.u8s());
  const labels = new Array<string>(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) labels[i] = text.slice(at, (at += lengths[i]!));
  if (at !== text.length) throw input.bad(`labels of ${at} characters in all, the text has ${text.length}`);
  const freeStack = input.i32s(), keyTraces = input.u8s();
  input.end();
  for (const id of freeStack) if (!(id >= 0 && id < labels.length && labels[id] === '')) throw input.bad(`free id ${id} is not a freed label`);
  for (const trace of keyTraces) if (STREAM_TRACES[trace] === undefined) throw input.bad(`unknown trace ${trace}`);
  return { partition, slice, upTo, sliceMs, batches, labels, freeStack, keyTraces, resumeSeq, resumeExact };
}

/**
 * Wire batches that give a fresh PartitionEvents the checkpoint's dictionaries through its only
 * door, `add`: batch 0 with every label and key (no events), then empty batches up to `batches`
 * (its batch order starts at 0). The free stack is given after them (PartitionEvents.freeActors).
 */
export function dictionaryBatches(checkpoint: WorkerCheckpoint): Uint8Array[] {
  if (checkpoint.batches === 0 && (checkpoint.labels.length > 0 || checkpoint.keyTraces.length > 0)) {
    throw new LockstepError('detect/bad-input', `partition ${checkpoint.partition}: a checkpoint with labels and no batches`);
  }
  const none = { count: 0, actor: new Int32Array(0), key: new Int32Array(0), time: new Float64Array(0), end: false };
  return Array.from({ length: checkpoint.batches }, (_, b) => encodeBatch(b > 0 ? { ...none, b, newActors: [], newKeys: [], newKeyTraces: [] } : {
    ...none, b, newActors: checkpoint.labels, newKeys: Array.from(checkpoint.keyTraces, () => ''), newKeyTraces: Array.from(checkpoint.keyTraces, (trace) => STREAM_TRACES[trace]!),
  }));
}
