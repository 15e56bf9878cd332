/**
 * Scale-out on NATS JetStream (the I/O half; distributed.ts is the pure half). Trace events are
 * published by key partition onto `lockstep.events.<job>.<partition>` of one replicated stream
 * (R3 on a 3-node cluster) in batches of hundreds, each with a message id so a retried publish is
 * stored once. A worker is a durable pull consumer per partition: it acks nothing until the
 * partition's partial is safely in the replicated partials stream (partial-store.ts), so a worker killed mid-run leaves
 * its messages to be redelivered to its replacement; events are counted once by their id. The
 * partials (files, one per partition — never a message per pair) are merged by the coordinator.
 */
import type { JetStreamClient, JsMsg, NatsConnection } from 'nats';
import type { Action } from '../../model/index.js';
import { LockstepError } from '../../model/index.js';
import { encodePartial, PartitionWork } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import type { StreamTrace } from '../extract.js';
import { Partitioner } from '../partitioner.js';
import type { OutBatch } from '../partitioner.js';
import { ensurePartialStream, getPartial, purgePartials, putPartial, wasCollected } from './partial-store.js';
import { collectPartials, partialName } from './collect-partials.js';
import type { PartialStreamOptions } from './partial-store.js';
import { PublisherMerge } from './publisher-merge.js';
import { batchPublisher, batchPublishers } from '../wire-batch.js';
import { ensureEventsStream, EVENTS_STREAM, purgeJobEvents } from './events-retention.js';
import type { EventStreamOptions } from './events-retention.js';
import { PartitionConsumer, removeBoundedConsumers } from './job-consumers.js';
import { PullLoop } from './pull-loop.js';
import { FinishTurns } from './finish-turns.js';
import type { ConsumersRemoved } from './job-consumers.js';
import type { FinishPool } from './finish-pool.js';
import { packEncoded, packPartial, unpackPartial } from './partial-pack.js';
import type { PartialCompression } from './partial-pack.js';
import { pause, retry } from './retry.js';
import { publishBatches, settlePublished } from './publish-batches.js';

export { EVENTS_STREAM, purgeJobEvents, packPartial, unpackPartial };
export type { PartialCompression };

export { pause, retry, publishBatches, settlePublished };

/**
 * Creates the replicated events stream (events-retention.ts, with `events`' max age) and partials
 * stream (partial-store.ts, with `partials`' max age) if missing, or sets their max ages.
 */
export async function ensureJobStorage(nc: NatsConnection, replicas = 3, partials: Partial<PartialStreamOptions> = {}, events: Partial<EventStreamOptions> = {}): Promise<void> {
  await retry('create stream', () => ensureEventsStream(nc, replicas, events));
  await retry('create partials stream', () => ensurePartialStream(nc, replicas, partials));
}

export interface JobOptions {
  job: string;
  partitions: number;
  traces: readonly StreamTrace[];
  batchSize: number;
  /** This publisher's index when several publish the job, each a disjoint share of the input (default 0). */
  publisher?: number;
}

/**
 * Actions one by one or in lists (a line's actions: an async generator that yields each action
 * on its own costs about 1 µs an action in promise steps, more than partitioning it).
 */
export type ActionSource = Iterable<Action | readonly Action[]> | AsyncIterable<Action | readonly Action[]>;
const isActionList = (item: Action | readonly Action[]): item is readonly Action[] => Array.isArray(item);

/**
 * Publishes actions as partitioned binary event batches (partitioner.ts); `final` sends the last
 * partial batches and each partition's end marker. Pass the same `partitioner` to publish a job in
 * parts (it numbers the batches and knows which labels each partition has had); a new one on the
 * same job repeats the message ids from the start, which the stream stores once. `actions` may be
 * an async iterable (a file read line by line), so batches leave while the input is still read
 * and nothing but the partitioner's state is held.
 */
