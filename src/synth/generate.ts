/**
 * The synthetic benchmark: an Information Operations archive (tweets + users) with planted
 * campaigns and organic confounders, and the truth about every account. Rows are produced lazily,
 * account by account (like the real files), from a plan that holds schedules only, so scale 100
 * (about 10M tweets) streams in memory bounded by the number of accounts.
 */
import { confounderOf, accountRows } from './account-rows.js';
import { profileOf } from './accounts.js';
import type { CampaignStyle } from './campaign-plan.js';
import { TRUTH_COLUMNS, TWEET_COLUMNS, USER_COLUMNS } from './format.js';
import { newCtx } from './rows.js';
import { planWorld, type SynthOptions, type World } from './world.js';

/** One planted campaign, as planned. */
export interface CampaignSummary {
  id: string;
  style: CampaignStyle;
  size: number;
  pushes: number;
  participation: number;
  medianDelaySeconds: number;
  activeFrom: number;
  activeTo: number;
}

/** What a world holds, for the CLI to print and for benchmarks to report. */
export interface SynthSummary {
  accounts: number;
  coordinatedAccounts: number;
  /** Planned tweets (the generated count differs by sampling noise). */
  expectedTweets: number;
  campaigns: readonly CampaignSummary[];
  viralCascades: readonly { size: number; medianDelayMinutes: number }[];
  liveEvents: readonly { tag: string; size: number; hours: number }[];
  syndicatedFeeds: readonly { outlet: string; accounts: number; articles: number }[];
  fanCommunities: readonly { fans: number; idolPosts: number }[];
}

/** The three tables of a synthetic archive: headers and lazily generated rows. */
export interface SynthTables {
  tweetColumns: readonly string[];
  userColumns: readonly string[];
  truthColumns: readonly string[];
  /** Each iteration regenerates the same rows (nothing is kept between iterations). */
  tweets: Iterable<string[]>;
  users: Iterable<string[]>;
  truth: Iterable<string[]>;
  summary: SynthSummary;
}

function* tweetRows(world: World): Generator<string[]> {
  const ctx = newCtx(world);
  for (let position = 0; position < world.accounts; position++) {
    const rows = accountRows(ctx, world.order[position] as number);
    for (let i = 0; i < rows.length; i++) yield rows[i] as string[];
  }
}

function* userRows(world: World): Generator<string[]> {
  for (let position = 0; position < world.accounts; position++) {
    yield [...profileOf(world, world.order[position] as number).fields];
  }
}

function* truthRows(world: World): Generator<string[]> {
  for (let position = 0; position < world.accounts; position++) {
    const account = world.order[position] as number;
    const userid = profileOf(world, account).userid;
    const confounder = confounderOf(world, account);
    if (confounder !== null) {
      yield [userid, '', '', confounder];
    } else {
      const campaign = world.campaigns[world.ref[account] as number];
      yield [userid, campaign?.id ?? '', campaign?.style ?? '', ''];
    }
  }
}

function summarize(world: World): SynthSummary {
  const organicTweets = (world.accounts - world.influencerEnd) * world.organicMedian * Math.exp((world.organicSigma ** 2) / 2);
  return {
    accounts: world.accounts,
    coordinatedAccounts: world.campaignEnd,
    expectedTweets: Math.round(world.expectedStructured + organicTweets),
    campaigns: world.campaigns.map((c) => ({
      id: c.id, style: c.style, size: c.size, pushes: c.pushes.length, participation: c.participation,
      medianDelaySeconds: c.delayMedianMs / 1000, activeFrom: c.activeFrom, activeTo: c.activeTo,
    })),
    viralCascades: world.cascades.map((c) => ({ size: c.size, medianDelayMinutes: c.delayMedianMs / 60_000 })),
    liveEvents: world.events.map((e) => ({ tag: e.tag, size: e.size, hours: e.durationMs / 3_600_000 })),
    syndicatedFeeds: world.feeds.map((g) => ({ outlet: g.name, accounts: g.size, articles: g.articleTimes.length })),
    fanCommunities: world.fans.map((f) => ({ fans: f.size, idolPosts: f.postTimes.length })),
  };
}

/**
 * A synthetic Twitter Information Operations archive with planted campaigns and hard organic
 * confounders. Deterministic for (seed, scale); different seeds change sizes, timings, counts and
 * mixes. Throws `cli/bad-option` for impossible options.
 * @example
 * const synth = generateSynthetic({ seed: 7, scale: 0.1 });
 * for (const row of synth.tweets) write(row); // 31 columns, header in synth.tweetColumns
 */
export function generateSynthetic(options?: Partial<SynthOptions>): SynthTables {
  const world = planWorld(options);
  return {
    tweetColumns: TWEET_COLUMNS,
    userColumns: USER_COLUMNS,
    truthColumns: TRUTH_COLUMNS,
    tweets: { [Symbol.iterator]: () => tweetRows(world) },
    users: { [Symbol.iterator]: () => userRows(world) },
    truth: { [Symbol.iterator]: () => truthRows(world) },
    summary: summarize(world),
  };
}
