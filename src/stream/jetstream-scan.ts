/**
 * A Jetstream line scanner for the stream's front end: it walks the JSON text once and builds only
 * the fields detection reads (did, time_us, the commit's operation, collection and rkey, a
 * repost's or like's subject, a follow's subject, a post's reply parent, quoted record, facet
 * links, mentions and tags, record tags and an external embed's link), instead of JSON.parse
 * building every object and string of the record. Skipped values are still checked as JSON (a
 * line JSON.parse would refuse is never read), and the parts the hand-checked reader
 * (src/ingest/jetstream-fast.ts) checks are checked the same way.
 *
 * Anything unusual — a duplicate key it reads, a record before its collection, a number where it
 * expects a plain integer, another event kind, any part that reader would refuse — makes the
 * scanner give up, and the line goes through parseJetstreamLine (JSON.parse, then the fast path or
 * the zod reader), so the result is the same as that path's in the fields below (test:
 * jetstream-scan.test.ts). Actions from the scanner carry no text, language or media hashes
 * (detection does not read them): use parseJetstreamLine where those are wanted.
 */
import type { Action, ActionKind } from '../model/index.js';
import { bareAction, normalizeHashtag, normalizeUrl } from '../model/index.js';
import { parseAtUri } from '../ingest/jetstream-fast.js';
import { ownCopy } from './interner.js';
import { parseJetstreamLine } from './jetstream-line.js';
import type { LineResult } from './jetstream-line.js';

const PLATFORM = 'bluesky';
const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]+$/;
const POST_COLLECTION = 'app.bsky.feed.post';
const KINDS = new Map<string, ActionKind>([
  ['app.bsky.feed.post', 'post'], ['app.bsky.feed.repost', 'repost'], ['app.bsky.feed.like', 'like'], ['app.bsky.graph.follow', 'follow'],
]);
const NO_ACTIONS: readonly Action[] = Object.freeze([]);
// eslint-disable-next-line no-control-regex -- the characters JSON forbids inside strings
const CONTROL = /[\u0000-\u001f]/;

/** Thrown inside the scanner when the line must go the JSON.parse way; caught in scanJetstreamActions. */
const GIVE_UP = new Error('jetstream-scan: not the common shape');

// The scanner's cursor: one line at a time, synchronously.
let s = '';
let i = 0;

const fail = (): never => {
  throw GIVE_UP;
};

function ws(): number {
  const str = s;
  let j = i;
  let c = str.charCodeAt(j);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = str.charCodeAt(++j);
  i = j;
  return c;
}

function expect(code: number): void {
  if (ws() !== code) fail();
  i++;
}

/** Position of the next backslash at or after the cursor (-1: none left in the line). */
let nextEscape = -1;

/**
 * Skips a string at `"`, checking it as JSON; true when it held an escape. The closing quote and
 * the escapes are found with indexOf (native), not char by char: the line was checked for control
 * characters once (scanJetstreamActions), so the characters between need no look.
 */
function skipString(): boolean {
  const str = s;
  let q = str.indexOf('"', i + 1);
  if (q < 0) fail();
  let escaped = false;
  while (nextEscape !== -1 && nextEscape < q) {
    escaped = true;
    let j = nextEscape + 1;
    const e = str.charCodeAt(j++);
    if (e === 117) {
      for (let h = 0; h < 4; h++) {
        const x = str.charCodeAt(j++);
        if (!((x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102))) fail();
      }
    } else if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) fail();
    // An escaped quote is not the end: look for the next one after the escape.
    if (j > q) {
      q = str.indexOf('"', j);
      if (q < 0) fail();
    }
    nextEscape = str.indexOf('\\', j);
  }
  i = q + 1;
  return escaped;
}

/** Reads a string at `"` (the cursor is already on it). */
function readString(): string {
  const start = i;
  const escaped = skipString();
  return escaped ? (JSON.parse(s.slice(start, i)) as string) : s.slice(start + 1, i - 1);
}

/** A string value, or give up (the caller needs a string here). */
function stringValue(): string {
  if (ws() !== 34) fail();
  return readString();
}

function skipDigits(): number {
  const str = s;
  const start = i;
  let j = i;
  let c = str.charCodeAt(j);
  while (c >= 48 && c <= 57) c = str.charCodeAt(++j);
  i = j;
  return j - start;
}

