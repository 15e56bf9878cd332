/**
 * A bounded job's worker finishes partitions (the kernel per trace, encodePartial, gzip) on a few
 * threads of its own. A job's end markers all come at its end, so a worker's partitions all finish
 * then: on its main thread one after another on one core (878k events, 8 partitions: about 3.7 s of
 * CPU after the last end marker with the other core idle), and the main thread's event loop, which
 * receives and stores, stood still while each ran. On threads the main thread stores each partial
 * as it is packed, and a second partition starts beside a running one only while a core stays idle
 * (the CPU counters over the last `admitMs`): on a machine whose cores are busy (two workers, the
 * coordinator unpacking, other jobs) two finishes at once cost more CPU each (they share caches)
 * and took the coordinator's core, so they run one at a time there. Each thread warms up
 * (warm-up.ts) before it is ready: a thread's code is as cold as a new process's.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerBeside } from '../../worker-thread.js';
import { idleCores, sampleCpu } from '../../ingest/columnar/idle-cores.js';
import type { CpuSample } from '../../ingest/columnar/idle-cores.js';
import { LockstepError } from '../../model/index.js';
import type { LockstepErrorCode } from '../../model/index.js';
import type { PartitionColumns, PartitionPartial } from '../distributed.js';
import { unitsPartial } from '../partial-codec.js';
import type { StreamTrace } from '../extract.js';
import type { PartialCompression } from './partial-pack.js';

export interface FinishPoolOptions {
  /** Threads (default: the cores Node sees). */
  threads: number;
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  /** Each thread works warm-up.ts's synthetic partitions before it is ready (default true). */
  warmUp: boolean;
  /** A partition starts beside running ones only if at least this many cores stayed idle over `admitMs` (0: whenever a thread is free). */
  minIdleCores: number;
  /** How long the idle cores are measured before a further partition may start (and again while none may). */
  admitMs: number;
  /** The CPU counters (idle-cores.ts; tests inject them). */
  sampleCpu: () => CpuSample | null;
}

export const FINISH_POOL_DEFAULTS = { minIdleCores: 0.75, admitMs: 200, warmUp: true } as const;

/** What a thread is given at its start. */
export interface FinishThreadData {
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  warmUp: boolean;
}

export interface FinishRequest {
  id: number;
  columns: PartitionColumns;
  compression: PartialCompression;
}

/** A thread's answer: the partial, its packed bytes and the thread's wall seconds per part; or the error. */
export type FinishReply =
  | { id: number; partial: PartitionPartial; packed: Uint8Array; seconds: FinishSeconds }
  | { id: number; error: string; code: string | null };

export interface FinishSeconds {
  finish: number;
  encode: number;
  compress: number;
}

export interface FinishedPartial {
  partial: PartitionPartial;
  packed: Uint8Array;
  seconds: FinishSeconds;
  /** Other partitions this pool was finishing when this one started. */
  alongside: number;
}

/**
 * The buffers of `views` that can move to another thread rather than be copied: small ones may
 * share Node's Buffer pool (not transferable), and each buffer is listed once.
 */
export function transferable(views: readonly ArrayBufferView[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const view of views) if (view.buffer instanceof ArrayBuffer && view.buffer.byteLength > 8_192) out.add(view.buffer);
  return [...out];
}

/** The typed columns of a partition's events (what a thread is given). */
export const eventColumns = (columns: PartitionColumns): ArrayBufferView[] => [
  ...columns.traces.flatMap(({ events }) => [events.actor, events.key, events.time]),
  ...(columns.actorUnits === undefined ? [] : [columns.actorUnits.units, columns.actorUnits.starts]),
];

/** The typed columns of a partial (what a thread sends back). */
export const partialColumns = (partial: PartitionPartial): ArrayBufferView[] => [
  ...partial.traces.flatMap(({ pairs, activity }) => [pairs.a, pairs.b, pairs.shared, pairs.sumLogN, pairs.coActions, pairs.sumDelta, activity.actor, activity.keys]),
  ...(partial.actorUnits === undefined ? [] : [partial.actorUnits.units, partial.actorUnits.starts]),
];

/**
 * The partial as a thread sends it: a worker's (unitsPartial) with its labels as code units only,
 * not also as strings made to be copied; the pool makes it a units partial again.
 */
export function sendable(partial: PartitionPartial): PartitionPartial {
  if (partial.actorUnits === undefined) return partial;
  const { partition, actorUnits, traces, events, duplicates, upTo, prunedAgainst } = partial;
  const fields = { partition, actorUnits, traces, events, duplicates, ...(upTo === undefined ? {} : { upTo }), ...(prunedAgainst === undefined ? {} : { prunedAgainst }) };
  return fields as unknown as PartitionPartial;
}

interface Thread {
  worker: Worker;
  /** Warmed up and listening. */
  ready: boolean;
  busy: Pending | null;
}

interface Pending {
  request: FinishRequest;
  alongside: number;
  resolve: (done: FinishedPartial) => void;
  reject: (error: Error) => void;
}

