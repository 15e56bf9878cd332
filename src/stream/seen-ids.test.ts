import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeenIds } from './seen-ids.js';

/** A seeded generator (LCG), for streams that are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}

describe('SeenIds with a retention (a continuous job\'s duplicate check)', () => {
  it('refuses a negative or NaN retention', () => {
    assert.throws(() => new SeenIds(undefined, -1), /retention/);
    assert.throws(() => new SeenIds(undefined, Number.NaN), /retention/);
  });

  it('holds about a retention of actions over a long stream, where without one it holds them all', () => {
    // 600k actions, one a millisecond from 100 accounts, 10 s retention: 10k actions to remember.
    const bounded = new SeenIds(undefined, 10_000), unbounded = new SeenIds();
    let most = 0;
    for (let n = 0; n < 600_000; n++) {
      const time = 1_720_000_000_000 + n;
      assert.ok(bounded.add(n % 100, `at://did:plc:a/app.bsky.feed.post/${n}`, time));
      unbounded.add(n % 100, `at://did:plc:a/app.bsky.feed.post/${n}`, time);
      most = Math.max(most, bounded.size);
    }
    assert.equal(unbounded.size, 600_000);
    // The retention's actions, the recent table and at most two 65,536-action log blocks past it.
    assert.ok(most <= 10_000 + 2048 + 2 * 65_536, `${most} actions held`);
    assert.ok(bounded.size >= 10_000, `${bounded.size} held: the retention's actions are kept`);
    // Repeats within the retention are still found, in the recent table and in the log.
    for (const back of [0, 1, 500, 3_000, 9_999]) {
      const n = 599_999 - back;
      assert.equal(bounded.add(n % 100, `at://did:plc:a/app.bsky.feed.post/${n}`, 1_720_000_000_000 + n), false, `${back} ms back`);
    }
  });

  it('property: mostly in time order, late actions and repeats included, every action within the retention of the latest is judged as with no retention', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const random = seeded(seed);
      const retention = 2_000 + Math.floor(random() * 20_000);
      const recentCap = [1, 7, 64, 2048][seed % 4]!;
      const seen = new SeenIds(recentCap, retention);
      const oracle = new Set<string>(), done: [number, string, number][] = [];
      let now = 1_720_000_000_000, latest = -Infinity, checked = 0, repeats = 0;
      for (let n = 0; n < 350_000; n++) {
        now += Math.floor(random() * 3);
        const roll = random();
        // A repeat of an earlier action (often recent, sometimes old), a late new action, or a new one now.
        let action: [number, string, number];
        if (roll < 0.15 && done.length > 0) action = done[done.length - 1 - Math.floor(random() ** 3 * Math.min(done.length, 40_000))]!;
        else if (roll < 0.2) action = [Math.floor(random() * 50), `late${n}`, now - Math.floor(random() * 1.5 * retention)];
        else action = [Math.floor(random() * 50), `p${n}`, now];
        const [actor, id, time] = action;
        const key = `${actor} ${time} ${id}`;
        const isNew = seen.add(actor, id, time);
        // Older than latest − retention, the answer may be either (SliceCutter drops those first).
        if (time >= latest - retention) {
          assert.equal(isNew, !oracle.has(key), `seed ${seed}, action ${n}: ${key}`);
          checked++;
          if (!isNew) repeats++;
        }
        oracle.add(key);
        done.push(action);
        latest = Math.max(latest, time);
      }
      assert.ok(checked > 300_000 && repeats > 10_000, `seed ${seed}: ${checked} checked, ${repeats} repeats`);
      assert.ok(seen.size < 200_000, `seed ${seed}: ${seen.size} actions held of 350,000`);
    }
  });
});
