/**
 * The Information Operations archive's field formats, reproduced with their quirks: minute-precision
 * times, Python-style list fields, `absent` coordinates, snowflake tweet ids that encode the
 * millisecond, and base64 hashed ids for accounts Twitter anonymised.
 */
import type { Rng } from './rng.js';

/** The official 31 columns of the Information Operations tweets CSV, in order. */
export const TWEET_COLUMNS: readonly string[] = [
  'tweetid', 'userid', 'user_display_name', 'user_screen_name', 'user_reported_location',
  'user_profile_description', 'user_profile_url', 'follower_count', 'following_count',
  'account_creation_date', 'account_language', 'tweet_language', 'tweet_text', 'tweet_time',
  'tweet_client_name', 'in_reply_to_userid', 'in_reply_to_tweetid', 'quoted_tweet_tweetid',
  'is_retweet', 'retweet_userid', 'retweet_tweetid', 'latitude', 'longitude', 'quote_count',
  'reply_count', 'like_count', 'retweet_count', 'hashtags', 'urls', 'user_mentions', 'poll_choices',
];

/** The 10 columns of the Information Operations users CSV, in order. */
export const USER_COLUMNS: readonly string[] = [
  'userid', 'user_display_name', 'user_screen_name', 'user_reported_location',
  'user_profile_description', 'user_profile_url', 'follower_count', 'following_count',
  'account_creation_date', 'account_language',
];

/** The columns of the benchmark's ground truth: one row per account. */
export const TRUTH_COLUMNS: readonly string[] = ['userid', 'campaign', 'style', 'confounder'];

/** Twitter's snowflake epoch (2010-11-04T01:42:54.657Z). */
export const SNOWFLAKE_EPOCH = 1288834974657;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export type TimePrecision = 'minute' | 'second';

/** Days 0 (1970) to 2^17 (2328) as `YYYY-MM-DD`, filled on first use: rows share few days. */
const DAY_STRINGS: (string | undefined)[] = new Array<string | undefined>(131_072).fill(undefined);
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** `YYYY-MM-DD` of a UTC day number (ms / DAY_MS). */
function dayString(day: number): string {
  const cached = DAY_STRINGS[day];
  if (cached !== undefined) return cached;
  const text = new Date(day * DAY_MS).toISOString().slice(0, 10);
  if (day >= 0 && day < DAY_STRINGS.length) DAY_STRINGS[day] = text;
  return text;
}

/**
 * A UTC time as the archive writes it: `YYYY-MM-DD HH:MM` (the real releases) or with `:SS`.
 * @example formatTweetTime(Date.UTC(2019, 5, 1, 8, 5, 9), 'minute') // '2019-06-01 08:05'
 */
export function formatTweetTime(ms: number, precision: TimePrecision): string {
  const day = Math.floor(ms / DAY_MS);
  const rest = ms - day * DAY_MS;
  const hour = Math.floor(rest / HOUR_MS);
  const minute = Math.floor((rest - hour * HOUR_MS) / MINUTE_MS);
  const head = `${dayString(day)} ${TWO_DIGITS[hour] as string}:${TWO_DIGITS[minute] as string}`;
  if (precision === 'minute') return head;
  const second = Math.floor((rest - hour * HOUR_MS - minute * MINUTE_MS) / 1000);
  return `${head}:${TWO_DIGITS[second] as string}`;
}

/** `YYYY-MM-DD`, as in `account_creation_date`. */
export function formatDate(ms: number): string {
  return dayString(Math.floor(ms / DAY_MS));
}

/**
 * A snowflake id for something created at `ms`: 41 bits of time since the epoch, then 22 low bits
 * (worker and sequence). Real tweet ids carry the second that `tweet_time` rounds away.
 * @example snowflakeTime(snowflakeId(t, 5)) === t
 */
export function snowflakeId(ms: number, low: number): string {
  // (t << 22 | low) exceeds 2^53, so it is written in two base-1e9 halves, each exact in a double:
  // t * 2^22 + low = floor(t / 1e9) * 2^22 * 1e9 + (t mod 1e9) * 2^22 + low.
  const t = Math.floor(ms) - SNOWFLAKE_EPOCH;
  if (t < 0) throw new RangeError(`snowflakeId: ${ms} is before the snowflake epoch`);
  const below = (t % 1e9) * 4194304 + (low & 0x3fffff);
  const high = Math.floor(t / 1e9) * 4194304 + Math.floor(below / 1e9);
  const rest = String(below % 1e9);
  return high === 0 ? rest : `${high}${'000000000'.slice(rest.length)}${rest}`;
}

