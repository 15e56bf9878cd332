/**
 * Scale-out on NATS JetStream (the I/O half; distributed.ts is the pure half). Trace events are
 * published by key partition onto `lockstep.events.<job>.<partition>` of one replicated stream
 * (R3 on a 3-node cluster) in batches of hundreds, each with a message id so a retried publish is
 * stored once. A worker is a durable pull consumer per partition: it acks nothing until the
 * partition's partial is safely in the replicated object store, so a worker killed mid-run leaves
 * its messages to be redelivered to its replacement; events are counted once by their id. The
 * partials (files, one per partition — never a message per pair) are merged by the coordinator.
 */
import { AckPolicy, DeliverPolicy, JSONCodec, nanos } from 'nats';
import type { JetStreamClient, JsMsg, NatsConnection, ObjectStore } from 'nats';
import type { Action } from '../../model/index.js';
import { decodePartial, encodePartial, PartitionWork, partitionEvents } from '../distributed.js';
import type { PartitionPartial, WireEvent } from '../distributed.js';
import type { StreamTrace } from '../extract.js';

export const EVENTS_STREAM = 'LOCKSTEP_EVENTS';
export const PARTIALS_BUCKET = 'lockstep-partials';

type WireMessage = { b: number; events: WireEvent[] } | { end: true; batches: number };

const codec = JSONCodec<WireMessage>();
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries an operation through leader elections and node loss (the cluster keeps quorum). */
async function retry<T>(what: string, operation: () => Promise<T>, attempts = 30): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await operation();
    } catch (error) {
      last = error;
      await pause(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Creates the replicated events stream and partials bucket if missing. */
export async function ensureJobStorage(nc: NatsConnection, replicas = 3): Promise<ObjectStore> {
  const jsm = await nc.jetstreamManager();
  await retry('create stream', async () => {
    try {
      await jsm.streams.info(EVENTS_STREAM);
    } catch {
      await jsm.streams.add({ name: EVENTS_STREAM, subjects: ['lockstep.events.>'], num_replicas: replicas, duplicate_window: nanos(10 * 60_000) });
    }
  });
  return retry('create bucket', () => nc.jetstream().views.os(PARTIALS_BUCKET, { replicas }));
}

export interface JobOptions {
  job: string;
  partitions: number;
  traces: readonly StreamTrace[];
  batchSize: number;
}

/**
 * Publishes actions as partitioned event batches; `final` adds each partition's end marker.
 * Batch numbers continue across calls through `next` (per partition), so a job may be published in parts.
 */
export async function publishJob(js: JetStreamClient, actions: Iterable<Action>, options: JobOptions, next: Map<number, number> = new Map(), final = true): Promise<{ batches: number; events: number }> {
  const parts = partitionEvents(actions, options.traces, options.partitions);
  let batches = 0, events = 0;
  const pending: Promise<unknown>[] = [];
  const send = async (subject: string, message: WireMessage, id: string): Promise<void> => {
    await retry(`publish ${id}`, () => js.publish(subject, codec.encode(message), { msgID: id }));
  };
  for (let partition = 0; partition < options.partitions; partition++) {
    const list = parts.get(partition) ?? [];
    const subject = `lockstep.events.${options.job}.${partition}`;
    for (let start = 0; start < list.length; start += options.batchSize) {
      const b = next.get(partition) ?? 0;
      next.set(partition, b + 1);
      const slice = list.slice(start, start + options.batchSize);
      pending.push(send(subject, { b, events: slice }, `${options.job}.${partition}.${b}`));
      batches++;
      events += slice.length;
      if (pending.length >= 64) await Promise.all(pending.splice(0));
    }
    if (final) pending.push(send(subject, { end: true, batches: next.get(partition) ?? 0 }, `${options.job}.${partition}.end`));
  }
  await Promise.all(pending);
  return { batches, events };
}

export interface WorkerOptions {
  job: string;
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  /** Unacked messages come back after this long (a dead worker's, to its replacement). */
  ackWaitMs: number;
  onProgress?: (partition: number, batches: number) => void;
}

const partialName = (job: string, partition: number): string => `${job}/p${partition}`;

/** Works one partition to its end marker and stores its partial; returns it (or the one already stored). */
export async function workPartition(nc: NatsConnection, partition: number, options: WorkerOptions): Promise<PartitionPartial> {
  const js = nc.jetstream();
  const store = await retry('open bucket', () => js.views.os(PARTIALS_BUCKET));
  const done = await retry('read partial', () => store.getBlob(partialName(options.job, partition)));
  if (done !== null) return decodePartial(done, partialName(options.job, partition));
  const jsm = await nc.jetstreamManager();
  const durable = `${options.job}-p${partition}`;
  await retry('create consumer', () => jsm.consumers.add(EVENTS_STREAM, {
    durable_name: durable, filter_subject: `lockstep.events.${options.job}.${partition}`, ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All, ack_wait: nanos(options.ackWaitMs), max_ack_pending: -1,
  }));
  const work = new PartitionWork(partition, options);
  const held: JsMsg[] = [];
  const got = new Set<number>();
  let expected = -1;
  while (expected < 0 || got.size < expected) {
    try {
      const consumer = await js.consumers.get(EVENTS_STREAM, durable);
      const messages = await consumer.fetch({ max_messages: 256, expires: 1_000 });
      for await (const message of messages) {
        held.push(message);
        const body = codec.decode(message.data);
        if ('end' in body) expected = body.batches;
        else if (!got.has(body.b)) {
          got.add(body.b);
          work.add(body.events, message.seq);
        }
      }
      options.onProgress?.(partition, got.size);
    } catch {
      await pause(250);
    }
  }
  const partial = work.finish();
  await retry('store partial', () => store.putBlob({ name: partialName(options.job, partition) }, encodePartial(partial)));
  for (const message of held) message.ack();
  await nc.flush();
  return partial;
}

/** Waits for every partition's partial, as the coordinator does. */
export async function collectPartials(nc: NatsConnection, job: string, partitions: number, timeoutMs: number): Promise<PartitionPartial[]> {
  const store = await retry('open bucket', () => nc.jetstream().views.os(PARTIALS_BUCKET));
  const found = new Map<number, PartitionPartial>();
  const deadline = Date.now() + timeoutMs;
  while (found.size < partitions) {
    for (let partition = 0; partition < partitions; partition++) {
      if (found.has(partition)) continue;
      const blob = await store.getBlob(partialName(job, partition)).catch(() => null);
      if (blob !== null) found.set(partition, decodePartial(blob, partialName(job, partition)));
    }
    if (found.size < partitions) {
      if (Date.now() > deadline) throw new Error(`job ${job}: ${partitions - found.size} partitions without a partial after ${timeoutMs} ms`);
      await pause(200);
    }
  }
  return [...found.values()];
}
