import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { User } from '../cases/types.js';
import { userCache } from './user-cache.js';

const vic: User = { name: 'vic', role: 'investigator', createdAt: 0 };

function countingStore(users: Map<string, User>): { lookup: (hash: string) => Promise<User | null>; queries: () => number } {
  let queries = 0;
  return {
    lookup: async (hash) => { queries++; await new Promise((resolve) => setImmediate(resolve)); return users.get(hash) ?? null; },
    queries: () => queries,
  };
}

describe('userCache', () => {
  it('peeks without a query: a remembered, fresh user, else null', async () => {
    let now = 0;
    const store = countingStore(new Map([['h1', vic]]));
    const cache = userCache(store.lookup, { ttlMs: 1000, now: () => now });
    assert.equal(cache.peek('h1'), null, 'not asked yet');
    assert.equal(await cache.get('h1'), vic);
    assert.equal(cache.peek('h1'), vic);
    now = 1000;
    assert.equal(cache.peek('h1'), null, 'expired');
    assert.equal(cache.peek('unknown'), null);
    assert.equal(store.queries(), 1, 'peeking never asks the store');
  });

  it('asks the store once per token within the time to live, then again', async () => {
    let now = 0;
    const users = new Map([['h1', vic]]);
    const store = countingStore(users);
    const cache = userCache(store.lookup, { ttlMs: 1000, now: () => now });
    assert.deepEqual(await Promise.all([cache.get('h1'), cache.get('h1'), cache.get('h1')]), [vic, vic, vic]);
    assert.equal(store.queries(), 1, 'lookups in flight together share one query');
    now = 999;
    assert.equal(await cache.get('h1'), vic);
    assert.equal(store.queries(), 1);
    // A role changed elsewhere is seen once the entry expires.
    users.set('h1', { ...vic, role: 'viewer' });
    now = 1000;
    assert.equal((await cache.get('h1'))?.role, 'viewer');
    assert.equal(store.queries(), 2);
  });

  it('never remembers an unknown token, so a new one works at once', async () => {
    const users = new Map<string, User>();
    const store = countingStore(users);
    const cache = userCache(store.lookup, { ttlMs: 60_000, now: () => 0 });
    assert.equal(await cache.get('new'), null);
    users.set('new', vic);
    assert.equal(await cache.get('new'), vic);
    assert.equal(cache.size(), 1);
  });

  it('asks every time with a time to live of 0, and holds at most maxKeys users', async () => {
    const users = new Map(Array.from({ length: 50 }, (_, i) => [`h${i}`, { ...vic, name: `u${i}` }] as const));
    const store = countingStore(users);
    const uncached = userCache(store.lookup, { ttlMs: 0 });
    await uncached.get('h1');
    await uncached.get('h1');
    assert.equal(store.queries(), 2);
    const small = userCache(store.lookup, { maxKeys: 10 });
    for (let i = 0; i < 50; i++) assert.equal((await small.get(`h${i}`))?.name, `u${i}`);
    assert.equal(small.size(), 10);
  });

  it('passes a store failure on and does not remember it', async () => {
    let fail = true;
    const cache = userCache(async () => { if (fail) throw new Error('store down'); return vic; });
    await assert.rejects(cache.get('h1'), /store down/);
    fail = false;
    assert.equal(await cache.get('h1'), vic);
  });
});
