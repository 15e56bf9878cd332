/**
 * `stream-publish --threads n`: the front end on n worker threads, each a publisher of the job
 * with its share of the file by account (publish-share.ts). Every batch says the job has n
 * publishers, so workers wait for all n end markers unasked (publisher-merge.ts).
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import type { LineProblem, PublishShareRequest, PublishShareResult } from './publish-share.js';
import { FIRST_PROBLEMS } from './publish-share.js';

export interface ShareThreadData { servers: string[]; request: PublishShareRequest }

function runThread(data: ShareThreadData, started: Worker[]): Promise<PublishShareResult> {
  const thread = startWorkerBeside(import.meta.url, 'publish-share-worker', data);
  started.push(thread);
  return new Promise<PublishShareResult>((resolve, reject) => {
    thread.once('message', (result: PublishShareResult) => resolve(result));
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`publisher thread ${data.request.publisher} stopped (exit code ${code}) before it finished`)));
  });
}

/**
 * Publishes `file` as `threads` publishers 0 … threads−1 on as many threads, and sums their counts;
 * the problems are the file's first ones, in line order. One thread failing ends the others.
 * @example await publishInThreads(['nats://127.0.0.1:4222'], { file, job: 'j', partitions: 8, batchSize: 2000 }, 2)
 */
export async function publishInThreads(servers: string[], request: Omit<PublishShareRequest, 'publisher' | 'of'>, threads: number): Promise<PublishShareResult> {
  const started: Worker[] = [];
  try {
    const results = await Promise.all(Array.from({ length: threads }, (_, publisher) => runThread({ servers, request: { ...request, publisher, of: threads } }, started)));
    const sum = (field: 'actions' | 'events' | 'batches' | 'rejected'): number => results.reduce((total, result) => total + result[field], 0);
    const problems: LineProblem[] = results.flatMap((result) => result.problems).sort((a, b) => a.line - b.line).slice(0, FIRST_PROBLEMS);
    return { actions: sum('actions'), events: sum('events'), batches: sum('batches'), rejected: sum('rejected'), problems };
  } finally {
    for (const thread of started) void thread.terminate();
  }
}
