/**
 * A second thread for the stages of `lockstep detect` that need nothing the main thread is doing
 * at the time. After the read, the main thread ran ~13 CPU-s at 10M CooRTweet rows while the other
 * core idled; this thread takes:
 * - the group test (src/detect/significance/group.ts, 2.2 of those CPU-s), while the main thread
 *   runs the traces' co-action kernels and pair tests, which do not depend on it;
 * - the push joiners (src/detect/push-joiners.ts), while the main thread expands the clusters and
 *   writes the outputs.
 * It starts when the input is read (it boots while the traces load) and only on large inputs:
 * below `minEvents` its start (~0.1 s) costs more than the overlap saves.
 *
 * detectCoordination is synchronous, so the group test's result is waited for by blocking
 * (Atomics.wait on a shared flag the thread sets, then receiveMessageOnPort); the kernels run
 * first, so by then the test is mostly done. Trace columns on SharedArrayBuffers
 * (coortweet-source.ts) are shared, not copied; others are copied once. If the thread fails to
 * start, the stages run on the main thread (same results).
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { GroupTestStarter } from '../../detect/pipeline.js';
import type { PushJoinerOptions, PushJoinerResult } from '../../detect/push-joiners.js';
import type { GroupOptions, GroupResult } from '../../detect/significance/index.js';
import type { TraceEvents } from '../../detect/kernel/index.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { startWorkerBeside } from '../../worker-thread.js';

/** Input rows from which the thread is started (10M-row runs; a synthetic scale-10 archive, 1M rows, too). */
export const DETECT_THREAD_MIN_EVENTS = 500_000;

/** Whether a run of `events` input rows starts the thread. */
export function wantsDetectThread(events: number, minEvents = DETECT_THREAD_MIN_EVENTS): boolean {
  return events >= minEvents;
}

/** pushJoiners' input. */
export interface PushJoinerArgs { actorCount: number; clusters: readonly { members: readonly number[] }[]; traces: ReadonlyMap<TraceName, TraceData>; exclude?: Uint8Array }

/** What the thread is sent: a stage's arguments and a port for the answer (the group test's also a flag set once answered). */
export type DetectThreadJob =
  | { kind: 'group-test'; port: MessagePort; answered: Int32Array; events: TraceEvents; activity: Float64Array; options: GroupOptions; known: { actorsOnKey: Int32Array } | undefined }
  | { kind: 'push-joiners'; port: MessagePort; input: PushJoinerArgs; options: Partial<PushJoinerOptions> };

export type DetectThreadAnswer<T> = { result: T } | { error: string };

export interface DetectThread {
  /** True once the thread has loaded its stages; false if it failed to start (the caller runs them itself). */
  ready: Promise<boolean>;
  /** detectCoordination's `startGroupTest`: the test goes to the thread. */
  startGroupTest: GroupTestStarter;
  /** pushJoiners on the thread; rejects with its failure, or if the thread stops first. */
  pushJoiners: (input: PushJoinerArgs, options: Partial<PushJoinerOptions>) => Promise<PushJoinerResult>;
  stop: () => void;
}

function answered<T>(answer: DetectThreadAnswer<T> | undefined, stage: string): T {
  if (answer === undefined) throw new Error(`the ${stage} thread answered nothing`);
  if ('error' in answer) throw new Error(`the ${stage} failed on its thread: ${answer.error}`);
  return answer.result;
}

export function startDetectThread(): DetectThread {
  const worker = startWorkerBeside(import.meta.url, 'detect-thread-worker', null);
  // Never what keeps the process alive: the CLI stops it, and an unused one must not hold an exit.
  worker.unref();
  let stopped = false;
  const gone = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the detect thread stopped (exit code ${code})`)));
  });
  gone.catch(() => undefined);
  const ready = Promise.race([new Promise<boolean>((resolve) => worker.once('message', () => resolve(true))), gone]).catch(() => false);
  const startGroupTest: GroupTestStarter = (args) => {
    const { events, activity, options, known } = args();
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const job: DetectThreadJob = { kind: 'group-test', port: port2, answered: flag, events: { actor: events.actor, key: events.key, time: events.time, actorCount: events.actorCount, keyCount: events.keyCount }, activity, options, known };
    worker.postMessage(job, [port2]);
    return () => {
      while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0);
      const answer = receiveMessageOnPort(port1)?.message as DetectThreadAnswer<GroupResult> | undefined;
      port1.close();
      return answered(answer, 'group test');
    };
  };
  const pushJoiners = async (input: PushJoinerArgs, options: Partial<PushJoinerOptions>): Promise<PushJoinerResult> => {
    if (stopped) throw new Error('the detect thread was stopped');
    const { port1, port2 } = new MessageChannel();
    const job: DetectThreadJob = { kind: 'push-joiners', port: port2, input, options };
    worker.postMessage(job, [port2]);
    try {
      const answer = await Promise.race([new Promise<DetectThreadAnswer<PushJoinerResult>>((resolve) => port1.once('message', resolve)), gone]);
      return answered(answer, 'push joiner test');
    } finally {
      port1.close();
    }
  };
  return { ready, startGroupTest, pushJoiners, stop: () => { stopped = true; void worker.terminate(); } };
}