export async function publishJob(js: JetStreamClient, actions: ActionSource, options: JobOptions, partitioner: Partitioner = new Partitioner(options), final = true): Promise<{ batches: number; events: number }> {
  const before = partitioner.events;
  const out: OutBatch[] = [];
  let batches = 0;
  for await (const item of actions) {
    if (isActionList(item)) for (const action of item) partitioner.push(action, out);
    else partitioner.push(item, out);
    if (out.length >= 64) batches += await publishBatches(js, options.job, out.splice(0));
  }
  if (final) partitioner.finish(out);
  batches += await publishBatches(js, options.job, out.splice(0));
  await settlePublished(options.job);
  return { batches, events: partitioner.events - before };
}

export interface WorkerOptions {
  job: string;
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  /** Unacked messages come back after this long (a dead worker's, to its replacement). */
  ackWaitMs: number;
  /** Publishers of the job (each sends its own end marker per partition; default 1). */
  publishers?: number;
  onProgress?: (partition: number, batches: number) => void;
  /** A partition's consumer was lost with its node and a new one made (job-consumers.ts). */
  onConsumerLost?: (partition: number, lost: string, made: string) => void;
  /** Filled with the CPU seconds of the worker's synchronous parts (benches; shared by a process's partitions). */
  timing?: WorkerTiming;
  /** How partials are stored (default gzip; see packPartial). */
  compression?: PartialCompression;
  /** Threads that finish partitions (finish-pool.ts); without, they finish on this thread, taking turns. */
  finishPool?: FinishPool;
  /** Called as a partition reaches each step of its end (a bench's timeline of the job's tail; see FinishStage). */
  onStage?: (partition: number, stage: FinishStage) => void;
}

/** A partition's steps after its events: all taken, its finish begun (or handed to a pool), kernel done (not with a pool), packed, stored. */
export type FinishStage = 'complete' | 'finish' | 'kernel' | 'packed' | 'stored';

/**
 * CPU seconds by part of a worker's synchronous work, summed over the partitions that share the
 * object. What a process spends beyond them is the NATS client's (receiving, storing) and GC.
 */
export interface WorkerTiming {
  /** Decoding and copying batches (PartitionWork.add, the publisher merge). */
  add: number;
  /** The kernel per trace (PartitionWork.finish); with a finish pool, its threads' wall seconds (Node 20 has no thread CPU time), as for the two below. */
  finish: number;
  /** encodePartial. */
  encode: number;
  /** The compression of the encoded partial. */
  compress: number;
  /** The process's CPU while a partial was being stored (partial-store.ts), less the parts above timed meanwhile (other partitions' receiving is in it); not kept with a finish pool. */
  storeCpu: number;
  /** Partials being stored now, and the CPU reading when the first of them began. */
  storing: number;
  storeStart: number;
  messages: number;
  bytesIn: number;
  bytesStored: number;
}

/** A zeroed WorkerTiming. */
export const newWorkerTiming = (): WorkerTiming => ({ add: 0, finish: 0, encode: 0, compress: 0, storeCpu: 0, storing: 0, storeStart: 0, messages: 0, bytesIn: 0, bytesStored: 0 });
const cpuSeconds = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

