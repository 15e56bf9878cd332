/**
 * Turning tweets into the 31 columns of the archive, and the posts others point at (seed tweets,
 * viral posts, idol posts, popular posts, news articles), derived on demand from their own streams
 * and cached (a few hundred thousand at most at scale 100).
 */
import { profileOf, type Profile } from './accounts.js';
import type { CampaignPlan } from './campaign-plan.js';
import { formatDate, formatTweetTime, listField, mentionField, snowflakeId, type TimePrecision } from './format.js';
import { AliasTable, chance, exponential, pick, zipfWeights, type Rng } from './rng.js';
import { headline, organicText, POPULAR_TAGS, slug, tcoLink, type Lang } from './text.js';
import { STREAM, streamOf, type World } from './world.js';

/** A post that others retweet, reply to or quote. */
export interface PostRef {
  id: string;
  time: number;
  authorId: string;
  authorHandle: string;
  text: string;
  lang: Lang;
  hashtags: readonly string[];
  urls: readonly string[];
  /** `RT @handle: text` as a retweet shows it (computed once per post). */
  retweetText: string;
  /** [authorId], the mentions of a retweet or reply. */
  authorMention: readonly string[];
  /** The hashtags, urls and mentions fields of a retweet of this post, written once. */
  retweetLists: readonly [string, string, string];
}

/** The empty list, shared (specs never mutate their lists). */
export const NO_ITEMS: readonly string[] = Object.freeze([]);

/** What one tweet says; `tweetRow` adds the account columns, ids and counts. */
export interface TweetSpec {
  /** A fixed id for posts others point at; otherwise a fresh snowflake. */
  id?: string;
  time: number;
  lang: string;
  text: string;
  hashtags: readonly string[];
  urls: readonly string[];
  mentions: readonly string[];
  client?: string;
  replyTo?: PostRef;
  quoted?: PostRef;
  retweetOf?: PostRef;
  /** Scales the engagement counts (a viral post has many retweets). */
  reach?: number;
}

/** A news article of an outlet (posted by its feeds, shared by ordinary users). */
export interface Article {
  url: string;
  headline: string;
  lang: Lang;
  time: number;
}

