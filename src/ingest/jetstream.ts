/**
 * Bluesky Jetstream events (https://github.com/bluesky-social/jetstream), one JSON object a line:
 * `{did, time_us, kind: 'commit' | 'identity' | 'account', commit?: {rev, operation, collection,
 * rkey, record?, cid}, identity?: {did, handle?, seq, time}, account?: {active, did, seq, time, status?}}`.
 * Record shapes are the app.bsky lexicons (https://github.com/bluesky-social/atproto/tree/main/lexicons/app/bsky).
 * The pre-October-2024 short form (`type: 'com' | 'id' | 'acc'`, `commit.type: 'c' | 'u' | 'd'`)
 * is read too, because recorded dumps from that time exist.
 */
import { z } from 'zod';
import type { Action, ActionKind } from '../model/index.js';
import { bareAction, bareActor, normalizeAll, normalizeHashtag, normalizeUrl } from '../model/index.js';
import { parseAtUri, readJetstreamFast } from './jetstream-fast.js';
import type { RecordResult } from './record-result.js';
import { describeIssue, describeValue, emptyResult, isObject, nonEmpty, parseIsoTime, readItems, readPart } from './record-result.js';

const PLATFORM = 'bluesky';

export interface JetstreamOptions {
  /**
   * Which clock an action's time comes from.
   * - `received` (default): `time_us`, when the Jetstream instance saw the event. `createdAt` is
   *   written by the client and can say anything: an operation that wants its posts to look
   *   spread out over hours only has to spread `createdAt`, and backdated posts are common.
   *   Lockstep detection must rest on a clock the accounts do not control.
   * - `created`: `record.createdAt` when it is a valid time, else `time_us`. Use it for a
   *   Jetstream v2 backfill, where `time_us` is when the instance fetched the repository, so all
   *   of an account's old records share nearly one time and would look like a burst.
   */
  time: 'received' | 'created';
}

const DEFAULTS: JetstreamOptions = { time: 'received' };