/** Works one partition to its end marker and stores its partial; returns it (or the one already stored). */
export async function workPartition(nc: NatsConnection, partition: number, options: WorkerOptions): Promise<PartitionPartial> {
  const js = nc.jetstream();
  const done = await getPartial(nc, options.job, partition);
  if (done !== null) return unpackPartial(done, partialName(options.job, partition));
  // Its events were all acknowledged, so a consumer would wait for ever.
  if (await wasCollected(nc, options.job)) throw new LockstepError('detect/bad-input', `job ${options.job}: already collected by its coordinator (its partials were read and removed); publish the input again under a new job name`);
  // No account-info request (it can time out while a node is down); the calls below are retried.
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const source = new PartitionConsumer(jsm, js, options.job, partition, options.ackWaitMs, (lost, made) => options.onConsumerLost?.(partition, lost, made));
  await source.open();
  const work = new PartitionWork(partition, options);
  const publishers = options.publishers ?? 1;
  // A job published by `stream-publish --threads n` says n in every batch: the merge starts at the first.
  let merge = publishers > 1 ? new PublisherMerge(partition, publishers) : null;
  const held: JsMsg[] = [];
  const timing = options.timing;
  // Nothing is acked before the partial is stored, so without this every held message would come
  // back to this live worker after each ack wait, all of them again and again, until the end; the
  // ack wait has only to notice a dead worker. Held messages are marked in progress 3 times an ack wait.
  const keepHeld = setInterval(() => {
    try {
      for (const message of held) message.working();
    } catch {
      // The connection is closing: the messages come back after the ack wait, as a dead worker's.
    }
  }, Math.max(200, Math.floor(options.ackWaitMs / 3)));
  try {
    return await finishPartition();
  } finally {
    clearInterval(keepHeld);
  }

  async function finishPartition(): Promise<PartitionPartial> {
    // One subscription for the partition's life (pull-loop.ts): a finish that blocks this thread
    // delays the messages that come meanwhile, never drops them (as a fetch's closing timer did).
    const pulls = new PullLoop(nc, EVENTS_STREAM);
    let sinceReport = 0;
    try {
      while (!work.complete) {
        try {
          // A look-up only after a pull that ended empty (see PartitionConsumer.fetched).
          await source.get();
          const message = await pulls.next(source.name);
          if (message !== null) take(message);
          source.fetched(message === null ? 0 : 1);
          // Progress as a fetch gave it: a pull's worth of messages, or a pull that ended empty.
          if (message === null || ++sinceReport >= 256) {
            sinceReport = 0;
            options.onProgress?.(partition, work.batches);
          }
        } catch (error) {
          if (error instanceof LockstepError) throw error;
          // The coordinator removes a collected job's consumers: a second worker still on the partition stops.
          if (await wasCollected(nc, options.job)) throw new LockstepError('detect/bad-input', `job ${options.job}: collected by its coordinator while this worker waited (another worker stored partition ${partition}'s partial)`);
          await source.failed();
          await pause(250);
        }
      }
    } finally {
      pulls.stop();
    }
    options.onProgress?.(partition, work.batches);
    options.onStage?.(partition, 'complete');
    if (options.finishPool !== undefined) return finishOnPool(options.finishPool);
    // One partition finishes at a time, the largest waiting first (see finishTurns).
    const release = await finishTurns.take(work.size);
    let partial: PartitionPartial;
    try {
      options.onStage?.(partition, 'finish');
      const c1 = timing === undefined ? 0 : cpuSeconds();
      partial = work.finish();
      partial.duplicates += merge?.duplicates ?? 0;
      const c2 = timing === undefined ? 0 : cpuSeconds();
      options.onStage?.(partition, 'kernel');
      const encoded = encodePartial(partial);
      const c3 = timing === undefined ? 0 : cpuSeconds();
      const packed = packEncoded(encoded, options.compression ?? 'gzip');
      const c4 = timing === undefined ? 0 : cpuSeconds();
      options.onStage?.(partition, 'packed');
      if (timing !== undefined) {
        timing.finish += c2 - c1;
        timing.encode += c3 - c2;
        timing.compress += c4 - c3;
        if (timing.storing > 0) timing.storeCpu -= c4 - c1;
        if (timing.storing++ === 0) timing.storeStart = c4;
      }
      // The next turn starts once this partial is stored, or after STORE_TURN_MS if storing is slow (retried through a node's loss).
      const turnTimer = setTimeout(release, STORE_TURN_MS);
      try {
        await retry('store partial', () => putPartial(nc, options.job, partition, packed));
        options.onStage?.(partition, 'stored');
      } finally {
        clearTimeout(turnTimer);
      }
      if (timing !== undefined) {
        if (--timing.storing === 0) timing.storeCpu += cpuSeconds() - timing.storeStart;
        timing.bytesStored += packed.length;
      }
    } finally {
      release();
    }
    await ackHeld();
    return partial;
  }

  /** The kernel, encode and packing on a thread of the pool, this thread free to receive and store meanwhile. */
  async function finishOnPool(pool: FinishPool): Promise<PartitionPartial> {
    const columns = work.columns();
    columns.duplicates += merge?.duplicates ?? 0;
    options.onStage?.(partition, 'finish');
    const { partial, packed, seconds } = await pool.finish(columns, options.compression ?? 'gzip');
    options.onStage?.(partition, 'packed');
    await retry('store partial', () => putPartial(nc, options.job, partition, packed));
    options.onStage?.(partition, 'stored');
    if (timing !== undefined) {
      timing.finish += seconds.finish;
      timing.encode += seconds.encode;
      timing.compress += seconds.compress;
      timing.bytesStored += packed.length;
    }
    await ackHeld();
    return partial;
  }

  /** A message into the partition's work (held, unacked, until its partial is stored). */
  function take(message: JsMsg): void {
    held.push(message);
    const c0 = timing === undefined ? 0 : cpuSeconds();
    const where = `${message.subject} #${message.seq}`;
    const said = merge === null ? batchPublishers(message.data) : 0;
    if (said > 1) merge = new PublisherMerge(partition, said);
    if (merge !== null) for (const bytes of merge.add(message.data, where)) work.add(bytes, where);
    else if (batchPublisher(message.data) !== 0) throw new LockstepError('detect/bad-input', `${where}: a batch from publisher ${batchPublisher(message.data)}, but the worker expects one publisher (give every worker --publishers)`);
    else work.add(message.data, where);
    if (timing !== undefined) {
      const spent = cpuSeconds() - c0;
      timing.add += spent;
      if (timing.storing > 0) timing.storeCpu -= spent;
      timing.messages++;
      timing.bytesIn += message.data.length;
    }
  }

  async function ackHeld(): Promise<void> {
    for (const message of held) message.ack();
    await nc.flush();
  }
}

