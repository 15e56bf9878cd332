import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedMembers, organicExplanation } from './organic.js';
import type { ClusterFacts } from './organic.js';

const campaign: ClusterFacts = {
  members: Array.from({ length: 10 }, () => ({ actions: 200, topDomain: 'news.example', topDomainPosts: 20 })),
  repostAuthors: [{ author: 'source1', reposts: 300, inCluster: false }, { author: 'source2', reposts: 200, inCluster: false }],
  medianRepostDelayMs: 30_000,
  traces: [{ trace: 'co-repost', edges: 45 }],
  exclusivity: 0.9,
};

test('a fast retweet ring of its own sources is not explained away', () => {
  assert.equal(organicExplanation(campaign), null);
});

test('feeds posting almost only their outlet\'s links are syndication', () => {
  const feeds: ClusterFacts = { ...campaign, members: Array.from({ length: 5 }, () => ({ actions: 100, topDomain: 'outlet.example', topDomainPosts: 97 })), traces: [{ trace: 'co-link', edges: 10 }] };
  assert.equal(organicExplanation(feeds)?.kind, 'syndication');
  const mixed = { ...feeds, members: [...feeds.members, ...campaign.members] };
  assert.equal(organicExplanation(mixed), null, 'a third of the members as feeds is not enough');
  const withReaders = { ...feeds, members: [...feeds.members, ...campaign.members.slice(0, 3)] };
  assert.equal(organicExplanation(withReaders)?.kind, 'syndication', 'an outlet\'s feeds with a few of its readers');
});

test('reposting one or a few idols at human pace is a fandom; at machine pace it is not', () => {
  const fans: ClusterFacts = { ...campaign, repostAuthors: [{ author: 'idol', reposts: 900, inCluster: false }, { author: 'other', reposts: 100, inCluster: false }], medianRepostDelayMs: 300_000 };
  assert.equal(organicExplanation(fans)?.kind, 'fandom');
  assert.equal(organicExplanation({ ...fans, medianRepostDelayMs: 40_000 }), null);
  const threeIdols: ClusterFacts = { ...fans, repostAuthors: [300, 300, 300, 50].map((reposts, i) => ({ author: `idol${i}`, reposts, inCluster: false })) };
  assert.equal(organicExplanation(threeIdols)?.kind, 'fandom');
  const spread: ClusterFacts = { ...fans, repostAuthors: [200, 200, 160, 440].map((reposts, i) => ({ author: `a${i}`, reposts, inCluster: false })) };
  assert.equal(organicExplanation(spread), null, 'a slow campaign spreading reposts over its sources is not a fandom');
  const ownSource: ClusterFacts = { ...fans, repostAuthors: [{ author: 'member', reposts: 900, inCluster: true }] };
  assert.equal(organicExplanation(ownSource), null, 'amplifying a member is self-amplification');
});

test('a cluster meeting only on everybody\'s objects is a crowd', () => {
  assert.equal(organicExplanation({ ...campaign, exclusivity: 0.01 })?.kind, 'crowd');
  assert.equal(organicExplanation({ ...campaign, members: [] }), null);
});

/** Deterministic LCG in [0, 1), so the simulated community is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * The facts of a cluster of overlapping fan bases, built like the synthetic generator's fan
 * communities and like the merged fan clusters of the 10M-event run (633-821 fans of 4 idols,
 * 104-282 fans each, ~90 idol posts each, every fan reposting 20-60% of one or two idols' posts
 * minutes after, plus a few reposts of viral posts by many other authors).
 */
function mergedFans(idols: number, fansPerIdol: number, seed: number): ClusterFacts {
  const random = lcg(seed);
  const reposts = new Map<string, number>();
  const add = (author: string, n: number): void => { reposts.set(author, (reposts.get(author) ?? 0) + n); };
  const size = idols * fansPerIdol;
  for (let fan = 0; fan < size; fan++) {
    const own = Math.floor(fan / fansPerIdol);
    const follows = random() < 0.3 ? [own, Math.floor(random() * idols)] : [own];
    for (const idol of new Set(follows)) add(`idol${idol}`, Math.round(90 * (0.2 + 0.4 * random())));
    for (let k = 0; k < 2; k++) add(`viral${Math.floor(random() * 400)}`, 1);
  }
  const repostAuthors = [...reposts].map(([author, n]) => ({ author, reposts: n, inCluster: false })).sort((x, y) => y.reposts - x.reposts);
  return {
    members: Array.from({ length: size }, () => ({ actions: 60, topDomain: null, topDomainPosts: 0 })),
    repostAuthors, medianRepostDelayMs: 5 * 60_000,
    traces: [{ trace: 'co-repost', edges: 50 * size }, { trace: 'co-reply', edges: size }, { trace: 'fast-repost', edges: size / 2 }],
    exclusivity: 0.3,
  };
}

