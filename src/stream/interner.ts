/**
 * Strings to dense integer ids whose entries expire: an id not touched for the horizon is freed
 * and reused, so the table holds only what the horizon holds (a stream never ends; an interner
 * that only grows would be the one unbounded structure left).
 */

export class ExpiringInterner {
  readonly #ids = new Map<string, number>();
  #labels: (string | null)[] = [];
  #lastSeen: number[] = [];
  #free: number[] = [];

  /** The id of `label`, made or reused, marked as seen at `time`. */
  intern(label: string, time: number): number {
    let id = this.#ids.get(label);
    if (id === undefined) {
      id = this.#free.pop() ?? this.#labels.length;
      this.#ids.set(label, id);
      this.#labels[id] = label;
    }
    if (!((this.#lastSeen[id] ?? -Infinity) >= time)) this.#lastSeen[id] = time;
    return id;
  }

  label(id: number): string {
    const label = this.#labels[id];
    if (label === undefined || label === null) throw new Error(`interner: id ${id} is not live`);
    return label;
  }

  lastSeen(id: number): number {
    return this.#lastSeen[id] ?? -Infinity;
  }

  /** Live entries. */
  get size(): number {
    return this.#ids.size;
  }

  /** One more than the largest id ever handed out (ids are below it). */
  get capacity(): number {
    return this.#labels.length;
  }

  /** Live ids, ascending. */
  *liveIds(): Iterable<number> {
    for (let id = 0; id < this.#labels.length; id++) if (this.#labels[id] !== null && this.#labels[id] !== undefined) yield id;
  }

  /** Frees every entry last seen before `cutoff`; returns the freed ids. */
  expire(cutoff: number): number[] {
    const freed: number[] = [];
    for (const [label, id] of this.#ids) {
      if ((this.#lastSeen[id] ?? -Infinity) < cutoff) {
        this.#ids.delete(label);
        this.#labels[id] = null;
        this.#free.push(id);
        freed.push(id);
      }
    }
    return freed;
  }
}
