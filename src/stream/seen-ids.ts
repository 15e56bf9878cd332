/**
 * The publisher's duplicate check (Partitioner): which actions a job has taken, by account, time
 * and two hashes of the action's id, in a small table of the latest actions and a log of the rest
 * (SeenIds below).
 */

const TWO_32 = 4_294_967_296;

/** Int32s per SeenIds slot: account + 1 (0: empty), the time's low and high words, the id's two hashes. */
const SEEN_STRIDE = 5;

/** A SeenIds slot's hash: account, time and first id hash mixed (one multiply each, one to finish). */
function seenHash(actor: number, low: number, h1: number): number {
  const h = Math.imul(h1 ^ Math.imul(actor, 0x9e3779b1) ^ Math.imul(low, 0x85ebca77), 0xc2b2ae35);
  return h ^ (h >>> 15);
}

/**
 * One open-addressing table of actions (SeenIds): the whole record in its slot (20 bytes), so an
 * action costs one random read of the table, where an (account, time, hash) tuple index with
 * entry numbers, the rest in columns beside it and a string set for a second action in one
 * millisecond cost a heavier hash, an indirection and the columns' upkeep.
 */
class ActionTable {
  #slots: Int32Array;
  #mask: number;
  /** The slots' first length (int32s). */
  readonly #first: number;
  size = 0;

  constructor(slots: number) {
    this.#slots = new Int32Array(slots * SEEN_STRIDE);
    this.#mask = slots - 1;
    this.#first = this.#slots.length;
  }

  /** Records the action; false if it was already recorded. */
  add(tag: number, low: number, high: number, h1: number, h2: number): boolean {
    const slots = this.#slots, mask = this.#mask;
    let s = (seenHash(tag - 1, low, h1) & mask) * SEEN_STRIDE;
    for (let at = slots[s]!; at !== 0; at = slots[s]!) {
      if (at === tag && slots[s + 1] === low && slots[s + 3] === h1 && slots[s + 4] === h2 && slots[s + 2] === high) return false;
      s = s + SEEN_STRIDE > mask * SEEN_STRIDE ? 0 : s + SEEN_STRIDE;
    }
    slots[s] = tag;
    slots[s + 1] = low;
    slots[s + 2] = high;
    slots[s + 3] = h1;
    slots[s + 4] = h2;
    if (2 * ++this.size > mask + 1) this.#grow();
    return true;
  }

