import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mulberry32 } from '../model/index.js';
import { subCluster } from './clusters.js';
import { explainClusters, memberOccasions, setAsideFeeds } from './explain.js';
import type { FusedGraph } from './fuse.js';
import { organicExplanation } from './organic.js';
import type { ClusterFacts } from './organic.js';
import { detectCoordination } from './pipeline.js';
import { explainClustersReference } from './test-support/explain-reference.js';
import { memberOccasionsReference } from './test-support/member-occasions-reference.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CAMPAIGN = 12;
const CROWD = 600;
/** Accounts busy on everything else (the rest of the platform: they make the popular tags a small part of all activity). */
const REST = 4000;
const ACTORS = CAMPAIGN + 1 + CROWD + REST;
/** The organic account that posts once with the two popular tags in the minute of a burst. */
const PASSER_BY = CAMPAIGN;
/** An organic account whose meetings with members are all inside a live event's crowd. */
const IN_CROWD = CAMPAIGN + 1;

/**
 * Co-hashtag events: a campaign of 12 accounts bursts 14 times (days apart, within 40 s) on two
 * popular tags (0 and 1, everybody's "#hongkong #香港") plus a tag of its own per burst; 600
 * organic accounts use the popular tags at random times over 30 days, and 300 of them tweet tag 0
 * within 20 minutes at a live event (day 20), where two campaign members happen to post it too.
 * The passer-by posts tags 0 and 1 once, in the minute of one burst. 4,000 more accounts post on
 * 2,000 other tags.
 */
function passerByData(seed: number): TraceData {
  const random = mulberry32(seed);
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const push = (who: number, tag: number, at: number): void => { actor.push(who); key.push(tag); time.push(at); };
  const bursts = Array.from({ length: 14 }, (_, burst) => burst * 2 * DAY + 3 * HOUR + random() * 6 * HOUR);
  bursts.forEach((at, burst) => {
    for (let member = 0; member < CAMPAIGN; member++) {
      if (random() < 0.15) continue;
      const when = at + random() * 40_000;
      push(member, 0, when);
      push(member, 1, when);
      push(member, 2 + burst, when);
    }
  });
  push(PASSER_BY, 0, (bursts[5] ?? 0) + 10_000);
  push(PASSER_BY, 1, (bursts[5] ?? 0) + 10_000);
  const liveEvent = 20 * DAY + 13 * HOUR;
  for (let account = IN_CROWD; account < IN_CROWD + CROWD; account++) {
    const posts = 1 + Math.floor(random() * 6);
    for (let i = 0; i < posts; i++) push(account, Math.floor(random() * 2), random() * 30 * DAY);
    if (account < IN_CROWD + 300) push(account, 0, liveEvent + random() * 20 * 60_000);
  }
  for (let account = IN_CROWD + CROWD; account < ACTORS; account++) {
    for (let i = 0; i < 20; i++) push(account, 100 + Math.floor(random() * 2000), random() * 30 * DAY);
  }
  push(0, 0, liveEvent + 60_000);
  push(1, 0, liveEvent + 62_000);
  push(IN_CROWD, 0, liveEvent + 61_000);
  push(IN_CROWD, 0, liveEvent + 5 * HOUR);
  push(2, 0, liveEvent + 5 * HOUR + 30_000);
  const n = actor.length;
  return {
    actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from({ length: n }, (_, i) => i),
    actorCount: ACTORS, keyCount: 2100,
  };
}

test('memberOccasions: campaign members met their cluster on many occasions, the passer-by once, the crowd member never', () => {
  const data = passerByData(1);
  const clusterOf = new Int32Array(data.actorCount).fill(-1);
  for (let member = 0; member <= IN_CROWD; member++) clusterOf[member] = 0;
  const occasions = memberOccasions(clusterOf, new Map<TraceName, TraceData>([['co-hashtag', data]]), new Map([['co-hashtag', 60_000]]));
  for (let member = 0; member < CAMPAIGN; member++) assert.ok((occasions[member] ?? 0) >= 5, `member ${member}: ${occasions[member]} occasions`);
  assert.equal(occasions[PASSER_BY], 1);
  // Its meetings with members were at the live event (300 accounts in 20 min) and at a quiet hour
  // on a popular tag with one member: the second counts as the cluster's own moment, the first not.
  assert.equal(occasions[IN_CROWD], 1);
  // Accounts outside clusters have none.
  assert.equal(occasions[IN_CROWD + 1], 0);
});

