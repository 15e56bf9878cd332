import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { ensureEventsStream } from './events-retention.js';
import { PartitionConsumer } from './job-consumers.js';

/** A thread with its own connection that publishes `end` to `subject` when told (while the test's thread is blocked). */
const publisherThread = (url: string, subject: string): Worker => new Worker(`
  const { parentPort } = require('node:worker_threads');
  const { connect } = require('nats');
  connect({ servers: ${JSON.stringify(url)} }).then((nc) => {
    parentPort.on('message', async () => {
      nc.publish(${JSON.stringify(subject)}, new TextEncoder().encode('end'));
      await nc.flush();
      parentPort.postMessage('published');
    });
    parentPort.postMessage('ready');
  });
`, { eval: true });

const nextMessage = (worker: Worker): Promise<unknown> => new Promise((resolve) => worker.once('message', resolve));

/** Holds this thread, as a worker's synchronous finish of another partition does (0.1-0.4 s on the bench). */
function blockThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer, no socket read
  }
}

describe('a partition consumer\'s messages', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls });
    await ensureEventsStream(nc, 1);
  });
  after(async () => {
    await nc.close();
    await cluster.stop();
  });

  it('takes a message delivered while this thread was blocked past its pull\'s expiry on its first delivery, not after the ack wait', async () => {
    const job = 'blocked', subject = `lockstep.events.${job}.0`;
    const jsm = await nc.jetstreamManager();
    const source = new PartitionConsumer(jsm, nc.jetstream(), job, 0, 3_000);
    await source.open();
    await nc.jetstream().publish(subject, new TextEncoder().encode('first'));
    const publisher = publisherThread(cluster.urls[0]!, subject);
    try {
      await nextMessage(publisher);
      // Pulls of 1 s: the one that delivers `first` is still open at the servers when `end` comes.
      const messages = await source.messages(1_000);
      const received = messages[Symbol.asyncIterator]();
      const first = await received.next();
      assert.equal(new TextDecoder().decode((first.value as { data: Uint8Array }).data), 'first');
      const published = nextMessage(publisher);
      publisher.postMessage('go');
      // `end` reaches this socket while the pull is open; the thread reads it only after the pull has expired.
      blockThread(1_600);
      await published;
      const end = await received.next();
      messages.stop();
      assert.equal(end.done, false);
      const message = end.value as { data: Uint8Array; info: { redeliveryCount: number } };
      assert.equal(new TextDecoder().decode(message.data), 'end');
      // A fetch ended its subscription on its client timer before reading the socket: `end` was dropped and came again after the ack wait.
      assert.equal(message.info.redeliveryCount, 1);
    } finally {
      await publisher.terminate();
    }
  });
});
