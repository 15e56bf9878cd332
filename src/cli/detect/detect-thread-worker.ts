/**
 * Worker thread of `startDetectThread` (started by detect-thread-keeper.ts): says it is ready,
 * then runs each job from the main thread's `jobs` port and answers on the job's port (the group
 * test's own buffers moved, not copied; its flag set after). A failure is answered as its
 * message, so the waiting thread never waits for an answer that will not come; if this thread
 * ends instead, the keeper tells the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { pushJoiners } from '../../detect/push-joiners.js';
import { significantGroups } from '../../detect/significance/index.js';
import type { GroupResult } from '../../detect/significance/index.js';
import type { DetectThreadAnswer, DetectThreadJob } from './detect-thread.js';
import { CLAIM_DONE, CLAIM_FREE, CLAIM_THERE, orderChunk } from './key-time-order.js';
import type { KeyTimeJob } from './key-time-order.js';

/** The result's ArrayBuffers, each once (SharedArrayBuffers are shared, not moved). */
function movable(result: GroupResult): ArrayBuffer[] {
  const { pairs } = result;
  const buffers = new Set<ArrayBufferLike>([result.groupOf.buffer, pairs.a.buffer, pairs.b.buffer, pairs.shared.buffer, pairs.idf.buffer, pairs.coActions.buffer, pairs.sumDelta.buffer]);
  return [...buffers].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}

function failure(error: unknown): { error: string } {
  return { error: error instanceof Error ? error.stack ?? error.message : String(error) };
}

/** Claims chunks from the last down until the main thread (claiming from the first) has the rest. */
function orderChunks(job: KeyTimeJob): void {
  const { claims } = job;
  for (let c = claims.length - 1; c >= 0; c--) {
    if (Atomics.compareExchange(claims, c, CLAIM_FREE, CLAIM_THERE) !== CLAIM_FREE) return;
    let claim = CLAIM_DONE;
    try {
      orderChunk(job, c);
    } catch {
      // Given back: the main thread orders it (from the start: a chunk rewrites its whole range).
      claim = CLAIM_FREE;
    }
    Atomics.store(claims, c, claim);
    Atomics.notify(claims, c);
  }
}

/** The test hook's death in a key-time job: its last chunk claimed and half written (its times scrambled), never finished. */
function endInChunk({ claims, chunkKeys, start, time }: KeyTimeJob): never {
  const c = claims.length - 1;
  if (Atomics.compareExchange(claims, c, CLAIM_FREE, CLAIM_THERE) === CLAIM_FREE) time.fill(-1, start[chunkKeys[c]!]!, start[chunkKeys[c + 1]!]!);
  process.exit(1);
}

const { jobs } = workerData as { jobs: MessagePort };
let endInNextJob = false;
jobs.on('message', (job: DetectThreadJob) => {
  if (job.kind === 'end-in-next-job') { endInNextJob = true; return; }
  if (endInNextJob && job.kind === 'key-time') endInChunk(job.job);
  if (endInNextJob) process.exit(1);
  // No answer: the claim words are the answer, and the main thread waits on them.
  if (job.kind === 'key-time') { orderChunks(job.job); return; }
  let answer: DetectThreadAnswer<unknown>;
  let moved: ArrayBuffer[] = [];
  try {
    if (job.kind === 'group-test') {
      const result = significantGroups(job.events, job.activity, job.options, job.known);
      answer = { result };
      moved = movable(result);
    } else {
      answer = { result: pushJoiners(job.input, job.options) };
    }
  } catch (error) {
    answer = failure(error);
  }
  job.port.postMessage(answer, moved);
  job.port.close();
  if (job.kind === 'group-test') {
    Atomics.store(job.answered, 0, 1);
    Atomics.notify(job.answered, 0);
  }
});
parentPort!.postMessage('ready');
