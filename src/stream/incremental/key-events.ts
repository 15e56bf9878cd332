/**
 * One key's events in the horizon, in the batch kernel's order (time, then arrival), and what the
 * kernel's rule makes of them (detect/kernel/kernel.ts): event j co-acts with each event i among
 * its nearest `cap` predecessors (same-account ones count towards the cap but are not pairs) with
 * t_j − t_i ≤ window. A (pair, key) membership is a pair with at least one co-action on the key.
 *
 * How a change moves the co-actions, which is what makes a slice cost its own events:
 * - Dropping the oldest events (a prefix) takes away exactly the event pairs they are in: a later
 *   event's partners are its nearest predecessors, so losing the farthest ones brings no other in.
 * - Appending events after the last adds exactly the new events' own partners.
 * - Inserting an event before others (a late one, or an earlier-time arrival) shifts the partner
 *   sets of the events after it: those at most `cap` places after the last insertion point (in the
 *   old order). Their old co-actions are taken off and their new ones (and the new events') added.
 */
import { PairIndex } from '../../detect/kernel/index.js';
import { grownI32 } from '../int-table.js';
import type { PairChanges } from './pair-changes.js';

export class KeyEvents {
  time: number[] = [];
  seq: number[] = [];
  actor: number[] = [];
  /** The live events are positions `start … time.length − 1` (the prefix before `start` has been dropped). */
  start = 0;
  /** Events per account on the key (its n_k is the map's size). */
  readonly perActor = new Map<number, number>();
  /**
   * Co-actions on this key per pair, for the memberships: an index of the pairs (made at the
   * first co-action; most keys have none) with per entry the count, the count at the start of the
   * slice that last touched it (`#stamp`, PairChanges.epoch) and the entries touched this slice.
   * Entries whose count fell to 0 stay until they outnumber the live ones.
   */
  #pairs: PairIndex | null = null;
  #pairCount = new Int32Array(0);
  #before = new Int32Array(0);
  #stamp = new Int32Array(0);
  #touched: number[] = [];
  #live = 0;

  constructor(readonly key: number, readonly window: number, readonly cap: number) {}

  /**
   * A key's events as a checkpoint held them (sorted by (time, seq)), with its co-action counts
   * made again by the kernel's rule: the counts follow from the events, so a checkpoint need not
   * carry them. The pairs' slice stamps are reset, so the first slice after the restore records
   * every membership it moves.
   */
  static restored(key: number, window: number, cap: number, time: number[], seq: number[], actor: number[], scratch: PairChanges): KeyEvents {
    const events = new KeyEvents(key, window, cap);
    [events.time, events.seq, events.actor] = [time, seq, actor];
    for (const one of actor) events.#count(one, 1, () => {});
    for (let j = 0; j < time.length; j++) events.#partners(j, 1, scratch);
    events.#stamp.fill(-1);
    events.#touched = [];
    return events;
  }

  get size(): number {
    return this.time.length - this.start;
  }

  /** Drops the events with time < `from` (a prefix); calls `gone` with each one's account. */
  dropBefore(from: number, changes: PairChanges, gone: (actor: number) => void): void {
    const { time, actor, cap, window } = this;
    const end = time.length;
    let r = this.start;
    while (r < end && time[r]! < from) r++;
    for (let i = this.start; i < r; i++) {
      const ti = time[i]!, ai = actor[i]!;
      const last = Math.min(end - 1, i + cap);
      for (let j = i + 1; j <= last; j++) {
        const delta = time[j]! - ti;
        if (delta > window) break;
        const aj = actor[j]!;
        if (aj !== ai) this.#coAct(ai, aj, -1, delta, changes);
      }
      this.#count(ai, -1, gone);
    }
    this.start = r;
    if (this.start > 32 && this.start * 2 > end) {
      this.time = time.slice(this.start);
      this.seq = this.seq.slice(this.start);
      this.actor = actor.slice(this.start);
      this.start = 0;
    }
  }

