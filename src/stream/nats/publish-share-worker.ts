/**
 * Worker thread of `publishInThreads`: publishes its share of the file on its own NATS connection,
 * from the chunks the parent reads into the shared feed, then posts the counts. A failure is
 * thrown, which the parent receives as the thread's error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from 'nats';
import { connectOptions } from './connect-options.js';
import { publishShare } from './publish-share.js';
import { FEED_CHUNK } from './publish-threads.js';
import type { FeedChunk, ShareThreadData, ShareThreadMessage } from './publish-threads.js';

const { servers, request, feed } = workerData as ShareThreadData;
const port = parentPort!;

/** The parent's chunks in order; a chunk's slot is given back when the next is asked for (the front end is done with it). */
async function* parentChunks(): AsyncGenerator<Uint8Array> {
  const arrived: FeedChunk[] = [];
  let wake: (() => void) | null = null;
  port.on('message', (chunk: FeedChunk) => {
    arrived.push(chunk);
    wake?.();
  });
  for (;;) {
    while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const { slot, length } = arrived.shift()!;
    if (length === 0) return;
    yield new Uint8Array(feed, slot * FEED_CHUNK, length);
    port.postMessage({ done: slot } satisfies ShareThreadMessage);
  }
}

const nc = await connect(connectOptions(servers));
try {
  const result = await publishShare(nc, request, parentChunks());
  port.postMessage({ result } satisfies ShareThreadMessage);
} finally {
  await nc.drain().catch(() => nc.close());
}
