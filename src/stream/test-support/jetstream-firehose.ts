/**
 * The organic part of a firehose-like Jetstream stream (jetstreamStream's `firehose` option): many
 * accounts with heavy-tailed activity (most act once or twice, a few thousands of times),
 * heavy-tailed hashtags and links with many seen once, reposts, replies and quotes of recent posts
 * (popular ones more often), mentions of active accounts, and optionally likes and follows (no
 * trace event, only bytes for the front end to read). Lines are written as Jetstream writes them
 * (dids and rkeys of real length, facets, embeds), without JSON.stringify: generation is the
 * bench's set-up, millions of lines.
 */
import type { Rng } from '../../model/index.js';

export interface FirehoseShape {
  /** Activity of the account of rank r ∝ r^-activityExponent (0: uniform). */
  activityExponent: number;
  /** Hashtag and link vocabularies (distinct keys), and their popularity exponent (rank r ∝ r^-keyExponent). */
  hashtags: number;
  links: number;
  keyExponent: number;
  /** Shares of lines: reposts, likes, follows; the rest are posts. */
  repostShare: number;
  likeShare: number;
  followShare: number;
  /** Shares of posts that are replies, quotes; that carry hashtags (1-3), a link, a mention. */
  replyShare: number;
  quoteShare: number;
  tagShare: number;
  linkShare: number;
  mentionShare: number;
}

/**
 * Shares of a 2024-25 Bluesky firehose's posts and reposts, from its public statistics as we read
 * them (about 40% of posts replies, ~1 in 10 a quote, a minority with a hashtag, link or mention).
 * Likes and follows (most of a real firehose's lines) give no trace event: off by default.
 */
export const FIREHOSE_DEFAULTS: Readonly<FirehoseShape> = Object.freeze({
  activityExponent: 0.7, hashtags: 200_000, links: 1_000_000, keyExponent: 1,
  repostShare: 0.3, likeShare: 0, followShare: 0,
  replyShare: 0.4, quoteShare: 0.1, tagShare: 0.25, linkShare: 0.25, mentionShare: 0.15,
});

/** Where a line goes: its event time (ms from the start) and the line. */
export type EmitLine = (time: number, line: string) => void;

/**
 * A rank in [0, n) drawn with P(r) ∝ ∫ x^-s over [r + 1, r + 2] (≈ (r + 1.5)^-s), by the inverse
 * of the continuous law's CDF: one rng call and no table of n weights.
 */
