/**
 * The coordinator's pairs of one trace: per pair (a < b, the coordinator's account ids) its shared
 * keys, co-actions, Σ |Δt| and the keys themselves, as typed columns behind a PairIndex
 * (detect/kernel/pair-index.ts), and the candidates (shared ≥ minShared) as a list. A Map of pair
 * objects cost 8 of 23 s of CPU at 500 lines/s (bench/stream-incremental.mjs), most of it hashing
 * boxed doubles. The index cannot delete: a pair gone stays as a dead entry (shared 0), taken again
 * if it comes back, and the store is compacted once dead entries outnumber live ones.
 */
import { PairIndex } from '../../detect/kernel/index.js';
import { LockstepError } from '../../model/index.js';
import { grownF64, grownI32 } from '../int-table.js';
import type { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';

export class PairStore {
  #index = new PairIndex(1024);
  shared = new Int32Array(1024);
  coActions = new Int32Array(1024);
  delay = new Float64Array(1024);
  /** The first key of each pair; the others (a pair with shared > 1) in `#more`. */
  #key0 = new Float64Array(1024);
  #more = new Map<number, number[]>();
  /** Each entry's place in `candidates`, or -1. */
  #candidateAt = new Int32Array(1024).fill(-1);
  candidates = new Int32Array(1024);
  candidateCount = 0;
  /** Pairs with at least one shared key: the trace's distinct pairs. */
  live = 0;

  /** `minDead`: dead entries kept at least before a compaction (fewer only in tests, to exercise it). */
  constructor(readonly minShared: number, readonly minDead = 65_536) {}

  /** Pair (a, b)'s entry, made if new. */
  entry(a: number, b: number): number {
    const known = this.#index.size;
    const e = this.#index.entryOf(a, b);
    if (this.#index.size > known) {
      if (e >= this.shared.length) this.#grow(e + 1);
      this.shared[e] = 0;
      this.coActions[e] = 0;
      this.delay[e] = 0;
      this.#candidateAt[e] = -1;
    }
    return e;
  }

  /** The entry of (a, b), or -1. */
  find(a: number, b: number): number {
    return this.#index.find(a, b);
  }

  /** Calls `visit` with each live entry. */
  forEachLive(visit: (e: number) => void): void {
    for (let e = 0; e < this.#index.size; e++) if (this.shared[e]! > 0) visit(e);
  }

  /** The pair (a, b) of entry e. */
  pairOf(e: number): [number, number] {
    return [this.#index.keys[2 * e]!, this.#index.keys[2 * e + 1]!];
  }

  addKey(e: number, key: number): void {
    const shared = this.shared[e]!;
    if (shared === 0) {
      this.#key0[e] = key;
      this.live++;
    } else {
      const more = this.#more.get(e);
      if (more === undefined) this.#more.set(e, [key]);
      else more.push(key);
    }
    this.#setShared(e, shared + 1);
  }

  removeKey(e: number, key: number): void {
    const more = this.#more.get(e);
    if (this.#key0[e] !== key) {
      const at = more === undefined ? -1 : more.indexOf(key);
      if (at < 0) throw new LockstepError('detect/bad-input', `a membership ended that never began (key ${key})`);
      more![at] = more![more!.length - 1]!;
      more!.pop();
    } else if (more !== undefined) {
      this.#key0[e] = more.pop()!;
    }
    if (more !== undefined && more.length === 0) this.#more.delete(e);
    const shared = this.shared[e]! - 1;
    if (shared === 0) this.live--;
    this.#setShared(e, shared);
  }

  /** Calls `visit` with each key of entry e. */
  keysOf(e: number, visit: (key: number) => void): void {
    if (this.shared[e] === 0) return;
    visit(this.#key0[e]!);
    const more = this.#more.get(e);
    if (more !== undefined) for (const key of more) visit(key);
  }

  #setShared(e: number, shared: number): void {
    this.shared[e] = shared;
    const at = this.#candidateAt[e]!;
    if (shared >= this.minShared && at < 0) {
      this.candidates = grownI32(this.candidates, this.candidateCount + 1);
      this.#candidateAt[e] = this.candidateCount;
      this.candidates[this.candidateCount++] = e;
    } else if (shared < this.minShared && at >= 0) {
      const last = this.candidates[--this.candidateCount]!;
      this.candidates[at] = last;
      this.#candidateAt[last] = at;
      this.#candidateAt[e] = -1;
    }
  }

  /** Drops the dead entries once they outnumber the live ones (entries are renumbered). */
  compact(): void {
    const size = this.#index.size;
    if (size - this.live <= Math.max(this.minDead, this.live)) return;
    const fresh = new PairStore(this.minShared, this.minDead);
    for (let e = 0; e < size; e++) {
      if (this.shared[e] === 0) continue;
      const [a, b] = this.pairOf(e);
      const to = fresh.entry(a, b);
      fresh.coActions[to] = this.coActions[e]!;
      fresh.delay[to] = this.delay[e]!;
      this.keysOf(e, (key) => fresh.addKey(to, key));
    }
    this.#index = fresh.#index;
    [this.shared, this.coActions, this.delay, this.#key0, this.#more] = [fresh.shared, fresh.coActions, fresh.delay, fresh.#key0, fresh.#more];
    [this.#candidateAt, this.candidates, this.candidateCount, this.live] = [fresh.#candidateAt, fresh.candidates, fresh.candidateCount, fresh.live];
  }

  /** The live pairs (a, b, co-actions, Σ |Δt|, keys in keysOf order) for a checkpoint; dead entries are left out. */
  writeTo(out: SnapshotWriter): void {
    const a: number[] = [], b: number[] = [], coActions: number[] = [], delay: number[] = [], shared: number[] = [], keys: number[] = [];
    this.forEachLive((e) => {
      const [x, y] = this.pairOf(e);
      a.push(x);
      b.push(y);
      coActions.push(this.coActions[e]!);
      delay.push(this.delay[e]!);
      shared.push(this.shared[e]!);
      this.keysOf(e, (key) => keys.push(key));
    });
    for (const column of [Int32Array.from(a), Int32Array.from(b), Int32Array.from(coActions), Float64Array.from(delay), Int32Array.from(shared), Float64Array.from(keys)]) out.column(column);
  }

  /** A store as `writeTo` wrote it (entries renumbered, as after a compaction; each pair's keys in the same order). */
  static readFrom(input: SnapshotReader, minShared: number, minDead?: number): PairStore {
    const [a, b, coActions] = [input.i32s(), input.i32s(), input.i32s()];
    const delay = input.f64s(), shared = input.i32s(), keys = input.f64s();
    if (b.length !== a.length || coActions.length !== a.length || delay.length !== a.length || shared.length !== a.length) throw input.bad('pair columns of unequal length');
    const store = new PairStore(minShared, minDead);
    let at = 0;
    for (let i = 0; i < a.length; i++) {
      if (!(shared[i]! > 0 && at + shared[i]! <= keys.length)) throw input.bad(`pair ${i}: ${shared[i]} keys, ${keys.length - at} left`);
      const e = store.entry(a[i]!, b[i]!);
      store.coActions[e] = coActions[i]!;
      store.delay[e] = delay[i]!;
      for (let k = 0; k < shared[i]!; k++) store.addKey(e, keys[at++]!);
    }
    if (at !== keys.length) throw input.bad(`${keys.length - at} pair keys left over`);
    return store;
  }

  #grow(length: number): void {
    this.shared = grownI32(this.shared, length);
    this.coActions = grownI32(this.coActions, length);
    this.delay = grownF64(this.delay, length);
    this.#key0 = grownF64(this.#key0, length);
    const at = this.#candidateAt;
    this.#candidateAt = grownI32(at, length);
    this.#candidateAt.fill(-1, at.length);
  }
}
