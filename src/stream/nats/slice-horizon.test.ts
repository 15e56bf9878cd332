import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bareAction, LockstepError } from '../../model/index.js';
import type { Action } from '../../model/index.js';
import { assemblePartials, PartitionWork } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { partitionActions, Partitioner } from '../partitioner.js';
import { decodeBatch } from '../wire-batch.js';
import { decodeSliceMarker, encodeSliceMarker, SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';

const SLICE = 20_000;
const HORIZON = 60_000;
const T0 = 1_720_000_000_000;

/** A seeded generator (LCG). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}

/**
 * A long feed, mostly in time order (about one action a millisecond, so the duplicate check's log
 * fills several 65,536-action blocks past the horizon and forgets), with repeats of earlier
 * actions (recent and older than the horizon) and late new actions.
 */
function feed(count: number, seed: number): Action[] {
  const random = seeded(seed), actions: Action[] = [];
  let now = T0;
  for (let n = 0; n < count; n++) {
    now += Math.floor(random() * 3);
    const roll = random();
    if (roll < 0.06 && n > 0) {
      actions.push(actions[n - 1 - Math.floor(random() ** 2 * Math.min(n, 150_000))]!);
      continue;
    }
    const time = roll < 0.09 ? now - Math.floor(random() * 2 * HORIZON) : now;
    const made = bareAction('bluesky', `at://did:plc:u${n % 300}/app.bsky.feed.post/${n}`, `did:plc:u${n % 300}`, 'repost', time);
    made.targetPost = `at://p/${Math.floor(random() * 2_000)}`;
    actions.push(made);
  }
  return actions;
}

const cut = (actions: readonly Action[], horizonMs?: number): { out: SliceOut[]; cutter: SliceCutter } => {
  const partitioner = new Partitioner({ partitions: 3, traces: DEFAULT_STREAM_TRACES, batchSize: 500, ...(horizonMs === undefined ? {} : { seenRetentionMs: horizonMs }) });
  const cutter = new SliceCutter(partitioner, SLICE, horizonMs === undefined ? {} : { horizonMs });
  const out: SliceOut[] = [];
  for (const action of actions) cutter.push(action, out);
  cutter.finish(out);
  return { out, cutter };
};

describe('a continuous publisher bounded by the horizon', () => {
  it('a marker carries the publisher\'s horizon; a worker with a longer one refuses it; a partitioner that forgets sooner is refused', () => {
    const marker = { slice: 2, upTo: T0 + 0.5, batches: 9, last: false, horizonMs: HORIZON };
    assert.deepEqual(decodeSliceMarker(encodeSliceMarker(marker)), marker);
    assert.equal(encodeSliceMarker({ ...marker, horizonMs: undefined }).length, 24);
    const worker = (horizonMs: number): WindowedPartition => new WindowedPartition(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32, horizonMs });
    worker(HORIZON).checkMarker(marker);
    worker(HORIZON / 2).checkMarker(marker);
    assert.throws(() => worker(HORIZON + 1_000).checkMarker(marker), (error: unknown) => error instanceof LockstepError && /--horizon/.test(error.message));
    const forgetful = new Partitioner({ partitions: 2, seenRetentionMs: HORIZON - 1 });
    assert.throws(() => new SliceCutter(forgetful, SLICE, { horizonMs: HORIZON }), LockstepError);
    assert.throws(() => new SliceCutter(forgetful, SLICE), LockstepError);
  });

  it('sends what a publisher that remembers everything sends for the same feed less the actions older than the open slice\'s end minus the horizon', () => {
    const actions = feed(320_000, 3);
    const bounded = cut(actions, HORIZON);
    // The reference: a late action is one older than the end of the slice holding the latest time so far, minus H.
    let latest = -Infinity, repeatsPastHorizon = 0;
    const firstSeen = new Map<Action, number>();
    const kept = actions.filter((action, n) => {
      latest = Math.max(latest, action.time);
      const end = (Math.floor(latest / SLICE) + 1) * SLICE;
      const seenAt = firstSeen.get(action);
      if (seenAt === undefined) firstSeen.set(action, n);
      else if (actions[seenAt]!.time < end - HORIZON) repeatsPastHorizon++;
      return action.time >= end - HORIZON;
    });
    assert.ok(bounded.cutter.late > 1_000 && repeatsPastHorizon > 1_000, `${bounded.cutter.late} late, ${repeatsPastHorizon} repeats of actions past the horizon`);
    assert.equal(bounded.cutter.late, actions.length - kept.length);
    const everything = cut(kept);
    assert.equal(bounded.out.length, everything.out.length);
    assert.equal(bounded.cutter.partitioner.duplicates, everything.cutter.partitioner.duplicates);
    for (let m = 0; m < bounded.out.length; m++) {
      const mine = bounded.out[m]!, theirs = everything.out[m]!;
      assert.equal(mine.id, theirs.id);
      if (mine.marker === null) assert.deepEqual(mine.bytes, theirs.bytes, `message ${m} (${mine.partition}.${mine.id})`);
      else assert.deepEqual({ ...mine.marker, horizonMs: undefined }, { ...theirs.marker, horizonMs: undefined });
    }
  });

  it('each slice\'s merged partials equal a bounded job over the horizon\'s distinct actions, repeats old and new and late actions included', () => {
    // Organic accounts on keys busy for 15 s, then quiet; every 4 s one of three rings of five
    // reposts one of its six keys within 2 s, so a ring's key is back after a quiet shorter or
    // longer than the horizon; repeats and late actions.
    const random = seeded(8), actions: Action[] = [];
    for (let n = 0; n < 6_000; n++) {
      const roll = random(), now = T0 + n * 50;
      if (roll < 0.05 && n > 0) {
        actions.push(actions[n - 1 - Math.floor(random() * Math.min(n, 3_000))]!);
        continue;
      }
      const made = bareAction('bluesky', `at://did:plc:o/app.bsky.feed.repost/${n}`, `did:plc:o${Math.floor(random() * 300)}`, 'repost', roll < 0.08 ? now - Math.floor(random() * 2 * HORIZON) : now);
      made.targetPost = `at://p/${Math.floor(n / 300)}-${Math.floor(random() * 40)}`;
      actions.push(made);
      if (n % 80 === 0) {
        const ring = Math.floor(random() * 3), key = Math.floor(random() * 6);
        for (let m = 0; m < 5; m++) {
          const strike = bareAction('bluesky', `at://did:plc:r/app.bsky.feed.repost/${n}-${m}`, `did:plc:ring${ring}-${m}`, 'repost', now + m * 400);
          strike.targetPost = `at://ring/${ring}-${key}`;
          actions.push(strike);
        }
      }
    }
    const cutter = new SliceCutter(new Partitioner({ partitions: 3, traces: DEFAULT_STREAM_TRACES, batchSize: 500, seenRetentionMs: HORIZON }), SLICE, { horizonMs: HORIZON });
    // Per slice, the actions that had come when it closed (a late one counts in the slices after it came).
    const out: SliceOut[] = [], cameBefore: number[] = [];
    for (let n = 0; n < actions.length; n++) {
      const open = cutter.slice;
      cutter.push(actions[n]!, out);
      for (let s = open; s < cutter.slice; s++) cameBefore[s] = n;
    }
    cutter.finish(out);
    cameBefore[cutter.slice - 1] = actions.length;
    assert.ok(cutter.late > 0);
    // Keys come back after a horizon of quiet: forgotten, then sent as new keys.
    assert.ok(cutter.keysForgotten > 50, `${cutter.keysForgotten} keys forgotten`);
    const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32 };
    const works = [0, 1, 2].map((p) => new WindowedPartition(p, { ...options, horizonMs: HORIZON }));
    let compared = 0, edges = 0;
    for (const message of out) {
      const work = works[message.partition]!;
      if (message.marker === null) {
        work.add(message.bytes);
        continue;
      }
      work.checkMarker(message.marker);
      if (message.partition !== 2) continue;
      // Partition 2 closes a slice last: every partition has its marker now.
      const upTo = message.marker.upTo;
      const partials = works.map((w) => w.partialAt(upTo));
      const inHorizon = [...new Set(actions.slice(0, cameBefore[message.marker.slice]))].filter((one) => one.time >= upTo - HORIZON && one.time < upTo).sort((x, y) => x.time - y.time);
      const batch = [...partitionActions(inHorizon, { partitions: 3, traces: DEFAULT_STREAM_TRACES })].map(([p, batches]) => {
        const work = new PartitionWork(p, options);
        for (const bytes of batches) work.add(bytes);
        return work.finish();
      });
      const mine = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES }), theirs = assemblePartials(batch, { traces: DEFAULT_STREAM_TRACES });
      assert.deepEqual(mine.actorIds, theirs.actorIds, `slice ${message.marker.slice}`);
      assert.equal(mine.graph.size, theirs.graph.size);
      assert.deepEqual([...mine.graph.weight].sort(), [...theirs.graph.weight].sort());
      edges += mine.graph.size;
      assert.equal(partials.reduce((sum, p) => sum + p.events, 0), batch.reduce((sum, p) => sum + p.events, 0));
      compared++;
    }
    assert.ok(compared >= 10 && edges >= 10 * compared, `${compared} slices compared, ${edges} edges`);
  });

  it('holds the keys of a horizon, not of the job; a key back after a horizon of quiet is sent again as a new key', () => {
    // 200k actions a millisecond apart on keys that change every 20 (10,000 keys), and one key
    // that comes back every 100 s.
    const partitioner = new Partitioner({ partitions: 2, traces: DEFAULT_STREAM_TRACES, batchSize: 1_000, seenRetentionMs: HORIZON });
    const cutter = new SliceCutter(partitioner, SLICE, { horizonMs: HORIZON });
    const out: SliceOut[] = [];
    let most = 0;
    for (let n = 0; n < 200_000; n++) {
      const made = bareAction('bluesky', `at://did:plc:u${n % 40}/app.bsky.feed.repost/${n}`, `did:plc:u${n % 40}`, 'repost', T0 + n);
      made.targetPost = n % 100_000 === 7 ? 'at://p/returning' : `at://p/${Math.floor(n / 20)}`;
      cutter.push(made, out);
      most = Math.max(most, partitioner.liveKeys);
    }
    cutter.finish(out);
    // A horizon and a slice of keys (4,000), not the 10,000 of the job.
    assert.ok(most <= (HORIZON + SLICE) / 20 + 2, `${most} keys held at most`);
    assert.ok(cutter.keysForgotten >= 10_000 - most);
    const sent = out.filter((message) => message.marker === null && message.id !== 'end').flatMap((message) => decodeBatch(message.bytes, message.id).newKeys);
    assert.equal(sent.filter((label) => label === 'bluesky:at://p/returning').length, 2);
    assert.equal(sent.filter((label) => label === 'bluesky:at://p/5000').length, 1);
    // Without a horizon every key stays, each sent once.
    const unbounded = new Partitioner({ partitions: 2, traces: DEFAULT_STREAM_TRACES, batchSize: 1_000 });
    const all = new SliceCutter(unbounded, SLICE);
    for (let n = 0; n < 200_000; n += 20) {
      const made = bareAction('bluesky', `a${n}`, 'did:plc:u', 'repost', T0 + n);
      made.targetPost = `at://p/${n / 20}`;
      all.push(made, []);
    }
    assert.equal(unbounded.liveKeys, 10_000);
    assert.equal(all.keysForgotten, 0);
  });
});
