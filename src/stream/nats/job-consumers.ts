/**
 * A bounded job's partition consumers: one replica, in the server's memory. A worker acks nothing
 * before its partition's partial is stored (jobs.ts), so a consumer's state is worth nothing a
 * replay from the first message would not rebuild: replicating it (R3) only cost the servers
 * about 60 ms of CPU per consumer to make and remove and 0.8–1.2 µs per event while it delivered
 * (docs/streaming.md, Sizing, session 11). What R3 bought was surviving its node's loss; an R1
 * consumer does not, so when its node is gone the worker makes a new one (a new name, since the
 * servers keep the old one's assignment) and the partition is replayed from its first message:
 * `PartitionWork` drops the batches it already holds by batch number, so the partial is the same.
 * Continuous jobs' consumers (continuous-work.ts) stay R3: they ack slices as they go, so their
 * position is state that a replay would not restore.
 */
import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, nanos } from 'nats';
import type { Consumer, ConsumerConfig, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import { EVENTS_STREAM } from './events-retention.js';
import { pause } from './jobs.js';

/** The durable name workers first use for a partition; replacements add `-r<hex>`. */
export const partitionConsumerName = (job: string, partition: number): string => `${job}-p${partition}`;

/**
 * A consumer unreachable this long is taken for lost with its node. An R1 consumer has no
 * election to wait for; a request to one whose node is down times out (5 s), so this is two of
 * them in a row, not one slow answer.
 */
export const CONSUMER_LOST_MS = 8_000;

const consumerConfig = (name: string, job: string, partition: number, ackWaitMs: number): Partial<ConsumerConfig> => ({
  durable_name: name, filter_subject: `lockstep.events.${job}.${partition}`, ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All, ack_wait: nanos(ackWaitMs), max_ack_pending: -1, num_replicas: 1, mem_storage: true,
});

/** One worker's consumer of one partition: made, looked up, and made anew when its node is lost. */
export class PartitionConsumer {
  #name: string;
  #consumer: Consumer | null = null;
  #failingSince = 0;
  /** Consumers this worker made because the one before was lost (a log line, and tests). */
  replacements = 0;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly job: string,
    private readonly partition: number,
    private readonly ackWaitMs: number,
    /** Told the lost consumer's name and the new one's. */
    private readonly onReplaced: (lost: string, made: string) => void = () => undefined,
    private readonly lostMs = CONSUMER_LOST_MS,
  ) {
    this.#name = partitionConsumerName(job, partition);
  }

  get name(): string {
    return this.#name;
  }

  /**
   * Makes (or joins: a dead worker's replacement shares it and gets its messages after the ack
   * wait) the partition's first consumer; one that cannot be made for `lostMs` is on a lost node,
   * and this worker makes its own.
   */
  async open(): Promise<void> {
    const deadline = Date.now() + this.lostMs;
    for (;;) {
      try {
        await this.jsm.consumers.add(EVENTS_STREAM, consumerConfig(this.#name, this.job, this.partition, this.ackWaitMs));
        return;
      } catch (error) {
        if (error instanceof LockstepError) throw error;
        if (Date.now() >= deadline) return this.replace();
        await pause(250);
      }
    }
  }

  /** The consumer, looked up (once, then again only after an empty pull: each look-up is a request the servers answer); it fails if the consumer is gone. */
  async get(): Promise<Consumer> {
    this.#consumer ??= await this.js.consumers.get(EVENTS_STREAM, this.#name);
    return this.#consumer;
  }

  /**
   * After a pull (pull-loop.ts): a message shows the consumer is there; a pull that ended empty may
   * be a partition waiting for events or a consumer whose node is gone (a pull to it is not always
   * an error), so the consumer is looked up again before the next pull: that times out if it is lost.
   */
  fetched(messages: number): void {
    if (messages > 0) this.#failingSince = 0;
    else this.#consumer = null;
  }

  /** A look-up or pull failed: looked up again next time, and made anew once it has failed for `lostMs`. */
  async failed(): Promise<void> {
    this.#consumer = null;
    const now = Date.now();
    if (this.#failingSince === 0) this.#failingSince = now;
    else if (now - this.#failingSince >= this.lostMs) await this.replace();
  }

  /**
   * Makes a consumer under a new name. The servers place an R1 consumer on any of the stream's
   * nodes, a killed one included until they take it for gone (a SIGKILL sends no goodbye); one
   * placed there never answers its creation, so each attempt takes a new name, and so a new place.
   */
  async replace(attempts = 30): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const name = `${partitionConsumerName(this.job, this.partition)}-r${randomBytes(4).toString('hex')}`;
      try {
        await this.jsm.consumers.add(EVENTS_STREAM, consumerConfig(name, this.job, this.partition, this.ackWaitMs));
      } catch (error) {
        if (attempt >= attempts) throw error;
        await pause(250);
        continue;
      }
      const lost = this.#name;
      this.#name = name;
      this.#consumer = null;
      this.#failingSince = 0;
      this.replacements++;
      this.onReplaced(lost, name);
      return;
    }
  }
}

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Names of `job`'s bounded consumers: the first ones and any replacements. Asked of the meta
 * leader (consumer names), which knows a consumer whose node is down; listing consumers' infos
 * would leave those out, and they come back with their node.
 */
export async function jobConsumerNames(nc: NatsConnection, job: string): Promise<string[]> {
  const mine = new RegExp(`^${escaped(job)}-p\\d+(-r[0-9a-f]+)?$`);
  const names: string[] = [];
  for (let offset = 0; ;) {
    const reply = await nc.request(`$JS.API.CONSUMER.NAMES.${EVENTS_STREAM}`, new TextEncoder().encode(JSON.stringify({ offset })), { timeout: 5_000 });
    const page = JSON.parse(new TextDecoder().decode(reply.data)) as { total?: number; consumers?: string[] | null; error?: { description?: string } };
    if (page.error !== undefined) throw new Error(`consumer names: ${page.error.description ?? 'error'}`);
    const batch = page.consumers ?? [];
    names.push(...batch.filter((name) => mine.test(name)));
    offset += batch.length;
    if (batch.length === 0 || offset >= (page.total ?? 0)) return names;
  }
}

/** Consumers of a job the coordinator tried to remove, and how many of those the servers confirmed. */
export interface ConsumersRemoved {
  removed: number;
  of: number;
}

/**
 * Removes every bounded consumer of `job` (the first ones and any replacements, so `of` can
 * exceed the partitions). One on a lost node is removed from the cluster's assignments all the
 * same, but its answer times out and it is not counted as removed.
 */
export async function removeBoundedConsumers(nc: NatsConnection, jsm: JetStreamManager, job: string): Promise<ConsumersRemoved> {
  const names = await jobConsumerNames(nc, job);
  const removed = await Promise.all(names.map((name) => jsm.consumers.delete(EVENTS_STREAM, name).then(() => 1, () => 0)));
  return { removed: removed.reduce<number>((sum, one) => sum + one, 0), of: names.length };
}
