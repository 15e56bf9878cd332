/**
 * assemblePartials on two threads, for a bounded job's coordinator: once the last partial is in,
 * the workers are done and a core is idle, while the traces' merges (mergeRuns, the strengths,
 * the null model: ~1 CPU-s at a firehose's 13M pair rows) ran one after another. A helper thread
 * is given the columns of some traces as each partial is collected (moved, not copied: a copy of
 * 7M rows cost ~0.5 CPU-s while the workers still needed the cores), and at the end the job's
 * label ranks; it sums those traces while this thread sums the others. Both run the same code on
 * the same numbers, so the result is the same bit for bit; the edges are put back in the traces'
 * order before fusion. The moved columns are gone from the caller's partials, so a failed thread
 * fails the merge (a coordinator is run again: the partials stay stored until its result is out).
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import { LockstepError } from '../model/index.js';
import type { TraceEdges } from '../detect/fuse.js';
import { startWorkerBeside } from '../worker-thread.js';
import { finishAssembly, prepareAssembly, traceEdges } from './assemble.js';
import type { AssembledJob, AssembleOptions, PreparedAssembly, TraceBuffers } from './assemble.js';
import type { StreamTrace } from './extract.js';
import { MergeBuffers } from './pair-merge.js';
import type { PartitionPartial } from './partial-codec.js';

export type HelperRequest =
  | { kind: 'partial'; partition: number; traces: PartitionPartial['traces'] }
  | { kind: 'sum'; partitions: number[]; globals: Int32Array[]; n: number; fdr: number; minShared: number; traces: StreamTrace[] };

export type HelperReply = { kind: 'edges'; edges: (TraceEdges | null)[] } | { kind: 'error'; message: string };

export class AssembleHelper {
  readonly #worker: Worker;
  /** The partials given to the thread, to check they are the ones merged. */
  readonly #given = new Map<number, PartitionPartial>();
  /** The traces the thread sums, chosen at the first partial; null before it. */
  #theirs: Set<StreamTrace> | null = null;
  #failed: Error | null = null;
  #reply: ((reply: HelperReply) => void) | null = null;
  /** Ends a waiting `#sum` when the thread fails. */
  #onFail: (() => void) | null = null;

  constructor(start: () => Worker = () => startWorkerBeside(import.meta.url, 'assemble-thread', null)) {
    this.#worker = start();
    this.#worker.unref();
    this.#worker.on('message', (reply: HelperReply) => this.#reply?.(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the assemble thread stopped (exit code ${code})`)));
  }

  /**
   * A collected partial: the columns of the thread's traces are moved to it (read them no more;
   * `assemble` merges the partial). The first one picks those traces: by its rows, the largest
   * trace stays here and each next one goes to the side with fewer rows so far.
   */
  add(partial: PartitionPartial): void {
    if (this.#given.has(partial.partition)) throw new LockstepError('detect/bad-input', `partition ${partial.partition}'s partial given to the assemble thread twice`);
    this.#theirs ??= balancedTraces(partial);
    this.#given.set(partial.partition, partial);
    const theirs = this.#theirs;
    const traces = partial.traces.filter((entry) => theirs.has(entry.trace));
    this.#worker.postMessage({ kind: 'partial', partition: partial.partition, traces } satisfies HelperRequest, ownBuffers(traces));
  }

  /** assemblePartials' result for exactly the partials given to `add`, the thread's traces summed there meanwhile. */
  async assemble(partials: readonly PartitionPartial[], options?: Partial<AssembleOptions>): Promise<AssembledJob> {
    const job = prepareAssembly(partials, options);
    const missed = job.partitions.find((partial) => this.#given.get(partial.partition) !== partial);
    if (missed !== undefined || job.partitions.length !== this.#given.size) {
      throw new LockstepError('detect/bad-input', `the assemble thread was given partitions ${[...this.#given.keys()].join(', ')}, not the ${job.partitions.map((partial) => partial.partition).join(', ')} merged`);
    }
    const theirs = this.#theirs === null ? [] : job.traceOrder.filter((trace) => this.#theirs!.has(trace));
    const elsewhere = theirs.length === 0 ? Promise.resolve([]) : this.#sum(job, theirs);
    const buffers: TraceBuffers = { activity: new Float64Array(job.n), merge: new MergeBuffers(job.n) };
    const edges = new Map<StreamTrace, TraceEdges | null>();
    for (const trace of job.traceOrder) if (!theirs.includes(trace)) edges.set(trace, traceEdges(job.partitions, job.globals, trace, job.n, job.opts, buffers));
    const summed = await elsewhere;
    theirs.forEach((trace, i) => edges.set(trace, summed[i]!));
    return finishAssembly(job, job.traceOrder.map((trace) => edges.get(trace)!));
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    this.#failed ??= new Error('closed');
    await this.#worker.terminate();
  }

  /** The thread's edges for `traces`. */
  #sum(job: PreparedAssembly, traces: StreamTrace[]): Promise<(TraceEdges | null)[]> {
    return new Promise((resolve, reject) => {
      const failed = (why: string): void => reject(new LockstepError('detect/bad-input', `the assemble thread failed (${why}): run the coordinator again`));
      if (this.#failed !== null) {
        failed(this.#failed.message);
        return;
      }
      // Held while the thread sums: an unreferenced thread alone would let the process end mid-merge.
      this.#worker.ref();
      this.#reply = (reply) => {
        this.#reply = null;
        this.#onFail = null;
        this.#worker.unref();
        if (reply.kind === 'edges' && reply.edges.length === traces.length) resolve(reply.edges);
        else failed(reply.kind === 'error' ? reply.message : 'a wrong reply');
      };
      this.#onFail = () => failed(this.#failed?.message ?? 'stopped');
      const { fdr, minShared } = job.opts;
      this.#worker.postMessage({ kind: 'sum', partitions: job.partitions.map((partial) => partial.partition), globals: job.globals, n: job.n, fdr, minShared, traces } satisfies HelperRequest);
    });
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    this.#reply = null;
    this.#onFail?.();
    this.#onFail = null;
  }
}

/** The buffers a partial's trace columns own alone (each column's, from decodePartial), moved rather than copied; a view into a larger buffer is copied. */
function ownBuffers(traces: PartitionPartial['traces']): TransferListItem[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { pairs, activity, pruned } of traces) {
    for (const column of [pairs.a, pairs.b, pairs.shared, pairs.sumLogN, pairs.coActions, pairs.sumDelta, activity.actor, activity.keys, ...(pruned === undefined ? [] : [pruned.strength])]) {
      const buffer = column.buffer;
      if (buffer instanceof ArrayBuffer && column.byteOffset === 0 && column.byteLength === buffer.byteLength) buffers.add(buffer);
    }
  }
  return [...buffers];
}

/** The traces a helper sums: by a partial's rows, the largest stays on the calling thread, each next goes to the side with fewer rows. */
export function balancedTraces(partial: PartitionPartial): Set<StreamTrace> {
  const bySize = [...partial.traces].sort((x, y) => y.pairs.size - x.pairs.size);
  const theirs = new Set<StreamTrace>();
  let mine = 0, other = 0;
  for (const entry of bySize) {
    if (mine <= other) mine += entry.pairs.size;
    else {
      other += entry.pairs.size;
      theirs.add(entry.trace);
    }
  }
  return theirs;
}
