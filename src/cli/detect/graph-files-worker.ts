/**
 * Worker thread of `startGraphFilesWorker`: writes network.gexf and network.graphml from the
 * request, then says so. A failure is thrown, which the parent receives as the worker's error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeGraphFiles } from './graph-files.js';
import type { GraphFilesRequest } from './graph-files.js';

const request = workerData as GraphFilesRequest;
await writeGraphFiles(request.dir, request);
parentPort!.postMessage('written');