test('a large cluster of overlapping fan bases of many idols is a fandom, as each fan base is at small scale', () => {
  for (const [idols, fansPerIdol] of [[1, 200], [3, 70], [4, 170], [4, 60], [6, 110], [12, 60]] as const) {
    const facts = mergedFans(idols, fansPerIdol, 7 + idols);
    assert.ok(idols <= 3 || facts.repostAuthors.slice(0, 3).reduce((sum, a) => sum + a.reposts, 0) < 0.8 * facts.repostAuthors.reduce((sum, a) => sum + a.reposts, 0), 'the shape that failed: three idols hold under 80% of the reposts');
    assert.equal(organicExplanation(facts)?.kind, 'fandom', `${idols} idols x ${fansPerIdol} fans`);
    assert.equal(organicExplanation({ ...facts, medianRepostDelayMs: 30_000 }), null, `${idols} idols reposted at machine pace is not a fandom`);
  }
});

test('the 10M-event run\'s flagged fan cluster (649 fans, 4 idols holding 70% of the reposts in three, 88% in four) is a fandom', () => {
  // Reposts per author as counted from the run's archive (synth scale 100, seed 7, cluster 775):
  // four idols, then ~3,000 reposts of 741 other authors (viral posts), median 5.3 min after.
  const idols = [7418, 5536, 5082, 4573].map((reposts, i) => ({ author: `idol${i}`, reposts, inCluster: false }));
  const tail = Array.from({ length: 741 }, (_, i) => ({ author: `viral${i}`, reposts: i < 24 ? 40 : 3, inCluster: false }));
  const facts: ClusterFacts = {
    members: Array.from({ length: 649 }, () => ({ actions: 60, topDomain: null, topDomainPosts: 0 })),
    repostAuthors: [...idols, ...tail], medianRepostDelayMs: 5.3 * 60_000,
    traces: [{ trace: 'co-repost', edges: 55_852 }, { trace: 'co-reply', edges: 1389 }, { trace: 'fast-repost', edges: 834 }],
    exclusivity: 0.3,
  };
  const explained = organicExplanation(facts);
  assert.equal(explained?.kind, 'fandom');
  assert.match(explained?.reason ?? '', /go to 4 accounts outside the cluster/);
  assert.equal(organicExplanation(facts, { fandomFansPerIdol: Infinity }), null, 'the old three-idol limit left it flagged');
});

test('a retweet ring amplifying one account stays flagged at any size', () => {
  for (const size of [10, 100, 800]) {
    const members = Array.from({ length: size }, () => ({ actions: 100, topDomain: null, topDomainPosts: 0 }));
    const traces = [{ trace: 'co-repost' as const, edges: 10 * size }];
    const outsideFast: ClusterFacts = { members, repostAuthors: [{ author: 'boss', reposts: 50 * size, inCluster: false }], medianRepostDelayMs: 30_000, traces, exclusivity: 0.8 };
    assert.equal(organicExplanation(outsideFast), null, `${size} accounts reposting one outside account seconds after`);
    const member: ClusterFacts = { ...outsideFast, repostAuthors: [{ author: 'boss', reposts: 50 * size, inCluster: true }], medianRepostDelayMs: 300_000 };
    assert.equal(organicExplanation(member), null, `${size} accounts reposting one of their own minutes after`);
  }
});

test('a campaign spreading its reposts over many outside sources is not a fandom because it is big', () => {
  // 60 members (the largest planted campaigns) reposting 12 outside sources evenly, at human pace.
  const sources = Array.from({ length: 12 }, (_, i) => ({ author: `source${i}`, reposts: 200, inCluster: false }));
  const facts: ClusterFacts = { ...campaign, members: Array.from({ length: 60 }, () => campaign.members[0]!), repostAuthors: sources, medianRepostDelayMs: 300_000 };
  assert.equal(organicExplanation(facts), null);
});

/**
 * The shape of synthetic scale 30, seed 7: a URL campaign of 12 accounts (a clique) whose readers'
 * links touch an outlet's 7 feeds (a clique of their own), each feed linked to 2 campaign members.
 * Campaign accounts 0-11, feeds 12-18.
 */
