/**
 * A hand-checked fast path for the common Jetstream event: a commit whose fields all have the
 * expected types. It gives exactly what `readJetstreamEvent` (zod) gives for such an event, in
 * received-time mode, and answers `null` for anything else (another kind, a malformed part, any
 * field that would give a problem) so the caller falls back to the full reader, which says what
 * is wrong. Normalised URLs and hashtags come from small caches of recent values.
 */
import type { Action, ActionKind } from '../model/index.js';
import { bareAction, normalizeHashtag, normalizeUrl } from '../model/index.js';

const PLATFORM = 'bluesky';
const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]+$/;
const POST_COLLECTION = 'app.bsky.feed.post';
const KINDS: Readonly<Record<string, ActionKind>> = {
  'app.bsky.feed.post': 'post', 'app.bsky.feed.repost': 'repost', 'app.bsky.feed.like': 'like', 'app.bsky.graph.follow': 'follow',
};
const NO_ACTIONS: readonly Action[] = Object.freeze([]);

/** Bounded memo of a string function: cleared whole when full (recent values refill it at once). */
class RecentCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly compute: (raw: string) => T, private readonly limit: number) {}
  get(raw: string): T {
    const found = this.map.get(raw);
    if (found !== undefined || this.map.has(raw)) return found as T;
    if (this.map.size >= this.limit) this.map.clear();
    const value = this.compute(raw);
    this.map.set(raw, value);
    return value;
  }
}

const urls = new RecentCache(normalizeUrl, 8192);
const hashtags = new RecentCache(normalizeHashtag, 8192);