// Schemas are built once here: building a zod schema costs more than using it.
const Text = z.string();
const Language = z.string().min(1);
const Did = z.string().regex(/^did:[a-z]+:[A-Za-z0-9._:%-]+$/, 'expected a DID (did:method:id)');
const Envelope = z.object({ did: Did, time_us: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const Commit = z.object({
  operation: z.enum(['create', 'update', 'delete']),
  collection: z.string().min(1),
  rkey: z.string().min(1),
  record: z.unknown().optional(),
});
const StrongRef = z.object({ uri: z.string().min(1) });
const SubjectRecord = z.object({ subject: StrongRef });
const FollowRecord = z.object({ subject: Did });
const Reply = z.object({ parent: StrongRef });
const EmbeddedRecord = z.object({ record: StrongRef });
const External = z.object({ uri: z.string() });
const List = z.array(z.unknown());
const Embed = z.looseObject({ $type: z.string() });
/** A blob as written since 2022 (`ref.$link`), or the legacy form with a bare `cid`. */
const Blob = z.union([z.object({ ref: z.object({ $link: z.string().min(1) }) }), z.object({ cid: z.string().min(1) })]);
const Facet = z.object({ features: z.array(z.unknown()) });
const Feature = z.looseObject({ $type: z.string() });

const LEGACY_KINDS = new Map([['com', 'commit'], ['id', 'identity'], ['acc', 'account']]);
const LEGACY_OPERATIONS = new Map([['c', 'create'], ['u', 'update'], ['d', 'delete']]);
const COLLECTION_KINDS = new Map<string, ActionKind>([
  ['app.bsky.feed.post', 'post'], ['app.bsky.feed.repost', 'repost'], ['app.bsky.feed.like', 'like'], ['app.bsky.graph.follow', 'follow'],
]);
const POST_COLLECTION = 'app.bsky.feed.post';

/**
 * Reads one Jetstream event. Creates of posts, reposts, likes and follows become actions;
 * identity events with a handle and account events become actors. Deletes, updates, other
 * collections and `sync` markers give an empty result without a problem: a delete or an edit
 * is not a new action (the create already recorded what the account did and when), and
 * profiles, blocks, lists and third-party collections carry no co-action trace. A malformed
 * event gives a problem. Never throws.
 * @example readJetstreamEvent(JSON.parse(line), { time: 'created' })
 */
export function readJetstreamEvent(value: unknown, options: Partial<JetstreamOptions> = {}): RecordResult {
  if (options.time === undefined || options.time === 'received') {
    // A well-formed commit is checked by hand (same result; test: src/stream/jetstream-line.test.ts).
    const fast = readJetstreamFast(value);
    if (fast !== null) return { actors: [], actions: [...fast], problems: [] };
  }
  return readJetstreamEventChecked(value, options);
}

/**
 * readJetstreamEvent with every event through the zod schemas: the reference the fast path is
 * tested against, and the reader of every event the fast path declines.
 */
export function readJetstreamEventChecked(value: unknown, options: Partial<JetstreamOptions> = {}): RecordResult {
  const settings: JetstreamOptions = { ...DEFAULTS, ...options };
  const result = emptyResult();
  if (!isObject(value)) {
    result.problems.push(`expected a Jetstream event object, got ${describeValue(value)}`);
    return result;
  }
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) {
    result.problems.push(`Jetstream event: ${describeIssue(envelope.error)}`);
    return result;
  }
  const { did } = envelope.data;
  const receivedAt = Math.floor(envelope.data.time_us / 1000);
  const kind = typeof value['kind'] === 'string' ? value['kind'] : LEGACY_KINDS.get(typeof value['type'] === 'string' ? value['type'] : '');
  switch (kind) {
    case 'commit':
      readCommit(value['commit'], did, receivedAt, settings, result);
      break;
    case 'identity': {
      const identity = value['identity'];
      if (!isObject(identity)) {
        result.problems.push(`identity event of ${did}: no identity object (got ${describeValue(identity)})`);
        break;
      }
      // An identity event without a handle says the handle stopped resolving; an actor with a null
      // handle would erase the one already stored, so nothing is yielded.
      const handle = nonEmpty(readPart(identity['handle'], Text, `identity event of ${did} handle`, result.problems));
      if (handle !== null && handle !== 'handle.invalid') result.actors.push({ ...bareActor(PLATFORM, did), handle });
      break;
    }
    case 'account':
      // The account's status (takendown, suspended, deleted...) is not an Actor field; the actor
      // is yielded so that accounts seen only through their events are known.
      if (isObject(value['account'])) result.actors.push(bareActor(PLATFORM, did));
      else result.problems.push(`account event of ${did}: no account object (got ${describeValue(value['account'])})`);
      break;
    case 'sync':
      break;
    default:
      result.problems.push(`Jetstream event of ${did}: unknown kind ${describeValue(value['kind'] ?? value['type'])}`);
  }
  return result;
}

function readCommit(value: unknown, did: string, receivedAt: number, settings: JetstreamOptions, result: RecordResult): void {
  const legacy = isObject(value) && value['operation'] === undefined && typeof value['type'] === 'string'
    ? { ...value, operation: LEGACY_OPERATIONS.get(value['type']) }
    : value;
  const commit = Commit.safeParse(legacy);
  if (!commit.success) {
    result.problems.push(`commit event of ${did}: ${describeIssue(commit.error)}`);
    return;
  }
  const { operation, collection, rkey, record } = commit.data;
  const kind = COLLECTION_KINDS.get(collection);
  if (operation !== 'create' || kind === undefined) return;
  const uri = `at://${did}/${collection}/${rkey}`;
  if (!isObject(record)) {
    result.problems.push(`${uri}: a create without a record object (got ${describeValue(record)}); not ingested`);
    return;
  }
  const createdAt = settings.time === 'created' && typeof record['createdAt'] === 'string' ? parseIsoTime(record['createdAt']) : null;
  const action = bareAction(PLATFORM, uri, did, kind, createdAt ?? receivedAt);
  if (kind === 'post') {
    readPost(record, action, result.problems);
  } else if (kind === 'follow') {
    const follow = FollowRecord.safeParse(record);
    if (!follow.success) {
      result.problems.push(`${uri}: ${describeIssue(follow.error)}; not ingested`);
      return;
    }
    action.targetActor = follow.data.subject;
  } else {
    const subject = SubjectRecord.safeParse(record);
    if (!subject.success) {
      result.problems.push(`${uri}: ${describeIssue(subject.error)}; not ingested`);
      return;
    }
    action.targetPost = subject.data.subject.uri;
    action.targetActor = parseAtUri(subject.data.subject.uri)?.did ?? null;
  }
  result.actions.push(action);
}

/**
 * Fills a post's text, language, target (reply or quote), links, tags, mentions and media.
 * A reply that quotes is a reply: the conversation is what co-reply detection needs.
 * Facets are read by type only: their byte ranges would matter only to cut text out.
 */
function readPost(record: Record<string, unknown>, action: Action, problems: string[]): void {
  const where = action.id;
  action.text = nonEmpty(readPart(record['text'], Text, `${where} text`, problems));
  action.language = readItems(record['langs'], Language, `${where} langs`, problems)[0] ?? null;
  const urls: string[] = [];
  const tags: string[] = [];
  const mentions: string[] = [];
  const media: string[] = [];
  let badFeatures = 0;
  for (const facet of readItems(record['facets'], Facet, `${where} facets`, problems)) {
    for (const raw of facet.features) {
      const feature = Feature.safeParse(raw);
      if (!feature.success) {
        badFeatures += 1;
        continue;
      }
      const { $type: type, uri, tag, did } = feature.data;
      if (type === 'app.bsky.richtext.facet#link' && typeof uri === 'string') urls.push(uri);
      else if (type === 'app.bsky.richtext.facet#tag' && typeof tag === 'string') tags.push(tag);
      else if (type === 'app.bsky.richtext.facet#mention' && typeof did === 'string') mentions.push(did);
    }
  }
  if (badFeatures > 0) problems.push(`${where} facets: ${badFeatures} features without a $type; ignored`);
  tags.push(...readItems(record['tags'], Text, `${where} tags`, problems));

  const reply = readPart(record['reply'], Reply, `${where} reply`, problems);
  let quoted: string | null = null;
  const embed = readPart(record['embed'], Embed, `${where} embed`, problems);
  if (embed !== null) {
    if (embed.$type === 'app.bsky.embed.record') {
      quoted = StrongRef.safeParse(embed['record']).data?.uri ?? null;
    } else if (embed.$type === 'app.bsky.embed.recordWithMedia') {
      quoted = EmbeddedRecord.safeParse(embed['record']).data?.record.uri ?? null;
      const inner = Embed.safeParse(embed['media']);
      if (inner.success) readMedia(inner.data, urls, media);
    } else {
      readMedia(embed, urls, media);
    }
  }
  // A record embed of a feed, list or starter pack is a card, not a quote of a post.
  if (quoted !== null && parseAtUri(quoted)?.collection !== POST_COLLECTION) quoted = null;

  if (reply !== null) {
    action.kind = 'reply';
    action.targetPost = reply.parent.uri;
  } else if (quoted !== null) {
    action.kind = 'quote';
    action.targetPost = quoted;
  }
  action.targetActor = action.targetPost === null ? null : parseAtUri(action.targetPost)?.did ?? null;
  action.urls = normalizeAll(urls, normalizeUrl);
  action.hashtags = normalizeAll(tags, normalizeHashtag);
  action.mentions = normalizeAll(mentions, (did) => nonEmpty(did.trim()));
  action.mediaHashes = normalizeAll(media, (cid) => nonEmpty(cid.trim()));
}

/** Links of an external card, and blob CIDs of images and video (the same file has the same CID). */
function readMedia(embed: { $type: string } & Record<string, unknown>, urls: string[], media: string[]): void {
  if (embed.$type === 'app.bsky.embed.external') {
    const uri = External.safeParse(embed['external']).data?.uri;
    if (uri !== undefined) urls.push(uri);
  } else if (embed.$type === 'app.bsky.embed.images') {
    const images = List.safeParse(embed['images']).data ?? [];
    for (const image of images) {
      const blob = isObject(image) ? Blob.safeParse(image['image']).data : undefined;
      if (blob !== undefined) media.push('ref' in blob ? blob.ref.$link : blob.cid);
    }
  } else if (embed.$type === 'app.bsky.embed.video') {
    const blob = Blob.safeParse(embed['video']).data;
    if (blob !== undefined) media.push('ref' in blob ? blob.ref.$link : blob.cid);
  }
}

export { parseAtUri } from './jetstream-fast.js';
