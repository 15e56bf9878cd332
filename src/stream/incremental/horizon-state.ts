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
import { pairKey } from './key-events.js';
import type { SliceDelta, TraceDelta } from './slice-delta.js';

interface PairState {
  shared: number;
  coActions: number;
  delay: number;
  /** Global key ids (see `globalKey`) of its memberships. */
  keys: number[];
}

class TraceState {
  activity = new Int32Array(1024);
  strength = new Int32Array(1024);
  /** Accounts with activity > 0: the trace's N. */
  actors = 0;
  readonly pairs = new Map<number, PairState>();
  readonly keyActors = new Map<number, number>();
  /** Pairs with shared ≥ minShared: the only rows the null model tests. */
  readonly candidates = new Set<number>();

  constructor(readonly trace: StreamTrace, readonly minShared: number) {}

  grow(accounts: number): void {
    this.activity = grownI32(this.activity, accounts);
    this.strength = grownI32(this.strength, accounts);
  }

  #pair(pair: number): PairState {
    let state = this.pairs.get(pair);
    if (state === undefined) {
      state = { shared: 0, coActions: 0, delay: 0, keys: [] };
      this.pairs.set(pair, state);
    }
    return state;
  }

  apply(delta: TraceDelta, partition: number, global: Int32Array): void {
    for (let i = 0; i < delta.keyId.length; i++) {
      const key = globalKey(delta.keyId[i]!, partition);
      if (delta.keyActors[i] === 0) this.keyActors.delete(key);
      else this.keyActors.set(key, delta.keyActors[i]!);
    }
    for (let i = 0; i < delta.activityActor.length; i++) {
      const actor = global[delta.activityActor[i]!]!;
      const before = this.activity[actor]!;
      const after = before + delta.activityChange[i]!;
      this.activity[actor] = after;
      this.actors += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    }
    for (let i = 0; i < delta.pairA.length; i++) {
      const state = this.#pair(orderedPair(global[delta.pairA[i]!]!, global[delta.pairB[i]!]!));
      state.coActions += delta.pairCoActions[i]!;
      state.delay += delta.pairDelay[i]!;
    }
    for (let i = 0; i < delta.memberA.length; i++) {
      const x = global[delta.memberA[i]!]!, y = global[delta.memberB[i]!]!;
      const pair = orderedPair(x, y);
      const state = this.#pair(pair);
      const key = globalKey(delta.memberKey[i]!, partition);
      const sign = delta.memberSign[i]!;
      if (sign > 0) state.keys.push(key);
      else {
        const at = state.keys.indexOf(key);
        if (at < 0) throw new LockstepError('detect/bad-input', `partition ${partition}: a membership ended that never began (key ${delta.memberKey[i]})`);
        state.keys[at] = state.keys[state.keys.length - 1]!;
        state.keys.pop();
      }
      state.shared += sign;
      this.strength[x]! += sign;
      this.strength[y]! += sign;
      if (state.shared >= this.minShared) this.candidates.add(pair);
      else this.candidates.delete(pair);
    }
    // Pairs left with no key: gone (their co-actions left with their last membership).
    for (let i = 0; i < delta.memberA.length; i++) {
      if (delta.memberSign[i]! > 0) continue;
      const pair = orderedPair(global[delta.memberA[i]!]!, global[delta.memberB[i]!]!);
      if (this.pairs.get(pair)?.shared === 0) this.pairs.delete(pair);
    }
  }
}

