/**
 * Sliding-window event counts per key (IP, network, handle template), kept in O(1) memory per key
 * with the two-bucket approximation (Cloudflare's rate limiter): the count over the last window is
 * the current bucket plus the previous bucket weighted by how much of it still overlaps. Exact at
 * bucket boundaries, within one bucket's worth of events otherwise. Times may arrive slightly out
 * of order (batch files); an event older than the current bucket counts in it.
 *
 * Keys live in an open-addressing hash table over typed arrays (numbers hash without boxing;
 * strings are interned once), and keys whose count is zero for good are dropped whenever the
 * table would grow, so a server that sees millions of distinct addresses holds only those of the
 * last few windows (a Map of every address ever seen grew without bound and missed the cache).
 */

/** Keys are strings, or integers (IPv4 addresses as integers) that need no hashing of fresh text. */
export type VelocityKey = string | number;

export interface VelocitySnapshot {
  windowMs: number;
  /** Numeric keys are stored as `#<number>`, pair keys as `<text>|<integer>`. */
  keys: string[];
  /** Per key: bucket start, current count, previous count. */
  buckets: number[];
}

export interface VelocityCounter {
  readonly windowMs: number;
  /** Records one event for the key at `time` and returns the sliding count including it. */
  hit(key: VelocityKey, time: number): number;
  /**
   * As `hit`, for the key (text, integer), e.g. a handle template through one address, without
   * building the text `<text>|<integer>` (which is how the snapshot stores it).
   */
  hitPair(text: string, n: number, time: number): number;
  /** The sliding count at `time` without recording anything. */
  peek(key: VelocityKey, time: number): number;
  /** Keys held (stale ones are dropped when the table would grow). */
  readonly size: number;
  /** Keys still inside the window at `now`, for the state file. */
  snapshot(now: number): VelocitySnapshot;
  /**
   * The snapshot in parts of at most `keysPerPart` keys, taken one by one as the caller pulls
   * them (a writer can yield between parts, so a big table never stalls a server for long).
   * Counts are those at the time each part is taken; keys added after the table regrew during
   * the walk are left for the next snapshot.
   */
  snapshotParts(now: number, keysPerPart: number): Generator<{ keys: string[]; buckets: number[] }, void, void>;
}

const EMPTY = 0;
const NUMBER = 1;
const TEXT = 2;
const PAIR = 3;
const TWO_32 = 4294967296;
const PAIR_KEY = /^(.*)\|(-?\d{1,10})$/s;

/**
 * A counter over windows of `windowMs`, optionally restored from a snapshot. A key is dropped
 * once its last bucket started three windows before the latest events: its count is zero for any
 * event up to a window out of order.
 * @example const perIp = velocityCounter(3_600_000); perIp.hit('203.0.113.5', Date.now()) // 1
 */
