/**
 * publishBatches' window of unconfirmed publishes, carried from one call to the next of a job,
 * against a JetStream client whose PubAcks the test gives (no cluster).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JetStreamClient } from 'nats';
import { LockstepError } from '../../model/index.js';
import type { OutBatch } from '../partitioner.js';
import { publishBatches } from './publish-batches.js';

/** A client that holds each publish until the test confirms or fails it, oldest first. */
class HeldAcks {
  readonly ids: string[] = [];
  readonly #held: { resolve: () => void; reject: (error: Error) => void }[] = [];
  readonly client = { publish: (_subject: string, _bytes: Uint8Array, options: { msgID: string }) => new Promise<void>((resolve, reject) => {
    this.ids.push(options.msgID);
    this.#held.push({ resolve, reject });
  }) } as unknown as JetStreamClient;

  /** Confirms the `count` oldest held publishes. */
  confirm(count: number): void {
    for (const held of this.#held.splice(0, count)) held.resolve();
  }

  fail(error: Error): void {
    this.#held.shift()?.reject(error);
  }

  get held(): number {
    return this.#held.length;
  }
}

const batches = (partition: number, from: number, count: number, end = false): OutBatch[] => {
  const out = Array.from({ length: count }, (_, i) => ({ partition, b: from + i, end: false, publisher: 0, bytes: new Uint8Array(1) }));
  if (end) out.push({ partition, b: from + count, end: true, publisher: 0, bytes: new Uint8Array(1) });
  return out;
};

/** Whether `promise` has settled once pending I/O callbacks and timers of 0 ms have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe('publishBatches window', () => {
  it('returns once sent, keeps at most inFlight unconfirmed across calls, and the end markers\' call waits for all', async () => {
    const acks = new HeldAcks();
    const first = publishBatches(acks.client, 'w1', batches(0, 0, 3), 4);
    assert.equal(await settled(first), true, 'a call without end markers does not wait for its PubAcks');
    assert.equal(await first, 3);
    const second = publishBatches(acks.client, 'w1', batches(0, 3, 3), 4);
    assert.equal(await settled(second), false);
    assert.equal(acks.ids.length, 4, 'the window is full with the first call\'s 3 unconfirmed');
    acks.confirm(2);
    assert.equal(await settled(second), true);
    assert.deepEqual(acks.ids, ['w1.0.0', 'w1.0.1', 'w1.0.2', 'w1.0.3', 'w1.0.4', 'w1.0.5']);
    // A wider window here, so that the last call is waiting only for its end: all 4 held before it and its 2.
    const last = publishBatches(acks.client, 'w1', batches(1, 0, 1, true), 16);
    assert.equal(await settled(last), false);
    assert.equal(acks.held, 6);
    acks.confirm(acks.held - 1);
    assert.equal(await settled(last), false, 'one publish of the job is still unconfirmed');
    acks.confirm(1);
    assert.equal(await settled(last), true);
    assert.equal(await last, 1);
  });

  it('throws a publish that failed between calls from the job\'s next call, never as an unhandled rejection', async () => {
    const acks = new HeldAcks();
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      await publishBatches(acks.client, 'w2', batches(0, 0, 2), 8);
      acks.fail(new LockstepError('detect/bad-input', 'refused'));
      await new Promise((resolve) => setTimeout(resolve, 0));
      acks.confirm(1);
      const last = publishBatches(acks.client, 'w2', batches(0, 2, 0, true), 8);
      acks.confirm(1);
      await assert.rejects(last, /refused/);
      assert.deepEqual(unhandled, []);
      // The job's window went with the failure: publishing the job again starts afresh.
      const again = publishBatches(acks.client, 'w2', batches(0, 0, 1, true), 8);
      acks.confirm(2);
      assert.equal(await again, 1);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