/** A partition's key id as the coordinator's: keys are the partition's own (one key is in one partition only). */
const globalKey = (key: number, partition: number): number => key * 65_536 + partition;
const orderedPair = (x: number, y: number): number => (x < y ? pairKey(x, y) : pairKey(y, x));

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

  constructor(options?: Partial<AssembleOptions>) {
    this.#opts = { ...ASSEMBLE_DEFAULTS, ...options };
    if (this.#opts.traces.length === 0) throw new LockstepError('detect/bad-input', 'the incremental coordinator needs the job\'s traces');
    for (const trace of this.#opts.traces) this.#traces.set(trace, new TraceState(trace, this.#opts.minShared));
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
    for (let i = 0; i < delta.labels.length; i++) {
      const label = delta.labels[i]!;
      let id = this.#idOf.get(label);
      if (id === undefined) {
        id = this.#labels.length;
        this.#labels.push(label);
        const cut = label.indexOf('\u0000');
        this.#platforms.push(label.slice(0, cut));
        this.#ids.push(label.slice(cut + 1));
        this.#idOf.set(label, id);
      }
      grown[global.length + i] = id;
    }
    global = grown;
    this.#global[delta.partition] = global;
    this.#presentIn = grownI32(this.#presentIn, this.#labels.length);
    for (const state of this.#traces.values()) state.grow(this.#labels.length);
    for (const actor of delta.accountsBegan) this.#presentIn[global[actor]!]!++;
    for (const actor of delta.accountsEnded) this.#presentIn[global[actor]!]!--;
    for (const trace of delta.traces) this.#traces.get(trace.trace)?.apply(trace, delta.partition, global);
    this.#events.set(delta.partition, delta.events);
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
      if (state.pairs.size === 0) continue;
      if (state.candidates.size === 0) {
        // Nothing to test: no edge, but the trace is in the graph's list as assemblePartials has it.
        edges.push({ trace, pairs: emptyPairs(), kept: new Int32Array(0), logP: new Float64Array(0) });
        continue;
      }
      const activity = new Float64Array(n), strength = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        activity[r] = state.activity[sorted[r]!]!;
        strength[r] = state.strength[sorted[r]!]!;
      }
      const { pairs, states } = candidateTable(state, rank);
      const significance = significantCandidates(pairs, activity, { strength, distinct: state.pairs.size }, { fdr: this.#opts.fdr, minShared: this.#opts.minShared });
      // The IDF only for the kept edges: shared · ln N − Σ ln n_k over the pair's keys.
      const logN = Math.log(state.actors);
      for (const row of significance.kept) {
        let sumLogN = 0;
        for (const key of states[row]!.keys) sumLogN += Math.log(state.keyActors.get(key)!);
        pairs.idf[row] = pairs.shared[row]! * logN - sumLogN;
      }
      edges.push({ trace, pairs, kept: significance.kept, logP: significance.logP });
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
    for (const [pair, row] of state.pairs) {
      const y = pair % 67_108_864, x = (pair - y) / 67_108_864;
      const [p, q] = [this.#labels[x]!, this.#labels[y]!].sort();
      let sumLogN = 0;
      for (const key of row.keys) sumLogN += Math.log(state.keyActors.get(key)!);
      pairs.set(`${p}|${q}`, { shared: row.shared, coActions: row.coActions, delay: row.delay, sumLogN });
    }
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

/** The trace's candidate pairs as a pair table in the ranks' (a, b) order, and each row's state. */
function candidateTable(state: TraceState, rank: Int32Array): { pairs: PairTable; states: PairState[] } {
  const rows: { a: number; b: number; state: PairState }[] = [];
  for (const pair of state.candidates) {
    const y = pair % 67_108_864, x = (pair - y) / 67_108_864;
    const rx = rank[x]!, ry = rank[y]!;
    rows.push({ a: Math.min(rx, ry), b: Math.max(rx, ry), state: state.pairs.get(pair)! });
  }
  rows.sort((p, q) => p.a - q.a || p.b - q.b);
  const size = rows.length;
  const pairs: PairTable = { a: new Int32Array(size), b: new Int32Array(size), shared: new Int32Array(size), idf: new Float64Array(size), coActions: new Int32Array(size), sumDelta: new Float64Array(size), size };
  rows.forEach(({ a, b, state: row }, r) => {
    pairs.a[r] = a;
    pairs.b[r] = b;
    pairs.shared[r] = row.shared;
    pairs.coActions[r] = row.coActions;
    pairs.sumDelta[r] = row.delay;
  });
  return { pairs, states: rows.map((row) => row.state) };
}
