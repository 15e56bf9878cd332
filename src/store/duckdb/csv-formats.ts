/**
 * How each CSV format maps onto the canonical tables when DuckDB reads the file itself.
 * Every source column is read as VARCHAR so that only broken CSV structure is rejected by the
 * reader; value checks (missing id, unparsable time) are SQL here, and each produces a
 * `_reject` reason so that no bad row is dropped silently.
 */
import type { CsvTableFormat } from '../../ingest/port.js';

export interface DerivedActors { rawColumns: readonly string[]; select: string }

export interface CsvPlan {
  /** SELECT list over the raw columns: canonical columns + `_reject` (null when the row is good). */
  select: string;
  /** The canonical table the staged rows go to. */
  target: 'actions' | 'actors';
  /**
   * For activity files: derive one actor per acting account (its latest row's profile wins). The
   * raw profile columns are aggregated first and `select` (over those raw names) runs once per
   * account afterwards, not once per row. No raw columns: the actors carry ids only.
   */
  derivedActors?: DerivedActors;
  /**
   * List columns kept raw in the stage (`_raw_<column>`) and normalised afterwards through a
   * dictionary of their distinct values (list-dictionary.ts): one JS call per distinct value.
   */
  lists: readonly ListColumn[];
  /** FROM clause over the reader expression, when the rows are not one-to-one with the file's. */
  from?: (source: string) => string;
}

/** Object columns of the CooRTweet multi-column format, in the order they are tried. */
export const COORTWEET_OBJECT_COLUMNS = ['url_id', 'hashtag_id', 'domain_id', 'phash_id'] as const;
const EMPTY = `[]::VARCHAR[]`;

export type ListNormalizer = 'url' | 'hashtag' | 'none';
export interface ListColumn { column: 'urls' | 'hashtags' | 'mentions'; normalize: ListNormalizer }
const col = (name: string): string => `nullif(trim("${name}"), '')`;
/** Unix seconds or milliseconds (told apart by magnitude: > 1e11 cannot be seconds before year 5138). */
const unixTime = (name: string): string =>
  `CASE WHEN try_cast(${col(name)} AS DOUBLE) > 1e11 THEN try_cast(${col(name)} AS DOUBLE) ELSE try_cast(${col(name)} AS DOUBLE) * 1000 END::BIGINT`;
const count = (name: string): string => `try_cast(replace(${col(name)}, ',', '') AS BIGINT)`;
const dateMs = (name: string): string => `epoch_ms(try_strptime(${col(name)}, ['%Y-%m-%d', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S']))`;
const reject = (checks: ReadonlyArray<readonly [string, string]>): string =>
  `CASE ${checks.map(([when, reason]) => `WHEN ${when} THEN '${reason.replaceAll("'", "''")}'`).join(' ')} END AS _reject`;

const ioTime = `epoch_ms(try_strptime(${col('tweet_time')}, ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ']))`;
const isRetweet = `lower(coalesce(trim(is_retweet), '')) IN ('true', 't', '1')`;

const IO_PROFILE_COLUMNS = ['user_screen_name', 'user_display_name', 'account_creation_date', 'follower_count',
  'following_count', 'account_language', 'user_reported_location', 'user_profile_description'] as const;
const ioUserColumns = (prefix: string): string => [
  `${col('user_screen_name')} AS ${prefix}handle`, `${col('user_display_name')} AS ${prefix}display_name`,
  `${dateMs('account_creation_date')} AS ${prefix}created_at`, `${count('follower_count')} AS ${prefix}followers`,
  `${count('following_count')} AS ${prefix}following`, `${col('account_language')} AS ${prefix}language`,
  `${col('user_reported_location')} AS ${prefix}location`, `${col('user_profile_description')} AS ${prefix}description`,
].join(', ');

const BARE_ACTOR_COLUMNS = ['handle', 'display_name', 'created_at', 'followers', 'following', 'language', 'location', 'description']
  .map((name) => `NULL AS ${name}`).join(', ');

