/**
 * Worker thread of `startDetectThread` that starts the detect thread and watches it. The main
 * thread waits for the group test blocked (Atomics.wait), so the detect thread's 'exit' and
 * 'error' events cannot reach it while it waits: a thread that ran out of memory or was killed
 * mid-test would leave it waiting forever. This thread's own loop is idle, so it hears of the end
 * at once and sets the shared `stopped` word that the main thread checks between slices of its
 * wait. It passes on the detect thread's 'ready', then its end, and ends with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import type { DetectKeeperData } from './detect-thread.js';

const { jobs, stopped } = workerData as DetectKeeperData;
const detect = startWorkerBeside(import.meta.url, 'detect-thread-worker', { jobs }, [jobs]);
let failure = '';
detect.once('message', (ready: unknown) => parentPort!.postMessage(ready));
detect.once('error', (error: Error & { code?: string }) => { failure = error.code ?? error.message; });
detect.once('exit', (code) => {
  Atomics.store(stopped, 0, 1);
  Atomics.notify(stopped, 0);
  parentPort!.postMessage({ stopped: `the detect thread stopped (exit code ${code}${failure === '' ? '' : `, ${failure}`})` });
});
