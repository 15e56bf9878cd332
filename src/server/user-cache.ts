/**
 * The user of a token hash, remembered for a few seconds: without it every request waited on a
 * store query (DuckDB: milliseconds, and tens of them on a busy machine), which kept the sign-up
 * scorer from answering thousands of registrations a second. Only known users are remembered, so
 * a new token works at once; a role change or a removal made elsewhere takes effect within
 * `ttlMs`. Lookups of one hash in flight together share one query.
 */
import type { User } from '../cases/types.js';

export interface UserCacheOptions {
  /** How long a found user is remembered (0: ask the store every time). */
  ttlMs: number;
  /** Users held; the oldest is dropped beyond this. */
  maxKeys: number;
  now: () => number;
}

export const USER_CACHE_DEFAULTS: UserCacheOptions = { ttlMs: 5_000, maxKeys: 10_000, now: Date.now };

export interface UserCache {
  /** The user of the token hash (null: not known). */
  get(tokenHash: string): Promise<User | null>;
  /** The user of the token hash if it is held and fresh, else null (no store query). */
  peek(tokenHash: string): User | null;
  /** Users held (for tests). */
  size(): number;
}

/**
 * @example
 * const users = userCache((hash) => store.userByTokenHash(hash));
 * const user = await users.get(hashToken(token));
 */
export function userCache(lookup: (tokenHash: string) => Promise<User | null>, options: Partial<UserCacheOptions> = {}): UserCache {
  const settings = { ...USER_CACHE_DEFAULTS, ...options };
  const held = new Map<string, { user: User; until: number }>();
  const pending = new Map<string, Promise<User | null>>();
  return {
    get(tokenHash) {
      const now = settings.now();
      const entry = held.get(tokenHash);
      if (entry !== undefined && entry.until > now) return Promise.resolve(entry.user);
      let query = pending.get(tokenHash);
      if (query === undefined) {
        query = lookup(tokenHash).then((user) => {
          held.delete(tokenHash);
          if (user !== null && settings.ttlMs > 0) {
            if (held.size >= settings.maxKeys) held.delete(held.keys().next().value ?? '');
            held.set(tokenHash, { user, until: settings.now() + settings.ttlMs });
          }
          return user;
        }).finally(() => pending.delete(tokenHash));
        pending.set(tokenHash, query);
      }
      return query;
    },
    peek(tokenHash) {
      const entry = held.get(tokenHash);
      return entry !== undefined && entry.until > settings.now() ? entry.user : null;
    },
    size: () => held.size,
  };
}
