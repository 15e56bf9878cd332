/**
 * `stream-publish --threads n`: the front end on n worker threads, each a publisher of the job
 * with its share of the file by account (publish-share.ts). Every batch says the job has n
 * publishers, so workers wait for all n end markers unasked (publisher-merge.ts).
 *
 * The file is read once, here: each chunk is read into a slot of a SharedArrayBuffer that every
 * thread sees, and a slot is read into again once every thread has said it is done with it (a
 * thread copies the chunk into its scanner's memory and carries a cut line as a copy). Each
 * thread reading the whole file itself cost each a pass of read() calls and stream steps.
 */
import { open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import type { LineProblem, PublishShareRequest, PublishShareResult } from './publish-share.js';
import { FIRST_PROBLEMS } from './publish-share.js';

/** Bytes a chunk (as stream-publish reads on one thread) and chunks the threads may hold at once. */
export const FEED_CHUNK = 256 * 1024;
const FEED_SLOTS = 8;

/** What a thread is started with: `feed`, the slots the parent reads the file into. */
export interface ShareThreadData { servers: string[]; request: PublishShareRequest; feed: SharedArrayBuffer }

/** Parent → thread: chunk `length` bytes in `slot` (length 0: the end of the file). Thread → parent: `{ done: slot }` or `{ result }`. */
export interface FeedChunk { slot: number; length: number }
export type ShareThreadMessage = { done: number } | { result: PublishShareResult };

function runThread(data: ShareThreadData, started: Worker[], onDone: (slot: number) => void): Promise<PublishShareResult> {
  const thread = startWorkerBeside(import.meta.url, 'publish-share-worker', data);
  started.push(thread);
  return new Promise<PublishShareResult>((resolve, reject) => {
    thread.on('message', (message: ShareThreadMessage) => {
      if ('done' in message) onDone(message.done);
      else resolve(message.result);
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`publisher thread ${data.request.publisher} stopped (exit code ${code}) before it finished`)));
  });
}

/** Reads `file` into the feed's slots and posts each chunk to every thread, at most FEED_SLOTS unfinished; then the end. */
async function feedThreads(file: string, feed: SharedArrayBuffer, threads: Worker[], holders: Int32Array, slotFreed: () => Promise<void>): Promise<void> {
  const handle = await open(file, 'r');
  try {
    for (let slot = 0; ; slot = (slot + 1) % FEED_SLOTS) {
      while (holders[slot]! > 0) await slotFreed();
      const { bytesRead } = await handle.read(new Uint8Array(feed, slot * FEED_CHUNK, FEED_CHUNK), 0, FEED_CHUNK, null);
      holders[slot] = bytesRead > 0 ? threads.length : 0;
      for (const thread of threads) thread.postMessage({ slot, length: bytesRead } satisfies FeedChunk);
      if (bytesRead === 0) return;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Publishes `file` as `threads` publishers 0 … threads−1 on as many threads, and sums their counts;
 * the problems are the file's first ones, in line order. One thread failing ends the others. The
 * threads start (import their code, connect) at once; the file is fed to them once `ready` is
 * settled (the job's streams exist).
 * @example await publishInThreads(['nats://127.0.0.1:4222'], { file, job: 'j', partitions: 8, batchSize: 2000 }, 2)
 */
export async function publishInThreads(servers: string[], request: Omit<PublishShareRequest, 'publisher' | 'of'>, threads: number, ready: Promise<unknown> = Promise.resolve()): Promise<PublishShareResult> {
  const started: Worker[] = [];
  const feed = new SharedArrayBuffer(FEED_SLOTS * FEED_CHUNK);
  const holders = new Int32Array(FEED_SLOTS);
  let wake: () => void = () => undefined;
  const onDone = (slot: number): void => {
    holders[slot]!--;
    wake();
  };
  try {
    const running = Promise.all(Array.from({ length: threads }, (_, publisher) => runThread({ servers, request: { ...request, publisher, of: threads }, feed }, started, onDone)));
    // A thread that failed frees no slot: the feed stops waiting when any thread fails.
    const failed = running.then(() => new Promise<never>(() => undefined));
    const slotFreed = (): Promise<void> => Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);
    await Promise.race([ready, failed]);
    await Promise.race([feedThreads(request.file, feed, started, holders, slotFreed), failed]);
    const results = await running;
    const sum = (field: 'actions' | 'events' | 'batches' | 'rejected'): number => results.reduce((total, result) => total + result[field], 0);
    const problems: LineProblem[] = results.flatMap((result) => result.problems).sort((a, b) => a.line - b.line).slice(0, FIRST_PROBLEMS);
    return { actions: sum('actions'), events: sum('events'), batches: sum('batches'), rejected: sum('rejected'), problems };
  } finally {
    for (const thread of started) void thread.terminate();
  }
}
