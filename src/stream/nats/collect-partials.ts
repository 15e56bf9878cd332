/**
 * The coordinator's side of a bounded job's partials (partial-store.ts): waiting for each
 * partition's, reading and unpacking it as it is stored.
 */
import type { NatsConnection } from 'nats';
import type { PartitionPartial } from '../partial-codec.js';
import { getPartial, manifestsOf } from './partial-store.js';
import { unpackPartial } from './partial-pack.js';

/** How a partition's partial is named in errors. */
export const partialName = (job: string, partition: number): string => `${job}/p${partition}`;

/**
 * Waits for every partition's partial, as the coordinator does (which then removes them with
 * `purgePartials`, once its result is out). It looks when a manifest arrives
 * (a subscription to the job's `done` subjects: the servers push each one) and every 2 s anyway,
 * since a subscription can miss one while a node is lost; looking every 200 ms for each missing
 * partition cost the NATS servers about 0.03 s of CPU a second while a job ran. A partition whose
 * manifest has arrived but that a direct get misses (it can reach a replica that has not stored
 * it yet) is read from the stream's leader at once, and looked at again after 20 ms, doubling up to
 * 0.5 s, while it cannot be read: waiting the whole 2 s for it added 2 s to most jobs.
 * `onCollected` is given each partition's partial as it is read and unpacked (the coordinator joins
 * its labels then: label-join.ts).
 */
export async function collectPartials(nc: NatsConnection, job: string, partitions: number, timeoutMs: number, onCollected?: (partition: number, partial: PartitionPartial) => void): Promise<PartitionPartial[]> {
  const found = new Map<number, PartitionPartial>();
  const deadline = Date.now() + timeoutMs;
  let changed = false;
  const announced = new Set<number>();
  const waiter: { wake: (() => void) | null } = { wake: null };
  const subscription = nc.subscribe(manifestsOf(job), {
    callback: (_error, message) => {
      // `lockstep.partials.<job>.<partition>.done`
      const tokens = message.subject.split('.');
      announced.add(Number(tokens[tokens.length - 2]));
      changed = true;
      waiter.wake?.();
    },
  });
  let behindMs = 0, woken = false;
  try {
    while (found.size < partitions) {
      changed = false;
      for (let partition = 0; partition < partitions; partition++) {
        if (found.has(partition)) continue;
        // After a manifest (or while one announced is behind) only the announced are read: each other read is a round trip that finds nothing; every 2 s, all.
        if (woken && !announced.has(partition)) continue;
        // A replica behind misses a partial whose manifest has arrived: then the leader is asked.
        const blob = (await getPartial(nc, job, partition)) ?? (announced.has(partition) ? await getPartial(nc, job, partition, { fromLeader: true }) : null);
        if (blob === null) continue;
        const partial = unpackPartial(blob, partialName(job, partition));
        found.set(partition, partial);
        onCollected?.(partition, partial);
      }
      if (found.size < partitions) {
        if (Date.now() > deadline) throw new Error(`job ${job}: ${partitions - found.size} partitions without a partial after ${timeoutMs} ms`);
        const behind = [...announced].some((partition) => !found.has(partition));
        behindMs = behind ? Math.min(500, behindMs === 0 ? 20 : 2 * behindMs) : 0;
        if (!changed) {
          woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(behind), behind ? behindMs : 2_000);
            waiter.wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          waiter.wake = null;
        } else woken = true;
      }
    }
  } finally {
    subscription.unsubscribe();
  }
  // In partition order, not as read: the merge adds each pair's float sums in its partials' order.
  return [...found.entries()].sort(([x], [y]) => x - y).map(([, partial]) => partial);
}
