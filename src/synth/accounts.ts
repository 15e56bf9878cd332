/**
 * Account profiles: the 10 user columns and what drives an account's tweets. Derived from the
 * account's own stream, so users.csv and tweets.csv agree without storing profiles.
 * Like the real releases, accounts under 5,000 followers are hashed (userid, display name and
 * screen name all become the base64 digest); the others keep a numeric id that matches their
 * creation date. Campaign members carry the marks attribution looks for: creation-date bursts,
 * a handle template, few followers (a share bought above 5,000), repurposed old accounts.
 */
import { formatDate, hashedUserId, numericUserId, DAY_MS } from './format.js';
import { chance, lognormal, pick, uniform, type Rng } from './rng.js';
import {
  BIOS, campaignHandle, displayName, FEED_CLIENTS, LOCATIONS, ORGANIC_CLIENTS, organicHandle, randomAlnum, type OldLang,
} from './text.js';
import { ROLE, roleOf, STREAM, streamOf, type World } from './world.js';

/** Accounts under this many followers are hashed in the archive. */
export const HASH_BELOW_FOLLOWERS = 5000;

export interface Profile {
  account: number;
  userid: string;
  /** The real handle (tweets that mention or retweet the account show it). */
  handle: string;
  /** The 10 columns of users.csv (also columns 2-11 of tweets.csv). */
  fields: readonly string[];
  /** A tweets.csv row with the account's columns and the constant ones filled in. */
  row: readonly string[];
  followers: number;
  created: number;
  /** Probability that one of its tweets is in Chinese. */
  zhShare: number;
  utcOffset: number;
  client: string;
  /** A repurposed old account of a campaign: a few tweets in `oldLang`, then dormant. */
  repurposed: boolean;
  oldLang: OldLang;
}

const FEED_SUFFIXES = ['', 'HK', 'News', 'Biz', 'World', 'Live', 'Asia', 'Breaking'];
const OLD_LANGUAGES: readonly OldLang[] = ['en', 'ru', 'es', 'pt'];
const clampBelow = (value: number, limit: number): number => Math.min(Math.round(value), limit - 1);
const clampFrom = (value: number, limit: number): number => Math.max(Math.round(value), limit);

interface Draft {
  handle: string;
  name: string;
  location: string;
  description: string;
  profileUrl: string;
  followers: number;
  following: number;
  created: number;
  language: string;
  zhShare: number;
  utcOffset: number;
  client: string;
  repurposed: boolean;
}

function organicLanguage(rng: Rng): Pick<Draft, 'language' | 'zhShare' | 'utcOffset'> {
  const u = rng();
  if (u < 0.45) return { language: pick(rng, ['zh-cn', 'zh-tw', 'zh-tw', 'zh-hk']), zhShare: 0.85, utcOffset: 8 };
  if (u < 0.9) return { language: pick(rng, ['en', 'en', 'en-gb']), zhShare: 0.08, utcOffset: chance(rng, 0.6) ? 8 : pick(rng, [0, 1, -5, -8]) };
  return { language: pick(rng, ['en', 'zh-cn', 'ja']), zhShare: 0.5, utcOffset: 8 };
}

function campaignDraft(world: World, account: number, rng: Rng): Draft {
  const campaign = world.campaigns[world.ref[account] as number];
  if (campaign === undefined) throw new Error(`account ${account} has no campaign`);
  const member = account - campaign.first;
  const repurposed = member >= campaign.sources && chance(rng, campaign.repurposedShare);
  const inBurst = chance(rng, 0.8);
  const created = repurposed
    ? uniform(rng, Date.UTC(2009, 0, 1), Date.UTC(2014, 11, 31))
    : inBurst ? campaign.burstFrom + rng() * campaign.burstDays * DAY_MS : campaign.burstFrom - uniform(rng, 0, 180) * DAY_MS;
  const bought = !repurposed && chance(rng, campaign.boughtShare);
  const zh = chance(rng, campaign.zhShare);
  return {
    handle: campaignHandle(rng, campaign.handleStyle),
    name: displayName(rng, chance(rng, 0.6)),
    location: chance(rng, 0.85) ? '' : pick(rng, LOCATIONS),
    description: chance(rng, 0.8) ? '' : pick(rng, BIOS),
    profileUrl: '',
    followers: bought ? clampFrom(lognormal(rng, 12_000, 0.5), HASH_BELOW_FOLLOWERS) : clampBelow(lognormal(rng, repurposed ? 60 : 8, 1.4), HASH_BELOW_FOLLOWERS),
    following: Math.round(lognormal(rng, 60, 0.8)),
    created,
    language: repurposed ? (chance(rng, 0.2) ? 'en-gb' : pick(rng, OLD_LANGUAGES)) : zh ? (chance(rng, 0.9) ? 'zh-cn' : pick(rng, ['zh-CN', 'zh-tw'])) : 'en',
    zhShare: campaign.zhShare,
    utcOffset: campaign.tempo.utcOffset,
    client: campaign.client,
    repurposed,
  };
}

