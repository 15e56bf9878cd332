import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushJoiners } from './push-joiners.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

interface Event { actor: number; key: number; time: number }

function trace(events: readonly Event[], actorCount: number): TraceData {
  const keyCount = events.reduce((max, event) => Math.max(max, event.key + 1), 0);
  return {
    actor: Int32Array.from(events, (event) => event.actor),
    key: Int32Array.from(events, (event) => event.key),
    time: Float64Array.from(events, (event) => event.time),
    action: Int32Array.from(events, (_, index) => index),
    actorCount, keyCount,
  };
}

/**
 * A world of 400 accounts over 60 days: a slow campaign (accounts 0-9, flagged as cluster 0)
 * pushing 12 objects of its own, 4 members a push within minutes; organic accounts 100-399 acting
 * on 40 popular objects at random times (a seeded generator).
 */
function world(extra: readonly Event[] = []): { traces: Map<TraceName, TraceData>; actorCount: number; clusters: { members: number[] }[] } {
  let seed = 7;
  const rng = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const events: Event[] = [];
  for (let push = 0; push < 12; push++) {
    const at = push * 5 * DAY;
    for (let m = 0; m < 4; m++) events.push({ actor: (push * 3 + m) % 10, key: push, time: at + (m + 1) * 2 * MIN });
  }
  for (let actor = 100; actor < 400; actor++) {
    for (let i = 0; i < 20; i++) events.push({ actor, key: 1000 + Math.floor(rng() * 40), time: Math.floor(rng() * 60 * DAY) });
  }
  events.push(...extra);
  const actorCount = 400;
  return { traces: new Map([['co-repost', trace(events, actorCount)]]), actorCount, clusters: [{ members: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }] };
}

