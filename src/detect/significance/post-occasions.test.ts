import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mulberry32 } from '../../model/index.js';
import { coActionPairs } from '../kernel/index.js';
import { detectCoordination } from '../pipeline.js';
import type { TraceData, TraceName } from '../traces/trace-names.js';
import { postOccasions } from './post-occasions.js';
import { distinctKeysPerActor, significantPairs } from './significance.js';

const MINUTE = 60_000;

/** Posts (actor, time, keys) as a trace: one event per key of a post, all with the post's action id. */
function traceOfPosts(posts: readonly { actor: number; time: number; keys: readonly number[] }[], actorCount: number, keyCount: number): TraceData {
  const actor: number[] = [], key: number[] = [], time: number[] = [], action: number[] = [];
  posts.forEach((post, id) => {
    for (const k of new Set(post.keys)) { actor.push(post.actor); key.push(k); time.push(post.time); action.push(id); }
  });
  return { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from(action), actorCount, keyCount };
}

/** Slow, obvious occasions: every in-window event pair of a key (no cap), distinct posts per side. */
function referenceOccasions(data: TraceData, window: number): Map<string, number> {
  const keys = new Map<string, Set<number>>();
  const posts = new Map<string, [Set<number>, Set<number>]>();
  for (let i = 0; i < data.actor.length; i++) {
    for (let j = 0; j < data.actor.length; j++) {
      const a = data.actor[i]!, b = data.actor[j]!;
      if (a >= b || data.key[i] !== data.key[j] || Math.abs(data.time[i]! - data.time[j]!) > window) continue;
      const pair = `${a},${b}`;
      if (!keys.has(pair)) { keys.set(pair, new Set()); posts.set(pair, [new Set(), new Set()]); }
      keys.get(pair)!.add(data.key[i]!);
      posts.get(pair)![0].add(data.action[i]!);
      posts.get(pair)![1].add(data.action[j]!);
    }
  }
  return new Map([...keys].map(([pair, set]) => [pair, Math.min(set.size, posts.get(pair)![0].size, posts.get(pair)![1].size)]));
}

