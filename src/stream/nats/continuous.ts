/**
 * Continuous jobs on NATS JetStream (the I/O half; continuous-work.ts is the pure half). The
 * publisher sends event batches and, per slice of event time, a slice marker on each partition's
 * subject (`lockstep.events.<job>.<partition>`, message ids `<job>.<partition>.<batch>` and
 * `.s<slice>`, so a retried publish is stored once). A worker (`followPartition`) is a durable pull
 * consumer per partition: at each slice's close it stores the partition's partial over the horizon
 * as the bounded job's partials are stored, under the slice's own name `<job>.s<slice>`
 * (partial-store.ts: idempotent by job, partition and slice), and only then acks the messages it
 * took. A replacement worker rebuilds the partition's window by reading the partition's history
 * with an ordered consumer up to where its durable consumer had delivered, storing the partials
 * of slices the coordinator has not merged yet, then goes on with the durable consumer (batches
 * taken twice count once). It reads that history from just after the newest checkpoint of the
 * partition at least a horizon before the first slice it must make (the worker stores one at
 * each slice's close: worker-checkpoint.ts, checkpoint-store.ts), or from batch 0 if there is
 * none: on a job longer than the events stream's max age, batch 0 is gone. The coordinator (`followSlices`) takes the slices in order: once every
 * partition's partial of a slice is stored it merges them (assemblePartials), hands the result on
 * (alerts), records its progress and removes the slice's partials.
 */