export function velocityCounter(windowMs: number, restore?: VelocitySnapshot): VelocityCounter {
  let capacity = 1024;
  let mask = capacity - 1;
  let kinds = new Uint8Array(capacity);
  let his = new Int32Array(capacity);
  let los = new Int32Array(capacity);
  let starts = new Float64Array(capacity);
  let current = new Float64Array(capacity);
  let previous = new Float64Array(capacity);
  let used = 0;
  /**
   * The clock stale keys are judged by: the earlier of the last two events' times, so that one
   * event with a wild time (a typo'd year) cannot make every other key look stale.
   */
  let clock = -Infinity;
  let lastTime = -Infinity;
  const tick = (time: number): void => {
    clock = Math.min(time, lastTime);
    lastTime = time;
  };
  let textIds = new Map<string, number>();
  let texts: string[] = [];

  const hashOf = (kind: number, hi: number, lo: number): number => {
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + kind, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & mask;
  };
  /** The slot of the key, or -1 - (the empty slot where it would go). */
  const find = (kind: number, hi: number, lo: number): number => {
    for (let at = hashOf(kind, hi, lo); ; at = (at + 1) & mask) {
      const k = kinds[at] as number;
      if (k === EMPTY) return -1 - at;
      if (k === kind && los[at] === lo && his[at] === hi) return at;
    }
  };
  const textId = (text: string): number => {
    let id = textIds.get(text);
    if (id === undefined) {
      id = texts.length;
      texts.push(text);
      textIds.set(text, id);
    }
    return id;
  };
  /** Rebuilds the table without stale keys, at a capacity four times the keys kept (at least 1024). */
  const rebuild = (): void => {
    const old = { kinds, his, los, starts, current, previous, capacity, texts };
    const horizon = clock - 3 * windowMs;
    let live = 0;
    for (let at = 0; at < old.capacity; at++) if (old.kinds[at] !== EMPTY && (old.starts[at] as number) > horizon) live++;
    capacity = 1024;
    while (capacity < live * 4) capacity *= 2;
    mask = capacity - 1;
    kinds = new Uint8Array(capacity); his = new Int32Array(capacity); los = new Int32Array(capacity);
    starts = new Float64Array(capacity); current = new Float64Array(capacity); previous = new Float64Array(capacity);
    textIds = new Map();
    texts = [];
    used = 0;
    for (let from = 0; from < old.capacity; from++) {
      const kind = old.kinds[from] as number;
      if (kind === EMPTY || (old.starts[from] as number) <= horizon) continue;
      let hi = old.his[from] as number;
      let lo = old.los[from] as number;
      if (kind === TEXT) lo = textId(old.texts[lo] as string);
      else if (kind === PAIR) hi = textId(old.texts[hi] as string);
      const at = -1 - find(kind, hi, lo);
      kinds[at] = kind; his[at] = hi; los[at] = lo;
      starts[at] = old.starts[from] as number; current[at] = old.current[from] as number; previous[at] = old.previous[from] as number;
      used++;
    }
  };
  const slot = (kind: number, hi: number, lo: number): number => {
    const found = find(kind, hi, lo);
    if (found >= 0) return found;
    if ((used + 1) * 2 > capacity) {
      rebuild();
      return slot(kind, hi, lo);
    }
    const at = -1 - found;
    kinds[at] = kind; his[at] = hi; los[at] = lo;
    starts[at] = -Infinity; current[at] = 0; previous[at] = 0;
    used++;
    return at;
  };
  /**
   * The bucket of the latest times: `time - (time % windowMs)` is that same start for any time in
   * [start, start + windowMs) when start >= 0 (the remainder and the difference are exact), so a
   * sign-up log's times mostly skip the floating-point remainder.
   */
  let lastBucket = NaN;
  const bucketOf = (time: number): number => {
    if (time >= lastBucket && time < lastBucket + windowMs) return lastBucket;
    const bucket = time - (time % windowMs);
    if (bucket >= 0) lastBucket = bucket;
    return bucket;
  };
  const advance = (at: number, time: number): void => {
    const bucket = bucketOf(time);
    const start = starts[at] as number;
    if (bucket <= start) return;
    previous[at] = bucket - start === windowMs ? (current[at] as number) : 0;
    current[at] = 0;
    starts[at] = bucket;
  };
  const count = (at: number, time: number): number => {
    const overlap = 1 - (time - (starts[at] as number)) / windowMs;
    return (current[at] as number) + (previous[at] as number) * Math.max(0, overlap);
  };
  const record = (at: number, time: number): number => {
    advance(at, time);
    current[at] = (current[at] as number) + 1;
    return count(at, Math.max(time, starts[at] as number));
  };
  /** Kind, hi and lo of a held key (a peek must not intern a string). */
  const parts = (key: VelocityKey): [number, number, number] | null => {
    if (typeof key === 'number') return [NUMBER, Math.floor(key / TWO_32) | 0, key | 0];
    const id = textIds.get(key);
    return id === undefined ? null : [TEXT, 0, id];
  };
  const hitKey = (key: VelocityKey, time: number): number => {
    tick(time);
    if (typeof key === 'number') {
      const lo = key | 0;
      // An int32 key (an address as `ip | 0`) needs no division for its high half.
      return record(slot(NUMBER, lo === key ? lo >> 31 : Math.floor(key / TWO_32) | 0, lo), time);
    }
    return record(slot(TEXT, 0, textId(key)), time);
  };

  /** Walks the table as it is now (a rebuild replaces the arrays; this walk keeps the old ones). */
  function* walk(now: number, keysPerPart: number): Generator<{ keys: string[]; buckets: number[] }, void, void> {
    const table = { kinds, his, los, starts, current, previous, texts, capacity };
    let keys: string[] = [];
    let buckets: number[] = [];
    for (let at = 0; at < table.capacity; at++) {
      const kind = table.kinds[at] as number;
      const start = table.starts[at] as number;
      if (kind === EMPTY || start + 2 * windowMs <= now) continue; // nothing of it is inside the window any more
      const hi = table.his[at] as number;
      const lo = table.los[at] as number;
      keys.push(kind === NUMBER ? `#${hi * TWO_32 + (lo >>> 0)}` : kind === TEXT ? (table.texts[lo] as string) : `${table.texts[hi] as string}|${lo}`);
      buckets.push(start, table.current[at] as number, table.previous[at] as number);
      if (keys.length >= keysPerPart) {
        yield { keys, buckets };
        keys = [];
        buckets = [];
      }
    }
    if (keys.length > 0) yield { keys, buckets };
  }

  if (restore !== undefined && restore.windowMs === windowMs) {
    restore.keys.forEach((key, i) => {
      let at: number;
      const pair = key.startsWith('#') ? null : PAIR_KEY.exec(key);
      if (key.startsWith('#')) {
        const value = Number(key.slice(1));
        at = slot(NUMBER, Math.floor(value / TWO_32) | 0, value | 0);
      } else if (pair !== null) at = slot(PAIR, textId(pair[1] as string), Number(pair[2]) | 0);
      else at = slot(TEXT, 0, textId(key));
      starts[at] = restore.buckets[i * 3] ?? -Infinity;
      current[at] = restore.buckets[i * 3 + 1] ?? 0;
      previous[at] = restore.buckets[i * 3 + 2] ?? 0;
    });
  }
  return {
    windowMs,
    get size() { return used; },
    hit: hitKey,
    hitPair(text, n, time) {
      tick(time);
      return record(slot(PAIR, textId(text), n | 0), time);
    },
    peek(key, time) {
      const keyParts = parts(key);
      if (keyParts === null) return 0;
      const at = find(keyParts[0], keyParts[1], keyParts[2]);
      if (at < 0) return 0;
      const bucket = time - (time % windowMs);
      const start = starts[at] as number;
      if (bucket > start) return bucket - start === windowMs ? (current[at] as number) * Math.max(0, 1 - (time - bucket) / windowMs) : 0;
      return count(at, Math.max(time, start));
    },
    snapshot(now) {
      const whole = walk(now, Infinity).next().value; // one part: everything
      return { windowMs, keys: whole?.keys ?? [], buckets: whole?.buckets ?? [] };
    },
    snapshotParts: (now, keysPerPart) => walk(now, keysPerPart),
  };
}