  /**
   * Inserts events (`times`, `seqs`, `actors`, sorted by (time, seq)) in order; calls `came` with
   * each account new to the key.
   */
  insert(times: readonly number[], seqs: readonly number[], actors: readonly number[], changes: PairChanges, came: (actor: number) => void): void {
    const m = times.length;
    if (m === 0) return;
    const oldEnd = this.time.length;
    const first = this.#insertionPoint(times[0]!, seqs[0]!);
    if (first === oldEnd) {
      for (let i = 0; i < m; i++) {
        this.time.push(times[i]!);
        this.seq.push(seqs[i]!);
        this.actor.push(actors[i]!);
        this.#count(actors[i]!, 1, came);
      }
      for (let j = oldEnd; j < oldEnd + m; j++) this.#partners(j, 1, changes);
      return;
    }
    const last = this.#insertionPoint(times[m - 1]!, seqs[m - 1]!);
    const shiftedEnd = Math.min(oldEnd, last + this.cap);
    for (let q = first; q < shiftedEnd; q++) this.#partners(q, -1, changes);
    // Merge the tail from `first` on with the new events.
    const tailTime = this.time.splice(first), tailSeq = this.seq.splice(first), tailActor = this.actor.splice(first);
    let x = 0, y = 0;
    while (x < tailTime.length || y < m) {
      const takeNew = x === tailTime.length || (y < m && (times[y]! < tailTime[x]! || (times[y] === tailTime[x] && seqs[y]! < tailSeq[x]!)));
      if (takeNew) {
        this.time.push(times[y]!);
        this.seq.push(seqs[y]!);
        this.actor.push(actors[y]!);
        this.#count(actors[y]!, 1, came);
        y++;
      } else {
        this.time.push(tailTime[x]!);
        this.seq.push(tailSeq[x]!);
        this.actor.push(tailActor[x]!);
        x++;
      }
    }
    const redoEnd = Math.min(this.time.length, shiftedEnd + m);
    for (let j = first; j < redoEnd; j++) this.#partners(j, 1, changes);
  }

  /** The first live position whose event sorts after (time, seq). */
  #insertionPoint(time: number, seq: number): number {
    let lo = this.start, hi = this.time.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.time[mid]!;
      if (t < time || (t === time && this.seq[mid]! < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Event j's co-actions with its partners, added (sign 1) or taken off (−1). */
  #partners(j: number, sign: 1 | -1, changes: PairChanges): void {
    const { time, actor, window } = this;
    const tj = time[j]!, aj = actor[j]!;
    const from = Math.max(this.start, j - this.cap);
    for (let i = j - 1; i >= from; i--) {
      const delta = tj - time[i]!;
      if (delta > window) break;
      const ai = actor[i]!;
      if (ai !== aj) this.#coAct(ai, aj, sign, delta, changes);
    }
  }

  #coAct(x: number, y: number, sign: 1 | -1, delta: number, changes: PairChanges): void {
    const a = x < y ? x : y, b = x < y ? y : x;
    const pairs = this.#pairs ??= new PairIndex(8);
    const known = pairs.size;
    const e = pairs.entryOf(a, b);
    if (pairs.size > known) {
      if (e >= this.#pairCount.length) this.#grow(pairs.capacity);
      this.#pairCount[e] = 0;
      this.#stamp[e] = -1;
    }
    if (this.#stamp[e] !== changes.epoch) {
      this.#stamp[e] = changes.epoch;
      this.#before[e] = this.#pairCount[e]!;
      this.#touched.push(e);
    }
    const after = this.#pairCount[e]! + sign;
    this.#pairCount[e] = after;
    if (after === 0) this.#live--;
    else if (after === 1 && sign === 1) this.#live++;
    changes.add(a, b, sign, sign * delta);
  }

  #grow(length: number): void {
    this.#pairCount = grownI32(this.#pairCount, length);
    this.#before = grownI32(this.#before, length);
    this.#stamp = grownI32(this.#stamp, length);
  }

  #count(actor: number, sign: 1 | -1, edge: (actor: number) => void): void {
    const after = (this.perActor.get(actor) ?? 0) + sign;
    if (after === 0) this.perActor.delete(actor);
    else this.perActor.set(actor, after);
    if (after === 0 || (after === 1 && sign === 1)) edge(actor);
  }

  /** The memberships that began (+1) or ended (−1) since the slice began; forgets the slice's touches. */
  takeMemberships(emit: (a: number, b: number, sign: 1 | -1) => void): void {
    const pairs = this.#pairs;
    if (pairs === null) return;
    for (const e of this.#touched) {
      const now = this.#pairCount[e]! > 0;
      if (now === this.#before[e]! > 0) continue;
      emit(pairs.keys[2 * e]!, pairs.keys[2 * e + 1]!, now ? 1 : -1);
    }
    this.#touched = [];
    if (pairs.size > 2 * this.#live + 16) this.#compact(pairs);
  }

  /** The live pairs into a fresh index (between slices: nothing is touched). */
  #compact(pairs: PairIndex): void {
    const fresh = this.#live === 0 ? null : new PairIndex(2 * this.#live);
    const count = new Int32Array(fresh === null ? 0 : fresh.capacity);
    for (let e = 0; fresh !== null && e < pairs.size; e++) {
      if (this.#pairCount[e] === 0) continue;
      count[fresh.entryOf(pairs.keys[2 * e]!, pairs.keys[2 * e + 1]!)] = this.#pairCount[e]!;
    }
    this.#pairs = fresh;
    this.#pairCount = count;
    this.#before = new Int32Array(count.length);
    this.#stamp = new Int32Array(count.length).fill(-1);
  }
}