export function powerRank(n: number, s: number, u: number): number {
  const x = Math.abs(s - 1) < 1e-9 ? Math.exp(u * Math.log(n + 1)) : ((n + 1) ** (1 - s) - 1) * u + 1;
  const value = Math.abs(s - 1) < 1e-9 ? x : x ** (1 / (1 - s));
  return Math.min(n - 1, Math.floor(value) - 1);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/**
 * A did like a real one (did:plc: and 24 base-32 characters that look random, so dids share no
 * prefix past `did:plc:`, as real ones do; labels are sorted and front-coded by their prefixes)
 * for account `rank`: 19 characters from a hash of the rank, then the rank itself (unique).
 */
export function firehoseDid(rank: number): string {
  let text = 'did:plc:', h = Math.imul(rank ^ 0x9e3779b9, 0x85ebca6b);
  for (let i = 0; i < 19; i++) {
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ i;
    text += BASE32[(h >>> 27) & 31];
  }
  for (let i = 4; i >= 0; i--) text += BASE32[Math.floor(rank / 32 ** i) % 32];
  return text;
}
const rkeyOf = (n: number): string => `3l${n.toString(32).padStart(11, 'k')}`;
const TEXTS = [
  'good morning everyone, coffee first and then the rest of the day',
  'this is the best thing I have read all week, everyone should see it',
  'ok but why is nobody talking about this',
  'new blog post is up, thoughts welcome. it took me far too long to write and I am still not sure about the ending',
  'lol',
  'we need to talk about the state of public transport in this city, again',
];
const CREATED = '2024-07-03T00:00:00.000Z';
const RECENT = 50_000, VIRAL = 500;

/**
 * Emits `lines` organic lines over `durationMs` of event time, in time order (reposts, replies and
 * quotes target posts made before them).
 */
export function firehoseLines(shape: FirehoseShape, accounts: number, lines: number, durationMs: number, startUs: number, rng: Rng, emit: EmitLine): void {
  const recent: string[] = [], viral: string[] = [];
  let recentAt = 0, viralAt = 0, rkey = 0;
  const account = (): string => firehoseDid(powerRank(accounts, shape.activityExponent, rng()));
  const recentPost = (): string | undefined => {
    if (recent.length === 0) return undefined;
    if (viral.length > 0 && rng() < 0.5) return viral[(viralAt - 1 - powerRank(viral.length, 1, rng()) + VIRAL) % viral.length];
    return recent[Math.floor(rng() * recent.length)];
  };
  const line = (did: string, time: number, collection: string, key: string, record: string): string =>
    `{"did":"${did}","time_us":${startUs + Math.round(time * 1000)},"kind":"commit","commit":{"rev":"${key}","operation":"create","collection":"${collection}","rkey":"${key}","record":${record},"cid":"bafyrei${key}"}}`;
  const ref = (uri: string): string => `{"uri":"${uri}","cid":"bafyreicid"}`;
  for (let i = 0; i < lines; i++) {
    const time = ((i + rng()) / lines) * durationMs;
    const did = account(), key = rkeyOf(rkey++);
    const kind = rng();
    if (kind < shape.repostShare) {
      const target = recentPost();
      if (target !== undefined) {
        emit(time, line(did, time, 'app.bsky.feed.repost', key, `{"$type":"app.bsky.feed.repost","subject":${ref(target)},"createdAt":"${CREATED}"}`));
        continue;
      }
    } else if (kind < shape.repostShare + shape.likeShare) {
      const target = recentPost();
      if (target !== undefined) {
        emit(time, line(did, time, 'app.bsky.feed.like', key, `{"$type":"app.bsky.feed.like","subject":${ref(target)},"createdAt":"${CREATED}"}`));
        continue;
      }
    } else if (kind < shape.repostShare + shape.likeShare + shape.followShare) {
      emit(time, line(did, time, 'app.bsky.graph.follow', key, `{"$type":"app.bsky.graph.follow","subject":"${account()}","createdAt":"${CREATED}"}`));
      continue;
    }
    emit(time, line(did, time, 'app.bsky.feed.post', key, postRecord(shape, accounts, rng, recentPost)));
    const uri = `at://${did}/app.bsky.feed.post/${key}`;
    if (recent.length < RECENT) recent.push(uri);
    else recent[recentAt] = uri;
    recentAt = (recentAt + 1) % RECENT;
    if (rng() < 0.02) {
      if (viral.length < VIRAL) viral.push(uri);
      else viral[viralAt] = uri;
      viralAt = (viralAt + 1) % VIRAL;
    }
  }
}

/** A post's record: text, facets (tags, a link, a mention), and a reply or a quote of a recent post. */
function postRecord(shape: FirehoseShape, accounts: number, rng: Rng, recentPost: () => string | undefined): string {
  const facets: string[] = [];
  const facet = (feature: string): void => {
    facets.push(`{"index":{"byteStart":0,"byteEnd":8},"features":[${feature}]}`);
  };
  if (rng() < shape.tagShare) {
    for (let n = 1 + Math.floor(rng() * rng() * 3); n > 0; n--) facet(`{"$type":"app.bsky.richtext.facet#tag","tag":"tag${powerRank(shape.hashtags, shape.keyExponent, rng()).toString(36)}"}`);
  }
  let embed = '';
  if (rng() < shape.linkShare) {
    const link = powerRank(shape.links, shape.keyExponent, rng());
    const uri = `https://site${(link % 997).toString(36)}.example/p/${link.toString(36)}`;
    // Half the links as a facet in the text, half as an external card (both read as co-link).
    if (rng() < 0.5) facet(`{"$type":"app.bsky.richtext.facet#link","uri":"${uri}"}`);
    else embed = `,"embed":{"$type":"app.bsky.embed.external","external":{"uri":"${uri}","title":"a page","description":""}}`;
  }
  if (rng() < shape.mentionShare) facet(`{"$type":"app.bsky.richtext.facet#mention","did":"${firehoseDid(powerRank(accounts, shape.activityExponent, rng()))}"}`);
  let reply = '';
  const shape2 = rng();
  const target = shape2 < shape.replyShare + shape.quoteShare ? recentPost() : undefined;
  if (target !== undefined && shape2 < shape.replyShare) reply = `,"reply":{"root":{"uri":"${target}","cid":"bafyreicid"},"parent":{"uri":"${target}","cid":"bafyreicid"}}`;
  else if (target !== undefined && embed === '') embed = `,"embed":{"$type":"app.bsky.embed.record","record":{"uri":"${target}","cid":"bafyreicid"}}`;
  const text = TEXTS[Math.floor(rng() * TEXTS.length)] as string;
  return `{"$type":"app.bsky.feed.post","text":"${text}","createdAt":"${CREATED}","langs":["en"]${facets.length === 0 ? '' : `,"facets":[${facets.join(',')}]`}${reply}${embed}}`;
}
