/**
 * Worker thread of `publishInThreads`: publishes its share of the file on its own NATS connection,
 * then posts the counts. A failure is thrown, which the parent receives as the thread's error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from 'nats';
import { connectOptions } from './connect-options.js';
import { publishShare } from './publish-share.js';
import type { ShareThreadData } from './publish-threads.js';

const { servers, request } = workerData as ShareThreadData;
const nc = await connect(connectOptions(servers));
try {
  parentPort!.postMessage(await publishShare(nc, request));
} finally {
  await nc.drain().catch(() => nc.close());
}
