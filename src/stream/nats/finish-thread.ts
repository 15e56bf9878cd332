/**
 * A thread of a worker's FinishPool (finish-pool.ts): warms up, says it is ready, then finishes
 * each partition it is given (the kernel per trace, encodePartial, packing) and sends back the
 * partial and its packed bytes, their buffers moved, not copied.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { LockstepError } from '../../model/index.js';
import { encodePartial, partialOfColumns } from '../distributed.js';
import { partialColumns, sendable, transferable } from './finish-pool.js';
import type { FinishReply, FinishRequest, FinishThreadData } from './finish-pool.js';
import { packEncoded } from './partial-pack.js';
import { warmUpWorker } from './warm-up.js';

const data = workerData as FinishThreadData;
const port = parentPort!;
if (data.warmUp) warmUpWorker(data);
port.on('message', (request: FinishRequest) => {
  let reply: FinishReply;
  try {
    const t0 = performance.now();
    const partial = partialOfColumns(request.columns, data);
    const t1 = performance.now();
    const encoded = encodePartial(partial);
    const t2 = performance.now();
    const packed = packEncoded(encoded, request.compression);
    const t3 = performance.now();
    reply = { id: request.id, partial: sendable(partial), packed, seconds: { finish: (t1 - t0) / 1000, encode: (t2 - t1) / 1000, compress: (t3 - t2) / 1000 } };
    port.postMessage(reply, transferable([...partialColumns(partial), packed]));
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error), code: error instanceof LockstepError ? error.code : null };
    port.postMessage(reply);
  }
});
port.postMessage('ready');