function feedDraft(world: World, account: number, rng: Rng): Draft {
  const group = world.feeds[world.ref[account] as number];
  if (group === undefined) throw new Error(`account ${account} has no feed group`);
  const member = account - group.first;
  const suffix = FEED_SUFFIXES[member % FEED_SUFFIXES.length] as string;
  return {
    handle: `${group.name}${suffix}`.slice(0, 15),
    name: `${group.name} ${suffix}`.trim(),
    location: 'Hong Kong',
    description: group.lang === 'zh' ? `${group.name} 新闻` : `News from ${group.name}. Follow for breaking stories.`,
    profileUrl: `https://t.co/${randomAlnum(rng, 10)}`,
    followers: clampFrom(lognormal(rng, 80_000, 1.2), HASH_BELOW_FOLLOWERS),
    following: Math.round(lognormal(rng, 300, 1)),
    created: uniform(rng, Date.UTC(2009, 0, 1), Date.UTC(2013, 11, 31)),
    language: group.lang === 'zh' ? 'zh-tw' : 'en',
    zhShare: group.lang === 'zh' ? 0.95 : 0.05,
    utcOffset: 8,
    client: pick(rng, FEED_CLIENTS),
    repurposed: false,
  };
}

function organicDraft(world: World, account: number, rng: Rng, role: number): Draft {
  const language = organicLanguage(rng);
  const created = role === ROLE.regular
    ? Date.UTC(2008, 0, 1) + Math.sqrt(rng()) * (world.start - 7 * DAY_MS - Date.UTC(2008, 0, 1))
    : uniform(rng, Date.UTC(2008, 0, 1), Date.UTC(2016, 0, 1));
  let followers = Math.round(lognormal(rng, 150, 1.6));
  if (role === ROLE.idol) followers = clampFrom(lognormal(rng, 800_000, 0.8), 50_000);
  if (role === ROLE.influencer) followers = clampFrom((2_000_000 / Math.pow((world.ref[account] as number) + 1, 0.8)) * lognormal(rng, 1, 0.3), HASH_BELOW_FOLLOWERS);
  const fan = role === ROLE.idol ? world.fans[world.ref[account] as number] : undefined;
  return {
    handle: organicHandle(rng),
    name: displayName(rng, language.zhShare > 0.5 && chance(rng, 0.7)),
    location: chance(rng, 0.5) ? '' : pick(rng, LOCATIONS),
    description: chance(rng, 0.4) ? '' : pick(rng, BIOS),
    profileUrl: chance(rng, 0.1) ? `https://t.co/${randomAlnum(rng, 10)}` : '',
    followers,
    following: Math.round(lognormal(rng, 200, 1)),
    created,
    ...language,
    ...(fan === undefined ? {} : { zhShare: fan.lang === 'zh' ? 0.9 : 0.1 }),
    client: pick(rng, ORGANIC_CLIENTS),
    repurposed: false,
  };
}

function oldLanguage(language: string): OldLang {
  const base = language.slice(0, 2);
  return base === 'ru' || base === 'es' || base === 'pt' ? base : 'en';
}

/**
 * The profile of an account (deterministic for a world and an index).
 * @example profileOf(world, 0).fields[0] // its userid
 */
export function profileOf(world: World, account: number): Profile {
  const rng = streamOf(world, STREAM.profile, account);
  const role = roleOf(world, account);
  const draft = role === ROLE.campaign ? campaignDraft(world, account, rng)
    : role === ROLE.feed ? feedDraft(world, account, rng)
    : organicDraft(world, account, rng, role);
  const created = Math.floor(draft.created);
  const hashed = draft.followers < HASH_BELOW_FOLLOWERS;
  const userid = hashed ? hashedUserId(rng, account) : numericUserId(created, rng, account);
  const fields = [
    userid, hashed ? userid : draft.name, hashed ? userid : draft.handle, draft.location, draft.description,
    draft.profileUrl, String(draft.followers), String(draft.following), formatDate(created), draft.language,
  ];
  // tweetid, account columns, tweet_language, tweet_text, tweet_time, client, reply (2), quoted,
  // is_retweet, retweet (2), latitude, longitude, counts (4), lists (3), poll_choices.
  const row = ['', ...fields, '', '', '', draft.client, '', '', '', 'false', '', '', 'absent', 'absent', '0', '0', '0', '0', '[]', '[]', '[]', ''];
  return {
    account, userid, handle: draft.handle, fields, row, followers: draft.followers, created,
    zhShare: draft.zhShare, utcOffset: draft.utcOffset, client: draft.client,
    repurposed: draft.repurposed, oldLang: oldLanguage(draft.language),
  };
}
