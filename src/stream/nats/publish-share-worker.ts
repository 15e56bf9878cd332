/**
 * Worker thread of `publishInThreads`: publishes its share of the file on its own NATS connection,
 * from the chunks the parent reads into the shared feed (publish-feed.ts), then posts the counts.
 * A failure is thrown, which the parent receives as the thread's error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from 'nats';
import { connectOptions } from './connect-options.js';
import { feedChunks } from './publish-feed.js';
import type { FeedSource } from './publish-feed.js';
import { publishShare } from './publish-share.js';
import type { ShareThreadData, ShareThreadMessage } from './publish-threads.js';

const { servers, request, feed } = workerData as ShareThreadData;
const port = parentPort!;
const chunks = feedChunks(port as FeedSource, feed, (slot) => port.postMessage({ done: slot } satisfies ShareThreadMessage));
const nc = await connect(connectOptions(servers));
try {
  const result = await publishShare(nc, request, chunks);
  port.postMessage({ result } satisfies ShareThreadMessage);
} finally {
  await nc.drain().catch(() => nc.close());
}
