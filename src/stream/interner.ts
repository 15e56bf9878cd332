/**
 * Strings to dense integer ids whose entries expire: an id not touched for the horizon is freed
 * and reused, so the table holds only what the horizon holds (a stream never ends; an interner
 * that only grows would be the one unbounded structure left).
 *
 * A label may be interned in two parts, a scope (a platform) and the raw string as parsed, so the
 * hot path never builds `scope + sep + raw` (a new string to flatten and hash on every event);
 * the joined label is made only when asked for.
 */

/**
 * A string that holds only its own characters. A slice of a longer string (the line scanner's
 * values are slices of their line) keeps the whole line alive while it is held: interned for an
 * hour, 100k accounts sliced from 900-character lines held 112 MB. Flattening `' ' + raw` copies
 * the characters once; the slice of that copy holds the copy only.
 */
export function ownCopy(raw: string): string {
  return raw.length < 13 ? raw : (' ' + raw).slice(1);
}

export class ExpiringInterner {
  /** scope → raw → id. */
  readonly #ids = new Map<string, Map<string, number>>();
  #scope: (string | null)[] = [];
  #raw: string[] = [];
  #lastSeen: number[] = [];
  #free: number[] = [];
  #size = 0;
  readonly #separator: string;

  /** `separator` joins a scope and its raw string into the label (none when the scope is empty). */
  constructor(separator = ':') {
    this.#separator = separator;
  }

  /** The id of `label`, made or reused, marked as seen at `time`. */
  intern(label: string, time: number): number {
    return this.internIn('', label, time);
  }

  /** The id of `raw` in `scope` (label `scope + separator + raw`, or `raw` in the empty scope). */
  internIn(scope: string, raw: string, time: number): number {
    let ids = this.#ids.get(scope);
    if (ids === undefined) {
      ids = new Map();
      this.#ids.set(scope, ids);
    }
    let id = ids.get(raw);
    if (id === undefined) {
      id = this.#free.pop() ?? this.#raw.length;
      const own = ownCopy(raw);
      ids.set(own, id);
      this.#scope[id] = scope;
      this.#raw[id] = own;
      this.#lastSeen[id] = time;
      this.#size++;
    } else if (!((this.#lastSeen[id] ?? -Infinity) >= time)) this.#lastSeen[id] = time;
    return id;
  }

  label(id: number): string {
    const scope = this.#scope[id];
    if (scope === undefined || scope === null) throw new Error(`interner: id ${id} is not live`);
    return scope === '' ? this.#raw[id] ?? '' : `${scope}${this.#separator}${this.#raw[id] ?? ''}`;
  }

  /** The scope and raw string of a live id. */
  parts(id: number): [scope: string, raw: string] {
    const scope = this.#scope[id];
    if (scope === undefined || scope === null) throw new Error(`interner: id ${id} is not live`);
    return [scope, this.#raw[id] ?? ''];
  }

  lastSeen(id: number): number {
    return this.#lastSeen[id] ?? -Infinity;
  }

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** One more than the largest id ever handed out (ids are below it). */
  get capacity(): number {
    return this.#raw.length;
  }

  /** Live ids, ascending. */
  *liveIds(): Iterable<number> {
    for (let id = 0; id < this.#scope.length; id++) if (this.#scope[id] !== null && this.#scope[id] !== undefined) yield id;
  }

  /** Frees every entry last seen before `cutoff`; returns the freed ids. */
  expire(cutoff: number): number[] {
    const freed: number[] = [];
    for (const [scope, ids] of this.#ids) {
      for (const [raw, id] of ids) {
        if ((this.#lastSeen[id] ?? -Infinity) < cutoff) {
          ids.delete(raw);
          this.#scope[id] = null;
          this.#raw[id] = '';
          this.#free.push(id);
          freed.push(id);
          this.#size--;
        }
      }
      if (ids.size === 0) this.#ids.delete(scope);
    }
    return freed;
  }
}
