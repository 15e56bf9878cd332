import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bareAction, LockstepError } from '../../model/index.js';
import type { Action } from '../../model/index.js';
import { assemblePartials, PartitionWork } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { partitionActions, Partitioner } from '../partitioner.js';
import { decodeBatch } from '../wire-batch.js';
import { decodeSliceMarker, encodeSliceMarker, SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';
import { closeSlices, cutAll, returningRingActions, seeded } from './test-support/slice-feeds.js';

const SLICE = 20_000;
const HORIZON = 60_000;
const T0 = 1_720_000_000_000;

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
    const marker = { slice: 2, upTo: T0 + 0.5, batches: 9, last: false, horizonMs: HORIZON, freedActors: Int32Array.of(4, 0, 17) };
    assert.deepEqual(decodeSliceMarker(encodeSliceMarker(marker)), marker);
    assert.deepEqual(decodeSliceMarker(encodeSliceMarker({ ...marker, freedActors: undefined })), { ...marker, freedActors: new Int32Array(0) });
    assert.equal(encodeSliceMarker({ slice: 2, upTo: T0, batches: 9, last: false }).length, 24);
    assert.throws(() => encodeSliceMarker({ ...marker, horizonMs: undefined }), RangeError);
    // A marker cut short reads as no marker.
    assert.equal(decodeSliceMarker(encodeSliceMarker(marker).subarray(0, 44)), null);
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
      else assert.deepEqual({ ...mine.marker, horizonMs: undefined, freedActors: undefined }, { ...theirs.marker, horizonMs: undefined, freedActors: undefined });
    }
  });

  it('each slice\'s merged partials equal a bounded job over the horizon\'s distinct actions, repeats old and new and late actions included', () => {
    // Organic accounts on keys busy for 15 s, then quiet; every 4 s one of three rings of five
    // reposts one of its six keys within 2 s, so a ring's key is back after a quiet shorter or
    // longer than the horizon; repeats and late actions.
    const actions = returningRingActions(T0, HORIZON);
    const cutter = new SliceCutter(new Partitioner({ partitions: 3, traces: DEFAULT_STREAM_TRACES, batchSize: 500, seenRetentionMs: HORIZON }), SLICE, { horizonMs: HORIZON });
    const out: SliceOut[] = [], cameBefore = cutAll(cutter, actions, out);
    assert.ok(cutter.late > 0, `${cutter.late} late`);
    // Keys come back after a horizon of quiet: forgotten, then sent as new keys.
    assert.ok(cutter.keysForgotten > 50, `${cutter.keysForgotten} keys forgotten`);
    assert.ok(cutter.actorsFreed > 1_000, `${cutter.actorsFreed} account ids freed`);
    const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32 };
    // Each partition's messages in order, then again shuffled with a third repeated (a later batch
    // may come before the marker that frees ids it takes again).
    const next = seeded(21);
    for (const shuffled of [false, true]) {
      const bySlice = new Map<number, { upTo: number; partials: PartitionPartial[] }>();
      for (let p = 0; p < 3; p++) {
        const mine = out.filter((message) => message.partition === p);
        const delivered = !shuffled ? mine : [...mine, ...mine.filter(() => next() < 0.3)].map((message) => ({ message, order: next() })).sort((x, y) => x.order - y.order).map(({ message }) => message);
        const work = new WindowedPartition(p, { ...options, horizonMs: HORIZON });
        let most = 0;
        const open = closeSlices(work, delivered, 0, (marker) => {
          const entry = bySlice.get(marker.slice) ?? { upTo: marker.upTo, partials: [] };
          entry.partials.push(work.partialAt(marker.upTo));
          bySlice.set(marker.slice, entry);
          most = Math.max(most, work.accounts);
        });
        assert.equal(open, cutter.slice);
        // Accounts freed and taken again: the worker holds fewer labels than the 300 organic accounts and 15 ring members.
        assert.ok(most < 300, `partition ${p}: ${most} account labels held`);
      }
      let compared = 0, edges = 0;
      for (const [slice, { upTo, partials }] of bySlice) {
        const inHorizon = [...new Set(actions.slice(0, cameBefore[slice]))].filter((one) => one.time >= upTo - HORIZON && one.time < upTo).sort((x, y) => x.time - y.time);
        const batch = [...partitionActions(inHorizon, { partitions: 3, traces: DEFAULT_STREAM_TRACES })].map(([p, batches]) => {
          const work = new PartitionWork(p, options);
          for (const bytes of batches) work.add(bytes);
          return work.finish();
        });
        const mine = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES }), theirs = assemblePartials(batch, { traces: DEFAULT_STREAM_TRACES });
        assert.deepEqual(mine.actorIds, theirs.actorIds, `slice ${slice}`);
        assert.equal(mine.graph.size, theirs.graph.size);
        assert.deepEqual([...mine.graph.weight].sort(), [...theirs.graph.weight].sort());
        edges += mine.graph.size;
        assert.equal(partials.reduce((sum, p) => sum + p.events, 0), batch.reduce((sum, p) => sum + p.events, 0));
        compared++;
      }
      assert.ok(compared >= 10 && edges >= 10 * compared, `${compared} slices compared, ${edges} edges`);
    }
  });

  it('holds the keys and accounts of a horizon, not of the job; one back after a horizon of quiet is sent again as new', () => {
    // 200k actions a millisecond apart on keys that change every 20 (10,000 keys) by accounts that
    // change every 50 (4,000), and one key and one account that come back every 100 s.
    const partitioner = new Partitioner({ partitions: 2, traces: DEFAULT_STREAM_TRACES, batchSize: 1_000, seenRetentionMs: HORIZON });
    const cutter = new SliceCutter(partitioner, SLICE, { horizonMs: HORIZON });
    const out: SliceOut[] = [];
    let most = 0, mostActors = 0;
    for (let n = 0; n < 200_000; n++) {
      const back = n % 100_000 === 7;
      const actor = back ? 'did:plc:back' : `did:plc:u${Math.floor(n / 50)}`;
      const made = bareAction('bluesky', `at://${actor}/app.bsky.feed.repost/${n}`, actor, 'repost', T0 + n);
      made.targetPost = back ? 'at://p/returning' : `at://p/${Math.floor(n / 20)}`;
      cutter.push(made, out);
      most = Math.max(most, partitioner.liveKeys);
      mostActors = Math.max(mostActors, partitioner.liveActors);
    }
    cutter.finish(out);
    // A horizon and a slice of keys (4,000), not the 10,000 of the job.
    assert.ok(most <= (HORIZON + SLICE) / 20 + 2, `${most} keys held at most`);
    assert.ok(cutter.keysForgotten >= 10_000 - most, `${cutter.keysForgotten} keys forgotten`);
    const sent = out.filter((message) => message.marker === null && message.id !== 'end').flatMap((message) => decodeBatch(message.bytes, message.id).newKeys);
    assert.equal(sent.filter((label) => label === 'bluesky:at://p/returning').length, 2);
    assert.equal(sent.filter((label) => label === 'bluesky:at://p/5000').length, 1);
    assert.ok(mostActors <= (HORIZON + SLICE) / 50 + 3, `${mostActors} accounts held at most`);
    // Per partition: the account back after 100 s sent twice, one seen for 50 ms once.
    for (const p of [0, 1]) {
      const sentActors = out.filter((message) => message.partition === p && message.marker === null && message.id !== 'end').flatMap((message) => decodeBatch(message.bytes, message.id).newActors);
      const back = sentActors.filter((label) => label === 'bluesky\u0000did:plc:back').length, once = sentActors.filter((label) => label === 'bluesky\u0000did:plc:u1000').length;
      assert.ok([0, 2].includes(back) && once <= 1 && sentActors.length > 3_000, `partition ${p}: back sent ${back} times, u1000 ${once}, ${sentActors.length} labels`);
    }
    const backSent = out.filter((message) => message.marker === null && message.id !== 'end').flatMap((message) => decodeBatch(message.bytes, message.id).newActors).filter((label) => label === 'bluesky\u0000did:plc:back');
    assert.equal(backSent.length, 2);
    // Each partition's ids stay within the accounts of a horizon: freed ones are taken again.
    const ids = out.filter((message) => message.marker === null && message.id !== 'end').map((message) => Math.max(-1, ...decodeBatch(message.bytes, message.id).actor));
    assert.ok(Math.max(...ids) < (HORIZON + SLICE) / 50 + 3, `account ids up to ${Math.max(...ids)}`);
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