function skipNumber(): void {
  if (s.charCodeAt(i) === 45) i++;
  if (s.charCodeAt(i) === 48) i++;
  else if (skipDigits() === 0) fail();
  if (s.charCodeAt(i) === 46) {
    i++;
    if (skipDigits() === 0) fail();
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    const sign = s.charCodeAt(++i);
    if (sign === 43 || sign === 45) i++;
    if (skipDigits() === 0) fail();
  }
}

function skipLiteral(word: string): void {
  if (!s.startsWith(word, i)) fail();
  i += word.length;
}

/** Skips any JSON value, checking it. */
function skipValue(): void {
  const c = ws();
  if (c === 34) skipString();
  else if (c === 123) {
    for (let more = firstKey(); more; more = nextKey()) skipValue();
  } else if (c === 91) {
    for (let more = firstItem(); more; more = nextItem()) skipValue();
  } else if (c === 116) skipLiteral('true');
  else if (c === 102) skipLiteral('false');
  else if (c === 110) skipLiteral('null');
  else if (c === 45 || (c >= 48 && c <= 57)) skipNumber();
  else fail();
}

/**
 * Objects are walked as `for (let more = firstKey(); more; more = nextKey())`, the cursor on
 * `{` before the first call; the body must consume each member's value. Keys the scanner reads are
 * checked for repeats by the caller (JSON.parse would keep the last: the scanner gives up).
 */
function firstKey(): boolean {
  i++;
  if (ws() === 125) {
    i++;
    return false;
  }
  return key();
}

/** The current key's span in the line (keys are compared in place, never sliced). */
let keyStart = 0;
let keyLength = 0;

function key(): boolean {
  if (ws() !== 34) fail();
  keyStart = i + 1;
  // An escaped key would need decoding to compare: rare enough to leave to JSON.parse.
  if (skipString()) fail();
  keyLength = i - 1 - keyStart;
  expect(58);
  return true;
}

/** The current key is `name`. */
function keyIs(name: string): boolean {
  return keyLength === name.length && s.startsWith(name, keyStart);
}

function nextKey(): boolean {
  const c = ws();
  i++;
  if (c === 125) return false;
  if (c !== 44) fail();
  return key();
}

/** Arrays: `for (let more = firstItem(); more; more = nextItem())`, the cursor on `[`. */
function firstItem(): boolean {
  i++;
  if (ws() === 93) {
    i++;
    return false;
  }
  return true;
}

function nextItem(): boolean {
  const c = ws();
  i++;
  if (c === 93) return false;
  if (c !== 44) fail();
  return true;
}

/** The value is null (consumed: true) or something else (not consumed: false). */
function isNull(): boolean {
  if (ws() !== 110) return false;
  skipLiteral('null');
  return true;
}

/** A string value, or undefined for any other value (consumed either way). */
function maybeString(): string | undefined {
  if (ws() === 34) return readString();
  skipValue();
  return undefined;
}

/** `{uri: string}`'s uri when the value is an object with a string uri (else undefined); never gives up on shape. With `inner`, also its `record`'s uri. */
function refUri(inner?: { uri: string | undefined }): string | undefined {
  if (ws() !== 123) {
    skipValue();
    return undefined;
  }
  let uri: string | undefined;
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    if (keyIs('uri')) {
      if ((seen & 1) !== 0) fail();
      seen |= 1;
      uri = maybeString();
    } else if (keyIs('record') && inner !== undefined) {
      if ((seen & 2) !== 0) fail();
      seen |= 2;
      inner.uri = refUri();
    } else skipValue();
  }
  return uri;
}

/** A strong ref's non-empty uri, or give up (the fast path refuses the event). */
function requiredRef(): string {
  const uri = refUri();
  if (uri === undefined || uri === '') fail();
  return uri as string;
}

interface PostParts {
  facetLinks: string[];
  embedLinks: string[];
  facetTags: string[];
  tags: string[];
  mentions: string[];
  parent: string | undefined;
  quoted: string | undefined;
}

const post: PostParts = { facetLinks: [], embedLinks: [], facetTags: [], tags: [], mentions: [], parent: undefined, quoted: undefined };

