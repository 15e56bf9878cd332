/**
 * Everything one account does, and the truth about it. Crowd memberships come from a stream of
 * their own (so truth.csv needs no tweets); memberships overlap freely: a fan can also tweet a
 * live event and retweet viral posts, and campaign accounts retweet viral posts like anyone.
 */
import { assertNever } from '../model/index.js';
import { profileOf, type Profile } from './accounts.js';
import { emitCampaignMember } from './campaign-emit.js';
import { emitCascadeRetweet, emitEventPosts, emitFan, emitFeed, emitIdolPosts, emitInfluencerPosts } from './crowds.js';
import { DAY_MS } from './format.js';
import { emitOrganic, organicStyle, type ActiveTime } from './organic.js';
import { chance, lognormal, poisson, randInt, shuffle, type Rng } from './rng.js';
import { AccountRows, publicProfile, type Ctx } from './rows.js';
import { diurnalTime } from './tempo.js';
import { ROLE, roleOf, STREAM, streamOf, type Confounder, type CrowdDraw, type World } from './world.js';

export interface Memberships {
  fans: number[];
  events: number[];
  cascades: number[];
}

const NONE: Memberships = { fans: [], events: [], cascades: [] };

function drawCrowds(rng: Rng, draw: CrowdDraw): number[] {
  if (draw.table === null) return [];
  const picked: number[] = [];
  const count = poisson(rng, draw.mean);
  for (let i = 0; i < count; i++) {
    const crowd = draw.table.sample(rng);
    if (!picked.includes(crowd)) picked.push(crowd);
  }
  return picked;
}

/** The organic crowds an account belongs to (campaign accounts: viral cascades only). */
export function membershipsOf(world: World, account: number): Memberships {
  const role = roleOf(world, account);
  if (role !== ROLE.regular && role !== ROLE.campaign) return NONE;
  const rng = streamOf(world, STREAM.membership, account);
  const fans = drawCrowds(rng, world.fanDraw);
  const events = drawCrowds(rng, world.eventDraw);
  const cascades = drawCrowds(rng, world.cascadeDraw);
  return role === ROLE.campaign ? { fans: [], events: [], cascades } : { fans, events, cascades };
}

/**
 * The confounder label of an organic account: the most lockstep-like crowd it belongs to
 * (syndicated-feed > fan-community > live-event > viral-cascade > none); null for campaign accounts.
 */
export function confounderOf(world: World, account: number): Confounder | null {
  const role = roleOf(world, account);
  switch (role) {
    case ROLE.campaign: return null;
    case ROLE.feed: return 'syndicated-feed';
    case ROLE.idol: return 'fan-community';
    case ROLE.influencer: return world.cascadesByAuthor.has(account) ? 'viral-cascade' : 'none';
    case ROLE.regular: {
      const m = membershipsOf(world, account);
      if (m.fans.length > 0) return 'fan-community';
      if (m.events.length > 0) return 'live-event';
      if (m.cascades.length > 0) return 'viral-cascade';
      return 'none';
    }
    default:
      return assertNever(role);
  }
}

/** An ordinary user's active span: usually the whole period, sometimes a stretch of it. */
function activeTime(world: World, profile: Profile, rng: Rng): ActiveTime {
  let firstDay = 0;
  let lastDay = world.days;
  if (chance(rng, 0.2) && world.days > 21) {
    const length = randInt(rng, 14, world.days);
    firstDay = randInt(rng, 0, world.days - length);
    lastDay = firstDay + length;
  }
  const from = world.start + firstDay * DAY_MS;
  const days = lastDay - firstDay;
  return { from, to: world.start + lastDay * DAY_MS, draw: (r) => diurnalTime(r, from + Math.floor(r() * days) * DAY_MS, profile.utcOffset) };
}

function isSource(world: World, account: number): boolean {
  const campaign = world.campaigns[world.ref[account] as number];
  return campaign !== undefined && account - campaign.first < campaign.sources;
}

function ordinaryCount(rng: Rng, median: number, sigma: number): number {
  return Math.min(20_000, Math.round(lognormal(rng, median, sigma)));
}

/** The rows of one account, in no particular order (like the real files, grouped by account). */
export function accountRows(ctx: Ctx, account: number): string[][] {
  const world = ctx.world;
  const role = roleOf(world, account);
  // Only campaign sources, idols and influencers are pointed at by others; the rest need no cache.
  const pointedAt = role === ROLE.idol || role === ROLE.influencer || (role === ROLE.campaign && isSource(world, account));
  const profile = pointedAt ? publicProfile(ctx, account) : profileOf(world, account);
  const rng = streamOf(world, STREAM.activity, account);
  const out = new AccountRows(ctx, profile, rng);
  const ref = world.ref[account] as number;
  const memberships = membershipsOf(world, account);
  switch (role) {
    case ROLE.campaign: {
      const campaign = world.campaigns[ref];
      if (campaign === undefined) break;
      emitCampaignMember(ctx, out, campaign, account - campaign.first);
      const notBefore = profile.repurposed ? campaign.activeFrom : world.start;
      for (const cascade of memberships.cascades) emitCascadeRetweet(ctx, out, cascade, notBefore);
      break;
    }
    case ROLE.feed:
      emitFeed(ctx, out, ref, account - (world.feeds[ref]?.first ?? account));
      break;
    case ROLE.idol:
      emitIdolPosts(ctx, out, ref);
      emitOrganic(ctx, out, ordinaryCount(rng, 8, 0.8), organicStyle(rng), activeTime(world, profile, rng));
      break;
    case ROLE.influencer:
      emitInfluencerPosts(ctx, out, ref);
      emitOrganic(ctx, out, ordinaryCount(rng, 5, 0.8), organicStyle(rng), activeTime(world, profile, rng));
      break;
    case ROLE.regular: {
      for (const community of memberships.fans) emitFan(ctx, out, community);
      for (const event of memberships.events) emitEventPosts(ctx, out, event);
      for (const cascade of memberships.cascades) emitCascadeRetweet(ctx, out, cascade, world.start);
      emitOrganic(ctx, out, ordinaryCount(rng, world.organicMedian, world.organicSigma), organicStyle(rng), activeTime(world, profile, rng));
      break;
    }
    default:
      assertNever(role);
  }
  return shuffle(rng, out.rows);
}
