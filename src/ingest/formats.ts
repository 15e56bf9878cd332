/** The input formats lockstep reads, and how each is recognised from its first bytes. */
import { parse } from 'csv-parse/sync';

export type FormatName =
  | 'twitter-io-tweets'
  | 'twitter-io-users'
  | 'coortweet'
  | 'coortweet-multi'
  | 'logins'
  | 'ip-networks'
  | 'followers'
  | 'twitter-v2'
  | 'jetstream'
  | 'generic-csv'
  | 'generic-jsonl';

export const FORMAT_NAMES: readonly FormatName[] = [
  'twitter-io-tweets', 'twitter-io-users', 'coortweet', 'coortweet-multi', 'logins', 'ip-networks', 'followers',
  'twitter-v2', 'jetstream', 'generic-csv', 'generic-jsonl',
];

export const FORMAT_DESCRIPTIONS: Record<FormatName, string> = {
  'twitter-io-tweets': 'Twitter Information Operations archive, tweets CSV (tweetid, userid, tweet_time, ...)',
  'twitter-io-users': 'Twitter Information Operations archive, users CSV (userid, account_creation_date, ...)',
  coortweet: 'CooRTweet 4-column CSV (object_id, account_id, content_id, timestamp_share)',
  'coortweet-multi': 'CooRTweet multi-column CSV (account_id, post_id, url_id, hashtag_id, domain_id, phash_id, timestamp)',
  logins: 'sign-up/login log CSV (account_id, time, ip, user_agent, event)',
  'ip-networks': 'IP-network table CSV (network, asn, org, country, kind)',
  followers: 'followers CSV (entity_id, follower_id[, time][, kind follow|join][, platform])',
  'twitter-v2': 'Twitter API v2 JSON or JSONL (data + includes, or one tweet a line)',
  jetstream: 'Bluesky Jetstream JSONL (did, time_us, kind, commit)',
  'generic-csv': 'any CSV, with --map account=COL,time=COL,...',
  'generic-jsonl': 'any JSONL, with --map account=FIELD,time=FIELD,...',
};

export const IO_TWEET_COLUMNS = [
  'tweetid', 'userid', 'user_display_name', 'user_screen_name', 'user_reported_location', 'user_profile_description',
  'user_profile_url', 'follower_count', 'following_count', 'account_creation_date', 'account_language', 'tweet_language',
  'tweet_text', 'tweet_time', 'tweet_client_name', 'in_reply_to_userid', 'in_reply_to_tweetid', 'quoted_tweet_tweetid',
  'is_retweet', 'retweet_userid', 'retweet_tweetid', 'latitude', 'longitude', 'quote_count', 'reply_count', 'like_count',
  'retweet_count', 'hashtags', 'urls', 'user_mentions', 'poll_choices',
] as const;

export const IO_USER_COLUMNS = [
  'userid', 'user_display_name', 'user_screen_name', 'user_reported_location', 'user_profile_description',
  'user_profile_url', 'follower_count', 'following_count', 'account_creation_date', 'account_language',
] as const;

/** Columns a CSV format needs; a header with all of them (in any order, extra columns allowed) is that format. */
export const REQUIRED_COLUMNS: Partial<Record<FormatName, readonly string[]>> = {
  'twitter-io-tweets': ['tweetid', 'userid', 'tweet_time'],
  'twitter-io-users': ['userid', 'account_creation_date'],
  coortweet: ['object_id', 'account_id', 'content_id', 'timestamp_share'],
  'coortweet-multi': ['account_id', 'post_id', 'timestamp'],
  logins: ['account_id', 'time', 'ip'],
  'ip-networks': ['network', 'asn'],
  followers: ['entity_id', 'follower_id'],
};

export const CSV_FORMATS: ReadonlySet<FormatName> = new Set(['twitter-io-tweets', 'twitter-io-users', 'coortweet', 'coortweet-multi', 'logins', 'ip-networks', 'followers', 'generic-csv']);

/** Splits the first line of a CSV into column names (BOM, quotes and CRLF handled). */
export function parseCsvHeader(head: string): string[] | null {
  const text = head.startsWith('\uFEFF') ? head.slice(1) : head;
  const end = text.search(/\r?\n/);
  const line = end >= 0 ? text.slice(0, end) : text;
  if (line.trim() === '') return null;
  try {
    const rows = parse(line, { relax_quotes: true }) as string[][];
    const header = rows[0];
    return header === undefined ? null : header.map((name) => name.trim());
  } catch {
    return null;
  }
}

function jsonShape(head: string): FormatName | null {
  const trimmed = head.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return null;
  if (/"time_us"\s*:/.test(head) && /"did"\s*:/.test(head)) return 'jetstream';
  if (/"author_id"\s*:|"referenced_tweets"\s*:|"includes"\s*:|"edit_history_tweet_ids"\s*:/.test(head)) return 'twitter-v2';
  return 'generic-jsonl';
}

/**
 * Recognises a format from the first bytes of a file: JSON shapes by their keys, CSV by the header's columns.
 * Returns null when nothing fits (the caller says so and suggests --format).
 */
export function detectFormat(head: string): FormatName | null {
  const json = jsonShape(head);
  if (json !== null) return json;
  const header = parseCsvHeader(head);
  if (header === null || header.length < 2) return null;
  const columns = new Set(header.map((name) => name.toLowerCase()));
  const has = (format: FormatName): boolean => (REQUIRED_COLUMNS[format] ?? []).every((column) => columns.has(column));
  const order: FormatName[] = ['twitter-io-tweets', 'twitter-io-users', 'coortweet', 'coortweet-multi', 'logins', 'ip-networks', 'followers'];
  return order.find(has) ?? 'generic-csv';
}
