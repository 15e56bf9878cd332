/**
 * Twitter/X API v2 records: a response page (`data` + `includes` + `meta`, as the API and raw
 * twarc2 output give it, one page a line) or a single tweet object (JSONL of tweets, as
 * `twarc2 flatten` gives it, with the author embedded as `author`).
 * Field reference: https://developer.x.com/en/docs/x-api/data-dictionary/object-model/tweet
 */
import { z } from 'zod';
import type { Action, ActionKind, Actor } from '../model/index.js';
import { bareAction, bareActor, normalizeAll, normalizeHashtag, normalizeUrl } from '../model/index.js';
import type { RecordResult } from './record-result.js';
import { describeValue, emptyResult, isObject, nonEmpty, parseIsoTime, readItems, readPart } from './record-result.js';

const PLATFORM = 'twitter';

const Id = z.string().min(1);
const Count = z.number().int().nonnegative();
const Reference = z.object({
  type: z.string(),
  id: Id,
  // Present when the reference was expanded in place (twarc2 flatten).
  author_id: Id.optional(),
});
const UrlEntity = z.object({
  url: z.string().optional(),
  expanded_url: z.string().optional(),
  // Set on the link Twitter adds for an attached photo or video: an attachment, not a shared link.
  media_key: z.string().optional(),
});
const HashtagEntity = z.object({ tag: z.string() });
const MentionEntity = z.object({ username: z.string() });
const Entities = z.object({ urls: z.unknown().optional(), hashtags: z.unknown().optional(), mentions: z.unknown().optional() });
const PublicMetrics = z.object({ followers_count: Count.optional(), following_count: Count.optional() });

/** Keys that make an object a response page rather than a tweet. */
const PAGE_KEYS = ['data', 'includes', 'meta', 'errors'] as const;

/**
 * Reads one parsed JSON value of Twitter API v2 data: a response page, a single tweet, or a
 * list of either. Tweets of `data` and of `includes.tweets` become actions; users of
 * `includes.users` and embedded `author` objects become actors. A tweet without `id`,
 * `author_id` or a readable `created_at` is left out with a problem; the rest of the page is
 * still read. Never throws.
 *
 * Kind: a `retweeted` reference makes a repost, else `replied_to` a reply, else `quoted` a
 * quote (a reply that quotes is a reply: the conversation is what co-reply detection needs).
 * @example readTwitterV2Value({ data: [{ id: '2', author_id: '9', created_at: '2019-08-19T10:00:00.000Z', text: 'hi' }] })
 */
export function readTwitterV2Value(value: unknown): RecordResult {
  const result = emptyResult();
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (Array.isArray(item)) result.problems.push(`item ${index}: a list inside a list is not Twitter API v2 data`);
      else readOne(item, result);
    });
  } else {
    readOne(value, result);
  }
  return result;
}

function readOne(value: unknown, result: RecordResult): void {
  if (!isObject(value)) {
    result.problems.push(`expected a Twitter API v2 response page or tweet object, got ${describeValue(value)}`);
    return;
  }
  if (PAGE_KEYS.some((key) => Object.hasOwn(value, key))) readPage(value, result);
  else readTweets([value], new Map(), result);
}

function readPage(page: Record<string, unknown>, result: RecordResult): void {
  const includes = readPart(page['includes'], z.object({ users: z.unknown().optional(), tweets: z.unknown().optional() }), 'includes', result.problems);
  for (const user of asList(includes?.users, 'includes.users', result)) {
    const actor = readUser(user, 'includes.users', result.problems);
    if (actor !== null) result.actors.push(actor);
  }
  const data = page['data'];
  if (data === undefined && !isEmptyResultMeta(page['meta'])) {
    result.problems.push(`response page without data${apiErrors(page['errors'])}`);
  }
  const tweets = [...asList(data, 'data', result), ...asList(includes?.tweets, 'includes.tweets', result)];
  const authors = new Map<string, string>();
  for (const tweet of tweets) {
    if (isObject(tweet) && typeof tweet['id'] === 'string' && typeof tweet['author_id'] === 'string') authors.set(tweet['id'], tweet['author_id']);
  }
  readTweets(tweets, authors, result);
}

/** A search that matched nothing answers `{"meta": {"result_count": 0}}` with no `data`: not an error. */
function isEmptyResultMeta(meta: unknown): boolean {
  return isObject(meta) && meta['result_count'] === 0;
}

/** `data` may be one tweet (lookup by id, filtered stream) or a list of them. */
function asList(value: unknown, part: string, result: RecordResult): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) return [value];
  result.problems.push(`${part}: expected a list, got ${describeValue(value)}; ignored`);
  return [];
}

function apiErrors(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return '';
  const first = readPart(errors[0], z.object({ title: z.string().optional(), detail: z.string().optional() }), 'errors', []);
  const what = first?.detail ?? first?.title ?? 'unreadable error';
  return `: the API reported ${errors.length} error(s), first: ${describeValue(what)}`;
}

