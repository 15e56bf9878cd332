/**
 * Stream mode: detection kept current over a sliding window instead of run once over a dump.
 * Actions go through a reorder buffer into per-trace windowed co-action state (trace-window.ts);
 * `detect()` tests the live pairs with the batch engine's null model (kept as running statistics)
 * and runs the batch engine's own fusion and Leiden clustering on the significant ones
 * (src/detect), so a stream whose horizon covers its data gives the batch result (see
 * detector.test.ts for what differs and why).
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from '../detect/clusters.js';
import type { ClusterOptions, DetectedCluster } from '../detect/clusters.js';
import { fuseTraces } from '../detect/fuse.js';
import type { FusedGraph, TraceEdges } from '../detect/fuse.js';
import { KERNEL_DEFAULTS } from '../detect/kernel/index.js';
import type { PairTable } from '../detect/kernel/index.js';
import { SIGNIFICANCE_DEFAULTS } from '../detect/significance/index.js';
import type { Action } from '../model/index.js';
import { LockstepError } from '../model/index.js';
import { DEFAULT_STREAM_TRACES, visitTraceEvents } from './extract.js';
import type { StreamTrace, TraceEventVisitor } from './extract.js';
import { ExpiringInterner } from './interner.js';
import { ReorderBuffer } from './reorder.js';
import { SeenActions } from './seen-actions.js';
import { MAX_LIVE_ACTORS, MAX_PARTNERS_PER_EVENT, TraceWindow } from './trace-window.js';
import type { SignificantPairs, TraceWindowSize } from './trace-window.js';

export interface StreamOptions {
  traces: readonly StreamTrace[];
  /** Co-action window, ms (the batch `--window`). */
  windowMs: number;
  /** Evidence horizon, ms: records nothing touched for this long expire (Infinity: never). */
  horizonMs: number;
  /** Events may arrive this much later than newer ones and still be put in time order. */
  latenessMs: number;
  maxPartnersPerEvent: number;
  fdr: number;
  minShared: number;
  cluster: Partial<ClusterOptions>;
  /**
   * Expiry sweeps run at most once per this much event time (null: a sixteenth of the horizon,
   * at least the window), so state holds at most horizon + one sweep interval of records.
   */
  sweepEveryMs: number | null;
  /**
   * Live (pair, key) records expected per trace (null: tables start small and double as they
   * fill); a right-sized hint saves the rehashes and copies of growing from empty.
   */
  expectedRecords: number | null;
}

export const STREAM_DEFAULTS: Readonly<StreamOptions> = Object.freeze({
  traces: DEFAULT_STREAM_TRACES,
  windowMs: 60_000,
  horizonMs: 6 * 3_600_000,
  latenessMs: 5_000,
  maxPartnersPerEvent: KERNEL_DEFAULTS.maxPartnersPerEvent,
  fdr: SIGNIFICANCE_DEFAULTS.fdr,
  minShared: SIGNIFICANCE_DEFAULTS.minShared,
  cluster: CLUSTER_DEFAULTS,
  sweepEveryMs: null,
  expectedRecords: null,
});

export interface DetectOptions {
  /**
   * `all`: number every live account (as batch does: the graph's actors are all of them);
   * `linked`: only accounts on a significant edge (what alerts need; a detection then costs
   * nothing per idle account).
   */
  accounts: 'all' | 'linked';
}

export const DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({ accounts: 'all' });

/** The live state's size: what the memory bound is about. */
export interface StreamStateSize extends TraceWindowSize {
  actors: number;
  held: number;
}

export interface StreamDetection {
  /** Live accounts as `platform`/`id`, index = the actor index of the graph and clusters (sorted as batch numbers them). */
  actorIds: string[];
  actorPlatforms: string[];
  graph: FusedGraph;
  clusters: DetectedCluster[];
  /** Event time the detection reflects (the reorder watermark). */
  watermark: number;
  /** Per cluster (same order): the most shared keys among members, with the trace. */
  topKeys: { trace: StreamTrace; key: string; pairs: number }[][];
  /** Per cluster: the first and last co-action time among members still alive. */
  span: { first: number; last: number }[];
}

