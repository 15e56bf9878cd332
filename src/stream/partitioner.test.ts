import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bareAction } from '../model/index.js';
import type { Action } from '../model/index.js';
import { encodePartial, PartitionWork } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { partitionActions, Partitioner, SeenIds } from './partitioner.js';
import { decodeBatch } from './wire-batch.js';

/** Posts by 40 accounts, each linking one of 60 long URLs (2,000+ characters, as tracking links can be). */
function longLinks(): Action[] {
  const actions: Action[] = [];
  for (let n = 0; n < 600; n++) {
    const action = bareAction('bluesky', `at://did:plc:a${n % 40}/app.bsky.feed.post/${n}`, `did:plc:a${n % 40}`, 'post', 1_720_000_000_000 + n * 500);
    action.urls = [`https://example.org/${n % 60}/${'x'.repeat(2_000)}`];
    actions.push(action);
  }
  return actions;
}

function partials(batches: Map<number, Uint8Array[]>): Uint8Array[] {
  return [...batches].sort(([a], [b]) => a - b).map(([partition, list]) => {
    const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    for (const bytes of list) work.add(bytes);
    assert.equal(work.complete, true);
    return encodePartial(work.finish());
  });
}

describe('Partitioner batches', () => {
  it('sends a batch early once its new labels reach maxLabelChars (messages stay small), with the same partials', () => {
    const actions = longLinks();
    const capped = partitionActions(actions, { partitions: 2, batchSize: 2_000, maxLabelChars: 10_000 });
    const uncapped = partitionActions(actions, { partitions: 2, batchSize: 2_000, maxLabelChars: 10_000_000 });
    const sizes = [...capped.values()].flat().map((bytes) => bytes.length);
    // One label may pass the cap: a batch holds at most the cap plus one 2 KB URL (UTF-8 here), plus columns and header.
    assert.ok(Math.max(...sizes) < 10_000 + 2_100 + 600 * 16 + 256, `largest message ${Math.max(...sizes)} bytes`);
    assert.ok([...uncapped.values()].flat().some((bytes) => bytes.length > 50_000), 'without the cap a message carries every URL');
    assert.ok(sizes.length > [...uncapped.values()].flat().length);
    const events = (batches: Map<number, Uint8Array[]>): number => [...batches.values()].flat().reduce((sum, bytes) => sum + decodeBatch(bytes, 'x').count, 0);
    assert.equal(events(capped), events(uncapped));
    assert.deepEqual(partials(capped), partials(uncapped));
  });

  it('refuses a label cap below 1', () => {
    assert.throws(() => partitionActions([], { maxLabelChars: 0 }), /maxLabelChars/);
  });

  it('drops an action seen before (same account, time and id) and keeps every other, also several of one account in one millisecond', () => {
    // Few accounts, times and ids, so repeats and same-millisecond actions are common.
    const action = fc.record({ actor: fc.integer({ min: 0, max: 3 }), time: fc.constantFrom(0, 1, 1_720_000_000_000, 1_720_000_000_001, 2 ** 40 + 1), id: fc.constantFrom('a', 'b', 'at://did:plc:x/app.bsky.feed.post/1', 'at://did:plc:x/app.bsky.feed.post/2', '') });
    fc.assert(fc.property(fc.array(action, { maxLength: 200 }), fc.constantFrom(undefined, 1, 3), (actions, recentCap) => {
      const seen = new SeenIds(recentCap);
      const oracle = new Set<string>();
      for (const { actor, time, id } of actions) {
        const key = `${actor} ${time} ${id}`;
        assert.equal(seen.add(actor, id, time), !oracle.has(key), key);
        oracle.add(key);
      }
    }), { numRuns: 500 });
    // Times mostly rising, as a stream's, with some earlier again, and repeats of earlier actions:
    // the recent table (a few actions here) moves to the large one often.
    const step = fc.record({ actor: fc.integer({ min: 0, max: 3 }), back: fc.boolean(), dt: fc.integer({ min: -3, max: 3 }), id: fc.constantFrom('a', 'b', 'c'), repeat: fc.nat(40) });
    fc.assert(fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 1, max: 6 }), (steps, recentCap) => {
      const seen = new SeenIds(recentCap);
      const oracle = new Set<string>(), done: [number, string, number][] = [];
      let now = 1_720_000_000_000;
      for (const { actor, back, dt, id, repeat } of steps) {
        now += Math.abs(dt);
        const [a, i, t] = back && done.length > 0 ? done[repeat % done.length]! : [actor, id, dt < -1 ? now - 50 : now];
        const key = `${a} ${t} ${i}`;
        assert.equal(seen.add(a, i, t), !oracle.has(key), key);
        oracle.add(key);
        done.push([a, i, t]);
      }
    }), { numRuns: 500 });
    // Many actions in one millisecond grow the recent table; it goes back to its size when they move.
    const burst = new SeenIds(4);
    for (let n = 0; n < 5_000; n++) assert.ok(burst.add(0, `${n}`, 1_000));
    for (let t = 1_001; t < 1_100; t++) assert.ok(burst.add(1, 'x', t));
    for (let n = 0; n < 5_000; n += 7) assert.equal(burst.add(0, `${n}`, 1_000), false);
    for (let t = 1_001; t < 1_100; t++) assert.equal(burst.add(1, 'x', t), false);
    const partitioner = new Partitioner({ partitions: 3 });
    const posts = Array.from({ length: 5_000 }, (_, n) => bareAction('bluesky', `at://did:plc:a${n % 7}/app.bsky.feed.post/${n}`, `did:plc:a${n % 7}`, 'post', 1_720_000_000_000 + (n >> 4)));
    for (const post of [...posts, ...posts.slice(100, 400)]) partitioner.push(post, []);
    assert.equal(partitioner.actions, 5_000);
    assert.equal(partitioner.duplicates, 300);
  });
});
