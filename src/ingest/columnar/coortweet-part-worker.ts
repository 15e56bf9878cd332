/**
 * Worker thread of `readCoortweetColumnsSplit`: reads the second half of a CooRTweet file into
 * typed columns and hands them back without copying (the arrays' memory is transferred). The
 * request comes as workerData, or as the first message to a worker started ahead (reading-worker.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readPart } from './coortweet-split.js';
import type { PartRequest } from './coortweet-split.js';

function read(request: PartRequest): void {
  const result = readPart(request);
  const { rows } = result;
  const buffers = new Set<ArrayBuffer>();
  for (const array of [rows.object, rows.content, rows.account, rows.timestamp, rows.objects.arena, rows.objects.meta, rows.contents.arena, rows.contents.meta, rows.accounts.arena, rows.accounts.meta]) {
    if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  }
  parentPort!.postMessage(result, [...buffers]);
}

// Started ahead of need (reading-worker.ts), a worker has no request yet: it waits for one.
const request = workerData as PartRequest | null;
if (request === null) parentPort!.once('message', read);
else read(request);
