/**
 * Twitter/X API v2 records: a response page (`data` + `includes` + `meta`, as the API and raw
 * twarc2 output give it, one page a line) or a single tweet object (JSONL of tweets, as
 * `twarc2 flatten` gives it, with the author embedded as `author`). In flattened tweets the
 * referenced tweets are expanded in place; they give the target's author but are not ingested
 * themselves, since the same original would come again on every line that retweets it.
 * Field reference: https://developer.x.com/en/docs/x-api/data-dictionary/object-model/tweet
 */
import { z } from 'zod';
import type { Action, ActionKind, Actor } from '../model/index.js';
import { bareAction, bareActor, normalizeAll, normalizeHashtag, normalizeUrl } from '../model/index.js';
import type { RecordResult } from './record-result.js';
import { describeValue, emptyResult, isObject, nonEmpty, parseIsoTime, readItems, readPart } from './record-result.js';

const PLATFORM = 'twitter';

// Schemas are built once here: building a zod schema costs more than using it.
const Text = z.string();
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
const Includes = z.object({ users: z.unknown().optional(), tweets: z.unknown().optional() });
const ApiError = z.object({ title: z.string().optional(), detail: z.string().optional() });
const NoteTweet = z.object({ text: z.string().optional(), entities: z.unknown().optional() });
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
  const includes = readPart(page['includes'], Includes, 'includes', result.problems);
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
  const first = readPart(errors[0], ApiError, 'errors', []);
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
  const createdAt = Text.safeParse(tweet['created_at']);
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
  // A post longer than 280 characters has its whole text and entities in note_tweet; `text` and
  // `entities` cover only its first part.
  const note = readPart(tweet['note_tweet'], NoteTweet, `${name} note_tweet`, problems);
  const text = readPart(tweet['text'], Text, `${name} text`, problems);
  action.text = nonEmpty(note?.text ?? text);
  action.language = nonEmpty(readPart(tweet['lang'], Text, `${name} lang`, problems));
  action.clientApp = nonEmpty(readPart(tweet['source'], Text, `${name} source`, problems));
  const urls: string[] = [];
  const tags: string[] = [];
  const mentions: string[] = [];
  const part = note?.entities === undefined ? 'entities' : 'note_tweet.entities';
  const entities = readPart(note?.entities ?? tweet['entities'], Entities, `${name} ${part}`, problems);
  if (entities !== null) {
    for (const url of readItems(entities.urls, UrlEntity, `${name} ${part}.urls`, problems)) {
      if (url.media_key === undefined) urls.push(url.expanded_url ?? url.url ?? '');
    }
    tags.push(...readItems(entities.hashtags, HashtagEntity, `${name} ${part}.hashtags`, problems).map((tag) => tag.tag));
    mentions.push(...readItems(entities.mentions, MentionEntity, `${name} ${part}.mentions`, problems).map((mention) => mention.username));
  }
  action.urls = normalizeAll(urls, normalizeUrl);
  action.hashtags = normalizeAll(tags, normalizeHashtag);
  action.mentions = normalizeAll(mentions, normalizeUsername);
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
  actor.handle = nonEmpty(readPart(value['username'], Text, `${name} username`, problems));
  actor.displayName = nonEmpty(readPart(value['name'], Text, `${name} name`, problems));
  actor.description = nonEmpty(readPart(value['description'], Text, `${name} description`, problems));
  actor.location = nonEmpty(readPart(value['location'], Text, `${name} location`, problems));
  const createdAt = readPart(value['created_at'], Text, `${name} created_at`, problems);
  if (createdAt !== null) {
    actor.createdAt = parseIsoTime(createdAt);
    if (actor.createdAt === null) problems.push(`${name}: created_at ${describeValue(createdAt)} is not an ISO 8601 time; left empty`);
  }
  const metrics = readPart(value['public_metrics'], PublicMetrics, `${name} public_metrics`, problems);
  actor.followers = metrics?.followers_count ?? null;
  actor.following = metrics?.following_count ?? null;
  return actor;
}