function readTweets(tweets: readonly unknown[], authors: Map<string, string>, result: RecordResult): void {
  for (const tweet of tweets) {
    if (!isObject(tweet)) {
      result.problems.push(`tweet: expected an object, got ${describeValue(tweet)}`);
      continue;
    }
    const action = readTweet(tweet, authors, result.problems);
    if (action !== null) result.actions.push(action);
    if (tweet['author'] !== undefined) {
      const actor = readUser(tweet['author'], `tweet ${action?.id ?? '(unread)'} author`, result.problems);
      if (actor !== null) result.actors.push(actor);
    }
  }
}

function readTweet(tweet: Record<string, unknown>, authors: ReadonlyMap<string, string>, problems: string[]): Action | null {
  const id = Id.safeParse(tweet['id']);
  const authorId = Id.safeParse(tweet['author_id']);
  const createdAt = z.string().safeParse(tweet['created_at']);
  const time = createdAt.success ? parseIsoTime(createdAt.data) : null;
  const name = id.success ? `tweet ${id.data}` : 'tweet without id';
  const missing = [
    id.success ? null : 'id',
    authorId.success ? null : 'author_id',
    createdAt.success ? null : 'created_at',
  ].filter((field) => field !== null);
  if (missing.length > 0 || !id.success || !authorId.success) {
    problems.push(`${name}: missing or invalid ${missing.join(', ')}; not ingested`);
    return null;
  }
  if (time === null) {
    problems.push(`${name}: created_at ${describeValue(tweet['created_at'])} is not an ISO 8601 time; not ingested`);
    return null;
  }
  const references = readItems(tweet['referenced_tweets'], Reference, `${name} referenced_tweets`, problems);
  const replyTo = readPart(tweet['in_reply_to_user_id'], Id, `${name} in_reply_to_user_id`, problems);
  const retweeted = references.find((reference) => reference.type === 'retweeted');
  const repliedTo = references.find((reference) => reference.type === 'replied_to');
  const quoted = references.find((reference) => reference.type === 'quoted');
  const target = retweeted ?? repliedTo ?? quoted;
  const kind: ActionKind = retweeted ? 'repost' : repliedTo ? 'reply' : quoted ? 'quote' : 'post';

  const action = bareAction(PLATFORM, id.data, authorId.data, kind, time);
  if (target !== undefined) {
    action.targetPost = target.id;
    const targetAuthor = authors.get(target.id) ?? target.author_id ?? null;
    action.targetActor = kind === 'reply' ? replyTo ?? targetAuthor : targetAuthor;
  }
  action.text = nonEmpty(readPart(tweet['text'], z.string(), `${name} text`, problems));
  action.language = nonEmpty(readPart(tweet['lang'], z.string(), `${name} lang`, problems));
  action.clientApp = nonEmpty(readPart(tweet['source'], z.string(), `${name} source`, problems));
  const entities = readPart(tweet['entities'], Entities, `${name} entities`, problems);
  if (entities !== null) {
    const urls = readItems(entities.urls, UrlEntity, `${name} entities.urls`, problems)
      .filter((url) => url.media_key === undefined)
      .map((url) => url.expanded_url ?? url.url ?? '');
    action.urls = normalizeAll(urls, normalizeUrl);
    const tags = readItems(entities.hashtags, HashtagEntity, `${name} entities.hashtags`, problems);
    action.hashtags = normalizeAll(tags.map((tag) => tag.tag), normalizeHashtag);
    const mentions = readItems(entities.mentions, MentionEntity, `${name} entities.mentions`, problems);
    action.mentions = normalizeAll(mentions.map((mention) => mention.username), normalizeUsername);
  }
  return action;
}

/** Usernames are case-insensitive on Twitter: @HKPolice and @hkpolice are one account. */
function normalizeUsername(raw: string): string | null {
  const name = raw.trim().replace(/^@/, '').toLowerCase();
  return name === '' ? null : name;
}

function readUser(value: unknown, part: string, problems: string[]): Actor | null {
  if (!isObject(value)) {
    problems.push(`${part}: expected a user object, got ${describeValue(value)}`);
    return null;
  }
  const id = Id.safeParse(value['id']);
  if (!id.success) {
    const username = typeof value['username'] === 'string' ? ` (username ${describeValue(value['username'])})` : '';
    problems.push(`${part}: user${username} without id; not ingested`);
    return null;
  }
  const name = `user ${id.data}`;
  const actor = bareActor(PLATFORM, id.data);
  actor.handle = nonEmpty(readPart(value['username'], z.string(), `${name} username`, problems));
  actor.displayName = nonEmpty(readPart(value['name'], z.string(), `${name} name`, problems));
  actor.description = nonEmpty(readPart(value['description'], z.string(), `${name} description`, problems));
  actor.location = nonEmpty(readPart(value['location'], z.string(), `${name} location`, problems));
  const createdAt = readPart(value['created_at'], z.string(), `${name} created_at`, problems);
  if (createdAt !== null) {
    actor.createdAt = parseIsoTime(createdAt);
    if (actor.createdAt === null) problems.push(`${name}: created_at ${describeValue(createdAt)} is not an ISO 8601 time; left empty`);
  }
  const metrics = readPart(value['public_metrics'], PublicMetrics, `${name} public_metrics`, problems);
  actor.followers = metrics?.followers_count ?? null;
  actor.following = metrics?.following_count ?? null;
  return actor;
}
