/**
 * Sliding-window event counts per key (IP, network, handle template), kept in O(1) memory per key
 * with the two-bucket approximation (Cloudflare's rate limiter): the count over the last window is
 * the current bucket plus the previous bucket weighted by how much of it still overlaps. Exact at
 * bucket boundaries, within one bucket's worth of events otherwise. Times may arrive slightly out
 * of order (batch files); an event older than the current bucket counts in it.
 */

/** Keys are strings, or numbers (IPv4 addresses as integers) that need no hashing of fresh text. */
export type VelocityKey = string | number;

export interface VelocitySnapshot {
  windowMs: number;
  /** Numeric keys are stored as `#<number>`. */
  keys: string[];
  /** Per key: bucket start, current count, previous count. */
  buckets: number[];
}

export interface VelocityCounter {
  readonly windowMs: number;
  /** Records one event for the key at `time` and returns the sliding count including it. */
  hit(key: VelocityKey, time: number): number;
  /** The sliding count at `time` without recording anything. */
  peek(key: VelocityKey, time: number): number;
  readonly size: number;
  /** Keys still inside the window at `now`, for the state file. */
  snapshot(now: number): VelocitySnapshot;
}

/**
 * A counter over windows of `windowMs`, optionally restored from a snapshot.
 * @example const perIp = velocityCounter(3_600_000); perIp.hit('203.0.113.5', Date.now()) // 1
 */
export function velocityCounter(windowMs: number, restore?: VelocitySnapshot): VelocityCounter {
  const index = new Map<VelocityKey, number>();
  let starts = new Float64Array(1024);
  let current = new Float64Array(1024);
  let previous = new Float64Array(1024);
  let used = 0;
  const slot = (key: VelocityKey): number => {
    let at = index.get(key);
    if (at === undefined) {
      if (used === starts.length) {
        const grow = (array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => { const next = new Float64Array(array.length * 2); next.set(array); return next; };
        starts = grow(starts); current = grow(current); previous = grow(previous);
      }
      at = used++;
      index.set(key, at);
      starts[at] = -Infinity;
    }
    return at;
  };
  const advance = (at: number, time: number): void => {
    const bucket = time - (time % windowMs);
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
  if (restore !== undefined && restore.windowMs === windowMs) {
    restore.keys.forEach((key, i) => {
      const at = slot(key.startsWith('#') ? Number(key.slice(1)) : key);
      starts[at] = restore.buckets[i * 3] ?? -Infinity;
      current[at] = restore.buckets[i * 3 + 1] ?? 0;
      previous[at] = restore.buckets[i * 3 + 2] ?? 0;
    });
  }
  return {
    windowMs,
    get size() { return index.size; },
    hit(key, time) {
      const at = slot(key);
      advance(at, time);
      current[at] = (current[at] as number) + 1;
      return count(at, Math.max(time, starts[at] as number));
    },
    peek(key, time) {
      const at = index.get(key);
      if (at === undefined) return 0;
      const bucket = time - (time % windowMs);
      const start = starts[at] as number;
      if (bucket > start) return bucket - start === windowMs ? (current[at] as number) * Math.max(0, 1 - (time - bucket) / windowMs) : 0;
      return count(at, Math.max(time, start));
    },
    snapshot(now) {
      const keys: string[] = [];
      const buckets: number[] = [];
      for (const [key, at] of index) {
        if ((starts[at] as number) + 2 * windowMs <= now) continue; // nothing of it is inside the window any more
        keys.push(typeof key === 'number' ? `#${key}` : key);
        buckets.push(starts[at] as number, current[at] as number, previous[at] as number);
      }
      return { windowMs, keys, buckets };
    },
  };
}