function readFeature(): void {
  if (ws() !== 123) fail();
  let type: string | undefined;
  let uri: string | undefined;
  let tag: string | undefined;
  let did: string | undefined;
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    const bit = keyIs('$type') ? 1 : keyIs('uri') ? 2 : keyIs('tag') ? 4 : keyIs('did') ? 8 : 0;
    if (bit === 0) {
      skipValue();
      continue;
    }
    if ((seen & bit) !== 0) fail();
    seen |= bit;
    const text = maybeString();
    if (bit === 1) type = text;
    else if (bit === 2) uri = text;
    else if (bit === 4) tag = text;
    else did = text;
  }
  if (type === undefined) fail();
  if (type === 'app.bsky.richtext.facet#link' && uri !== undefined) post.facetLinks.push(uri);
  else if (type === 'app.bsky.richtext.facet#tag' && tag !== undefined) post.facetTags.push(tag);
  else if (type === 'app.bsky.richtext.facet#mention' && did !== undefined) post.mentions.push(did);
}

function readFacet(): void {
  if (ws() !== 123) fail();
  let features = false;
  for (let more = firstKey(); more; more = nextKey()) {
    if (!keyIs('features')) {
      skipValue();
      continue;
    }
    if (features || ws() !== 91) fail();
    features = true;
    for (let more = firstItem(); more; more = nextItem()) readFeature();
  }
  if (!features) fail();
}

/** An embed's `external.uri` when it is a string. */
function externalUri(): string | undefined {
  if (ws() !== 123) {
    skipValue();
    return undefined;
  }
  let uri: string | undefined;
  let seen = false;
  for (let more = firstKey(); more; more = nextKey()) {
    if (!keyIs('uri')) {
      skipValue();
      continue;
    }
    if (seen) fail();
    seen = true;
    uri = maybeString();
  }
  return uri;
}

/** An embed object (or a recordWithMedia's media, `nested`): its type and the link it gives; a top-level embed fills `post`. */
function readEmbed(nested: boolean): { type: string | undefined; link: string | undefined } {
  let type: string | undefined;
  let external: string | undefined;
  let media: { type: string | undefined; link: string | undefined } | undefined;
  let record: string | undefined;
  const inner = { uri: undefined as string | undefined };
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    const bit = keyIs('$type') ? 1 : keyIs('external') ? 2 : keyIs('record') && !nested ? 4 : keyIs('media') && !nested ? 8 : 0;
    if (bit === 0) {
      skipValue();
      continue;
    }
    if ((seen & bit) !== 0) fail();
    seen |= bit;
    if (bit === 1) type = maybeString();
    else if (bit === 2) external = externalUri();
    else if (bit === 4) record = refUri(inner);
    else if (ws() === 123) media = readEmbed(true);
    else skipValue();
  }
  const link = type === 'app.bsky.embed.external' ? external : undefined;
  if (nested) return { type, link };
  if (type === undefined) fail();
  if (type === 'app.bsky.embed.record') post.quoted = record === '' ? undefined : record;
  else if (type === 'app.bsky.embed.recordWithMedia') {
    post.quoted = inner.uri === '' ? undefined : inner.uri;
    if (media?.type !== undefined && media.link !== undefined) post.embedLinks.push(media.link);
  } else if (link !== undefined) post.embedLinks.push(link);
  return { type, link };
}

function readPostRecord(): void {
  post.facetLinks = [];
  post.embedLinks = [];
  post.facetTags = [];
  post.tags = [];
  post.mentions = [];
  post.parent = undefined;
  post.quoted = undefined;
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    const bit = keyIs('text') ? 1 : keyIs('langs') ? 2 : keyIs('facets') ? 4 : keyIs('tags') ? 8 : keyIs('reply') ? 16 : keyIs('embed') ? 32 : 0;
    if (bit === 0) {
      skipValue();
      continue;
    }
    if ((seen & bit) !== 0) fail();
    seen |= bit;
    if (isNull()) continue;
    const c = ws();
    if (bit === 1) {
      if (c !== 34) fail();
      skipString();
    } else if (bit === 2) {
      if (c !== 91) fail();
      for (let more = firstItem(); more; more = nextItem()) if (stringValue() === '') fail();
    } else if (bit === 4) {
      if (c !== 91) fail();
      for (let more = firstItem(); more; more = nextItem()) readFacet();
    } else if (bit === 8) {
      if (c !== 91) fail();
      for (let more = firstItem(); more; more = nextItem()) post.tags.push(stringValue());
    } else if (bit === 16) {
      if (c !== 123) fail();
      let has = false;
      for (let more = firstKey(); more; more = nextKey()) {
        if (!keyIs('parent')) {
          skipValue();
          continue;
        }
        if (has) fail();
        has = true;
        post.parent = requiredRef();
      }
      if (!has) fail();
    } else {
      if (c !== 123) fail();
      readEmbed(false);
    }
  }
}

