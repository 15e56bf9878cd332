/**
 * A reorder buffer: events held until the watermark (the newest time seen minus the allowed
 * lateness) passes them, then released in (time, arrival) order, the order the batch kernel sorts
 * a key's events in. An event older than what was already released is late: released at once and
 * counted, never dropped.
 */

interface Held<T> {
  time: number;
  seq: number;
  item: T;
}

export class ReorderBuffer<T> {
  readonly #heap: Held<T>[] = [];
  readonly #latenessMs: number;
  #seq = 0;
  #newest = -Infinity;
  #released = -Infinity;
  late = 0;

  constructor(latenessMs: number) {
    this.#latenessMs = latenessMs;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Time up to which everything has been released. */
  get watermark(): number {
    return this.#released;
  }

  /** Holds `item`; returns the items now due, in order. */
  push(time: number, item: T, out: T[] = []): T[] {
    if (time < this.#released) {
      this.late++;
      out.push(item);
      return out;
    }
    this.#insert({ time, seq: this.#seq++, item });
    if (time > this.#newest) this.#newest = time;
    return this.release(this.#newest - this.#latenessMs, out);
  }

  /** Releases every held item with time ≤ `until` (Infinity: all). */
  release(until: number, out: T[] = []): T[] {
    while (this.#heap.length > 0 && (this.#heap[0]?.time ?? Infinity) <= until) {
      const top = this.#pop();
      this.#released = top.time;
      out.push(top.item);
    }
    if (until > this.#released && Number.isFinite(until)) this.#released = until;
    return out;
  }

  #less(x: Held<T>, y: Held<T>): boolean {
    return x.time < y.time || (x.time === y.time && x.seq < y.seq);
  }

  #insert(entry: Held<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = heap[parent] as Held<T>;
      if (!this.#less(entry, up)) break;
      heap[i] = up;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Held<T> {
    const heap = this.#heap;
    const top = heap[0] as Held<T>;
    const last = heap.pop() as Held<T>;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && this.#less(heap[r] as Held<T>, heap[l] as Held<T>) ? r : l;
        if (!this.#less(heap[child] as Held<T>, last)) break;
        heap[i] = heap[child] as Held<T>;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