function campaignBesideFeeds(campaignOnlyLinks: number): { facts: ClusterFacts; members: number[]; pairs: [number, number][] } {
  const members = Array.from({ length: 19 }, (_, i) => i);
  const pairs: [number, number][] = [];
  for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) pairs.push([i, j]);
  for (let i = 12; i < 19; i++) for (let j = i + 1; j < 19; j++) pairs.push([i, j]);
  for (let feed = 12; feed < 19; feed++) pairs.push([feed % 2, feed], [2 + (feed % 3), feed]);
  const facts: ClusterFacts = {
    ...campaign,
    // The first campaignOnlyLinks campaign accounts post nothing but their campaign's links, like feeds.
    members: members.map((member) => (member >= 12 ? { actions: 300, topDomain: 'pearlpost.com', topDomainPosts: 290 }
      : member < campaignOnlyLinks ? { actions: 40, topDomain: 'pearlview77.news', topDomainPosts: 40 } : { actions: 200, topDomain: 'pearlview77.news', topDomainPosts: 30 })),
    traces: [{ trace: 'co-link', edges: pairs.length }],
  };
  return { facts, members, pairs };
}

test('an outlet\'s feeds beside a URL campaign are set aside, the campaign is not', () => {
  const { facts, members, pairs } = campaignBesideFeeds(0);
  assert.equal(organicExplanation(facts), null, 'the scenario: 7 feeds of 19 members do not explain the cluster as a whole');
  const part = feedMembers(facts, members, pairs);
  assert.equal(part?.domain, 'pearlpost.com');
  assert.deepEqual(part?.members, [12, 13, 14, 15, 16, 17, 18]);
  // Postings may name their actor (the store gives them in its own order).
  const shuffled = { ...facts, members: facts.members.map((posting, i) => ({ ...posting, actor: i })).reverse() };
  assert.deepEqual(feedMembers(shuffled, members, pairs)?.members, [12, 13, 14, 15, 16, 17, 18]);
});

test('campaign accounts posting only their campaign\'s links stay: they co-act with the campaign, not mainly with each other', () => {
  const { facts, members, pairs } = campaignBesideFeeds(5);
  const part = feedMembers(facts, members, pairs);
  assert.deepEqual(part?.members, [12, 13, 14, 15, 16, 17, 18], 'only the outlet\'s feeds');
  // Without the feeds, five of twelve campaign members post only pearlview77.news links, each linked to all 11 others.
  const campaignOnly = { ...facts, members: facts.members.slice(0, 12) };
  assert.equal(feedMembers(campaignOnly, members.slice(0, 12), pairs.filter(([x, y]) => x < 12 && y < 12)), null);
  // One feed alone is not set aside (it has no fellow feeds to co-act with).
  const oneFeed = pairs.filter(([x, y]) => x < 13 && y < 13);
  assert.equal(feedMembers({ ...facts, members: facts.members.slice(0, 13) }, members.slice(0, 13), oneFeed), null);
});

test('a crowd whose own material all falls within one day and whose pairs met on one object is an event; a campaign over weeks or in repeated lockstep is not', () => {
  const HOUR = 3_600_000;
  // Synthetic scale 100, seed 7: 86 accounts on #joeylive43 for 2.2 h (and #hongkong, everybody's, all period), one object per pair.
  const concert: ClusterFacts = { ...campaign, members: campaign.members.slice(0, 5), traces: [{ trace: 'co-hashtag', edges: 10 }], exclusivity: 0.6, ownSpanMs: 2.2 * HOUR, medianShared: 1 };
  assert.equal(organicExplanation(concert)?.kind, 'event');
  assert.equal(organicExplanation({ ...concert, ownSpanMs: 11.5 * HOUR })?.kind, 'event', 'a typhoon\'s half day');
  assert.equal(organicExplanation({ ...concert, ownSpanMs: 20 * 24 * HOUR }), null, 'a slow campaign: one object per pair, pushes over weeks');
  assert.equal(organicExplanation({ ...concert, medianShared: 3 }), null, 'a one-day storm in repeated lockstep (pairs on 3 objects within the window)');
  const unjudged: ClusterFacts = { ...concert };
  delete unjudged.ownSpanMs;
  assert.equal(organicExplanation(unjudged), null, 'without the span, not judged');
});
