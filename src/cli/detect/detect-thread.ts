/**
 * A second thread for the stages of `lockstep detect` that need nothing the main thread is doing
 * at the time. After the read, the main thread ran ~13 CPU-s at 10M CooRTweet rows while the other
 * core idled; this thread takes:
 * - half of the CooRTweet traces' key-time ordering (key-time-order.ts: chunks claimed from the
 *   other end, on shared arrays; no answer but the claim words), while the main thread orders the rest;
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
 * start, the stages run on the main thread (same results); if it ends mid-job (out of memory,
 * killed), the job runs here too: a keeper thread (detect-thread-keeper.ts) owns it and sets a
 * shared word the blocked wait checks every WAIT_SLICE_MS.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { groupTestHere } from '../../detect/pipeline.js';
import type { GroupTestStarter } from '../../detect/pipeline.js';
import { pushJoiners as pushJoinersHere } from '../../detect/push-joiners.js';
import type { PushJoinerOptions, PushJoinerResult } from '../../detect/push-joiners.js';
import type { GroupOptions, GroupResult } from '../../detect/significance/index.js';
import type { TraceEvents } from '../../detect/kernel/index.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { startWorkerBeside } from '../../worker-thread.js';
import { KEY_TIME_SPLIT_MIN_EVENTS } from './key-time-order.js';
import type { KeyTimeHelper, KeyTimeJob } from './key-time-order.js';

/** Input rows from which the thread is started (10M-row runs; a synthetic scale-10 archive, 1M rows, too). */
export const DETECT_THREAD_MIN_EVENTS = 500_000;

/**
 * A stage goes to the thread only if at most this many bytes of its arrays must be copied there (the
 * rest are SharedArrayBuffers, as CooRTweet's trace columns are). An archive's traces are plain arrays:
 * at synthetic scale 100 (10M rows) the two stages copied about 0.4 GB and ran beside the kernel's and
 * the outputs' memory, and the run's peak went 3.49 -> 4.40 GB, over the 4 GB a 10M-event run may use.
 * 10M CooRTweet rows copy 14 MB, scale 10 (1M rows) 18-22 MB.
 */
export const DETECT_THREAD_MAX_COPY_BYTES = 64 * 2 ** 20;

/** Bytes of the typed arrays in `value` (objects, arrays and maps, a few levels deep) that a post would copy. */
export function copiedBytes(value: unknown, depth = 0): number {
  if (depth > 4 || value === null || typeof value !== 'object') return 0;
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer ? 0 : value.byteLength;
  const parts = value instanceof Map ? [...value.values()] : Object.values(value);
  return parts.reduce((sum: number, part) => sum + copiedBytes(part, depth + 1), 0);
}

/** How long one blocked wait for the group test lasts before the thread's end is checked (ms). */
const WAIT_SLICE_MS = 200;

/** Whether a run of `events` input rows starts the thread. */
export function wantsDetectThread(events: number, minEvents = DETECT_THREAD_MIN_EVENTS): boolean {
  return events >= minEvents;
}

/** pushJoiners' input. */
export interface PushJoinerArgs { actorCount: number; clusters: readonly { members: readonly number[] }[]; traces: ReadonlyMap<TraceName, TraceData>; exclude?: Uint8Array }

/** What the thread is sent: a stage's arguments and a port for the answer (the group test's also a flag set once answered). */
export type DetectThreadJob =
  | { kind: 'group-test'; port: MessagePort; answered: Int32Array; events: TraceEvents; activity: Float64Array; options: GroupOptions; known: { actorsOnKey: Int32Array } | undefined }
  | { kind: 'push-joiners'; port: MessagePort; input: PushJoinerArgs; options: Partial<PushJoinerOptions> }
  /** Chunks of a trace's key-time ordering, claimed from the last (key-time-order.ts). */
  | { kind: 'key-time'; job: KeyTimeJob }
  /** The thread ends in its next job without answering, as on running out of memory in it (tests); a key-time job's last chunk is claimed and left half written first. */
  | { kind: 'end-in-next-job' };

/** The keeper thread's data: the port the detect thread takes jobs on, and the word set when it ends. */
export interface DetectKeeperData { jobs: MessagePort; stopped: Int32Array }

export type DetectThreadAnswer<T> = { result: T } | { error: string };