  /** Appends every action of this table (20 bytes each) to `log`, then empties the table. */
  moveTo(log: ActionLog): void {
    const slots = this.#slots;
    for (let o = 0; o < slots.length; o += SEEN_STRIDE) if (slots[o] !== 0) log.append(slots, o);
    this.size = 0;
    // A table grown by many actions in one millisecond goes back to its first size: each move scans it.
    if (slots.length === this.#first) slots.fill(0);
    else [this.#slots, this.#mask] = [new Int32Array(this.#first), this.#first / SEEN_STRIDE - 1];
  }

  /** A table of this one's actions at or after `cutoff`, at the first size grown as they need. */
  keptFrom(cutoff: number): ActionTable {
    const kept = new ActionTable(this.#first / SEEN_STRIDE), slots = this.#slots;
    for (let o = 0; o < slots.length; o += SEEN_STRIDE) {
      if (slots[o] !== 0 && slots[o + 2]! * TWO_32 + (slots[o + 1]! >>> 0) >= cutoff) kept.add(slots[o]!, slots[o + 1]!, slots[o + 2]!, slots[o + 3]!, slots[o + 4]!);
    }
    return kept;
  }

  #grow(): void {
    const old = this.#slots, mask = 2 * (this.#mask + 1) - 1;
    if ((mask + 1) * SEEN_STRIDE >= 2 ** 30) throw new RangeError('stream-publish: more than 2^27 actions in one job; split the input');
    const slots = new Int32Array((mask + 1) * SEEN_STRIDE);
    for (let o = 0; o < old.length; o += SEEN_STRIDE) {
      if (old[o] === 0) continue;
      let s = (seenHash(old[o]! - 1, old[o + 1]!, old[o + 3]!) & mask) * SEEN_STRIDE;
      while (slots[s] !== 0) s = s + SEEN_STRIDE > mask * SEEN_STRIDE ? 0 : s + SEEN_STRIDE;
      for (let k = 0; k < SEEN_STRIDE; k++) slots[s + k] = old[o + k]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** Actions in SeenIds' log, as their slots are (SEEN_STRIDE int32s each), in blocks of LOG_BLOCK. */
const LOG_BLOCK = 1 << 16;
class ActionLog {
  readonly #blocks: Int32Array[] = [];
  /** Per block: no action in it is later than this (set as moves end: closeMove). */
  readonly #upTo: number[] = [];
  /** The first block a move may still append to. */
  #open = 0;
  /** Actions appended ever (log positions are counted from the first, dropped or not). */
  count = 0;
  /** Actions dropped from the front, whole blocks (a multiple of LOG_BLOCK). */
  dropped = 0;

  append(slots: Int32Array, at: number): void {
    const within = this.count % LOG_BLOCK;
    if (within === 0) {
      this.#blocks.push(new Int32Array(LOG_BLOCK * SEEN_STRIDE));
      this.#upTo.push(Infinity);
    }
    const block = this.#blocks[this.#blocks.length - 1]!, o = within * SEEN_STRIDE;
    for (let k = 0; k < SEEN_STRIDE; k++) block[o + k] = slots[at + k]!;
    this.count++;
  }

  /** A move's appends are done: no action in the blocks it wrote is later than `latest`. */
  closeMove(latest: number): void {
    for (let k = this.#open; k < this.#blocks.length; k++) this.#upTo[k] = latest;
    this.#open = Math.max(0, this.#blocks.length - 1);
  }

  /**
   * Drops the front blocks whose every action is before `cutoff` (never the last: moves append to
   * it); true if any went. Moves come in time order, so a block's actions are all at or after
   * the ones of the blocks before it, and the blocks dropped are a prefix.
   */
  dropBefore(cutoff: number): boolean {
    let gone = 0;
    while (gone < this.#blocks.length - 1 && this.#upTo[gone]! < cutoff) gone++;
    if (gone === 0) return false;
    this.#blocks.splice(0, gone);
    this.#upTo.splice(0, gone);
    this.#open = Math.max(0, this.#open - gone);
    this.dropped += gone * LOG_BLOCK;
    return true;
  }

  /** Adds the actions from the `from`th on (those not dropped) to `table`. */
  addTo(table: ActionTable, from: number): void {
    for (let n = Math.max(from, this.dropped); n < this.count; n++) {
      const i = n - this.dropped, block = this.#blocks[Math.floor(i / LOG_BLOCK)]!, o = (i % LOG_BLOCK) * SEEN_STRIDE;
      table.add(block[o]!, block[o + 1]!, block[o + 2]!, block[o + 3]!, block[o + 4]!);
    }
  }
}

/** Actions SeenIds keeps in its recent table before it moves them to its log. */
const RECENT_ACTIONS = 2048;

/**
 * The publisher's duplicate check: an action is a repeat when its account, time and id are. A job
 * remembers every action (it is finite), so instead of the id string it keeps two 32-bit hashes of
 * it (of an AT URI, of its part after the account: idHashFrom). Holding 220k id strings cost about
 * 2.5 µs an event (copies, their collection); the hashes cost one pass over the id. Two different
 * actions are taken for one only if the same account acts twice in one millisecond with ids whose
 * 64 bits of hash agree.
 *
 * A stream comes in time order, so the check keeps the actions from time `#since` on in a small
 * table, in cache, and appends the earlier ones to a log, which is made into a table only when an
 * action earlier than `#since` comes (and only then added to). One table of every action (tens of
 * MB for a million) made each check a cache and TLB miss: 0.5–0.8 of the front end's ~3.6 CPU-s
 * for 878k actions. Once the recent table holds RECENT_ACTIONS and an action comes later than
 * every one of them, they move to the log and `#since` becomes that action's time. So every action
 * before `#since` is in the log or the old table, every one from it on in the recent table, and
 * an action is looked for in one place only.
 *
 * With a retention R (a continuous job's horizon: nats/continuous-work.ts SliceCutter), the check
 * need only remember actions from `latest − R` on, where `latest` is the latest time it has seen:
 * as actions move, log blocks whose every action is older go (whole blocks, 1.3 MB each), and the
 * old table is made again without them. What is remembered is then about R of actions and two
 * blocks, not the whole job (20 bytes an action: 1.7 GB a day at 1,000 actions/s). An action
 * older than `latest − R` may be taken for new although it is a repeat: the caller must drop such
 * actions first (SliceCutter drops them as late: they are out of every later slice).
 */
export class SeenIds {
  readonly #recent = new ActionTable(2 * RECENT_ACTIONS);
  readonly #log = new ActionLog();
  /** The log's actions up to `#indexed`, and the actions that came before `#since`. */
  #old: ActionTable | null = null;
  #indexed = 0;
  readonly #recentCap: number;
  /** The recent table holds the actions from this time on; its latest time. */
  #since = -Infinity;
  #latest = -Infinity;
  /** Actions older than `#latest` minus this may be forgotten (ms; Infinity: none, a bounded job). */
  readonly #retentionMs: number;

  /**
   * `recentCap`: actions kept in the recent table before they move (tests make it small);
   * `retentionMs`: how far behind the latest time actions are remembered (default: all).
   */
  constructor(recentCap = RECENT_ACTIONS, retentionMs = Infinity) {
    if (!(retentionMs >= 0)) throw new RangeError(`SeenIds: retention must be a duration of 0 ms or more, got ${retentionMs}`);
    this.#recentCap = recentCap;
    this.#retentionMs = retentionMs;
  }

  /** Actions remembered now (recent table, log blocks kept, old table): what the check holds. */
  get size(): number {
    return this.#recent.size + this.#log.count - this.#log.dropped + (this.#old?.size ?? 0);
  }

  /** Records the action; false if it was already recorded (a repeat). */
  add(actor: number, id: string, time: number): boolean {
    let h1 = 0x811c9dc5 | 0, h2 = 0x2f6b1a73;
    for (let i = idHashFrom(id); i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    return this.addHashed(actor, h1, h2, time);
  }

  /** `add` with the id's two hashes (idHashes), e.g. computed over its bytes. */
  addHashed(actor: number, h1: number, h2: number, time: number): boolean {
    const low = time | 0, high = Math.floor(time / TWO_32) | 0, tag = actor + 1;
    // The time as the table's key has it (a fraction or NaN is the key of another time), so two
    // actions of one key always meet in one table.
    const at = high * TWO_32 + (low >>> 0);
    if (at < this.#since) return this.#oldTable().add(tag, low, high, h1, h2);
    if (at > this.#latest) {
      if (this.#recent.size >= this.#recentCap) {
        this.#recent.moveTo(this.#log);
        this.#log.closeMove(this.#latest);
        this.#since = at;
        if (this.#retentionMs !== Infinity) this.#forget(at - this.#retentionMs);
      }
      this.#latest = at;
    }
    return this.#recent.add(tag, low, high, h1, h2);
  }

  /** Forgets log blocks older than `cutoff`, and the old table's actions older than it with them. */
  #forget(cutoff: number): void {
    if (this.#log.dropBefore(cutoff) && this.#old !== null) this.#old = this.#old.keptFrom(cutoff);
  }

  /** The table of the actions before `#since`, the log's added first. */
  #oldTable(): ActionTable {
    const old = (this.#old ??= new ActionTable(4096));
    this.#log.addTo(old, this.#indexed);
    this.#indexed = this.#log.count;
    return old;
  }
}

/**
 * Where SeenIds starts hashing an action id: after the account of an AT URI
 * (`at://did/collection/rkey` from `/collection/rkey`: the account is already in the table's key,
 * so its characters would only cost time), else at the start.
 */
export function idHashFrom(id: string): number {
  return id.startsWith('at://') ? Math.max(0, id.indexOf('/', 5)) : 0;
}