test('memberOccasions: a co-action inside a crowd does not count, however often', () => {
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  // Members 0 and 1 meet on tag 0 on 5 days, each time among 50 other accounts in the same minutes.
  for (let day = 0; day < 5; day++) {
    const at = day * DAY;
    for (const [who, offset] of [[0, 0], [1, 5_000]] as const) { actor.push(who); key.push(0); time.push(at + offset); }
    for (let other = 2; other < 52; other++) { actor.push(other); key.push(0); time.push(at + other * 1_000); }
  }
  const n = actor.length;
  const data: TraceData = { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from({ length: n }, (_, i) => i), actorCount: 52, keyCount: 1 };
  const clusterOf = new Int32Array(52).fill(-1);
  clusterOf[0] = 0;
  clusterOf[1] = 0;
  const traces = new Map<TraceName, TraceData>([['co-hashtag', data]]);
  assert.deepEqual([...memberOccasions(clusterOf, traces, new Map([['co-hashtag', 60_000]])).slice(0, 2)], [0, 0]);
  // Alone on the tag, the same meetings are five occasions.
  assert.deepEqual([...memberOccasions(clusterOf, traces, new Map([['co-hashtag', 60_000]]), { ownShare: 0 }).slice(0, 2)], [5, 5]);
});

test('detection: the passer-by who met a campaign once is flagged without the per-member repetition rule and not with it', () => {
  for (const seed of [1, 2]) {
    const traces = new Map<TraceName, TraceData>([['co-hashtag', passerByData(seed)]]);
    const input = { actorCount: ACTORS, traces };
    const flaggedBy = (minMemberOccasions: number): Set<number> =>
      new Set(detectCoordination(input, { group: false, cluster: { minMemberOccasions } }).clusters.flatMap((cluster) => cluster.members));
    const without = flaggedBy(0);
    assert.ok(without.has(PASSER_BY), `seed ${seed}: the passer-by is admitted by the pair and member tests`);
    const withRule = flaggedBy(2);
    assert.ok(!withRule.has(PASSER_BY), `seed ${seed}: passer-by still flagged`);
    assert.equal([...withRule].filter((account) => account >= CAMPAIGN).length, 0, `seed ${seed}: organic accounts flagged`);
    assert.ok([...withRule].filter((account) => account < CAMPAIGN).length >= CAMPAIGN - 1, `seed ${seed}: campaign recalled`);
    // With the group test on (its members are exempt from the rule), the passer-by stays out: the
    // group test looks at rare objects only, and the passer-by met the campaign on popular tags.
    const defaults = new Set(detectCoordination(input).clusters.flatMap((cluster) => cluster.members));
    assert.equal([...defaults].filter((account) => account >= CAMPAIGN).length, 0, `seed ${seed}: organic accounts flagged at default settings`);
  }
});

test('memberOccasions reads each key in place and counts what the obvious version counts (property)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 6 * 3_600_000 })), { maxLength: 300 }),
    fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 12, maxLength: 12 }),
    fc.constantFrom(60_000, 900_000, 3_600_000), fc.constantFrom(0.2, 0.5),
    (actorCount, keyCount, rows, clusters, window, ownShare) => {
      // Coarse times make ties, which the two must break the same way.
      const data: TraceData = {
        actor: Int32Array.from(rows, ([a]) => a % actorCount), key: Int32Array.from(rows, ([, k]) => k % keyCount),
        time: Float64Array.from(rows, ([, , t]) => t - (t % 60_000)), action: Int32Array.from(rows, (_, i) => i), actorCount, keyCount,
      };
      const clusterOf = Int32Array.from(clusters.slice(0, actorCount));
      const traces = new Map<TraceName, TraceData>([['co-hashtag', data]]);
      const windows = new Map<TraceName, number>([['co-hashtag', window]]);
      assert.deepEqual([...memberOccasions(clusterOf, traces, windows, { ownShare })], [...memberOccasionsReference(clusterOf, traces, windows, { ownShare })]);
    },
  ), { numRuns: 400 });
});