import { AckPolicy, DeliverPolicy, nanos } from 'nats';
import type { JetStreamClient, JsMsg, NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import type { PartitionPartial } from '../distributed.js';
import { decodeSliceMarker, WindowedPartition } from './continuous-work.js';
import type { SliceMarker, SliceOut, WindowedPartitionOptions } from './continuous-work.js';
import { collectPartials, EVENTS_STREAM, packPartial, pause, retry, unpackPartial } from './jobs.js';
import { PullLoop } from './pull-loop.js';
import { getPartial, hasPartial, manifestsUnder, putPartial, readMark, removePartials, writeMark } from './partial-store.js';
import { batchHeader } from '../wire-batch.js';
import { loadCheckpoint, pruneCheckpoints, putCheckpoint } from './checkpoint-store.js';
import type { WorkerCheckpoint } from './worker-checkpoint.js';

/** The partials-store name of one slice of a continuous job. */
export const sliceJob = (job: string, slice: number): string => `${job}.s${slice}`;

/**
 * Publishes a continuous job's messages (SliceCutter's), at most `inFlight` unconfirmed at a time.
 * After the job's last slice marker it records the last slice number for the coordinator.
 */
export async function publishSlices(nc: NatsConnection, job: string, messages: readonly SliceOut[], inFlight = 64): Promise<void> {
  const js: JetStreamClient = nc.jetstream();
  const pending: Promise<unknown>[] = [];
  let last: SliceMarker | null = null;
  for (const { partition, id, bytes, marker } of messages) {
    const msgID = `${job}.${partition}.${id}`;
    pending.push(retry(`publish ${msgID}`, () => js.publish(`lockstep.events.${job}.${partition}`, bytes, { msgID })));
    if (marker?.last === true) last = marker;
    if (pending.length >= inFlight) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  if (last !== null) await retry('mark the last slice', () => writeMark(nc, job, 'last', { slice: last.slice }));
}

export interface FollowOptions extends WindowedPartitionOptions {
  job: string;
  ackWaitMs: number;
  /** Stops the worker (between messages). */
  signal?: AbortSignal;
  /** After each slice's partial is stored (or found stored). */
  onSlice?: (partition: number, marker: SliceMarker, partial: PartitionPartial | null, work: WindowedPartition) => void;
  /**
   * Store a checkpoint of each partition every this many slices (worker-checkpoint.ts; default
   * 10, 0: none), so a replacement starts after one instead of at batch 0, which the events
   * stream's max age drops on a job that runs longer. A replacement reads a horizon and up to this
   * many slices again; each checkpoint costs the worker a few ms of CPU (bench/stream-continuous.mjs).
   */
  checkpointEvery?: number;
  /** After a checkpoint is stored: its size and the time to make and store it (ms). */
  onCheckpoint?: (partition: number, slice: number, bytes: number, ms: number) => void;
  /** When the partition starts from a checkpoint (null: from batch 0), and a checkpoint refused. */
  onResume?: (partition: number, checkpoint: WorkerCheckpoint | null, refused: string[]) => void;
}

/**
 * Works one partition of a continuous job until its last slice is closed and its end marker taken
 * (or `signal` aborts). Returns the partition's state (its counts: taken, dropped, duplicates).
 */
export async function followPartition(nc: NatsConnection, partition: number, options: FollowOptions): Promise<WindowedPartition> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const subject = `lockstep.events.${options.job}.${partition}`;
  const durable = `${options.job}-f${partition}`;
  const every = options.checkpointEvery ?? 10;
  const refused: string[] = [];
  const found = every > 0 ? await retry('load checkpoint', () => loadCheckpoint(nc, options.job, partition, options.horizonMs, (_, reason) => refused.push(reason))) : { checkpoint: null, slices: [] };
  const restored = found.checkpoint;
  options.onResume?.(partition, restored, refused);
  const work = new WindowedPartition(partition, options, restored ?? undefined);
  const stopped = (): boolean => options.signal?.aborted === true;
  const markers = new Map<number, SliceMarker>();
  let nextSlice = restored === null ? 0 : restored.slice + 1;
  // This partition's messages not yet in a checkpoint (by stream sequence): batches past the last
  // closed slice's and markers past it; the next checkpoint resumes at the first of them.
  const unsettled = new Map<number, { b: number; slice: number }>();
  let lastSeq = restored === null ? 0 : restored.resumeSeq - 1;
  let checkpoints = found.slices;
  let sliceMs = restored?.sliceMs ?? NaN;
  let lastClosed = false;
  const held: JsMsg[] = [];
  const keepHeld = setInterval(() => {
    try {
      for (const message of held) message.working();
    } catch {
      // Closing: the messages come back after the ack wait.
    }
  }, Math.max(200, Math.floor(options.ackWaitMs / 3)));

  /** Takes one message (stream sequence `seq`); closes the slices it completes. `rebuilding`: store only partials not merged or stored yet. */
  const take = async (data: Uint8Array, seq: number, where: string, rebuilding: boolean): Promise<void> => {
    const marker = decodeSliceMarker(data);
    lastSeq = Math.max(lastSeq, seq);
    if (marker === null) {
      const header = batchHeader(data);
      if (header !== null && (header.end || header.b >= work.batches)) unsettled.set(seq, { b: header.end ? Infinity : header.b, slice: -1 });
      work.add(data, where);
    } else {
      work.checkMarker(marker, where);
      if (marker.slice >= nextSlice) {
        markers.set(marker.slice, marker);
        unsettled.set(seq, { b: -1, slice: marker.slice });
      }
    }
    for (let next = markers.get(nextSlice); next !== undefined && work.ready(next); next = markers.get(nextSlice)) {
      markers.delete(nextSlice);
      const partial = work.partialAt(next.upTo);
      let stored: PartitionPartial | null = partial;
      // After a checkpoint, a slice less than a horizon after it misses the events of batches
      // before the checkpoint: it must be merged or stored already (loadCheckpoint chose so).
      const incomplete = restored !== null && next.upTo - options.horizonMs < restored.upTo;
      if (rebuilding || incomplete) {
        const merged = await readMark(nc, options.job, 'progress');
        const skip = (typeof merged?.slice === 'number' && merged.slice >= next.slice) || await hasPartial(nc, sliceJob(options.job, next.slice), partition);
        if (skip) stored = null;
        else if (incomplete) throw new LockstepError('detect/bad-input', `partition ${partition}: slice ${next.slice} is neither merged nor stored, and the checkpoint this worker started from (slice ${restored.slice}) is less than a horizon before it`);
      }
      if (stored !== null) {
        // The publisher marks the last slice after publishing it; marked here too, before the
        // partial, so a coordinator that merges this slice always sees that it was the last.
        if (next.last) await retry('mark the last slice', () => writeMark(nc, options.job, 'last', { slice: next.slice }));
        const packed = packPartial(partial);
        await retry('store slice partial', () => putPartial(nc, sliceJob(options.job, next.slice), partition, packed));
      }
      if (!rebuilding) {
        for (const message of held) message.ack();
        held.length = 0;
      }
      for (const [at, entry] of unsettled) if (entry.slice >= 0 ? entry.slice <= next.slice : entry.b < next.batches) unsettled.delete(at);
      if (work.sliceMs > 0) sliceMs = work.sliceMs;
      nextSlice = next.slice + 1;
      if (next.last) lastClosed = true;
      options.onSlice?.(partition, next, stored, work);
      if (every > 0 && next.slice % every === 0 && !next.last && !checkpoints.includes(next.slice)) await checkpoint();
    }
  };

  /** Stores the checkpoint of the slice just closed and removes the ones no replacement needs now. */
  const checkpoint = async (): Promise<void> => {
    const began = performance.now();
    let resumeSeq = lastSeq + 1;
    for (const at of unsettled.keys()) resumeSeq = Math.min(resumeSeq, at);
    const state = work.checkpoint(resumeSeq, resumeSeq <= lastSeq);
    const bytes = await retry('store checkpoint', () => putCheckpoint(nc, options.job, state));
    checkpoints.push(state.slice);
    checkpoints = await pruneCheckpoints(nc, options.job, partition, checkpoints, sliceMs, options.horizonMs);
    options.onCheckpoint?.(partition, state.slice, bytes, performance.now() - began);
  };

  // Pulls on one subscription each (pull-loop.ts): a slice's synchronous partial that blocks the
  // thread delays the messages that come meanwhile, never drops them (the replay acks nothing, so
  // a message a fetch dropped there was missing from the rebuilt window for good).
  const replay = new PullLoop(nc, EVENTS_STREAM, { expiresMs: 2_000 });
  try {
    await retry('create consumer', () => jsm.consumers.add(EVENTS_STREAM, {
      durable_name: durable, filter_subject: subject, ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All, ack_wait: nanos(options.ackWaitMs), max_ack_pending: -1,
    }));
    // A replacement: the window is rebuilt from the partition's history up to what the durable
    // consumer had delivered (acked or not; the unacked come again and count once).
    const info = await retry('consumer info', () => jsm.consumers.info(EVENTS_STREAM, durable));
    const delivered = info.delivered.stream_seq;
    if (delivered > 0) {
      // An ephemeral pull consumer from past what was taken (again after an error: a node lost, a
      // leader election). Not the client's ordered consumer: its fetch was seen to hang for good
      // after a node of the cluster was killed.
      // From a checkpoint: from the first message after it (its batches before are read no more).
      let seq = restored === null ? 0 : restored.resumeSeq - 1;
      while (seq < delivered && !stopped()) {
        let name: string | null = null;
        try {
          const made = await jsm.consumers.add(EVENTS_STREAM, {
            filter_subject: subject, ack_policy: AckPolicy.None, mem_storage: true, num_replicas: 1, inactive_threshold: nanos(60_000),
            ...(seq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq + 1 } : { deliver_policy: DeliverPolicy.All }),
          });
          name = made.name;
          while (seq < delivered && !stopped()) {
            const message = await replay.next(made.name);
            if (message === null) {
              await pause(100);
              continue;
            }
            if (message.seq <= seq) continue;
            if (restored?.resumeExact === true && seq === restored.resumeSeq - 1 && message.seq !== restored.resumeSeq) {
              throw new LockstepError('detect/bad-input', `partition ${partition}: the events stream no longer holds message #${restored.resumeSeq}, the first after the checkpoint of slice ${restored.slice} (the first left is #${message.seq}); the events' max age (stream-publish --retention) must exceed the horizon with a margin for a replacement to start`);
            }
            seq = message.seq;
            await take(message.data, message.seq, `${message.subject} #${message.seq}`, true);
          }
        } catch (error) {
          if (error instanceof LockstepError) throw error;
          await pause(250);
        } finally {
          if (name !== null) await jsm.consumers.delete(EVENTS_STREAM, name).catch(() => undefined);
        }
      }
    }
    replay.stop();
    const live = new PullLoop(nc, EVENTS_STREAM, { expiresMs: 2_000 });
    try {
      while (!(lastClosed && work.ended) && !stopped()) {
        try {
          const message = await live.next(durable);
          if (message === null) continue;
          held.push(message);
          await take(message.data, message.seq, `${message.subject} #${message.seq}`, false);
        } catch (error) {
          if (error instanceof LockstepError) throw error;
          await pause(250);
        }
      }
    } finally {
      live.stop();
    }
    // Stopped early, the messages of the open slice stay unacked (they come back to a replacement).
    if (!stopped()) for (const message of held) message.ack();
    // The partition is done: no replacement will start from its checkpoints.
    if (!stopped() && checkpoints.length > 0) await pruneCheckpoints(nc, options.job, partition, checkpoints, sliceMs, options.horizonMs, true).catch(() => undefined);
    await nc.flush();
    return work;
  } finally {
    replay.stop();
    clearInterval(keepHeld);
  }
}

