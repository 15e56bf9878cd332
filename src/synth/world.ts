/**
 * The plan of one synthetic world: who the accounts are, which campaigns and organic crowds exist
 * and when they act. A plan holds schedules (O(accounts + events)), never tweets: the rows of an
 * account are derived from the plan and the account's own RNG stream when they are streamed.
 */
import { badOption } from '../model/index.js';
import { attachReplyTargets, planCampaigns, type CampaignPlan } from './campaign-plan.js';
import {
  planCascades, planEvents, planFans, planFeeds, planPopular, popularPostBefore,
  type Cascade, type FanCommunity, type FeedGroup, type LiveEvent, type PopularPool,
} from './confounder-plan.js';
import { DAY_MS, type TimePrecision } from './format.js';
import { AliasTable, mix32, mulberry32, permutation, uniform, type Rng, type RngFactory } from './rng.js';

/** Options of the synthetic archive. */
export interface SynthOptions {
  /** Any integer; the same (seed, scale) always gives the same rows. */
  seed: number;
  /** 1 is about 100,000 tweets and 5,000 accounts; both grow linearly. */
  scale: number;
  /** Start of the period, ms since the epoch (UTC). */
  start: number;
  /** Length of the period in days. */
  days: number;
  /** `minute` like the real archive (`YYYY-MM-DD HH:MM`), or `second`. */
  timePrecision: TimePrecision;
  /** The generator behind every stream; mulberry32 unless injected. */
  rng: RngFactory;
}

/** June and July 2019, minute precision, as in the Hong Kong release. */
export const SYNTH_DEFAULTS: SynthOptions = {
  seed: 1,
  scale: 1,
  start: Date.UTC(2019, 5, 1),
  days: 61,
  timePrecision: 'minute',
  rng: mulberry32,
};

export const ACCOUNTS_PER_SCALE = 5000;
export const TWEETS_PER_SCALE = 100_000;
/** Below this the crowds and campaigns no longer fit; smaller scales are floored here. */
export const MIN_ACCOUNTS = 300;

/** Keys of the independent RNG streams (mixed with the seed and an index). */
export const STREAM = { plan: 1, profile: 2, membership: 3, activity: 4, post: 5, article: 6, order: 8, cascade: 9, fan: 12 } as const;

/** The organic behaviours that must not be flagged, most lockstep-like first. */
export type Confounder = 'syndicated-feed' | 'fan-community' | 'live-event' | 'viral-cascade' | 'none';
export const CONFOUNDERS: readonly Confounder[] = ['syndicated-feed', 'fan-community', 'live-event', 'viral-cascade', 'none'];

export const ROLE = { campaign: 0, feed: 1, idol: 2, influencer: 3, regular: 4 } as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];

/** Draws of memberships in organic crowds: how many on average, and which (by crowd size). */
export interface CrowdDraw {
  mean: number;
  table: AliasTable | null;
}

/** A planned world: schedules and index ranges, from which every row is derived. */
export interface World {
  options: SynthOptions;
  seed: number;
  start: number;
  end: number;
  days: number;
  accounts: number;
  /** Output position -> account index (campaign members are not contiguous in the files). */
  order: Int32Array;
  /** Account index ranges: campaigns [0, campaignEnd), then feeds, idols, influencers, regular users. */
  campaignEnd: number;
  feedEnd: number;
  idolEnd: number;
  influencerEnd: number;
  /** Per account: its campaign, feed group, fan community or influencer rank (-1 for regular users). */
  ref: Int32Array;
  campaigns: CampaignPlan[];
  feeds: FeedGroup[];
  fans: FanCommunity[];
  cascades: Cascade[];
  events: LiveEvent[];
  popular: PopularPool;
  cascadesByAuthor: Map<number, number[]>;
  fanDraw: CrowdDraw;
  eventDraw: CrowdDraw;
  cascadeDraw: CrowdDraw;
  /** Feed groups weighted by their article count, for ordinary users sharing news. */
  articleTable: AliasTable | null;
  /** Median and log-sigma of an ordinary user's own activity (tweets in the period). */
  organicMedian: number;
  organicSigma: number;
  /** Expected tweets of the structured parts (campaigns and crowds), for the scale check. */
  expectedStructured: number;
}

/** The RNG stream for (purpose, ids...) of a world. */
export function streamOf(world: Pick<World, 'options' | 'seed'>, key: number, ...ids: readonly number[]): Rng {
  return world.options.rng(mix32(world.seed, key, ...ids));
}

/** The account role of an index. */
export function roleOf(world: World, account: number): Role {
  if (account < world.campaignEnd) return ROLE.campaign;
  if (account < world.feedEnd) return ROLE.feed;
  if (account < world.idolEnd) return ROLE.idol;
  if (account < world.influencerEnd) return ROLE.influencer;
  return ROLE.regular;
}