export interface DetectThread {
  /** True once the thread has loaded its stages; false if it failed to start (the caller runs them itself). */
  ready: Promise<boolean>;
  /** Whether a stage on `value` goes to the thread: at most the limit of its bytes copied there. */
  takes: (value: unknown) => boolean;
  /** loadTraces' helper: the thread orders chunks of the key-time ordering while the main thread orders the others. */
  keyTimeHelper: KeyTimeHelper;
  /** detectCoordination's `startGroupTest`: the test goes to the thread. */
  startGroupTest: GroupTestStarter;
  /** pushJoiners on the thread; rejects with its failure; here if the thread ended first. */
  pushJoiners: (input: PushJoinerArgs, options: Partial<PushJoinerOptions>) => Promise<PushJoinerResult>;
  /** The thread ends in its next job without answering, as running out of memory in it would (tests). */
  endInNextJob: () => void;
  stop: () => void;
}

function answered<T>(answer: DetectThreadAnswer<T> | undefined, stage: string): T {
  if (answer === undefined) throw new Error(`the ${stage} thread answered nothing`);
  if ('error' in answer) throw new Error(`the ${stage} failed on its thread: ${answer.error}`);
  return answer.result;
}

export function startDetectThread(maxCopyBytes = DETECT_THREAD_MAX_COPY_BYTES): DetectThread {
  const jobs = new MessageChannel();
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  const keeperData: DetectKeeperData = { jobs: jobs.port2, stopped };
  const keeper = startWorkerBeside(import.meta.url, 'detect-thread-keeper', keeperData, [jobs.port2]);
  // Never what keeps the process alive: the CLI stops it, and an unused one must not hold an exit.
  keeper.unref();
  const gone = new Promise<never>((_, reject) => {
    keeper.on('message', (message: unknown) => { if (typeof message === 'object' && message !== null && 'stopped' in message) reject(new Error(String(message.stopped))); });
    keeper.once('error', reject);
    keeper.once('exit', (code) => reject(new Error(`the detect thread's keeper stopped (exit code ${code})`)));
  });
  gone.catch(() => undefined);
  const ready = Promise.race([new Promise<boolean>((resolve) => keeper.once('message', (message) => resolve(message === 'ready'))), gone]).catch(() => false);
  const post = (job: DetectThreadJob, transfer: MessagePort[] = []): void => jobs.port1.postMessage(job, transfer);
  const startGroupTest: GroupTestStarter = (args) => {
    if (Atomics.load(stopped, 0) !== 0) return groupTestHere(args);
    const made = args();
    const { events, activity, options, known } = made;
    if (copiedBytes([events.actor, events.key, events.time, activity, known]) > maxCopyBytes) return groupTestHere(() => made);
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    post({ kind: 'group-test', port: port2, answered: flag, events: { actor: events.actor, key: events.key, time: events.time, actorCount: events.actorCount, keyCount: events.keyCount }, activity, options, known }, [port2]);
    return () => {
      while (Atomics.load(flag, 0) === 0 && Atomics.load(stopped, 0) === 0) Atomics.wait(flag, 0, 0, WAIT_SLICE_MS);
      const answer = receiveMessageOnPort(port1)?.message as DetectThreadAnswer<GroupResult> | undefined;
      port1.close();
      // The thread ended without answering: the test runs here, on the arguments already made.
      if (answer === undefined && Atomics.load(flag, 0) === 0) return groupTestHere(() => made)();
      return answered(answer, 'group test');
    };
  };
  const pushJoiners = async (input: PushJoinerArgs, options: Partial<PushJoinerOptions>): Promise<PushJoinerResult> => {
    if (Atomics.load(stopped, 0) !== 0 || copiedBytes(input) > maxCopyBytes) return pushJoinersHere(input, options);
    const { port1, port2 } = new MessageChannel();
    post({ kind: 'push-joiners', port: port2, input, options }, [port2]);
    try {
      const answer = await Promise.race([new Promise<DetectThreadAnswer<PushJoinerResult>>((resolve) => port1.once('message', resolve)), gone.catch(() => null)]);
      return answer === null ? pushJoinersHere(input, options) : answered(answer, 'push joiner test');
    } finally {
      port1.close();
    }
  };
  const keyTimeHelper: KeyTimeHelper = {
    minEvents: KEY_TIME_SPLIT_MIN_EVENTS,
    // Everything in the job is on SharedArrayBuffers: nothing is copied.
    offer: (job) => post({ kind: 'key-time', job }),
    gone: () => Atomics.load(stopped, 0) !== 0,
  };
  return {
    ready, startGroupTest, pushJoiners, keyTimeHelper,
    takes: (value) => copiedBytes(value) <= maxCopyBytes,
    endInNextJob: () => post({ kind: 'end-in-next-job' }),
    stop: () => { Atomics.store(stopped, 0, 1); void keeper.terminate(); },
  };
}