function check(opts: StreamOptions): void {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `stream: ${what}`);
  if (!(opts.windowMs >= 0) || !Number.isFinite(opts.windowMs)) throw bad(`windowMs must be a finite number >= 0, got ${opts.windowMs}`);
  if (!(opts.horizonMs >= opts.windowMs)) throw bad(`horizonMs (${opts.horizonMs}) must be at least windowMs (${opts.windowMs})`);
  if (!(opts.latenessMs >= 0)) throw bad(`latenessMs must be >= 0, got ${opts.latenessMs}`);
  if (opts.traces.length === 0) throw bad('no traces to maintain');
  if (opts.expectedRecords !== null && !(Number.isInteger(opts.expectedRecords) && opts.expectedRecords >= 0)) throw bad(`expectedRecords must be null or a whole number >= 0, got ${opts.expectedRecords}`);
  if (!Number.isInteger(opts.maxPartnersPerEvent) || opts.maxPartnersPerEvent < 1 || opts.maxPartnersPerEvent > MAX_PARTNERS_PER_EVENT) {
    throw bad(`maxPartnersPerEvent must be a whole number from 1 to ${MAX_PARTNERS_PER_EVENT} (each key keeps that many events), got ${opts.maxPartnersPerEvent}`);
  }
}

/**
 * Windowed detection over a stream of actions.
 * @example
 * const detector = new StreamDetector({ windowMs: 60_000, horizonMs: 3_600_000 });
 * for (const action of actions) detector.push(action);
 * const { clusters, actorIds } = detector.detect();
 */