/**
 * co-link events: 12 campaign accounts (0-11) post their links (keys 0-5) within seconds on six
 * occasions days apart; 5 feeds (12-16) post each of 20 outlet articles (keys 100-119) within
 * seconds; campaign accounts 0 and 1 share two of the articles with the feeds. With `reader`, an
 * organic account 17 shares four articles a minute after the feeds, and nothing with the
 * campaign: its edges, like a syndicated feed's reader's, go to the feeds only. The whole is one
 * cluster (as Leiden found one on synthetic seed 43, scale 10), flagged as a whole.
 */
function campaignBesideFeeds(reader: boolean) {
  const actorCount = reader ? 18 : 17;
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const push = (who: number, object: number, at: number): void => { actor.push(who); key.push(object); time.push(at); };
  for (let push6 = 0; push6 < 6; push6++) for (let member = 0; member < 12; member++) push(member, push6, push6 * 2 * DAY + member * 1000);
  for (let article = 0; article < 20; article++) {
    for (let feed = 12; feed < 17; feed++) push(feed, 100 + article, article * 7 * HOUR + HOUR + (feed - 12) * 2000);
    if (article < 2) { push(0, 100 + article, article * 7 * HOUR + HOUR + 20_000); push(1, 100 + article, article * 7 * HOUR + HOUR + 25_000); }
    if (reader && article >= 10 && article < 14) push(17, 100 + article, article * 7 * HOUR + HOUR + 40_000);
  }
  const n = actor.length;
  const data: TraceData = { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from({ length: n }, (_, i) => i), actorCount, keyCount: 120 };
  const traces = new Map<TraceName, TraceData>([['co-link', data]]);
  const pairs: [number, number][] = [];
  const isFeed = (x: number): boolean => x >= 12 && x < 17;
  for (let i = 0; i < actorCount; i++) {
    for (let j = i + 1; j < actorCount; j++) if ((i < 12 && j < 12) || (isFeed(i) && isFeed(j)) || (i < 2 && isFeed(j)) || (isFeed(i) && j === 17)) pairs.push([i, j]);
  }
  const graph: FusedGraph = {
    actorCount, a: Int32Array.from(pairs, ([x]) => x), b: Int32Array.from(pairs, ([, y]) => y), weight: new Float64Array(pairs.length).fill(1), logP: new Float64Array(pairs.length).fill(-10),
    traces: ['co-link'], size: pairs.length,
    perTrace: new Map([['co-link', { shared: new Float64Array(pairs.length).fill(3), idf: new Float64Array(pairs.length).fill(1), coActions: new Float64Array(pairs.length).fill(3), meanDelay: new Float64Array(pairs.length).fill(2000), logP: new Float64Array(pairs.length).fill(-10) }]]),
  };
  const whole = subCluster(Array.from({ length: actorCount }, (_, i) => i), pairs.map((_, edge) => edge), graph);
  const windows = new Map<TraceName, number>([['co-link', 60_000]]);
  const result = { clusters: [whole], evidence: explainClusters([whole], traces, windows), graph, windows };
  const facts: ClusterFacts = {
    members: whole.members.map((member) => (isFeed(member) ? { actor: member, actions: 20, topDomain: 'outlet.example', topDomainPosts: 20 }
      : member === 17 ? { actor: member, actions: 30, topDomain: 'outlet.example', topDomainPosts: 4 } : { actor: member, actions: 8, topDomain: 'campaign.example', topDomainPosts: 6 })),
    repostAuthors: [], medianRepostDelayMs: null, traces: whole.traces, exclusivity: result.evidence[0]?.exclusivity ?? 0,
  };
  return { traces, result, facts };
}

