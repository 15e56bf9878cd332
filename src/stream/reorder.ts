/**
 * A reorder buffer: events held until the watermark (the newest time seen minus the allowed
 * lateness) passes them, then released in (time, arrival) order, the order the batch kernel sorts
 * a key's events in. An event older than what was already released is late: released at once and
 * counted, never dropped.
 *
 * Held events live in columns (time, arrival number, item, an int tag) indexed by a slot, and the
 * heap orders slot numbers: no object is made per held event.
 */

export class ReorderBuffer<T> {
  /** Binary heap of slot numbers, ordered by (time, seq). */
  #heap = new Int32Array(256);
  #length = 0;
  #time = new Float64Array(256);
  #seq = new Float64Array(256);
  #tag = new Int32Array(256);
  #items: (T | undefined)[] = [];
  #free = new Int32Array(256);
  #freeCount = 0;
  #slots = 0;
  readonly #latenessMs: number;
  #nextSeq = 0;
  #newest = -Infinity;
  #released = -Infinity;
  late = 0;

  constructor(latenessMs: number) {
    this.#latenessMs = latenessMs;
  }

  get size(): number {
    return this.#length;
  }

  /** Time up to which everything has been released. */
  get watermark(): number {
    return this.#released;
  }

  /**
   * Holds `item` (with an int `tag` released beside it into `tags`); returns the items now due,
   * in order.
   */
  push(time: number, item: T, out: T[] = [], tag = 0, tags: number[] = []): T[] {
    if (time < this.#released) {
      this.late++;
      out.push(item);
      tags.push(tag);
      return out;
    }
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#newSlot();
    this.#time[slot] = time;
    this.#seq[slot] = this.#nextSeq++;
    this.#tag[slot] = tag;
    this.#items[slot] = item;
    this.#insert(slot);
    if (time > this.#newest) this.#newest = time;
    return this.release(this.#newest - this.#latenessMs, out, tags);
  }

  /** Releases every held item with time ≤ `until` (Infinity: all), tags into `tags`. */
  release(until: number, out: T[] = [], tags: number[] = []): T[] {
    while (this.#length > 0 && this.#time[this.#heap[0]!]! <= until) {
      const slot = this.#pop();
      this.#released = this.#time[slot]!;
      out.push(this.#items[slot] as T);
      tags.push(this.#tag[slot]!);
      this.#items[slot] = undefined;
      if (this.#freeCount === this.#free.length) this.#free = grow(this.#free);
      this.#free[this.#freeCount++] = slot;
    }
    if (until > this.#released && Number.isFinite(until)) this.#released = until;
    return out;
  }

  #newSlot(): number {
    const slot = this.#slots++;
    if (slot >= this.#time.length) {
      const time = new Float64Array(2 * this.#time.length);
      time.set(this.#time);
      this.#time = time;
      const seq = new Float64Array(2 * this.#seq.length);
      seq.set(this.#seq);
      this.#seq = seq;
      this.#tag = grow(this.#tag);
      this.#heap = grow(this.#heap);
    }
    return slot;
  }

  #less(x: number, y: number): boolean {
    const tx = this.#time[x]!, ty = this.#time[y]!;
    return tx < ty || (tx === ty && this.#seq[x]! < this.#seq[y]!);
  }

  #insert(slot: number): void {
    const heap = this.#heap;
    let i = this.#length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = heap[parent]!;
      if (!this.#less(slot, up)) break;
      heap[i] = up;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap[--this.#length]!;
    const length = this.#length;
    if (length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= length) break;
        const r = l + 1;
        const child = r < length && this.#less(heap[r]!, heap[l]!) ? r : l;
        if (!this.#less(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function grow(column: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const out = new Int32Array(2 * column.length);
  out.set(column);
  return out;
}
