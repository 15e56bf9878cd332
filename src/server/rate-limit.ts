/** A token bucket per API token: `capacity` requests at once, refilled at `perMinute`. Injected clock. */

export interface RateLimitOptions { capacity: number; perMinute: number; now: () => number; /** Buckets kept before full ones are dropped (random tokens must not grow memory). */ maxKeys: number }

export const RATE_LIMIT_DEFAULTS: RateLimitOptions = { capacity: 120, perMinute: 600, now: Date.now, maxKeys: 10_000 };

export interface RateLimiter {
  /** Takes one request's worth; null when allowed, else seconds until one is available. */
  take(key: string): number | null;
  /** Buckets held (for tests). */
  size(): number;
}

export function rateLimiter(options: Partial<RateLimitOptions> = {}): RateLimiter {
  const settings = { ...RATE_LIMIT_DEFAULTS, ...options };
  const perMs = settings.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const now = settings.now();
      if (!buckets.has(key) && buckets.size >= settings.maxKeys) {
        // A full bucket is the same as no bucket: drop those; if none is full, the oldest.
        for (const [other, value] of buckets) if (value.tokens + (now - value.at) * perMs >= settings.capacity) buckets.delete(other);
        if (buckets.size >= settings.maxKeys) buckets.delete(buckets.keys().next().value ?? '');
      }
      const bucket = buckets.get(key) ?? { tokens: settings.capacity, at: now };
      bucket.tokens = Math.min(settings.capacity, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return null;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
    size: () => buckets.size,
  };
}