describe('pushJoiners', () => {
  it('takes a member that joined one of the cluster\'s pushes, with its evidence and p-value', () => {
    // Account 50 retweets push 3's object 5 minutes after the first member.
    const input = world([{ actor: 50, key: 3, time: 15 * DAY + 7 * MIN }]);
    const result = pushJoiners(input);
    assert.deepEqual(result.joiners.map((joiner) => [joiner.account, joiner.cluster]), [[50, 0]]);
    const [joiner] = result.joiners;
    assert.equal(joiner?.pushes.length, 1);
    assert.equal(joiner?.pushes[0]?.key, 3);
    assert.equal(joiner?.pushes[0]?.members, 4);
    assert.ok((joiner?.pValue ?? 1) < 1e-3, `p = ${joiner?.pValue}`);
    assert.equal(result.pushes[0], 12);
  });

  it('finds the same joiners and pushes whether the trace arrives in (key, time) order or not', () => {
    const extra = [{ actor: 50, key: 3, time: 15 * DAY + 7 * MIN }, { actor: 53, key: 7, time: 35 * DAY + 9 * MIN }, { actor: 53, key: 8, time: 40 * DAY + 3 * MIN }];
    const input = world(extra);
    const data = input.traces.get('co-repost')!;
    const order = Array.from(data.actor, (_, i) => i).sort((a, b) => data.key[a]! - data.key[b]! || data.time[a]! - data.time[b]! || a - b);
    const sorted: TraceData = {
      actor: Int32Array.from(order, (i) => data.actor[i]!), key: Int32Array.from(order, (i) => data.key[i]!),
      time: Float64Array.from(order, (i) => data.time[i]!), action: Int32Array.from(order, (i) => data.action[i]!),
      actorCount: data.actorCount, keyCount: data.keyCount,
    };
    const shuffled = pushJoiners(input);
    const ordered = pushJoiners({ ...input, traces: new Map([['co-repost', sorted]]) });
    assert.deepEqual(ordered.joiners.map((joiner) => joiner.account).sort(), [50, 53]);
    assert.deepEqual(ordered, shuffled);
  });

  it('does not take an account on the object outside the push, nor one on an object others also use', () => {
    const late = { actor: 51, key: 4, time: 20 * DAY + 3 * 60 * MIN };
    // Push 5's object is also used by an organic account two days later: not exclusive.
    const shared = [{ actor: 52, key: 5, time: 25 * DAY + 5 * MIN }, { actor: 150, key: 5, time: 27 * DAY }];
    const result = pushJoiners(world([late, ...shared]));
    assert.deepEqual(result.joiners, []);
  });

  it('does not take an organic community acting together when no cluster is flagged there (fan club shape)', () => {
    // Accounts 60-69 act as a slow campaign would (4 a push on 12 rare objects), but no cluster of
    // theirs is flagged, and account 70 joins one of their pushes.
    const fans: Event[] = [];
    for (let push = 0; push < 12; push++) for (let m = 0; m < 4; m++) fans.push({ actor: 60 + ((push * 3 + m) % 10), key: 500 + push, time: push * 5 * DAY + 3 * 60 * MIN + m * MIN });
    fans.push({ actor: 70, key: 503, time: 15 * DAY + 3 * 60 * MIN + 2 * MIN });
    const result = pushJoiners(world(fans));
    assert.deepEqual(result.joiners, []);
  });

  it('takes a slow campaign\'s unflagged members even where they outnumber the flagged ones on a push, and no organic account on the same popular objects', () => {
    // Accounts 20-25: members the clustering missed. Like organic accounts they act on the popular
    // objects 1000-1039 (camouflage); all six join push 3 with its 4 flagged members, 20-22 push 9 too.
    let seed = 11;
    const rng = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const missed: Event[] = [];
    for (let actor = 20; actor < 26; actor++) {
      for (let i = 0; i < 20; i++) missed.push({ actor, key: 1000 + Math.floor(rng() * 40), time: Math.floor(rng() * 60 * DAY) });
      missed.push({ actor, key: 3, time: 15 * DAY + (actor - 17) * MIN });
      if (actor < 23) missed.push({ actor, key: 9, time: 45 * DAY + (actor - 15) * MIN });
    }
    const result = pushJoiners(world(missed));
    assert.deepEqual(result.joiners.map((joiner) => joiner.account).sort((a, b) => a - b), [20, 21, 22, 23, 24, 25]);
    assert.deepEqual(result.joiners.map((joiner) => joiner.pushes.length).sort(), [1, 1, 1, 2, 2, 2]);
    assert.ok(result.joiners.every((joiner) => joiner.cluster === 0));
    // With at most one outsider per member on a push (before session 13), push 3 (6 outsiders, 4
    // members) was no push: 23-25 were not taken, 20-22 on push 9 alone.
    const capped = pushJoiners(world(missed), { outsidersPerMember: 1 }).joiners;
    assert.deepEqual(capped.map((joiner) => [joiner.account, joiner.pushes.map((push) => push.key)]).sort(), [[20, [9]], [21, [9]], [22, [9]]]);
  });

  it('does not take a crowd larger than the members on the object when outsiders are capped, nor accounts excluded by the caller', () => {
    const crowd = [50, 51, 52, 53, 54].map((actor, i) => ({ actor, key: 6, time: 30 * DAY + (i + 1) * MIN }));
    assert.deepEqual(pushJoiners(world(crowd), { outsidersPerMember: 1 }).joiners, []);
    const exclude = new Uint8Array(400);
    exclude[50] = 1;
    assert.deepEqual(pushJoiners({ ...world([{ actor: 50, key: 3, time: 15 * DAY + 7 * MIN }]), exclude }).joiners, []);
  });

  it('does not take a busy account whose one hit chance explains', () => {
    // Account 80 acts on 20,000 objects of its own: one join is what chance gives it.
    const busy: Event[] = Array.from({ length: 20_000 }, (_, i) => ({ actor: 80, key: 5000 + i, time: i * 4 * MIN }));
    busy.push({ actor: 80, key: 3, time: 15 * DAY + 7 * MIN });
    const result = pushJoiners(world(busy));
    assert.deepEqual(result.joiners, []);
    assert.equal(result.candidates, 1);
  });

  it('counts as chance only the minutes around the members\' actions when a campaign reuses one object for months', () => {
    // The campaign's two hashtags (keys 500, 501) ride every one of its 12 pushes over 55 days;
    // account 60 uses each once, minutes after members, and does nothing else. Chance puts an event
    // of it on a tag within minutes of members with rate (n_o / N) · (12 pushes × ~36 min) / 60 days,
    // not (n_o / N) · 1 as if the 55 days from the first push to the last were one push (with that,
    // p ≈ 1e-4 and Benjamini-Hochberg over the ~300 accounts keeps nothing).
    const tags: Event[] = [];
    for (let push = 0; push < 12; push++) {
      for (let m = 0; m < 4; m++) for (const key of [500, 501]) tags.push({ actor: (push * 3 + m) % 10, key, time: push * 5 * DAY + (m + 1) * 2 * MIN });
    }
    tags.push({ actor: 60, key: 500, time: 10 * DAY + 6 * MIN }, { actor: 60, key: 501, time: 35 * DAY + 4 * MIN });
    const result = pushJoiners(world(tags));
    assert.deepEqual(result.joiners.map((joiner) => joiner.account), [60]);
    const [joiner] = result.joiners;
    assert.deepEqual(joiner?.pushes.map((push) => push.key), [500, 501]);
    assert.ok((joiner?.expected ?? 1) < 1e-3, `λ = ${joiner?.expected}`);
  });

  it('gives a reply no credit for its timing: repliers crowd right after the post they answer', () => {
    // The same joiner as in the first test, on a reply target instead of a reposted post.
    const input = world([{ actor: 50, key: 3, time: 15 * DAY + 7 * MIN }]);
    const replies = { ...input, traces: new Map<TraceName, TraceData>([['co-reply', input.traces.get('co-repost')!]]) };
    assert.deepEqual(pushJoiners(replies).joiners, []);
    assert.equal(pushJoiners(replies).candidates, 1);
    assert.deepEqual(pushJoiners(replies, { untimedTraces: [] }).joiners.map((joiner) => joiner.account), [50]);
  });
});