/**
 * A worker's partitions take turns to finish (kernel, encode, gzip) and store their partials. The
 * finishing is synchronous and a store needs the event loop for its round trips, so without turns
 * a worker finished all its partitions back to back once the end markers were in, and their stores
 * all completed after the last: the coordinator got no partial to unpack until then. With turns a
 * partial is stored before the next partition starts (a few ms of round trips), so the coordinator
 * unpacks it while this worker finishes the next. The turn passes after `STORE_TURN_MS` anyway
 * (a store retried through a node's loss). Not sooner: a store takes 0.07-0.2 s quiet and up to
 * 0.4 s on a loaded machine, and once the turn has passed, the rest of its round trips waits for
 * the next partition's whole synchronous finish (0.5-1.5 s), so its partial reached the
 * coordinator a finish later (with 250 ms the turn passed early in 1-3 of 6 turns per job at load 2-3).
 * Of the partitions waiting, the largest goes first (finish-turns.ts).
 */
const finishTurns = new FinishTurns();
const STORE_TURN_MS = 1_000;

export { collectPartials, purgePartials };

/**
 * Removes a job's durable consumers (the coordinator, once it has every partial). A continuous
 * job's are replicated groups the NATS servers keep beating for as long as they exist: about 1.1 ms
 * of server CPU a second per consumer on the 3-node bench cluster (80 left by 10 jobs: 0.09 s a
 * second, 0.007 with none); a bounded job's (R1, in memory) cost less but, with their node lost,
 * come back with it. Returns how many were removed of how many it tried (a bounded job's replacements count).
 */
export async function removeJobConsumers(nc: NatsConnection, job: string, partitions: number, kind: 'bounded' | 'continuous' = 'bounded'): Promise<ConsumersRemoved> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  // Bounded: `<job>-p<partition>` and the replacements of lost ones (job-consumers.ts), by name.
  if (kind === 'bounded') return removeBoundedConsumers(nc, jsm, job);
  // `<job>-f<partition>` (continuous.ts: a worker following slices).
  const removed = await Promise.all(Array.from({ length: partitions }, (_, partition) => jsm.consumers.delete(EVENTS_STREAM, `${job}-f${partition}`).then(() => 1, () => 0)));
  return { removed: removed.reduce<number>((sum, one) => sum + one, 0), of: partitions };
}