test('setAsideFeeds: an outlet\'s feeds leave the campaign\'s cluster for one of their own, explained and not flagged; the campaign stays, described anew', () => {
  const { traces, result, facts } = campaignBesideFeeds(false);
  assert.equal(organicExplanation(facts), null, 'the scenario: the cluster as a whole is flagged');
  const separated = setAsideFeeds(result, traces, [facts], [null]);
  assert.equal(separated.clusters.length, 2);
  const [rest, feeds] = separated.clusters;
  assert.deepEqual([...(rest?.members ?? [])].sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i));
  assert.equal(separated.explanations[0], null, 'the campaign stays flagged');
  assert.equal(rest?.density, 1, 'described anew: a clique once the feeds are gone');
  assert.ok((separated.evidence[0]?.occasions ?? 0) >= 6);
  assert.ok(separated.evidence[0]?.coActions.every((item) => item.a < 12 && item.b < 12), 'its evidence names no feed');
  assert.deepEqual([...(feeds?.members ?? [])].sort((x, y) => x - y), [12, 13, 14, 15, 16]);
  assert.equal(separated.explanations[1]?.kind, 'syndication');
  assert.deepEqual(separated.setAside.map((entry) => [entry.from, entry.to, entry.domain, entry.members.length]), [[0, 1, 'outlet.example', 5]]);
  assert.deepEqual(separated.clusters.map((cluster) => cluster.id), [0, 1]);
  // A cluster with an explanation already is left alone.
  assert.equal(setAsideFeeds(result, traces, [facts], [{ kind: 'crowd', exclusivity: 0, reason: '' }]).setAside.length, 0);
});

test('setAsideFeeds: a reader tied to the cluster through the outlet\'s feeds alone is pruned from what stays, not flagged with the campaign', () => {
  const { traces, result, facts } = campaignBesideFeeds(true);
  assert.ok(result.clusters[0]?.members.includes(17), 'the scenario: the reader is a member of the whole');
  assert.equal(organicExplanation(facts), null, 'the scenario: the cluster as a whole is flagged');
  const separated = setAsideFeeds(result, traces, [facts], [null]);
  const [rest, feeds] = separated.clusters;
  assert.equal(separated.explanations[0], null, 'the campaign stays flagged');
  assert.deepEqual([...(rest?.members ?? [])].sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i), 'the reader is not flagged with the campaign');
  assert.ok(rest?.memberScores.every((score) => score > 0), 'no member without a tie to the rest');
  assert.deepEqual([...(feeds?.members ?? [])].sort((x, y) => x - y), [12, 13, 14, 15, 16]);
});

test('explainClusters: the own span runs over members\' meetings on the cluster\'s own objects only, not everybody\'s, nor own objects they never met on', () => {
  // Accounts 0-4 use tag 0 (only they do) 10 minutes apart on day 3, and tag 1 with 200 others
  // over 30 days; accounts 0 and 1 each use tag 2 (only they do) once, weeks apart.
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const push = (who: number, tag: number, at: number): void => { actor.push(who); key.push(tag); time.push(at); };
  for (let member = 0; member < 5; member++) {
    push(member, 0, 3 * DAY + member * 10 * 60_000);
    push(member, 1, member * 6 * DAY);
  }
  push(0, 2, DAY);
  push(1, 2, 25 * DAY);
  for (let other = 5; other < 205; other++) push(other, 1, (other % 30) * DAY);
  const data: TraceData = { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from(actor, (_, i) => i), actorCount: 205, keyCount: 3 };
  const cluster = { id: 0, members: [0, 1, 2, 3, 4], memberScores: [0, 0, 0, 0, 0], score: 0.3, density: 1, internalEdges: [], traces: [], medianShared: 1, medianDelayMs: 0, strongestLogP: -10 };
  const [evidence] = explainClusters([cluster], new Map<TraceName, TraceData>([['co-hashtag', data]]), new Map<TraceName, number>([['co-hashtag', 60_000]]));
  assert.equal(evidence?.ownSpanMs, 30 * 60_000, 'from the first meeting (10 min in) to the last');
  assert.ok((evidence?.lastTime ?? 0) - (evidence?.firstTime ?? 0) >= 24 * DAY, 'the cluster itself spans the month');
});

