import assert from 'node:assert/strict';
import { test } from 'node:test';
import { organicExplanation } from './organic.js';
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