/** The creation time (ms) encoded in a snowflake id. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + SNOWFLAKE_EPOCH;
}

/** Ids before Twitter switched accounts to snowflakes (mid-2016) grew roughly like this. */
const LEGACY_USER_IDS: readonly (readonly [number, number])[] = [
  [Date.UTC(2006, 6, 1), 1e6], [Date.UTC(2009, 0, 1), 1.9e7], [Date.UTC(2010, 0, 1), 1e8],
  [Date.UTC(2011, 0, 1), 2.3e8], [Date.UTC(2012, 0, 1), 4.6e8], [Date.UTC(2013, 0, 1), 1.1e9],
  [Date.UTC(2014, 0, 1), 2.27e9], [Date.UTC(2015, 0, 1), 2.95e9], [Date.UTC(2015, 10, 6), 4.126e9],
  [Date.UTC(2016, 4, 1), 4.9e9],
];
const SNOWFLAKE_USERS_FROM = Date.UTC(2016, 4, 1);

/**
 * A numeric user id consistent with the creation time: a snowflake after mid-2016, an
 * interpolated sequential id before (as in the real releases: 4125840934 was created 2015-11-06).
 */
export function numericUserId(createdMs: number, rng: Rng, unique?: number): string {
  const low = Math.floor(rng() * 0x400000);
  if (createdMs >= SNOWFLAKE_USERS_FROM) return snowflakeId(createdMs, unique === undefined ? low : unique & 0x3fffff);
  // With `unique` (the account's index, below 1e6) the last six digits are the index, so two
  // accounts never share an id, whatever their creation times.
  const legacy = (value: number): string => String(unique === undefined ? Math.floor(value) : Math.floor(value / 1e6) * 1e6 + (unique % 1e6));
  let previous = LEGACY_USER_IDS[0] as readonly [number, number];
  for (const anchor of LEGACY_USER_IDS) {
    if (anchor[0] > createdMs) {
      const span = anchor[0] - previous[0];
      const at = span > 0 ? (createdMs - previous[0]) / span : 0;
      return legacy(previous[1] + at * (anchor[1] - previous[1]) + rng() * 5000);
    }
    previous = anchor;
  }
  return legacy(previous[1] + rng() * 5000);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A hashed id as the archive writes it: base64 of a 32-byte digest (44 characters, `=` at the end).
 * `unique` (the account's index) is mixed into the first 48 bits, so ids never collide even if
 * two accounts' random streams happened to coincide.
 */
export function hashedUserId(rng: Rng, unique = 0): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    const mix = i === 0 ? unique & 0xffffff : i === 1 ? Math.floor(unique / 16777216) & 0xffffff : 0;
    const word = (Math.floor(rng() * 16777216) ^ mix) >>> 0; // 24 bits -> 4 base64 characters
    out += BASE64[(word >>> 18) & 63] as string;
    out += BASE64[(word >>> 12) & 63] as string;
    out += BASE64[(word >>> 6) & 63] as string;
    out += BASE64[word & 63] as string;
  }
  // 32 bytes = 10 groups of 3 bytes + 2 bytes, which base64 writes as 3 characters and one '='.
  const tail = Math.floor(rng() * 65536);
  return `${out}${BASE64[tail >>> 10] as string}${BASE64[(tail >>> 4) & 63] as string}${BASE64[(tail & 15) << 2] as string}=`;
}

/** A list field written like Python's repr: `['a', 'b']`, or `[]` when empty. */
export function listField(items: readonly string[]): string {
  if (items.length === 0) return '[]';
  return `['${items.join("', '")}']`;
}

/** The `user_mentions` field: numeric ids unquoted (`[2876420003]`), hashed ones quoted. */
export function mentionField(ids: readonly string[]): string {
  let out = '';
  for (const id of ids) out += `${out === '' ? '' : ', '}${isNumericId(id) ? id : `'${id}'`}`;
  return `[${out}]`;
}

/** True for an id made of digits only (an unhashed account). */
export function isNumericId(id: string): boolean {
  if (id.length === 0) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
