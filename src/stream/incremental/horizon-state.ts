/**
 * The coordinator's half of incremental continuous slices: it keeps what the partitions' deltas
 * (slice-delta.ts) add up to — the accounts in the horizon, and per trace the (pair, key)
 * memberships, each key's n_k, each account's activity and strength, each pair's co-action sums —
 * and makes a slice's result from it through the batch engine's null model, fusion and clustering,
 * as assemblePartials (assemble.ts) does from whole partials. Σ ln n_k is summed only for the
 * edges the null model keeps.
 *
 * The same as assemblePartials of the slice's whole partials: accounts (in label order), edges,
 * their shared keys, logP and cluster membership exactly; weights and mean delays to float
 * rounding (the sums add the same terms in another order: within 1e-9 of each other, what the
 * equivalence tests allow). Edges come numbered in (a, b) order of the accounts' ranks.
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from '../../detect/clusters.js';
import type { DetectedCluster } from '../../detect/clusters.js';
import { fuseTraces } from '../../detect/fuse.js';
import type { FusedGraph, TraceEdges } from '../../detect/fuse.js';
import type { PairTable } from '../../detect/kernel/index.js';
import { significantCandidates } from '../../detect/significance/index.js';
import { LockstepError } from '../../model/index.js';
import { ASSEMBLE_DEFAULTS } from '../assemble.js';
import type { AssembleOptions } from '../assemble.js';
import type { StreamTrace } from '../extract.js';
import { grownI32 } from '../int-table.js';
import type { PairStore } from './pair-store.js';
import type { SliceDelta } from './slice-delta.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';
import { TraceState } from './trace-state.js';

// "HSCK", version 1: HorizonState's checkpoint (snapshot-bytes.ts).
const MAGIC = 0x4b43_5348;
const VERSION = 1;


export type SliceResult = { actorIds: string[]; actorPlatforms: string[]; graph: FusedGraph; clusters: DetectedCluster[] };

export class HorizonState {
  readonly #opts: AssembleOptions;
  /** Every account label ever named, by the coordinator's id; the partitions' ids mapped to it. */
  readonly #labels: string[] = [];
  /** Each label's platform and id (split once: a result names every account of the horizon). */
  readonly #platforms: string[] = [];
  readonly #ids: string[] = [];
  readonly #idOf = new Map<string, number>();
  readonly #global: Int32Array[] = [];
  /** Partitions in whose horizon each account is. */
  #presentIn = new Int32Array(1024);
  /** The accounts in the horizon, in label order (as the previous result had them). */
  #sorted: number[] = [];
  readonly #traces = new Map<StreamTrace, TraceState>();
  readonly #events = new Map<number, number>();

  /** `store.minDead`: see PairStore (tests lower it to exercise compaction). */
  constructor(options?: Partial<AssembleOptions>, store?: { minDead: number }) {
    this.#opts = { ...ASSEMBLE_DEFAULTS, ...options };
    if (this.#opts.traces.length === 0) throw new LockstepError('detect/bad-input', 'the incremental coordinator needs the job\'s traces');
    for (const trace of this.#opts.traces) this.#traces.set(trace, new TraceState(trace, this.#opts.minShared, store?.minDead));
  }

  /** Events in the horizon over every partition, at the last deltas applied. */
  get events(): number {
    let sum = 0;
    for (const events of this.#events.values()) sum += events;
    return sum;
  }

  /** Takes one partition's delta (deltas of a partition in slice order). */
  apply(delta: SliceDelta): void {
    let global = this.#global[delta.partition] ?? new Int32Array(0);
    if (delta.labelsFrom !== global.length) throw new LockstepError('detect/bad-input', `partition ${delta.partition}: a delta with labels from ${delta.labelsFrom}, ${global.length} taken (a delta missed or repeated)`);
    const grown = new Int32Array(global.length + delta.labels.length);
    grown.set(global);
    for (let i = 0; i < delta.labels.length; i++) grown[global.length + i] = this.#name(delta.labels[i]!);
    global = grown;
    this.#global[delta.partition] = global;
    this.#presentIn = grownI32(this.#presentIn, this.#labels.length);
    for (const state of this.#traces.values()) state.grow(this.#labels.length);
    for (const actor of delta.accountsBegan) this.#presentIn[global[actor]!]!++;
    for (const actor of delta.accountsEnded) this.#presentIn[global[actor]!]!--;
    for (const trace of delta.traces) this.#traces.get(trace.trace)?.apply(trace, delta.partition, global);
    this.#events.set(delta.partition, delta.events);
  }

  /**
   * A checkpoint of what the deltas applied so far add up to (snapshot-bytes.ts: versioned, with
   * length checks and a checksum). `HorizonState.restore(snapshot)` then the deltas after it give
   * every later slice the result the uninterrupted state gives. The options are not in it, only
   * checked: a restore must be given the same traces and minShared.
   */
  snapshot(): Uint8Array {
    const out = new SnapshotWriter(MAGIC, VERSION);
    const accounts = this.#labels.length;
    out.u32(this.#opts.minShared);
    out.u32(this.#opts.traces.length);
    for (const trace of this.#opts.traces) out.string(trace);
    out.u32(accounts);
    for (const label of this.#labels) out.string(label);
    out.u32(this.#global.length);
    for (let p = 0; p < this.#global.length; p++) out.column(this.#global[p] ?? new Int32Array(0));
    out.column(this.#presentIn.subarray(0, accounts));
    out.column(Int32Array.from(this.#sorted));
    out.column(Float64Array.from(this.#events.keys()));
    out.column(Float64Array.from(this.#events.values()));
    for (const trace of this.#opts.traces) this.#traces.get(trace)!.writeTo(out, accounts);
    return out.finish();
  }

  /** The state a snapshot was taken of; refused (LockstepError) if cut short, damaged, of another version, or for other traces. */
  static restore(bytes: Uint8Array, options?: Partial<AssembleOptions>, store?: { minDead: number }, where = 'coordinator'): HorizonState {
    const state = new HorizonState(options, store);
    const input = new SnapshotReader(bytes, MAGIC, VERSION, where);
    const minShared = input.u32(), traces: string[] = [];
    for (let t = input.u32(); t > 0; t--) traces.push(input.string());
    if (minShared !== state.#opts.minShared || traces.join() !== state.#opts.traces.join()) throw input.bad(`taken with minShared ${minShared} and traces ${traces.join()}`);
    const accounts = input.u32();
    for (let id = 0; id < accounts; id++) state.#name(input.string());
    for (let p = input.u32(), partition = 0; partition < p; partition++) state.#global.push(input.i32s());
    state.#presentIn = grownI32(input.i32s(), accounts);
    state.#sorted = [...input.i32s()];
    const partitions = input.f64s(), events = input.f64s();
    if (partitions.length !== events.length) throw input.bad('event counts');
    for (let i = 0; i < partitions.length; i++) state.#events.set(partitions[i]!, events[i]!);
    for (const trace of state.#opts.traces) state.#traces.get(trace)!.readFrom(input, accounts, store?.minDead);
    input.end();
    return state;
  }

  /** The coordinator's id of a label, named if new. */
  #name(label: string): number {
    let id = this.#idOf.get(label);
    if (id === undefined) {
      id = this.#labels.length;
      this.#labels.push(label);
      const cut = label.indexOf('\u0000');
      this.#platforms.push(label.slice(0, cut));
      this.#ids.push(label.slice(cut + 1));
      this.#idOf.set(label, id);
    }
    return id;
  }

  /** The result over the horizon of the deltas applied: what assemblePartials makes of the slice's whole partials. */
  result(): SliceResult {
    const sorted = this.#accountsInOrder();
    const n = sorted.length;
    const rank = new Int32Array(this.#labels.length).fill(-1);
    for (let r = 0; r < n; r++) rank[sorted[r]!] = r;
    const edges: TraceEdges[] = [];
    for (const trace of this.#opts.traces) {
      const state = this.#traces.get(trace)!;
      if (state.pairs.live === 0) continue;
      if (state.pairs.candidateCount === 0) {
        // Nothing to test: no edge, but the trace is in the graph's list as assemblePartials has it.
        edges.push({ trace, pairs: emptyPairs(), kept: new Int32Array(0), logP: new Float64Array(0) });
        continue;
      }
      const activity = new Float64Array(n), strength = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        activity[r] = state.activity[sorted[r]!]!;
        strength[r] = state.strength[sorted[r]!]!;
      }
      const { pairs, entries } = candidateTable(state.pairs, rank);
      const significance = significantCandidates(pairs, activity, { strength, distinct: state.pairs.live }, { fdr: this.#opts.fdr, minShared: this.#opts.minShared });
      // The IDF only for the kept edges: shared · ln N − Σ ln n_k over the pair's keys.
      const logN = Math.log(state.actors);
      for (const row of significance.kept) {
        let sumLogN = 0;
        state.pairs.keysOf(entries[row]!, (key) => sumLogN += Math.log(state.keyActors.get(key)!));
        pairs.idf[row] = pairs.shared[row]! * logN - sumLogN;
      }
      edges.push({ trace, pairs, kept: inPairOrder(significance.kept, pairs), logP: significance.logP });
    }
    const graph = fuseTraces(n, edges);
    return { actorIds: sorted.map((id) => this.#ids[id]!), actorPlatforms: sorted.map((id) => this.#platforms[id]!), graph, clusters: clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...this.#opts.cluster }) };
  }

  /**
   * One trace's sums by account label, before the null model: per pair (`labelA|labelB`, labels in
   * code-unit order) its shared keys, co-actions, Σ |Δt| and Σ ln n_k; per account its activity.
   * For checks and explanations; a slice's result does not need it.
   */
  traceSums(trace: StreamTrace): { pairs: Map<string, { shared: number; coActions: number; delay: number; sumLogN: number }>; activity: Map<string, number> } {
    const state = this.#traces.get(trace);
    const pairs = new Map<string, { shared: number; coActions: number; delay: number; sumLogN: number }>();
    const activity = new Map<string, number>();
    if (state === undefined) return { pairs, activity };
    const store = state.pairs;
    store.forEachLive((e) => {
      const [x, y] = store.pairOf(e);
      const [p, q] = [this.#labels[x]!, this.#labels[y]!].sort();
      let sumLogN = 0;
      store.keysOf(e, (key) => sumLogN += Math.log(state.keyActors.get(key)!));
      pairs.set(`${p}|${q}`, { shared: store.shared[e]!, coActions: store.coActions[e]!, delay: store.delay[e]!, sumLogN });
    });
    for (let id = 0; id < this.#labels.length; id++) if (state.activity[id]! > 0) activity.set(this.#labels[id]!, state.activity[id]!);
    return { pairs, activity };
  }

  /** The accounts in the horizon in label order: the previous order with those gone taken out and the new ones merged in. */
  #accountsInOrder(): number[] {
    const inPrevious = new Uint8Array(this.#labels.length);
    const kept: number[] = [];
    for (const id of this.#sorted) {
      inPrevious[id] = 1;
      if (this.#presentIn[id]! > 0) kept.push(id);
    }
    const fresh: number[] = [];
    for (let id = 0; id < this.#labels.length; id++) if (this.#presentIn[id]! > 0 && inPrevious[id] === 0) fresh.push(id);
    const labels = this.#labels;
    fresh.sort((x, y) => (labels[x]! < labels[y]! ? -1 : 1));
    const merged: number[] = [];
    let i = 0, j = 0;
    while (i < kept.length || j < fresh.length) {
      if (j === fresh.length || (i < kept.length && labels[kept[i]!]! < labels[fresh[j]!]!)) merged.push(kept[i++]!);
      else merged.push(fresh[j++]!);
    }
    this.#sorted = merged;
    return merged;
  }
}

const emptyPairs = (): PairTable => ({ a: new Int32Array(0), b: new Int32Array(0), shared: new Int32Array(0), idf: new Float64Array(0), coActions: new Int32Array(0), sumDelta: new Float64Array(0), size: 0 });

/**
 * The trace's candidate pairs as a pair table (a < b in ranks), in the store's candidate order,
 * and each row's entry in the store. The order moves no test: Benjamini–Hochberg keeps the same
 * set in any order (tied p-values pass together, the bound rising with rank).
 */
function candidateTable(store: PairStore, rank: Int32Array): { pairs: PairTable; entries: Int32Array } {
  const size = store.candidateCount;
  const pairs: PairTable = { a: new Int32Array(size), b: new Int32Array(size), shared: new Int32Array(size), idf: new Float64Array(size), coActions: new Int32Array(size), sumDelta: new Float64Array(size), size };
  const entries = store.candidates.slice(0, size);
  for (let r = 0; r < size; r++) {
    const e = entries[r]!;
    const [x, y] = store.pairOf(e);
    const rx = rank[x]!, ry = rank[y]!;
    pairs.a[r] = rx < ry ? rx : ry;
    pairs.b[r] = rx < ry ? ry : rx;
    pairs.shared[r] = store.shared[e]!;
    pairs.coActions[r] = store.coActions[e]!;
    pairs.sumDelta[r] = store.delay[e]!;
  }
  return { pairs, entries };
}

/**
 * The kept rows in (a, b) order of the accounts' ranks: fusion numbers edges in the order it is
 * given them and clustering reads them in that order, so the graph does not depend on the order
 * candidates were found in. Only the kept rows (hundreds) are sorted, not every candidate.
 */
function inPairOrder(kept: Int32Array, pairs: PairTable): Int32Array {
  return Int32Array.from(kept).sort((x, y) => pairs.a[x]! - pairs.a[y]! || pairs.b[x]! - pairs.b[y]!);
}
