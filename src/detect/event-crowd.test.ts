import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../model/index.js';
import { organicExplanation } from './organic.js';
import { detectCoordination } from './pipeline.js';
import type { DetectionResult } from './pipeline.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CAMPAIGN = 12;
const CROWD = 60;
const ORGANIC = 600;
const ACTORS = CAMPAIGN + CROWD + ORGANIC;
const TAGS = 1500;
/** The event's two tags (its name in two scripts, as #TyphoonWipha and #台风韦帕). */
const EVENT_TAGS = [TAGS, TAGS + 1] as const;
/** The campaign's own tags, one per push. */
const CAMPAIGN_TAG = TAGS + 2;
const PUSHES = 8;

/**
 * Co-hashtag events over 30 days: 600 organic accounts (and everybody else) post tags of a
 * long-tailed pool at random times; a live event on day 12 brings a crowd of 60 accounts that tweet
 * its two tags in the minutes after each of three moments (landfall and after, hours apart), some
 * tweets carrying one tag, some the other; a campaign of 12 accounts pushes a tag of its own 8
 * times, days apart, each member within a minute of the first.
 */
function eventAndCampaign(seed: number): TraceData {
  const random = mulberry32(seed);
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const post = (who: number, tag: number, at: number): void => { actor.push(who); key.push(tag); time.push(at); };
  for (let who = 0; who < ACTORS; who++) {
    const posts = 10 + Math.floor(random() * 30);
    for (let i = 0; i < posts; i++) post(who, Math.floor(TAGS * random() ** 3), random() * 30 * DAY);
  }
  const moments = [12 * DAY + 2 * HOUR, 12 * DAY + 5 * HOUR, 12 * DAY + 8 * HOUR];
  for (let who = CAMPAIGN; who < CAMPAIGN + CROWD; who++) {
    for (const moment of moments) {
      if (random() < 0.15) continue;
      post(who, EVENT_TAGS[random() < 0.5 ? 0 : 1], moment + random() * 2 * MINUTE);
      if (random() < 0.6) post(who, EVENT_TAGS[random() < 0.5 ? 0 : 1], moment + random() * 2 * MINUTE);
    }
  }
  for (let push = 0; push < PUSHES; push++) {
    const at = (1 + push * 3.5) * DAY + random() * 12 * HOUR;
    for (let who = 0; who < CAMPAIGN; who++) if (random() < 0.85) post(who, CAMPAIGN_TAG + push, at + random() * 40_000);
  }
  const n = actor.length;
  return { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from({ length: n }, (_, i) => i), actorCount: ACTORS, keyCount: CAMPAIGN_TAG + PUSHES };
}

/** The clusters lockstep flags: those no organic explanation accounts for (as `detect` decides). */
function flagged(result: DetectionResult): number[][] {
  return result.clusters.flatMap((cluster, index) => {
    const evidence = result.evidence[index];
    const explanation = organicExplanation({
      members: cluster.members.map((member) => ({ actor: member, actions: 1, topDomain: null, topDomainPosts: 0 })),
      repostAuthors: [], medianRepostDelayMs: null, traces: cluster.traces, exclusivity: evidence?.exclusivity ?? 0,
      ownSpanMs: evidence?.ownSpanMs ?? 0, medianShared: cluster.medianShared,
    });
    return explanation === null ? [cluster.members] : [];
  });
}

test('a live event\'s crowd is not flagged whatever Leiden\'s visiting order; a campaign over days is', () => {
  // The crowd's members, like everybody, also use the pool's rarer tags over the month, so some
  // pairs of them share a tag no one else used, or meet on one by chance: it is the event's
  // meetings, nine in ten of theirs, that fall within one day (ClusterEvidence.ownSpanMs).
  const traces = new Map<TraceName, TraceData>([['co-hashtag', eventAndCampaign(3)]]);
  for (const seed of [1, 2, 3, 42, 77]) {
    const result = detectCoordination({ actorCount: ACTORS, traces }, { cluster: { seed } });
    const clusters = flagged(result);
    const crowd = clusters.flat().filter((member) => member >= CAMPAIGN && member < CAMPAIGN + CROWD).length;
    const campaign = clusters.flat().filter((member) => member < CAMPAIGN).length;
    assert.equal(crowd, 0, `Leiden seed ${seed}: crowd accounts flagged`);
    assert.ok(campaign >= CAMPAIGN - 1, `Leiden seed ${seed}: campaign recalled`);
    assert.equal(clusters.flat().filter((member) => member >= CAMPAIGN + CROWD).length, 0, `Leiden seed ${seed}: organic accounts flagged`);
  }
});