export interface FollowSlicesOptions {
  job: string;
  partitions: number;
  /** The first slice to take (default: the one after the last merged, by the job's progress mark). */
  fromSlice?: number;
  /** Give up when a slice's partials have not all come after this long (ms). */
  timeoutMs: number;
  /** Keep each slice's partials after merging them (default: removed). */
  keepPartials?: boolean;
  /**
   * When a later slice is already complete (every partition's partial stored), go straight to the
   * newest complete one and remove the skipped slices' partials: a coordinator that falls behind
   * sheds load instead of falling further behind (each slice's partials cover the whole horizon,
   * so only clusters that came and went within the skipped slices are missed). Default off.
   */
  skipBehind?: boolean;
  /** Called with the slices skipped. */
  onSkip?: (from: number, to: number) => void;
  signal?: AbortSignal;
}

/**
 * The continuous coordinator: slice by slice, waits for every partition's partial, hands them to
 * `onSlice` (which merges them and raises alerts), records the progress (a restarted coordinator
 * goes on from there; a replacement worker does not store partials of merged slices) and removes
 * the slice's partials. Ends after the job's last slice (the publisher's mark) or when `signal` aborts.
 */
export async function followSlices(nc: NatsConnection, options: FollowSlicesOptions, onSlice: (slice: number, partials: PartitionPartial[]) => Promise<void> | void): Promise<number> {
  const progress = await readMark(nc, options.job, 'progress');
  let slice = options.fromSlice ?? (typeof progress?.slice === 'number' ? progress.slice + 1 : 0);
  let taken = 0;
  while (options.signal?.aborted !== true) {
    if (options.skipBehind === true) {
      const stored = await manifestsUnder(nc, options.job);
      let newest = slice;
      for (const [name, partitions] of stored) {
        const match = /^s(\d+)$/.exec(name);
        if (match !== null && partitions.size >= options.partitions) newest = Math.max(newest, Number(match[1]));
      }
      if (newest > slice) {
        for (let skipped = slice; skipped < newest; skipped++) await removePartials(nc, sliceJob(options.job, skipped)).catch(() => undefined);
        options.onSkip?.(slice, newest - 1);
        slice = newest;
      }
    }
    const partials = await collectPartials(nc, sliceJob(options.job, slice), options.partitions, options.timeoutMs);
    await onSlice(slice, partials);
    taken++;
    await retry('record progress', () => writeMark(nc, options.job, 'progress', { slice }));
    if (options.keepPartials !== true) await removePartials(nc, sliceJob(options.job, slice)).catch(() => undefined);
    const last = await readMark(nc, options.job, 'last');
    if (typeof last?.slice === 'number' && slice >= last.slice) break;
    slice++;
  }
  return taken;
}

export { getPartial, unpackPartial };
