/**
 * A job's batches onto its subjects, with a window of unconfirmed publishes. In a module of its
 * own: a `stream-publish --threads` thread needs only this, and importing jobs.ts (the worker's
 * side, the partials' storage and codec) cost each thread ~0.15-0.2 CPU-s of start-up.
 */
import type { JetStreamClient } from 'nats';
import type { OutBatch } from '../partitioner.js';
import { retry } from './retry.js';

/** Per job, the publishes `publishBatches` has sent and not yet seen confirmed, oldest first. */
const unconfirmed = new Map<string, Promise<unknown>[]>();

/**
 * Publishes encoded batches to `job`'s subjects, each with its message id (job, partition, the
 * publisher if not 0, batch number or `end`), at most `inFlight` unconfirmed at a time. Returns
 * the event batches sent. The window carries over from one call to the next of the same job:
 * a call returns once its batches are sent, with up to `inFlight` of the job's publishes still
 * unconfirmed, except a call that sends end markers, which returns once every publish of the
 * job is confirmed (a caller publishing without end markers ends with `settlePublished`). A front
 * end that published 64 batches a call and then waited for all their PubAcks (R3: stored on two
 * nodes) left its event loop idle 0.10-0.20 s a job on the bench's feed, 0.00-0.05 s with the
 * window carried over (bench/publish-client.mjs, load 5-8). A publish that failed for good is
 * thrown by the call that meets it, or by the job's last.
 */
export async function publishBatches(js: JetStreamClient, job: string, batches: Iterable<OutBatch>, inFlight = 64): Promise<number> {
  let pending = unconfirmed.get(job);
  if (pending === undefined) unconfirmed.set(job, (pending = []));
  let sent = 0, ended = false;
  try {
    for (const { partition, b, end, publisher, bytes } of batches) {
      if (pending.length >= inFlight) await pending.shift();
      const id = `${job}.${partition}.${publisher > 0 ? `q${publisher}.` : ''}${end ? 'end' : b}`;
      const publish = retry(`publish ${id}`, () => js.publish(`lockstep.events.${job}.${partition}`, bytes, { msgID: id }));
      // Awaited later (a later call may meet it): marked handled now so that a failure between calls is not an unhandled rejection.
      publish.catch(() => undefined);
      pending.push(publish);
      if (end) ended = true;
      else sent++;
    }
  } catch (error) {
    unconfirmed.delete(job);
    throw error;
  }
  if (ended) await settlePublished(job);
  return sent;
}

/** Waits until every publish of `job` sent by `publishBatches` is confirmed (throws the first that failed). */
export async function settlePublished(job: string): Promise<void> {
  const pending = unconfirmed.get(job);
  if (pending === undefined) return;
  unconfirmed.delete(job);
  await Promise.all(pending);
}
