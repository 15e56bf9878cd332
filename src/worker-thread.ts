/**
 * Starts a worker thread on a module beside the caller. The module is the compiled .js when the
 * caller runs compiled; under tsx (tests, `--import tsx` runs) it is the .ts source, loaded after
 * registering tsx in the thread, because Node 20 does not apply `--import` hooks to a worker's entry
 * module. Here, not in one stage's folder, because the CLI, the readers and the stream all start
 * threads this way.
 */
import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';

/** `besideUrl` is the caller's `import.meta.url`; `name` the module's file name without extension; `transferList` what in `workerData` is moved (e.g. a MessagePort). */
export function startWorkerBeside(besideUrl: string, name: string, workerData: unknown, transferList: TransferListItem[] = []): Worker {
  if (!besideUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, besideUrl), { workerData, transferList });
  const source = new URL(`./${name}.ts`, besideUrl).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`, { eval: true, workerData, transferList });
}

/** A zeroed Int32Array on a SharedArrayBuffer: a thread it is posted to reads the same memory, nothing is copied. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/** A zeroed Float64Array on a SharedArrayBuffer (see sharedInt32). */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}