export class StreamDetector {
  readonly options: StreamOptions;
  /** Accounts, labelled `platform NUL id` (interned in two parts: no string built per action). */
  readonly #actors = new ExpiringInterner('\u0000');
  readonly #windows = new Map<StreamTrace, TraceWindow>();
  readonly #reorder: ReorderBuffer<Action>;
  /** Actions seen within the horizon, for at-least-once sources. */
  readonly #seen = new SeenActions();
  /** Reused for the actions the reorder buffer releases, and their interned accounts. */
  readonly #due: Action[] = [];
  readonly #dueActors: number[] = [];
  /** The action being applied, for the trace-event visitor (made once, not per action). */
  #actor = 0;
  #time = 0;
  readonly #visit: TraceEventVisitor = (trace, scope, raw) => {
    this.events++;
    this.#windows.get(trace)?.addIn(this.#actor, scope, raw, this.#time);
  };
  #lastSweep = -Infinity;
  readonly #sweepEvery: number;
  events = 0;
  actions = 0;
  duplicates = 0;

  constructor(options?: Partial<StreamOptions>) {
    this.options = { ...STREAM_DEFAULTS, ...options };
    check(this.options);
    for (const trace of this.options.traces) this.#windows.set(trace, new TraceWindow(this.options));
    this.#reorder = new ReorderBuffer(this.options.latenessMs);
    const { horizonMs, windowMs, sweepEveryMs } = this.options;
    this.#sweepEvery = sweepEveryMs ?? (Number.isFinite(horizonMs) ? Math.max(windowMs, horizonMs / 16) : Infinity);
  }

  /**
   * Takes one action. Delivery may repeat an action (at-least-once sources): one already seen
   * within the horizon (the same account, time and id) is counted as a duplicate and ignored.
   */
  push(action: Action): void {
    const actor = this.#actors.internIn(action.platform, action.actorId, action.time);
    if (actor >= MAX_LIVE_ACTORS) throw new LockstepError('detect/bad-input', `stream: more than ${MAX_LIVE_ACTORS} live accounts; shorten the horizon or partition the stream`);
    if (!this.#seen.add(actor, action.id, action.time)) {
      this.duplicates++;
      return;
    }
    this.#reorder.push(action.time, action, this.#due, actor, this.#dueActors);
    this.#applyDue();
    this.#maybeSweep();
  }

  /** Releases every held action (end of input). */
  flush(): void {
    this.#reorder.release(Infinity, this.#due, this.#dueActors);
    this.#applyDue();
  }

  #applyDue(): void {
    const due = this.#due, actors = this.#dueActors;
    for (let i = 0; i < due.length; i++) this.#apply(due[i]!, actors[i]!);
    due.length = 0;
    actors.length = 0;
  }

  get watermark(): number {
    return this.#reorder.watermark;
  }

  /** Co-acting event pairs found so far, over all traces. */
  get coActions(): number {
    let total = 0;
    for (const window of this.#windows.values()) total += window.coActions;
    return total;
  }

  get late(): number {
    return this.#reorder.late;
  }

  /** Applies a released action; `actor` was interned on push (and stays live: see expire). */
  #apply(action: Action, actor: number): void {
    this.actions++;
    this.#actor = actor;
    this.#time = action.time;
    visitTraceEvents(action, this.options.traces, this.#visit);
  }

  #maybeSweep(): void {
    const now = this.#reorder.watermark;
    if (now - this.#lastSweep < this.#sweepEvery) return;
    this.#lastSweep = now;
    this.expire(now);
  }

  /** Expires state as of event time `now` (sweeps run on their own as events arrive). */
  expire(now: number): void {
    for (const window of this.#windows.values()) window.expire(now);
    const cutoff = now - this.options.horizonMs;
    if (!Number.isFinite(cutoff)) return;
    // A pair record lives as long as its later co-action, which can be up to a window after the
    // partner's last action: accounts are kept a window longer so no live record names a freed id.
    // The duplicate check's entries (time < cutoff) go first: none then names a freed account, and
    // a held action's account (time ≥ the watermark) is never freed.
    this.#seen.expire(cutoff);
    this.#actors.expire(cutoff - this.options.windowMs);
  }

  size(): StreamStateSize {
    const total: StreamStateSize = { bufferedEvents: 0, keys: 0, pairKeyRecords: 0, actorKeyRecords: 0, actors: this.#actors.size, held: this.#reorder.size + this.#seen.size };
    for (const window of this.#windows.values()) {
      const size = window.size();
      total.bufferedEvents += size.bufferedEvents;
      total.keys += size.keys;
      total.pairKeyRecords += size.pairKeyRecords;
      total.actorKeyRecords += size.actorKeyRecords;
    }
    return total;
  }

  /**
   * Clusters of the live state: the batch engine's null model (on running statistics, see
   * TraceWindow.significant), fusion and clustering on it. Its cost follows the candidate pairs
   * and the significant graph, not the whole live state, except with `accounts: 'all'`.
   */
  detect(options?: Partial<DetectOptions>): StreamDetection {
    const { accounts } = { ...DETECT_DEFAULTS, ...options };
    const significant: { trace: StreamTrace; pairs: SignificantPairs }[] = [];
    for (const [trace, window] of this.#windows) {
      if (window.pairCount > 0) significant.push({ trace, pairs: window.significant({ fdr: this.options.fdr, minShared: this.options.minShared }) });
    }
    let ids: Iterable<number>;
    if (accounts === 'all') ids = this.#actors.liveIds();
    else {
      const linked = new Set<number>();
      for (const { pairs } of significant) for (let row = 0; row < pairs.size; row++) linked.add(pairs.a[row]!).add(pairs.b[row]!);
      ids = linked;
    }
    const live = [...ids].map((id) => {
      const [platform, actor] = this.#actors.parts(id);
      return { id, platform, actor };
    });
    // Batch numbers accounts by (platform, id); clustering visits nodes in that order, so do the same.
    live.sort((x, y) => (x.platform < y.platform ? -1 : x.platform > y.platform ? 1 : x.actor < y.actor ? -1 : x.actor > y.actor ? 1 : 0));
    const remap = new Int32Array(this.#actors.capacity).fill(-1);
    const original = new Int32Array(live.length);
    live.forEach((entry, index) => {
      remap[entry.id] = index;
      original[index] = entry.id;
    });
    const edges: TraceEdges[] = significant.map(({ trace, pairs }) => {
      const table: PairTable = { ...pairs, a: new Int32Array(pairs.size), b: new Int32Array(pairs.size) };
      for (let row = 0; row < pairs.size; row++) {
        const x = remap[pairs.a[row]!]!;
        const y = remap[pairs.b[row]!]!;
        table.a[row] = Math.min(x, y);
        table.b[row] = Math.max(x, y);
      }
      return { trace, pairs: table, kept: Int32Array.from({ length: pairs.size }, (_, row) => row), logP: pairs.logP };
    });
    const graph = fuseTraces(live.length, edges);
    const clusters = clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...this.options.cluster });
    const topKeys: StreamDetection['topKeys'] = [];
    const span: StreamDetection['span'] = [];
    for (const cluster of clusters) {
      const counts = new Map<string, { trace: StreamTrace; key: string; pairs: number }>();
      let first = Infinity, last = -Infinity;
      for (const edge of cluster.internalEdges) {
        const a = original[graph.a[edge] ?? 0] ?? 0;
        const b = original[graph.b[edge] ?? 0] ?? 0;
        for (const [trace, window] of this.#windows) {
          window.recordsOfPair(a, b, (key, time) => {
            const label = window.keys.label(key);
            const id = `${trace}\u0000${label}`;
            const entry = counts.get(id) ?? { trace, key: label, pairs: 0 };
            entry.pairs++;
            counts.set(id, entry);
            if (time < first) first = time;
            if (time > last) last = time;
          });
        }
      }
      topKeys.push([...counts.values()].sort((x, y) => y.pairs - x.pairs || (x.key < y.key ? -1 : 1)).slice(0, 5));
      span.push({ first, last });
    }
    return {
      actorIds: live.map((entry) => entry.actor), actorPlatforms: live.map((entry) => entry.platform),
      graph, clusters, watermark: this.#reorder.watermark, topKeys, span,
    };
  }
}
