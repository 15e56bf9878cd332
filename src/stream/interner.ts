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

/** A scope's entries in the order they were made (expire frees in that order, as a Map iterates). */
interface ScopeLog {
  scope: string;
  /** FNV-1a of the scope, where its labels' hashes start. */
  seed: number;
  /** Its live ids as they were made (only expire frees, and it compacts the log as it goes). */
  log: Int32Array<ArrayBuffer>;
  length: number;
  live: number;
}

const EMPTY = 0;
/** Int32s per slot: the id's hash, id + 1 (EMPTY: a free slot). */
const STRIDE = 2;

/**
 * Strings to ids in an open-addressing table (linear probing, deletion by backward shift) over
 * each id's hash, scope and raw string, not a Map per scope: at a firehose's cardinality (millions
 * of accounts and keys, most seen once) a Map's insert cost ~1 µs (its hashing, growth and entries
 * in the heap), most of the front end's time in the partitioner. A slot holds the id's hash beside
 * id + 1, so a probe past other entries (most lookups are of new labels) reads the slot's cache
 * line only, not each passed id's hash in a column of its own (a miss each at millions of ids).
 */
export class ExpiringInterner {
  /** Scopes in the order a Map of them would iterate (first made first; deleted when emptied by expire). */
  readonly #scopes = new Map<string, ScopeLog>();
  /** Per slot: hash, id + 1 (STRIDE). */
  #slots = new Int32Array(16 * STRIDE);
  #mask = 15;
  #hash = new Int32Array(16);
  #scope: (string | null)[] = [];
  #raw: string[] = [];
  #lastSeen: number[] = [];
  #free: number[] = [];
  #size = 0;
  readonly #separator: string;
  #lastLog: ScopeLog | null = null;

  /** `separator` joins a scope and its raw string into the label (none when the scope is empty). */
  constructor(separator = ':') {
    this.#separator = separator;
  }

  /** The id of `label`, made or reused, marked as seen at `time`. */
  intern(label: string, time: number): number {
    return this.internIn('', label, time);
  }

  /**
   * The id of `raw` in `scope` (label `scope + separator + raw`, or `raw` in the empty scope).
   * `owned`: `raw` holds only its own characters (decoded from bytes, not sliced from a longer
   * string), so it is kept as it is, without ownCopy's copy.
   */
  internIn(scope: string, raw: string, time: number, owned = false): number {
    let log = this.#lastLog;
    if (log === null || log.scope !== scope) {
      log = this.#scopes.get(scope) ?? null;
      if (log === null) {
        log = { scope, seed: hashFrom(0x811c9dc5, scope), log: new Int32Array(64), length: 0, live: 0 };
        this.#scopes.set(scope, log);
      }
      this.#lastLog = log;
    }
    const h = hashFrom(log.seed, raw), slots = this.#slots, mask = this.#mask;
    let at = h & mask;
    for (let v = slots[at * STRIDE + 1]!; v !== EMPTY; v = slots[at * STRIDE + 1]!) {
      const id = v - 1;
      if (slots[at * STRIDE] === h && this.#raw[id] === raw && this.#scope[id] === scope) {
        if (!((this.#lastSeen[id] ?? -Infinity) >= time)) this.#lastSeen[id] = time;
        return id;
      }
      at = (at + 1) & mask;
    }
    const id = this.#free.pop() ?? this.#raw.length;
    if (id >= this.#hash.length) this.#hash = grown(this.#hash, id);
    this.#hash[id] = h;
    slots[at * STRIDE] = h;
    slots[at * STRIDE + 1] = id + 1;
    if (log.length === log.log.length) log.log = grown(log.log, log.length);
    log.log[log.length++] = id;
    log.live++;
    this.#scope[id] = scope;
    this.#raw[id] = owned ? raw : ownCopy(raw);
    this.#lastSeen[id] = time;
    this.#size++;
    if (2 * this.#size > mask + 1) this.#rehash(2 * (mask + 1));
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

  /** Frees every entry last seen before `cutoff`; returns the freed ids (scope by scope, each in the order made). */
  expire(cutoff: number): number[] {
    const freed: number[] = [];
    for (const [scope, log] of this.#scopes) {
      let kept = 0;
      for (let at = 0; at < log.length; at++) {
        const id = log.log[at]!;
        if ((this.#lastSeen[id] ?? -Infinity) < cutoff) {
          this.#unslot(id);
          this.#scope[id] = null;
          this.#raw[id] = '';
          this.#free.push(id);
          freed.push(id);
          this.#size--;
          log.live--;
        } else log.log[kept++] = id;
      }
      log.length = kept;
      if (log.live === 0) {
        this.#scopes.delete(scope);
        if (this.#lastLog === log) this.#lastLog = null;
      }
    }
    return freed;
  }

  /** Takes live `id` out of the table, shifting back the entries after it that probed past its slot. */
  #unslot(id: number): void {
    const slots = this.#slots, mask = this.#mask;
    let hole = this.#hash[id]! & mask;
    while (slots[hole * STRIDE + 1] !== id + 1) hole = (hole + 1) & mask;
    for (let at = (hole + 1) & mask; slots[at * STRIDE + 1] !== EMPTY; at = (at + 1) & mask) {
      const home = slots[at * STRIDE]! & mask;
      // The entry at `at` may move into the hole unless its home lies cyclically in (hole, at].
      if (hole <= at ? home <= hole || home > at : home <= hole && home > at) {
        slots[hole * STRIDE] = slots[at * STRIDE]!;
        slots[hole * STRIDE + 1] = slots[at * STRIDE + 1]!;
        hole = at;
      }
    }
    slots[hole * STRIDE + 1] = EMPTY;
  }

  /** A table of `size` slots holding the same entries. */
  #rehash(size: number): void {
    const old = this.#slots, slots = new Int32Array(size * STRIDE), mask = size - 1;
    for (let s = 0; s < old.length; s += STRIDE) {
      if (old[s + 1] === EMPTY) continue;
      let at = old[s]! & mask;
      while (slots[at * STRIDE + 1] !== EMPTY) at = (at + 1) & mask;
      slots[at * STRIDE] = old[s]!;
      slots[at * STRIDE + 1] = old[s + 1]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** FNV-1a of `text`'s code units, continued from `h`. */
function hashFrom(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

function grown(array: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(2 * array.length, needed + 1));
  next.set(array);
  return next;
}
