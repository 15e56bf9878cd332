/**
 * The duplicate check of at-least-once sources, keyed on interned ids: an action is the same
 * action when its account (an interned id, which already carries the platform), its time and its
 * id are. A redelivery repeats the action whole, so the (account, time) tuple finds it in an
 * int-keyed table (no string hashed, no Map grown per action) and the id, compared only on a hit,
 * makes the answer exact; a second action of one account in the same millisecond (rare) is kept
 * in a small string-keyed overflow. Entries expire with the horizon, so memory stays bounded.
 */
import { IntTupleTable, grownF64 } from './int-table.js';
import { ownCopy } from './interner.js';

const TWO_32 = 4_294_967_296;

export class SeenActions {
  readonly #table: IntTupleTable;
  /** Per entry: the action id and its time. */
  #ids: string[] = [];
  #time: Float64Array<ArrayBuffer>;
  /** `actor NUL id` → time: further actions of an (account, millisecond) already held. */
  readonly #extra = new Map<string, number>();

  constructor(initialEntries = 1024) {
    this.#table = new IntTupleTable(3, initialEntries);
    this.#time = new Float64Array(this.#table.entryCapacity);
  }

  /** Live entries. */
  get size(): number {
    return this.#table.size + this.#extra.size;
  }

  /** Records the action; false if it was already recorded (a duplicate). */
  add(actor: number, id: string, time: number): boolean {
    const table = this.#table;
    const e = table.insert(actor, Math.floor(time / TWO_32) | 0, time | 0);
    if (table.created) {
      this.#time = grownF64(this.#time, table.entryCapacity);
      // Held for the horizon: a copy, not the parts of the line it was built from.
      this.#ids[e] = ownCopy(id);
      this.#time[e] = time;
      return true;
    }
    if (this.#ids[e] === id) return false;
    const key = `${actor}\u0000${id}`;
    if (this.#extra.has(key)) return false;
    this.#extra.set(ownCopy(key), time);
    return true;
  }

  /** Forgets every action with time before `cutoff`. */
  expire(cutoff: number): void {
    const table = this.#table;
    for (let e = 0; e < table.highWater; e++) {
      if (table.isLive(e) && this.#time[e]! < cutoff) {
        table.remove(e);
        this.#ids[e] = '';
      }
    }
    for (const [key, time] of this.#extra) if (time < cutoff) this.#extra.delete(key);
  }
}