/** A map that forgets everything when full: the rows of one account hit the same few keys. */
class Cache<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly limit: number) {}
  get(key: number): V | undefined {
    return this.map.get(key);
  }
  set(key: number, value: V): V {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

/** Shared state of one pass over the world (caches of the accounts and posts others point at). */
export interface Ctx {
  world: World;
  precision: TimePrecision;
  profiles: Map<number, Profile>;
  popular: Cache<PostRef>;
  cascades: Cache<PostRef>;
  idols: Cache<PostRef>;
  seeds: Cache<PostRef>;
  articles: Cache<Article>;
}

const CACHE_LIMIT = 50_000;
/** Keys of per-crowd posts: crowd index * 2^20 + post index (at most 2^20 posts per crowd). */
const SUB = 1_048_576;

/** Fresh caches for one pass over a world (each iteration of the tweets starts one). */
export function newCtx(world: World): Ctx {
  return {
    world, precision: world.options.timePrecision, profiles: new Map(),
    popular: new Cache(CACHE_LIMIT), cascades: new Cache(CACHE_LIMIT), idols: new Cache(CACHE_LIMIT),
    seeds: new Cache(CACHE_LIMIT), articles: new Cache(CACHE_LIMIT),
  };
}

const TAG_TABLE = new AliasTable(zipfWeights(POPULAR_TAGS.length, 1));

/** 1-2 everyday hashtags, most often the popular ones. */
export function popularTags(rng: Rng): string[] {
  const first = POPULAR_TAGS[TAG_TABLE.sample(rng)] as string;
  if (chance(rng, 0.6)) return [first];
  const second = POPULAR_TAGS[TAG_TABLE.sample(rng)] as string;
  return second === first ? [first] : [first, second];
}

/** The profile of an account that others point at (cached). */
export function publicProfile(ctx: Ctx, account: number): Profile {
  let profile = ctx.profiles.get(account);
  if (profile === undefined) {
    profile = profileOf(ctx.world, account);
    ctx.profiles.set(account, profile);
  }
  return profile;
}

function withTags(text: string, tags: readonly string[]): string {
  return tags.length === 0 ? text : `${text} ${tags.map((tag) => `#${tag}`).join(' ')}`;
}

type PostContent = Omit<PostRef, 'id' | 'time' | 'authorId' | 'authorHandle' | 'retweetText' | 'authorMention' | 'retweetLists'>;

function authored(ctx: Ctx, account: number, id: string, time: number, content: PostContent): PostRef {
  const author = publicProfile(ctx, account);
  const retweetText = truncate(`RT @${author.handle}: ${content.text}`, 140);
  const authorMention = [author.userid];
  const retweetLists = [listField(content.hashtags), listField(content.urls), mentionField(authorMention)] as const;
  return { id, time, authorId: author.userid, authorHandle: author.handle, retweetText, authorMention, retweetLists, ...content };
}

/** A news article of a feed group: its URL, headline and publication time. */
export function article(ctx: Ctx, group: number, k: number): Article {
  const key = group * SUB + k;
  const hit = ctx.articles.get(key);
  if (hit !== undefined) return hit;
  const feed = ctx.world.feeds[group];
  if (feed === undefined) throw new Error(`no feed group ${group}`);
  const rng = streamOf(ctx.world, STREAM.article, group, k);
  const time = feed.articleTimes[k] as number;
  const date = formatDate(time).replaceAll('-', '/');
  return ctx.articles.set(key, { url: `https://www.${feed.domain}/news/${date}/${slug(rng)}-${feed.articleLows[k] as number}`, headline: headline(rng, feed.lang), lang: feed.lang, time });
}

/** A random article for an ordinary user to share, or null when the world has no outlets. */
export function randomArticle(ctx: Ctx, rng: Rng): Article | null {
  const table = ctx.world.articleTable;
  if (table === null) return null;
  const group = table.sample(rng);
  const count = ctx.world.feeds[group]?.articleTimes.length ?? 0;
  return count === 0 ? null : article(ctx, group, Math.floor(rng() * count));
}

/** Post `index` of the popular pool (an influencer's daily post). */
export function popularPost(ctx: Ctx, index: number): PostRef {
  const key = index;
  const hit = ctx.popular.get(key);
  if (hit !== undefined) return hit;
  const pool = ctx.world.popular;
  const author = pool.authors[index] as number;
  const rng = streamOf(ctx.world, STREAM.post, index);
  const lang: Lang = chance(rng, publicProfile(ctx, author).zhShare) ? 'zh' : 'en';
  const time = pool.times[index] as number;
  const tags = chance(rng, 0.35) ? popularTags(rng) : [];
  const news = chance(rng, 0.25) ? randomArticle(ctx, rng) : null;
  const text = news === null ? organicText(rng, lang) : `${news.headline} ${tcoLink(rng)}`;
  return ctx.popular.set(key, authored(ctx, author, snowflakeId(time, pool.lows[index] as number), time, {
    text: withTags(text, tags), lang, hashtags: tags, urls: news === null ? [] : [news.url],
  }));
}

/** The post that viral cascade `index` spreads. */
export function cascadePost(ctx: Ctx, index: number): PostRef {
  const key = index;
  const hit = ctx.cascades.get(key);
  if (hit !== undefined) return hit;
  const cascade = ctx.world.cascades[index];
  if (cascade === undefined) throw new Error(`no cascade ${index}`);
  const rng = streamOf(ctx.world, STREAM.cascade, index);
  const tags = chance(rng, 0.5) ? popularTags(rng) : [];
  const text = `${organicText(rng, cascade.lang)} ${tcoLink(rng)}`;
  return ctx.cascades.set(key, authored(ctx, cascade.author, snowflakeId(cascade.time, cascade.low), cascade.time, {
    text: withTags(text, tags), lang: cascade.lang, hashtags: tags, urls: [],
  }));
}

/** Post `k` of the idol of fan community `index`. */
export function idolPost(ctx: Ctx, index: number, k: number): PostRef {
  const key = index * SUB + k;
  const hit = ctx.idols.get(key);
  if (hit !== undefined) return hit;
  const community = ctx.world.fans[index];
  if (community === undefined) throw new Error(`no fan community ${index}`);
  const rng = streamOf(ctx.world, STREAM.fan, index, k);
  const time = community.postTimes[k] as number;
  const tags = chance(rng, 0.6) ? [community.tag] : [];
  const text = `${organicText(rng, community.lang)} ${pick(rng, ['❤️', '🎤', '✨', '🙏', '😘'])}`;
  return ctx.idols.set(key, authored(ctx, community.idol, snowflakeId(time, community.postLows[k] as number), time, {
    text: withTags(text, tags), lang: community.lang, hashtags: tags, urls: [],
  }));
}

/** The seed tweet of push `p` of a campaign, posted by one of its source accounts. */
export function seedPost(ctx: Ctx, campaign: CampaignPlan, p: number): PostRef {
  const key = campaign.index * SUB + p;
  const hit = ctx.seeds.get(key);
  if (hit !== undefined) return hit;
  const push = campaign.pushes[p];
  if (push === undefined) throw new Error(`no push ${p} in campaign ${campaign.id}`);
  return ctx.seeds.set(key, authored(ctx, campaign.first + push.source, snowflakeId(push.time, push.low), push.time, {
    text: push.text, lang: push.lang, hashtags: push.tags, urls: [],
  }));
}

function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${Array.from(text).slice(0, limit - 1).join('')}…`;
}

/** The row of a post others point at, in its author's own timeline. */
export function originalSpec(post: PostRef, reach: number): TweetSpec {
  return { id: post.id, time: post.time, lang: post.lang, text: post.text, hashtags: post.hashtags, urls: post.urls, mentions: NO_ITEMS, reach };
}

/** A retweet of `post` at `time`, as the archive shows it (`RT @handle: text`). */
export function retweetSpec(post: PostRef, time: number): TweetSpec {
  return {
    time, lang: post.lang, text: post.retweetText,
    hashtags: post.hashtags, urls: post.urls, mentions: post.authorMention, retweetOf: post,
  };
}

const EMPTY_LIST_AS_BLANK = 0.04;

/**
 * The 31 columns of one tweet: the account's row template with the tweet's fields set. Ids are
 * snowflakes of the exact time; `tweet_time` is rounded to the chosen precision; coordinates are
 * `absent`; a few rows write empty lists as blank fields.
 */
export function tweetRow(ctx: Ctx, profile: Profile, spec: TweetSpec, rng: Rng): string[] {
  const blank = rng() < EMPTY_LIST_AS_BLANK;
  const rt = spec.retweetOf;
  const row = profile.row.slice();
  row[0] = spec.id ?? snowflakeId(spec.time, Math.floor(rng() * 0x400000));
  row[11] = spec.lang;
  row[12] = spec.text;
  row[13] = formatTweetTime(spec.time, ctx.precision);
  if (spec.client !== undefined) row[14] = spec.client;
  if (spec.replyTo !== undefined) {
    row[15] = spec.replyTo.authorId;
    row[16] = spec.replyTo.id;
  }
  if (spec.quoted !== undefined) row[17] = spec.quoted.id;
  if (rt !== undefined) {
    row[18] = 'true';
    row[19] = rt.authorId;
    row[20] = rt.id;
  } else if (rng() < 0.5) {
    const likes = Math.floor(exponential(rng, (1 + profile.followers / 400) * (spec.reach ?? 1)));
    row[23] = String(Math.floor(likes * rng() * 0.03));
    row[24] = String(Math.floor(likes * rng() * 0.1));
    row[25] = String(likes);
    row[26] = String(Math.floor(likes * rng() * 0.4));
  }
  const lists = rt?.retweetLists;
  row[27] = spec.hashtags.length === 0 ? (blank ? '' : '[]') : lists?.[0] ?? listField(spec.hashtags);
  row[28] = spec.urls.length === 0 ? (blank ? '' : '[]') : lists?.[1] ?? listField(spec.urls);
  row[29] = spec.mentions.length === 0 ? (blank ? '' : '[]') : lists?.[2] ?? mentionField(spec.mentions);
  return row;
}

/** Collects the rows of one account, dropping anything outside the period. */
export class AccountRows {
  readonly rows: string[][] = [];
  constructor(private readonly ctx: Ctx, readonly profile: Profile, readonly rng: Rng) {}

  /** Adds a tweet; false (and nothing added) when its time falls outside the period. */
  add(spec: TweetSpec): boolean {
    if (!(spec.time >= this.ctx.world.start && spec.time < this.ctx.world.end)) return false;
    this.rows.push(tweetRow(this.ctx, this.profile, spec, this.rng));
    return true;
  }
}