function checkOptions(options: SynthOptions): void {
  if (!Number.isInteger(options.seed)) throw badOption('--seed', `must be an integer, got ${options.seed}`);
  if (!Number.isFinite(options.scale) || options.scale <= 0 || options.scale > 10_000) {
    throw badOption('--scale', `must be a number above 0 and at most 10000 (1 = about 100,000 tweets), got ${options.scale}`);
  }
  if (!Number.isInteger(options.days) || options.days < 14 || options.days > 3650) {
    throw badOption('--days', `must be a whole number of days from 14 to 3650, got ${options.days}`);
  }
  if (!Number.isFinite(options.start) || options.start < Date.UTC(2012, 0, 1) || options.start > Date.UTC(2100, 0, 1)) {
    throw badOption('--start', `must be a time between 2012 and 2100 (ms since the epoch), got ${options.start}`);
  }
  if (options.timePrecision !== 'minute' && options.timePrecision !== 'second') {
    throw badOption('--time-precision', `must be 'minute' or 'second', got ${String(options.timePrecision)}`);
  }
}

function crowdDraw(sizes: readonly number[], population: number): CrowdDraw {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return { mean: population > 0 ? total / population : 0, table: total > 0 ? new AliasTable(sizes) : null };
}

/** Plans a world: every schedule, no tweets. Throws `cli/bad-option` on impossible options. */
export function planWorld(partial?: Partial<SynthOptions>): World {
  const options: SynthOptions = { ...SYNTH_DEFAULTS, ...partial };
  checkOptions(options);
  const seed = mix32(options.seed >>> 0, Math.floor(options.seed / 4294967296) >>> 0);
  const base = { options, seed };
  const rng = streamOf(base, STREAM.plan);
  const start = options.start;
  const end = start + options.days * DAY_MS;
  const accounts = Math.max(MIN_ACCOUNTS, Math.round(ACCOUNTS_PER_SCALE * options.scale));
  const scale = accounts / ACCOUNTS_PER_SCALE;
  const period = { start, end, days: options.days };

  const campaigns = planCampaigns(rng, period, accounts);
  const campaignEnd = campaigns.reduce((sum, campaign) => sum + campaign.size, 0);
  const feeds = planFeeds(rng, period, scale, campaignEnd);
  const feedEnd = feeds.reduce((at, group) => Math.max(at, group.first + group.size), campaignEnd);
  const influencerCount = Math.max(8, Math.round(accounts * uniform(rng, 0.004, 0.008)));
  // Fan communities are capped by the number of ordinary users, known once the idols are placed;
  // an estimate (a few idols at most per scale unit) is close enough for a cap.
  const regularEstimate = accounts - feedEnd - influencerCount - Math.ceil(3 * scale);
  const fans = planFans(rng, period, scale, feedEnd, regularEstimate);
  const idolEnd = feedEnd + fans.length;
  const influencerEnd = idolEnd + influencerCount;
  if (influencerEnd >= accounts) throw badOption('--scale', `too small for a world (needs more than ${influencerEnd} accounts)`);
  const regular = accounts - influencerEnd;
  const popular = planPopular(rng, period, idolEnd, influencerCount);
  attachReplyTargets(rng, campaigns, (time) => popularPostBefore(rng, popular, time));
  const cascades = planCascades(rng, period, scale, idolEnd, influencerCount, regular + campaignEnd);
  const events = planEvents(rng, period, scale, regular);

  const ref = new Int32Array(accounts).fill(-1);
  for (const campaign of campaigns) ref.fill(campaign.index, campaign.first, campaign.first + campaign.size);
  for (const group of feeds) ref.fill(group.index, group.first, group.first + group.size);
  for (const fan of fans) ref[fan.idol] = fan.index;
  for (let i = idolEnd; i < influencerEnd; i++) ref[i] = i - idolEnd;
  const cascadesByAuthor = new Map<number, number[]>();
  for (const cascade of cascades) {
    const list = cascadesByAuthor.get(cascade.author) ?? [];
    list.push(cascade.index);
    cascadesByAuthor.set(cascade.author, list);
  }

  // Ordinary users fill what the structured parts leave of the tweet budget (about 20 per account).
  const target = TWEETS_PER_SCALE * scale * uniform(rng, 0.92, 1.08);
  const structured =
    campaigns.reduce((sum, c) => sum + c.expectedTweets, 0) +
    feeds.reduce((sum, g) => sum + g.size * g.articleTimes.length, 0) +
    fans.reduce((sum, f) => sum + f.size * f.postTimes.length * 0.4 + f.postTimes.length, 0) +
    cascades.reduce((sum, c) => sum + c.size, 0) +
    events.reduce((sum, e) => sum + e.size * e.postsPerUser, 0) +
    popular.count;
  const organicSigma = uniform(rng, 1.0, 1.35);
  const organicMean = Math.max(4, (target - structured) / regular);
  const organicMedian = organicMean / Math.exp((organicSigma * organicSigma) / 2);

  const feedArticles = feeds.map((g) => g.articleTimes.length);
  return {
    options, seed, start, end, days: options.days, accounts,
    order: permutation(streamOf(base, STREAM.order), accounts),
    campaignEnd, feedEnd, idolEnd, influencerEnd, ref,
    campaigns, feeds, fans, cascades, events, popular, cascadesByAuthor,
    fanDraw: crowdDraw(fans.map((f) => f.size), regular),
    eventDraw: crowdDraw(events.map((e) => e.size), regular),
    cascadeDraw: crowdDraw(cascades.map((c) => c.size), regular + campaignEnd),
    articleTable: feedArticles.some((n) => n > 0) ? new AliasTable(feedArticles) : null,
    organicMedian, organicSigma, expectedStructured: structured,
  };
}