/**
 * Bounded memo of a string function: cleared whole when full. Keys and values are copies, not
 * slices of the line (a slice would keep its whole line alive while the memo holds it).
 */
function recent(compute: (raw: string) => string | null, limit: number): (raw: string) => string | null {
  const map = new Map<string, string | null>();
  return (raw) => {
    const found = map.get(raw);
    if (found !== undefined) return found;
    if (map.size >= limit) map.clear();
    const computed = compute(raw);
    const value = computed === null ? null : ownCopy(computed);
    map.set(ownCopy(raw), value);
    return value;
  };
}
const urls = recent(normalizeUrl, 8192);
const hashtags = recent(normalizeHashtag, 8192);
function trimmed(raw: string): string | null {
  const value = raw.trim();
  return value === '' ? null : value;
}

/** Normalised values, nulls dropped, first occurrences in order. */
function distinct(first: readonly string[], second: readonly string[], normalize: (item: string) => string | null): string[] {
  const n = first.length + second.length;
  if (n === 0) return [];
  if (n === 1) {
    const only = normalize((first[0] ?? second[0]) as string);
    return only === null ? [] : [only];
  }
  const seen = new Set<string>();
  for (const list of [first, second]) {
    for (const item of list) {
      const normal = normalize(item);
      if (normal !== null) seen.add(normal);
    }
  }
  return [...seen];
}

interface Commit { operation: string | undefined; collection: string | undefined; rkey: string | undefined }

function readCommit(did: string | undefined, timeUs: number): { commit: Commit; action: Action | null } {
  const commit: Commit = { operation: undefined, collection: undefined, rkey: undefined };
  let action: Action | null = null;
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    const bit = keyIs('operation') ? 1 : keyIs('collection') ? 2 : keyIs('rkey') ? 4 : keyIs('record') ? 8 : 0;
    if (bit === 0) {
      skipValue();
      continue;
    }
    if ((seen & bit) !== 0) fail();
    seen |= bit;
    if (bit === 1) commit.operation = stringValue();
    else if (bit === 2) commit.collection = stringValue();
    else if (bit === 4) commit.rkey = stringValue();
    else {
      if (commit.operation === undefined || commit.collection === undefined) fail();
      const kind = KINDS.get(commit.collection as string);
      // Not a record the stream reads (another operation or collection): checked as JSON only.
      if (commit.operation !== 'create' || kind === undefined) {
        skipValue();
        continue;
      }
      if (did === undefined || !DID.test(did) || commit.rkey === undefined || ws() !== 123) fail();
      action = readRecord(kind as ActionKind, did as string, commit.collection as string, commit.rkey as string, timeUs);
    }
  }
  return { commit, action };
}

