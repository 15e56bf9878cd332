/** The horizon's events by time (a binary min-heap), so a slice finds the ones leaving without a pass over all. */
import { grownF64, grownI32 } from '../int-table.js';
import type { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';

export class ExpiryHeap {
  #time = new Float64Array(1024);
  #actor = new Int32Array(1024);
  #key = new Int32Array(1024);
  size = 0;

  push(time: number, actor: number, key: number): void {
    if (this.size === this.#time.length) {
      this.#time = grownF64(this.#time, this.size + 1);
      this.#actor = grownI32(this.#actor, this.size + 1);
      this.#key = grownI32(this.#key, this.size + 1);
    }
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.#time[parent]! <= time) break;
      this.#move(parent, at);
      at = parent;
    }
    this.#time[at] = time;
    this.#actor[at] = actor;
    this.#key[at] = key;
  }

  /** Removes and returns every event with time < `from` (in no particular order). */
  popBefore(from: number): { actor: number[]; key: number[] } {
    const actor: number[] = [], key: number[] = [];
    while (this.size > 0 && this.#time[0]! < from) {
      actor.push(this.#actor[0]!);
      key.push(this.#key[0]!);
      const last = --this.size;
      if (last === 0) break;
      const time = this.#time[last]!, lastActor = this.#actor[last]!, lastKey = this.#key[last]!;
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= last) break;
        if (child + 1 < last && this.#time[child + 1]! < this.#time[child]!) child++;
        if (this.#time[child]! >= time) break;
        this.#move(child, at);
        at = child;
      }
      this.#time[at] = time;
      this.#actor[at] = lastActor;
      this.#key[at] = lastKey;
    }
    return { actor, key };
  }

  /** The heap's arrays as they are (a heap read back in the same order is the same heap). */
  writeTo(out: SnapshotWriter): void {
    out.column(this.#time.subarray(0, this.size));
    out.column(this.#actor.subarray(0, this.size));
    out.column(this.#key.subarray(0, this.size));
  }

  static readFrom(input: SnapshotReader): ExpiryHeap {
    const heap = new ExpiryHeap();
    const time = input.f64s(), actor = input.i32s(), key = input.i32s();
    if (actor.length !== time.length || key.length !== time.length) throw input.bad('expiry columns of unequal length');
    heap.#time = grownF64(time, 1);
    heap.#actor = grownI32(actor, 1);
    heap.#key = grownI32(key, 1);
    heap.size = time.length;
    return heap;
  }

  #move(from: number, to: number): void {
    this.#time[to] = this.#time[from]!;
    this.#actor[to] = this.#actor[from]!;
    this.#key[to] = this.#key[from]!;
  }
}