type Json = Record<string, unknown>;
function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** A non-empty string, or undefined. */
function filled(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
/** `{uri: non-empty string}`'s uri, or undefined. */
function strongRef(value: unknown): string | undefined {
  return isObject(value) ? filled(value['uri']) : undefined;
}
/** A blob's CID: `ref.$link` (since 2022) or the legacy bare `cid`. */
function blobCid(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const ref = value['ref'];
  return (isObject(ref) ? filled(ref['$link']) : undefined) ?? filled(value['cid']);
}
const absent = (value: unknown): boolean => value === undefined || value === null;

/**
 * The actions of a parsed Jetstream event when it has the common, well-formed shape (received
 * time), or null when the full reader must decide (it may find a problem, an actor, or a legacy form).
 * Returned arrays may be shared and frozen when empty: do not mutate them.
 * @example readJetstreamFast(JSON.parse(line)) ?? readJetstreamEvent(JSON.parse(line)).actions
 */
export function readJetstreamFast(value: unknown): readonly Action[] | null {
  if (!isObject(value) || value['kind'] !== 'commit') return null;
  const did = value['did'];
  const timeUs = value['time_us'];
  if (typeof did !== 'string' || typeof timeUs !== 'number' || !Number.isSafeInteger(timeUs) || timeUs <= 0 || !DID.test(did)) return null;
  const commit = value['commit'];
  if (!isObject(commit)) return null;
  const operation = commit['operation'];
  const collection = filled(commit['collection']);
  const rkey = filled(commit['rkey']);
  if ((operation !== 'create' && operation !== 'update' && operation !== 'delete') || collection === undefined || rkey === undefined) return null;
  const kind = KINDS[collection];
  if (operation !== 'create' || kind === undefined || !Object.hasOwn(KINDS, collection)) return NO_ACTIONS;
  const record = commit['record'];
  if (!isObject(record)) return null;
  const action = bareAction(PLATFORM, `at://${did}/${collection}/${rkey}`, did, kind, Math.floor(timeUs / 1000));
  if (kind === 'follow') {
    const subject = record['subject'];
    if (typeof subject !== 'string' || !DID.test(subject)) return null;
    action.targetActor = subject;
  } else if (kind === 'post') {
    if (!readPost(record, action)) return null;
  } else {
    const uri = strongRef(record['subject']);
    if (uri === undefined) return null;
    action.targetPost = uri;
    action.targetActor = parseAtUri(uri)?.did ?? null;
  }
  return [action];
}

/** Fills a post as the full reader does; false when any part would give a problem. */
function readPost(record: Json, action: Action): boolean {
  const text = record['text'];
  if (!absent(text) && typeof text !== 'string') return false;
  action.text = typeof text === 'string' && text !== '' ? text : null;
  const langs = record['langs'];
  if (!absent(langs)) {
    if (!Array.isArray(langs)) return false;
    for (const lang of langs) if (filled(lang) === undefined) return false;
    action.language = (langs[0] as string | undefined) ?? null;
  }
  const linkList: string[] = [];
  const tagList: string[] = [];
  const mentionList: string[] = [];
  const mediaList: string[] = [];
  const facets = record['facets'];
  if (!absent(facets)) {
    if (!Array.isArray(facets)) return false;
    for (const facet of facets) {
      const features = isObject(facet) ? facet['features'] : undefined;
      if (!Array.isArray(features)) return false;
      for (const feature of features) {
        if (!isObject(feature)) return false;
        const type = feature['$type'];
        if (typeof type !== 'string') return false;
        if (type === 'app.bsky.richtext.facet#link' && typeof feature['uri'] === 'string') linkList.push(feature['uri']);
        else if (type === 'app.bsky.richtext.facet#tag' && typeof feature['tag'] === 'string') tagList.push(feature['tag']);
        else if (type === 'app.bsky.richtext.facet#mention' && typeof feature['did'] === 'string') mentionList.push(feature['did']);
      }
    }
  }
  const tags = record['tags'];
  if (!absent(tags)) {
    if (!Array.isArray(tags)) return false;
    for (const tag of tags) {
      if (typeof tag !== 'string') return false;
      tagList.push(tag);
    }
  }
  const reply = record['reply'];
  let parent: string | undefined;
  if (!absent(reply)) {
    parent = isObject(reply) ? strongRef(reply['parent']) : undefined;
    if (parent === undefined) return false;
  }
  let quoted: string | undefined;
  const embed = record['embed'];
  if (!absent(embed)) {
    if (!isObject(embed) || typeof embed['$type'] !== 'string') return false;
    const type = embed['$type'];
    if (type === 'app.bsky.embed.record') {
      quoted = strongRef(embed['record']);
    } else if (type === 'app.bsky.embed.recordWithMedia') {
      const inner = embed['record'];
      quoted = isObject(inner) ? strongRef(inner['record']) : undefined;
      const media = embed['media'];
      if (isObject(media) && typeof media['$type'] === 'string') readMedia(media, linkList, mediaList);
    } else {
      readMedia(embed, linkList, mediaList);
    }
  }
  if (quoted !== undefined && parseAtUri(quoted)?.collection !== POST_COLLECTION) quoted = undefined;
  if (parent !== undefined) {
    action.kind = 'reply';
    action.targetPost = parent;
  } else if (quoted !== undefined) {
    action.kind = 'quote';
    action.targetPost = quoted;
  }
  action.targetActor = action.targetPost === null ? null : parseAtUri(action.targetPost)?.did ?? null;
  action.urls = distinct(linkList, (raw) => urls.get(raw));
  action.hashtags = distinct(tagList, (raw) => hashtags.get(raw));
  action.mentions = distinct(mentionList, trimmed);
  action.mediaHashes = distinct(mediaList, trimmed);
  return true;
}

function readMedia(embed: Json, linkList: string[], mediaList: string[]): void {
  const type = embed['$type'];
  if (type === 'app.bsky.embed.external') {
    const external = embed['external'];
    if (isObject(external) && typeof external['uri'] === 'string') linkList.push(external['uri']);
  } else if (type === 'app.bsky.embed.images') {
    const images = embed['images'];
    if (!Array.isArray(images)) return;
    for (const image of images) {
      const cid = isObject(image) ? blobCid(image['image']) : undefined;
      if (cid !== undefined) mediaList.push(cid);
    }
  } else if (type === 'app.bsky.embed.video') {
    const cid = blobCid(embed['video']);
    if (cid !== undefined) mediaList.push(cid);
  }
}

function trimmed(raw: string): string | null {
  const value = raw.trim();
  return value === '' ? null : value;
}

/** Normalised values, nulls dropped, first occurrences in order (normalizeAll without a Set for 0 or 1 item). */
function distinct(raw: readonly string[], normalize: (item: string) => string | null): string[] {
  if (raw.length === 0) return [];
  if (raw.length === 1) {
    const only = normalize(raw[0] as string);
    return only === null ? [] : [only];
  }
  const seen = new Set<string>();
  for (const item of raw) {
    const normal = normalize(item);
    if (normal !== null) seen.add(normal);
  }
  return [...seen];
}

const AT_URI = /^at:\/\/([^/?#]+)\/([^/?#]+)\/([^/?#]+)$/;

/** The parts of `at://did/collection/rkey`; `did` is null when the authority is a handle. */
export function parseAtUri(uri: string): { did: string | null; collection: string; rkey: string } | null {
  const match = AT_URI.exec(uri);
  if (match === null) return null;
  const [, authority = '', collection = '', rkey = ''] = match;
  return { did: authority.startsWith('did:') ? authority : null, collection, rkey };
}
