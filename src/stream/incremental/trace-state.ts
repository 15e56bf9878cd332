/**
 * One trace's part of the coordinator's incremental state (horizon-state.ts): each account's
 * activity and strength, the trace's N, the pairs (memberships and co-action sums) and each key's
 * n_k, kept by applying the partitions' trace deltas; and its part of a checkpoint.
 */
import type { StreamTrace } from '../extract.js';
import { grownI32 } from '../int-table.js';
import { PairStore } from './pair-store.js';
import type { TraceDelta } from './slice-delta.js';
import type { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';

/** A partition's key id as the coordinator's: keys are the partition's own (one key is in one partition only). */
const globalKey = (key: number, partition: number): number => key * 65_536 + partition;

export class TraceState {
  activity = new Int32Array(1024);
  strength = new Int32Array(1024);
  /** Accounts with activity > 0: the trace's N. */
  actors = 0;
  pairs: PairStore;
  readonly keyActors = new Map<number, number>();

  constructor(readonly trace: StreamTrace, minShared: number, minDead: number | undefined) {
    this.pairs = new PairStore(minShared, minDead);
  }

  grow(accounts: number): void {
    this.activity = grownI32(this.activity, accounts);
    this.strength = grownI32(this.strength, accounts);
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
    const pairs = this.pairs;
    for (let i = 0; i < delta.pairA.length; i++) {
      const x = global[delta.pairA[i]!]!, y = global[delta.pairB[i]!]!;
      const e = x < y ? pairs.entry(x, y) : pairs.entry(y, x);
      pairs.coActions[e]! += delta.pairCoActions[i]!;
      pairs.delay[e]! += delta.pairDelay[i]!;
    }
    for (let i = 0; i < delta.memberA.length; i++) {
      const x = global[delta.memberA[i]!]!, y = global[delta.memberB[i]!]!;
      const e = x < y ? pairs.entry(x, y) : pairs.entry(y, x);
      const key = globalKey(delta.memberKey[i]!, partition);
      const sign = delta.memberSign[i]!;
      if (sign > 0) pairs.addKey(e, key);
      else pairs.removeKey(e, key);
      this.strength[x]! += sign;
      this.strength[y]! += sign;
    }
    pairs.compact();
  }

  writeTo(out: SnapshotWriter, accounts: number): void {
    out.column(this.activity.subarray(0, accounts));
    out.column(this.strength.subarray(0, accounts));
    out.u32(this.actors);
    out.column(Float64Array.from(this.keyActors.keys()));
    out.column(Int32Array.from(this.keyActors.values()));
    this.pairs.writeTo(out);
  }

  readFrom(input: SnapshotReader, accounts: number, minDead: number | undefined): void {
    this.activity = input.i32s();
    this.strength = input.i32s();
    if (this.activity.length !== accounts || this.strength.length !== accounts) throw input.bad(`${this.trace}: activity for ${this.activity.length} accounts, ${accounts} named`);
    this.grow(accounts);
    this.actors = input.u32();
    const keys = input.f64s(), actors = input.i32s();
    if (keys.length !== actors.length) throw input.bad(`${this.trace}: ${keys.length} keys, ${actors.length} counts`);
    for (let i = 0; i < keys.length; i++) this.keyActors.set(keys[i]!, actors[i]!);
    this.pairs = PairStore.readFrom(input, this.pairs.minShared, minDead);
  }
}
