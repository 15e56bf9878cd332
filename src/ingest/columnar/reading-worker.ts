/**
 * The worker thread of a split CooRTweet read (coortweet-split.ts), and its start ahead of need.
 *
 * A worker spends 0.2-0.3 s booting Node and loading the reader before it reads a byte; started
 * when the cut is known, that boot was on the read's critical path. A command that knows from its
 * arguments that it will split a large file (`detect --compat`) starts one first thing
 * (`startReadingWorker`, from src/cli/entry.ts, before the CLI's own modules load), so the boot
 * overlaps the main thread's start-up and probe; the worker then waits for its request. A worker
 * started so and never used (small file, busy cores, no cut) is stopped by the reader, and does
 * not keep the process alive meanwhile (unref).
 *
 * This module loads nothing but src/worker-thread.ts (and `node:worker_threads` through it; its
 * other imports are types), so the entry can start the worker before anything else loads.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import type { PartRequest } from './coortweet-split.js';

let waiting: Worker | null = null;
let started = 0;

/** A reading worker (coortweet-part-worker, compiled or under tsx). With `request` null it waits for the request as a message. */
export function newReadingWorker(request: PartRequest | null): Worker {
  started++;
  return startWorkerBeside(import.meta.url, 'coortweet-part-worker', request);
}

/** Starts a reading worker that waits for a request (see the module's comment); once per process. */
export function startReadingWorker(): void {
  if (waiting !== null) return;
  const worker = newReadingWorker(null);
  worker.unref();
  // A worker that fails while waiting is dropped: the read then starts its own (or reads alone).
  worker.on('error', () => undefined);
  worker.once('exit', () => { if (waiting === worker) waiting = null; });
  waiting = worker;
}

/** The started worker, given `request` (null when none is waiting: start a new one). */
export function takeReadingWorker(request: PartRequest): Worker | null {
  const worker = waiting;
  if (worker === null) return null;
  waiting = null;
  worker.ref();
  worker.postMessage(request);
  return worker;
}

/** Stops a started worker no read took. */
export function stopReadingWorker(): void {
  const worker = waiting;
  waiting = null;
  void worker?.terminate();
}

/** For tests: whether a started worker waits for a request, and how many workers this process made. */
export function readingWorkers(): { waiting: boolean; started: number } {
  return { waiting: waiting !== null, started };
}