const PLANS: Record<Exclude<CsvTableFormat, 'coortweet-multi'>, CsvPlan> = {
  'twitter-io-tweets': {
    target: 'actions', derivedActors: { rawColumns: IO_PROFILE_COLUMNS, select: ioUserColumns('') },
    lists: [{ column: 'urls', normalize: 'url' }, { column: 'hashtags', normalize: 'hashtag' }, { column: 'mentions', normalize: 'none' }],
    select: `'twitter' AS platform, ${col('tweetid')} AS id, ${col('userid')} AS actor_id,
      CASE WHEN ${isRetweet} THEN 'repost' WHEN ${col('quoted_tweet_tweetid')} IS NOT NULL THEN 'quote'
           WHEN ${col('in_reply_to_tweetid')} IS NOT NULL THEN 'reply' ELSE 'post' END AS kind,
      ${ioTime} AS time,
      CASE WHEN ${isRetweet} THEN ${col('retweet_tweetid')} ELSE coalesce(${col('quoted_tweet_tweetid')}, ${col('in_reply_to_tweetid')}) END AS target_post,
      CASE WHEN ${isRetweet} THEN ${col('retweet_userid')} ELSE ${col('in_reply_to_userid')} END AS target_actor,
      tweet_text AS text, ${col('tweet_language')} AS language, urls AS _raw_urls, hashtags AS _raw_hashtags,
      user_mentions AS _raw_mentions, ${EMPTY} AS media_hashes, ${col('tweet_client_name')} AS client_app,
      ${reject([[`${col('tweetid')} IS NULL`, 'tweetid is empty'], [`${col('userid')} IS NULL`, 'userid is empty'],
        [`${ioTime} IS NULL`, 'tweet_time is not a time (expected YYYY-MM-DD HH:MM)']])}`,
  },
  'twitter-io-users': {
    target: 'actors', lists: [],
    select: `'twitter' AS platform, ${col('userid')} AS id, 'account' AS kind, ${ioUserColumns('')},
      ${reject([[`${col('userid')} IS NULL`, 'userid is empty']])}`,
  },
  coortweet: {
    target: 'actions', derivedActors: { rawColumns: [], select: BARE_ACTOR_COLUMNS }, lists: [],
    select: `'coortweet' AS platform, ${col('content_id')} AS id, ${col('account_id')} AS actor_id, 'share' AS kind,
      ${unixTime('timestamp_share')} AS time, ${col('object_id')} AS target_post, NULL AS target_actor, NULL AS text,
      NULL AS language, ${EMPTY} AS urls, ${EMPTY} AS hashtags, ${EMPTY} AS mentions, ${EMPTY} AS media_hashes, NULL AS client_app,
      ${reject([[`${col('content_id')} IS NULL`, 'content_id is empty'], [`${col('account_id')} IS NULL`, 'account_id is empty'],
        [`${col('object_id')} IS NULL`, 'object_id is empty'], [`${unixTime('timestamp_share')} IS NULL`, 'timestamp_share is not a unix time']])}`,
  },
};



export function csvPlan(format: CsvTableFormat, header: readonly string[]): CsvPlan {
  return format === 'coortweet-multi' ? coortweetMultiPlan(header) : PLANS[format];
}

/** Canonical column lists, in table order, for the INSERTs. */
export const ACTION_COLUMNS = ['platform', 'id', 'actor_id', 'kind', 'time', 'target_post', 'target_actor', 'text', 'language', 'urls', 'hashtags', 'mentions', 'media_hashes', 'client_app'] as const;
export const ACTOR_COLUMNS = ['platform', 'id', 'kind', 'handle', 'display_name', 'created_at', 'followers', 'following', 'language', 'location', 'description'] as const;

function coortweetMultiPlan(header: readonly string[]): CsvPlan {
  const present = COORTWEET_OBJECT_COLUMNS.filter((name) => header.includes(name));
  const objects = `[${present.map((name) => `{'name': '${name}', 'value': ${col(name)}}`).join(', ')}]`;
  return {
    target: 'actions', derivedActors: { rawColumns: [], select: BARE_ACTOR_COLUMNS }, lists: [],
    // One action per non-empty object column, keyed "<post_id>/<column>"; the object is typed by its
    // column ("url_id:23678") so a URL id and a hashtag id with the same number never meet.
    select: `'coortweet' AS platform, ${col('post_id')} || '/' || o.name AS id, ${col('account_id')} AS actor_id, 'share' AS kind,
      ${unixTime('timestamp')} AS time, o.name || ':' || o.value AS target_post, NULL AS target_actor, NULL AS text,
      NULL AS language, ${EMPTY} AS urls, ${EMPTY} AS hashtags, ${EMPTY} AS mentions, ${EMPTY} AS media_hashes, NULL AS client_app,
      ${reject([[`${col('post_id')} IS NULL`, 'post_id is empty'], [`${col('account_id')} IS NULL`, 'account_id is empty'],
        [`${unixTime('timestamp')} IS NULL`, 'timestamp is not a unix time'], ['o.value IS NULL', 'no object column (url_id, hashtag_id, domain_id, phash_id) has a value']])}`,
    from: (source) => `(SELECT *, unnest(CASE WHEN len(objs) = 0 THEN [{'name': NULL::VARCHAR, 'value': NULL::VARCHAR}] ELSE objs END) AS o
      FROM (SELECT *, list_filter(${objects}, x -> x.value IS NOT NULL) AS objs FROM ${source}))`,
  };
}