describe('post occasions', () => {
  it('one post on two keys is one occasion; two posts are two; one key per post leaves shared keys as they are', () => {
    const data = traceOfPosts([
      { actor: 0, time: 0, keys: [0, 1] }, { actor: 1, time: 10_000, keys: [0, 1] }, // one post each: 2 keys, 1 occasion
      { actor: 2, time: 5 * MINUTE, keys: [2] }, { actor: 3, time: 5 * MINUTE, keys: [2] }, // two posts each, one key each
      { actor: 2, time: 9 * MINUTE, keys: [3] }, { actor: 3, time: 9 * MINUTE, keys: [3] },
      { actor: 4, time: 20 * MINUTE, keys: [4, 5] }, { actor: 5, time: 20 * MINUTE, keys: [4] }, { actor: 5, time: 20 * MINUTE + 1, keys: [5] }, // 4 one post, 5 two
    ], 6, 6);
    const kernel = coActionPairs(data, { window: MINUTE });
    const occasions = postOccasions(data, kernel.pairs, { window: MINUTE });
    const counts = new Map(Array.from({ length: kernel.pairs.size }, (_, r) => [`${kernel.pairs.a[r]},${kernel.pairs.b[r]}`, [kernel.pairs.shared[r]!, occasions.of(kernel.pairs.a[r]!, kernel.pairs.b[r]!, kernel.pairs.shared[r]!)]]));
    assert.deepEqual(counts.get('0,1'), [2, 1]);
    assert.deepEqual(counts.get('2,3'), [2, 2]);
    assert.deepEqual(counts.get('4,5'), [2, 1], 'a single post of either side is one occasion');
    assert.equal(occasions.lowered, 2);
  });

  it('finds the one two-key post among many one-key posts, wherever it sits; one post twice on one key stays one key', () => {
    // 100 one-key posts of actors 0 and 1 on keys 2.., then (last in event order, action ids past
    // the first 32) one post of each on keys 0 and 1 together: that pair met once on keys 0 and 1.
    const posts: { actor: number; time: number; keys: number[] }[] = [];
    for (let p = 0; p < 100; p++) posts.push({ actor: p % 2, time: p * 10 * MINUTE, keys: [2 + (p >> 1)] });
    const oneKeyEach = traceOfPosts(posts, 2, 52);
    const pairsOf = (data: TraceData) => coActionPairs(data, { window: MINUTE }).pairs;
    assert.equal(postOccasions(oneKeyEach, pairsOf(oneKeyEach), { window: MINUTE }).lowered, 0);
    // The same post twice on one key (a duplicate event) is still one key: nothing to lower.
    const twiceOnOneKey: TraceData = { ...oneKeyEach, actor: Int32Array.of(...oneKeyEach.actor, 1), key: Int32Array.of(...oneKeyEach.key, 51), time: Float64Array.of(...oneKeyEach.time, 99 * 10 * MINUTE), action: Int32Array.of(...oneKeyEach.action, 99) };
    assert.equal(postOccasions(twiceOnOneKey, pairsOf(twiceOnOneKey), { window: MINUTE }).lowered, 0);
    const withTwoKeyPost = traceOfPosts([...posts, { actor: 0, time: 2000 * MINUTE, keys: [0, 1] }, { actor: 1, time: 2000 * MINUTE, keys: [0, 1] }], 2, 52);
    const pairs = pairsOf(withTwoKeyPost);
    const occasions = postOccasions(withTwoKeyPost, pairs, { window: MINUTE });
    assert.equal(pairs.size, 1);
    assert.equal(pairs.shared[0], 2);
    assert.equal(occasions.of(0, 1, 2), 1);
    assert.equal(occasions.lowered, 1);
  });

  it('equals a slow all-pairs count on random posts (uncapped kernel)', () => {
    const post = (actors: number, keys: number) => fc.record({ actor: fc.nat(actors - 1), time: fc.integer({ min: 0, max: 200 }), keys: fc.array(fc.nat(keys - 1), { minLength: 1, maxLength: 4 }) });
    fc.assert(fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom(1, 2, 3), (actors, keys, window, minShared) =>
      fc.assert(fc.property(fc.array(post(actors, keys), { maxLength: 40 }), (posts) => {
        const data = traceOfPosts(posts, actors, keys);
        const kernel = coActionPairs(data, { window, maxPartnersPerEvent: Infinity });
        const occasions = postOccasions(data, kernel.pairs, { window, maxPartnersPerEvent: Infinity, minShared });
        const want = referenceOccasions(data, window);
        for (let r = 0; r < kernel.pairs.size; r++) {
          const shared = kernel.pairs.shared[r]!;
          const got = occasions.of(kernel.pairs.a[r]!, kernel.pairs.b[r]!, shared);
          assert.equal(got, shared >= minShared ? want.get(`${kernel.pairs.a[r]},${kernel.pairs.b[r]}`) : shared);
        }
      }), { numRuns: 20 })), { numRuns: 30 });
  });

  it('keeps a bystander whose one two-tag post fell in a campaign minute out of the pair test, and the campaign in', () => {
    const data = bystanderWorld();
    const kernel = coActionPairs(data, { window: MINUTE });
    const activity = distinctKeysPerActor(data);
    const keptPairs = (counted: boolean): string[] => {
      const occasions = counted ? (rows: Parameters<typeof postOccasions>[1]) => postOccasions(data, rows, { window: MINUTE }) : null;
      const { kept } = significantPairs(kernel.pairs, activity, { occasions });
      return [...kept].map((r) => `${kernel.pairs.a[r]},${kernel.pairs.b[r]}`);
    };
    const withKeys = keptPairs(false);
    const withOccasions = keptPairs(true);
    const bystander = (pairs: string[]) => pairs.filter((pair) => pair.endsWith(',10')).length;
    const campaign = (pairs: string[]) => pairs.filter((pair) => pair.split(',').every((x) => Number(x) < 10)).length;
    assert.ok(bystander(withKeys) >= 5, `counting keys, the bystander pairs with the campaign (${bystander(withKeys)})`);
    assert.equal(bystander(withOccasions), 0, 'one post is one occasion: no bystander pair');
    assert.equal(campaign(withOccasions), 45, 'every campaign pair is kept');
  });

  it('through detectCoordination: the bystander has pair edges in the fused graph only when keys are counted', () => {
    const data = bystanderWorld();
    const edgesOfBystander = (postOccasionsOn: boolean): number => {
      const { graph } = detectCoordination({ actorCount: 411, traces: new Map<TraceName, TraceData>([['co-hashtag', data]]) }, { postOccasions: postOccasionsOn, group: false });
      let count = 0;
      for (let edge = 0; edge < graph.size; edge++) if (graph.a[edge] === 10 || graph.b[edge] === 10) count++;
      return count;
    };
    assert.ok(edgesOfBystander(false) >= 5, 'counting keys: edges into the campaign');
    assert.equal(edgesOfBystander(true), 0, 'the default counts one post once');
  });
});

/**
 * A campaign of 10 accounts posts tags 0 and 1 together in 12 bursts, a day apart; 400 ordinary
 * accounts (11..410) post one of 40 other tags now and then; the bystander (account 10) posts 0 and
 * 1 once, in the minute of one burst.
 */
function bystanderWorld(): TraceData {
  const rng = mulberry32(7);
  const posts: { actor: number; time: number; keys: number[] }[] = [];
  const day = 24 * 60 * MINUTE;
  for (let burst = 0; burst < 12; burst++) for (let m = 0; m < 10; m++) posts.push({ actor: m, time: burst * day + Math.floor(rng() * 40_000), keys: [0, 1] });
  posts.push({ actor: 10, time: 3 * day + 20_000, keys: [0, 1] });
  for (let i = 0; i < 6_000; i++) posts.push({ actor: 11 + Math.floor(rng() * 400), time: Math.floor(rng() * 12 * day), keys: [2 + Math.floor(rng() * 40)] });
  return traceOfPosts(posts, 411, 42);
}