export class FinishPool {
  readonly #threads: Thread[] = [];
  readonly #queue: Pending[] = [];
  #ids = 0;
  #broken: Error | null = null;
  /** Counters when the idle cores began to be measured, and the timer that looks again. */
  #since: CpuSample | null = null;
  #recheck: ReturnType<typeof setTimeout> | null = null;
  readonly #admit: Pick<FinishPoolOptions, 'minIdleCores' | 'admitMs' | 'sampleCpu'>;
  /** Resolves when every thread has warmed up; rejects if one fails to start. */
  readonly ready: Promise<void>;

  constructor(options: Partial<FinishPoolOptions> & Pick<FinishPoolOptions, 'traces' | 'windowMs' | 'maxPartnersPerEvent'>) {
    const opts = { ...FINISH_POOL_DEFAULTS, sampleCpu, threads: availableParallelism(), ...options };
    const threads = Math.max(1, opts.threads);
    this.#admit = opts;
    const data: FinishThreadData = { traces: opts.traces, windowMs: opts.windowMs, maxPartnersPerEvent: opts.maxPartnersPerEvent, warmUp: opts.warmUp };
    const started: Promise<void>[] = [];
    for (let t = 0; t < threads; t++) {
      const worker = startWorkerBeside(import.meta.url, 'finish-thread', data);
      const thread: Thread = { worker, ready: false, busy: null };
      this.#threads.push(thread);
      started.push(new Promise<void>((resolve, reject) => {
        worker.once('message', () => {
          worker.on('message', (reply: FinishReply) => this.#answered(thread, reply));
          worker.unref();
          thread.ready = true;
          resolve();
          this.#next();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`a finishing thread stopped before it was ready (exit code ${code})`)));
      }));
      worker.on('error', (error) => this.#fail(thread, error));
      worker.on('exit', (code) => this.#fail(thread, new Error(`a finishing thread stopped (exit code ${code})`)));
    }
    this.ready = Promise.all(started).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  /** Threads in the pool. */
  get size(): number {
    return this.#threads.length;
  }

  /**
   * `partialOfColumns` of `columns`, encoded and packed, on the first free thread. The columns'
   * buffers move to it (`columns` is unusable after the call).
   */
  finish(columns: PartitionColumns, compression: PartialCompression): Promise<FinishedPartial> {
    if (this.#broken !== null) return Promise.reject(this.#broken);
    return new Promise<FinishedPartial>((resolve, reject) => {
      this.#queue.push({ request: { id: this.#ids++, columns, compression }, alongside: 0, resolve, reject });
      this.#next();
    });
  }

  /** Ends the threads (a request still running is rejected). */
  async close(): Promise<void> {
    this.#broken ??= new Error('the finishing threads were closed');
    if (this.#recheck !== null) clearTimeout(this.#recheck);
    await Promise.all(this.#threads.map(({ worker }) => worker.terminate()));
  }

  #next(): void {
    while (this.#queue.length > 0 && this.#broken === null) {
      const free = this.#threads.find((thread) => thread.ready && thread.busy === null);
      if (free === undefined) return;
      const running = this.#threads.filter((thread) => thread.busy !== null).length;
      if (running > 0 && !this.#coreIdle()) {
        this.#recheck ??= setTimeout(() => {
          this.#recheck = null;
          this.#next();
        }, this.#admit.admitMs);
        return;
      }
      const pending = this.#queue.shift()!;
      pending.alongside = running;
      free.busy = pending;
      free.worker.ref();
      free.worker.postMessage(pending.request, transferable(eventColumns(pending.request.columns)));
      this.#since = this.#admit.sampleCpu();
    }
  }

  /** Whether at least `minIdleCores` stayed idle since the counters were last read (which starts a new measure). */
  #coreIdle(): boolean {
    if (this.#admit.minIdleCores <= 0) return true;
    const now = this.#admit.sampleCpu();
    const idle = this.#since === null || now === null ? null : idleCores(this.#since, now);
    // Too short a time to tell: keep measuring from the same counters.
    if (idle !== null || this.#since === null) this.#since = now;
    return idle !== null && idle >= this.#admit.minIdleCores;
  }

  #answered(thread: Thread, reply: FinishReply): void {
    const pending = thread.busy;
    thread.busy = null;
    thread.worker.unref();
    if (pending !== null && pending.request.id === reply.id) {
      if ('error' in reply) pending.reject(reply.code === null ? new Error(reply.error) : new LockstepError(reply.code as LockstepErrorCode, reply.error));
      else {
        // A worker's partial crosses with its labels as code units only (unitsPartial's strings are not copied).
        const { partial } = reply, units = partial.actorUnits;
        pending.resolve({ partial: units === undefined ? partial : unitsPartial({ ...partial, actorUnits: units }), packed: reply.packed, seconds: reply.seconds, alongside: pending.alongside });
      }
    }
    this.#since = this.#admit.sampleCpu();
    this.#next();
  }

  #fail(thread: Thread, error: Error): void {
    this.#broken ??= error;
    thread.busy?.reject(error);
    thread.busy = null;
    for (const pending of this.#queue.splice(0)) pending.reject(error);
  }
}