function readRecord(kind: ActionKind, did: string, collection: string, rkey: string, timeUs: number): Action {
  if (rkey === '' || !Number.isSafeInteger(timeUs) || timeUs <= 0) fail();
  const action = bareAction(PLATFORM, `at://${did}/${collection}/${rkey}`, did, kind, Math.floor(timeUs / 1000));
  if (kind === 'post') {
    readPostRecord();
    if (post.parent !== undefined) {
      action.kind = 'reply';
      action.targetPost = post.parent;
    } else if (post.quoted !== undefined && parseAtUri(post.quoted)?.collection === POST_COLLECTION) {
      action.kind = 'quote';
      action.targetPost = post.quoted;
    }
    action.targetActor = action.targetPost === null ? null : parseAtUri(action.targetPost)?.did ?? null;
    action.urls = distinct(post.facetLinks, post.embedLinks, urls);
    action.hashtags = distinct(post.facetTags, post.tags, hashtags);
    action.mentions = distinct(post.mentions, [], trimmed);
    return action;
  }
  let subject: string | undefined;
  for (let more = firstKey(); more; more = nextKey()) {
    if (!keyIs('subject')) {
      skipValue();
      continue;
    }
    if (subject !== undefined) fail();
    subject = kind === 'follow' ? stringValue() : requiredRef();
  }
  if (subject === undefined) fail();
  if (kind === 'follow') {
    if (!DID.test(subject as string)) fail();
    action.targetActor = subject as string;
  } else {
    action.targetPost = subject as string;
    action.targetActor = parseAtUri(subject as string)?.did ?? null;
  }
  return action;
}

/**
 * The detection fields of a common Jetstream commit line, or null when the line must be read by
 * parseJetstreamLine (the scanner gave up: unusual, malformed, or another kind). `timeUs` is set
 * with the actions.
 * @example scanJetstreamActions(line) ?? parseJetstreamLine(line, 'feed.jsonl:3').actions
 */
export function scanJetstreamActions(line: string): { actions: readonly Action[]; timeUs: number } | null {
  // A control character may only be whitespace between tokens, which Jetstream never writes:
  // such a line goes the JSON.parse way, so a string's characters need no check here.
  if (CONTROL.test(line)) return null;
  s = line;
  i = 0;
  nextEscape = line.indexOf('\\');
  try {
    return scanTop();
  } catch (error) {
    if (error === GIVE_UP || error instanceof SyntaxError || error instanceof RangeError) return null;
    throw error;
  } finally {
    s = '';
  }
}

function scanTop(): { actions: readonly Action[]; timeUs: number } {
  if (ws() !== 123) fail();
  let did: string | undefined;
  let timeUs = NaN;
  let kind: string | undefined;
  let found: { commit: Commit; action: Action | null } | undefined;
  let seen = 0;
  for (let more = firstKey(); more; more = nextKey()) {
    const bit = keyIs('did') ? 1 : keyIs('time_us') ? 2 : keyIs('kind') ? 4 : keyIs('commit') ? 8 : 0;
    if (bit === 0) {
      skipValue();
      continue;
    }
    if ((seen & bit) !== 0) fail();
    seen |= bit;
    if (bit === 1) did = stringValue();
    else if (bit === 2) {
      ws();
      const start = i;
      if (s.charCodeAt(i) === 48 || skipDigits() === 0) fail();
      const c = s.charCodeAt(i);
      if (c === 46 || c === 101 || c === 69) fail();
      timeUs = Number(s.slice(start, i));
    } else if (bit === 4) kind = stringValue();
    else {
      if (ws() !== 123) fail();
      found = readCommit(did, timeUs);
    }
  }
  ws();
  if (i !== s.length) fail();
  if (kind !== 'commit' || did === undefined || !DID.test(did) || !Number.isSafeInteger(timeUs) || timeUs <= 0 || found === undefined) fail();
  const { commit, action } = found as { commit: Commit; action: Action | null };
  const { operation, collection, rkey } = commit;
  if ((operation !== 'create' && operation !== 'update' && operation !== 'delete') || collection === undefined || collection === '' || rkey === undefined || rkey === '') fail();
  if (operation !== 'create' || !KINDS.has(collection as string)) return { actions: NO_ACTIONS, timeUs };
  if (action === null) fail();
  return { actions: [action as Action], timeUs };
}

/**
 * parseJetstreamLine for detection: the scanner when it can read the line, parseJetstreamLine
 * otherwise (which names any problem with `where`). Actions carry the fields detection reads
 * (no text, language or media hashes).
 * @example scanJetstreamLine(line, () => `${file}:${n}`).actions
 */
export function scanJetstreamLine(line: string, where: string | (() => string)): LineResult {
  const scanned = scanJetstreamActions(line);
  if (scanned === null) return parseJetstreamLine(line, where);
  return { actions: scanned.actions.length === 0 ? [] : (scanned.actions as Action[]), problems: [], timeUs: scanned.timeUs };
}
