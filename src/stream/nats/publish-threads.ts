/**
 * `stream-publish --threads n`: the front end on n worker threads, each a publisher of the job
 * with its share of the file by account (publish-share.ts), all reading the file as the parent
 * reads it once (publish-feed.ts). Every batch says the job has n publishers, so workers wait for
 * all n end markers unasked (publisher-merge.ts).
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import { FileFeed } from './publish-feed.js';
import type { FeedMemory } from './publish-feed.js';
import type { LineProblem, PublishShareRequest, PublishShareResult } from './publish-share.js';
import { FIRST_PROBLEMS } from './publish-share.js';

/** What a thread is started with: `feed`, the slots the parent reads the file into. */
export interface ShareThreadData { servers: string[]; request: PublishShareRequest; feed: FeedMemory }

/** Thread → parent: a feed slot it is done with, or its counts. */
export type ShareThreadMessage = { done: number } | { result: PublishShareResult };

function runThread(data: ShareThreadData, started: Worker[], feed: FileFeed): Promise<PublishShareResult> {
  const thread = startWorkerBeside(import.meta.url, 'publish-share-worker', data);
  started.push(thread);
  return new Promise<PublishShareResult>((resolve, reject) => {
    thread.on('message', (message: ShareThreadMessage) => {
      if ('done' in message) feed.done(message.done);
      else resolve(message.result);
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`publisher thread ${data.request.publisher} stopped (exit code ${code}) before it finished`)));
  });
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
  const feed = new FileFeed();
  try {
    const running = Promise.all(Array.from({ length: threads }, (_, publisher) => runThread({ servers, request: { ...request, publisher, of: threads }, feed: feed.memory }, started, feed)));
    const failed = running.then(() => new Promise<never>(() => undefined));
    await Promise.race([ready, failed]);
    await Promise.race([feed.feed(request.file, started, failed), failed]);
    const results = await running;
    const sum = (field: 'actions' | 'events' | 'batches' | 'rejected'): number => results.reduce((total, result) => total + result[field], 0);
    const problems: LineProblem[] = results.flatMap((result) => result.problems).sort((a, b) => a.line - b.line).slice(0, FIRST_PROBLEMS);
    return { actions: sum('actions'), events: sum('events'), batches: sum('batches'), rejected: sum('rejected'), problems };
  } finally {
    for (const thread of started) void thread.terminate();
  }
}
