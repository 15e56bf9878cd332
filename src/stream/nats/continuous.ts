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
 * taken twice count once). The coordinator (`followSlices`) takes the slices in order: once every
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
}

/**
 * Works one partition of a continuous job until its last slice is closed and its end marker taken
 * (or `signal` aborts). Returns the partition's state (its counts: taken, dropped, duplicates).
 */
export async function followPartition(nc: NatsConnection, partition: number, options: FollowOptions): Promise<WindowedPartition> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const subject = `lockstep.events.${options.job}.${partition}`;
  const durable = `${options.job}-f${partition}`;
  const work = new WindowedPartition(partition, options);
  const stopped = (): boolean => options.signal?.aborted === true;
  const markers = new Map<number, SliceMarker>();
  let nextSlice = 0;
  let lastClosed = false;
  const held: JsMsg[] = [];
  const keepHeld = setInterval(() => {
    try {
      for (const message of held) message.working();
    } catch {
      // Closing: the messages come back after the ack wait.
    }
  }, Math.max(200, Math.floor(options.ackWaitMs / 3)));

  /** Takes one message; closes the slices it completes. `rebuilding`: store only partials not merged or stored yet. */
  const take = async (data: Uint8Array, where: string, rebuilding: boolean): Promise<void> => {
    const marker = decodeSliceMarker(data);
    if (marker === null) work.add(data, where);
    else {
      work.checkMarker(marker, where);
      if (marker.slice >= nextSlice) markers.set(marker.slice, marker);
    }
    for (let next = markers.get(nextSlice); next !== undefined && work.ready(next); next = markers.get(nextSlice)) {
      markers.delete(nextSlice);
      const partial = work.partialAt(next.upTo);
      let stored: PartitionPartial | null = partial;
      if (rebuilding) {
        const merged = await readMark(nc, options.job, 'progress');
        const skip = (typeof merged?.slice === 'number' && merged.slice >= next.slice) || await hasPartial(nc, sliceJob(options.job, next.slice), partition);
        if (skip) stored = null;
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
      nextSlice = next.slice + 1;
      if (next.last) lastClosed = true;
      options.onSlice?.(partition, next, stored, work);
    }
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
      let seq = 0;
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
            seq = message.seq;
            await take(message.data, `${message.subject} #${message.seq}`, true);
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
          await take(message.data, `${message.subject} #${message.seq}`, false);
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