test('explainClusters groups clustered events with integer ids and gives what the first, map-of-strings version gives (property)', () => {
  const trace = (actorCount: number, keyCount: number) => fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 4 * 3_600_000 }), fc.boolean()), { maxLength: 200 }).map((rows): TraceData => ({
    // Coarse times make ties; about half the traces come in (key, time) order, as the readers give them.
    actor: Int32Array.from(rows, ([a]) => a % actorCount), key: Int32Array.from(rows, ([, k]) => k % keyCount),
    time: Float64Array.from(rows, ([, , t]) => t - (t % 30_000)), action: Int32Array.from(rows, (_, i) => 1000 + i), actorCount, keyCount,
  }));
  const sortedByKeyTime = (data: TraceData): TraceData => {
    const order = Array.from(data.actor, (_, i) => i).sort((x, y) => data.key[x]! - data.key[y]! || data.time[x]! - data.time[y]! || x - y);
    return { ...data, actor: Int32Array.from(order, (i) => data.actor[i]!), key: Int32Array.from(order, (i) => data.key[i]!), time: Float64Array.from(order, (i) => data.time[i]!), action: Int32Array.from(order, (i) => data.action[i]!) };
  };
  const world = fc.tuple(fc.integer({ min: 2, max: 14 }), fc.integer({ min: 1, max: 6 })).chain(([actorCount, keyCount]) => fc.tuple(trace(actorCount, keyCount), trace(actorCount, keyCount)));
  fc.assert(fc.property(
    world, fc.boolean(),
    fc.array(fc.array(fc.nat(15), { minLength: 1, maxLength: 8 }), { maxLength: 4 }),
    fc.constantFrom(0, 60_000, 900_000), fc.constantFrom(1, 3), fc.constantFrom(2, 40, 500),
    ([hashtags, links], sorted, memberLists, window, evidencePerEdge, maxEvidence) => {
      const traces = new Map<TraceName, TraceData>([['co-hashtag', hashtags], ['co-link', links]].map(([name, data]) => [name as TraceName, sorted ? sortedByKeyTime(data as TraceData) : data as TraceData]));
      // Members may repeat across clusters (the last list wins in both) and lie outside the traces' actors.
      const clusters = memberLists.map((members, id) => ({ id, members, memberScores: members.map(() => 1), score: 1, density: 1, internalEdges: [], traces: [], medianShared: 2, medianDelayMs: 0, strongestLogP: -10 }));
      const windows = new Map<TraceName, number>([['co-hashtag', window], ['co-link', 2 * window]]);
      const options = { evidencePerEdge, maxEvidence, sampleActions: 2, topObjects: 3 };
      assert.deepEqual(explainClusters(clusters, traces, windows, options), explainClustersReference(clusters, traces, windows, options));
    },
  ), { numRuns: 300 });
});

test('explainClusters: every member pair gets its evidence, however late it first co-acts, and no pair more than evidencePerEdge', () => {
  // Members 0, 1, 2: pairs 0-1 and 0-2 co-act on keys 0 and 1, pair 1-2 only on key 3, after 0-1 again on key 2.
  const rows = [[0, 0, 0], [1, 0, 5], [0, 1, 100], [2, 1, 105], [0, 2, 200], [1, 2, 205], [1, 3, 300], [2, 3, 310]] as const;
  const data: TraceData = {
    actor: Int32Array.from(rows, ([a]) => a), key: Int32Array.from(rows, ([, k]) => k), time: Float64Array.from(rows, ([, , t]) => t * 1000),
    action: Int32Array.from(rows, (_, i) => i), actorCount: 3, keyCount: 4,
  };
  const cluster = { id: 0, members: [0, 1, 2], memberScores: [1, 1, 1], score: 1, density: 1, internalEdges: [], traces: [], medianShared: 2, medianDelayMs: 0, strongestLogP: -10 };
  const traces = new Map<TraceName, TraceData>([['co-link', data]]);
  const windows = new Map<TraceName, number>([['co-link', 60_000]]);
  const [evidence] = explainClusters([cluster], traces, windows, { evidencePerEdge: 1 });
  assert.deepEqual(evidence!.coActions.map((co) => `${co.a}-${co.b}:${co.key}`), ['0-1:0', '0-2:1', '1-2:3']);
  assert.deepEqual(explainClusters([cluster], traces, windows, { evidencePerEdge: 1 }), explainClustersReference([cluster], traces, windows, { evidencePerEdge: 1 }));
});
