/**
 * Worker thread of `readCoortweetColumnsSplit`: reads the second half of a CooRTweet file into
 * typed columns and hands them back without copying (the arrays' memory is transferred).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readPart } from './coortweet-split.js';
import type { PartRequest } from './coortweet-split.js';

const result = readPart(workerData as PartRequest);
const { rows } = result;
const buffers = new Set<ArrayBuffer>();
for (const array of [rows.object, rows.content, rows.account, rows.timestamp, rows.objects.arena, rows.objects.meta, rows.contents.arena, rows.contents.meta, rows.accounts.arena, rows.accounts.meta]) {
  if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
}
parentPort!.postMessage(result, [...buffers]);
