/**
 * A Jetstream line scanner over bytes (a slice of a chunk read from a file or socket), for the
 * scale-out front end: it finds where the fields detection reads sit in the line and makes no
 * string and no object. Pass 1 checks the whole line as JSON (strings, escapes, control
 * characters, numbers, literals, nesting; keys without escapes; in WebAssembly) and, in the same
 * walk, records where the keys detection reads sit in each object (JsonChecker), so pass 2 goes straight to them
 * without walking an object's keys again:
 * did, time_us, kind, the commit's operation, collection and rkey, a follow's subject, a repost's
 * or like's subject uri, a post's reply parent, quoted record, facet links, tags and mentions,
 * record tags and an external embed's link.
 *
 * It accepts only what src/ingest/jetstream-fast.ts accepts, checked the same way, and gives up on
 * anything else — a line that is not JSON, an escape in a key or in a value it reads,
 * `time_us` not written as plain digits, another event kind, a part of the wrong type — so the
 * caller reads that line the JSON.parse way (parseJetstreamLine), which says what is wrong. Where
 * it accepts, the actions' detection fields are those of that path (test: byte-front.test.ts).
 */
import { ESCAPED, JsonChecker } from './json-check.js';
import { ID_HASH_START, idHashes } from './partitioner.js';

/** What a scan found. */
export const SCAN_GIVE_UP = 0;
/** A valid event with no action (another collection, a delete or update). */
export const SCAN_NONE = 1;
/** One action: its parts are in `scanned`. */
export const SCAN_ACTION = 2;

/** Action kinds the scanner gives (`scanned.kind`). */
export const K_POST = 0, K_REPOST = 1, K_LIKE = 2, K_FOLLOW = 3, K_REPLY = 4, K_QUOTE = 5;
/** Collection names, as the action id spells them, by kind (reply and quote are posts). */
export const COLLECTIONS = ['app.bsky.feed.post', 'app.bsky.feed.repost', 'app.bsky.feed.like', 'app.bsky.graph.follow'] as const;

/**
 * The parts of the last scanned action, as byte offsets into the scanned bytes (reused by every
 * scan). Lists are start/end pairs in the fast path's order: links from facets then the embed,
 * tags from facets then the record's tags, mentions from facets.
 */
export const scanned = {
  kind: 0, collection: 0, timeUs: 0,
  didStart: 0, didEnd: 0, rkeyStart: 0, rkeyEnd: 0,
  /** The did's FNV-1a (hashBytes), its id in `dids` (-1: not there) and the action id's SeenIds hashes (idHashes of `/collection/rkey`). */
  didHash: 0, actorId: -1, idHash1: 0, idHash2: 0,
  /** A repost's subject, a reply's parent or a quote's record (-1: none). */
  targetStart: -1, targetEnd: -1,
  links: new Int32Array(64), linkCount: 0,
  tags: new Int32Array(64), tagCount: 0,
  mentions: new Int32Array(64), mentionCount: 0,
};

const GIVE_UP = new Error('jetstream-scan: not the common shape');
const fail = (): never => {
  throw GIVE_UP;
};
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

let b: Uint8Array = new Uint8Array(0);
let base = 0;
/** Pass 1's record: the end of the value starting at offset `base + k` is `ends[k]` (CHECK.ends, renewed when its memory grows). */
let ends = new Int32Array(0);

// ---- Pass 2: walking a checked line to its fields.

/** After a checked value at `at`: where it ends. */
const skip = (at: number): number => ends[at - base]! & (ESCAPED - 1);

function skipWs(at: number): number {
  while (b[at] === 32 || b[at] === 9) at++;
  return at;
}

/**
 * The value offsets of the keys `names` (indexes into FIELD_NAMES) in the object at `at` (-1:
 * absent); of a key given twice, the last, as JSON.parse keeps it. Pass 1 recorded them.
 */
function fields(at: number, names: Int32Array, out: Int32Array): void {
  const node = CHECK.nodeAt[at - base]! * FIELD_COUNT, pos = CHECK.pos;
  for (let n = 0; n < names.length; n++) out[n] = pos[node + names[n]!]!;
}

const isObject = (at: number): boolean => at >= 0 && b[at] === 123;
const isString = (at: number): boolean => at >= 0 && b[at] === 34;
/** Absent or null. */
const absent = (at: number): boolean => at < 0 || b[at] === 110;

/** The end of the string at `at` (after its content), giving up if it holds an escape. */
function plainEnd(at: number): number {
  const end = ends[at - base]!;
  if (end >= ESCAPED) fail();
  return end - 1;
}

/** Whether the string at `at` equals `word` (giving up on an escaped one). */
function stringIs(at: number, word: Uint8Array): boolean {
  const e = plainEnd(at);
  if (e - at - 1 !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[at + 1 + k] !== word[k]) return false;
  return true;
}

/** `^did:[a-z]+:[A-Za-z0-9._:%-]+$` over the plain string at `at`. */
function isDid(at: number): boolean {
  const e = plainEnd(at);
  let j = at + 1;
  if (b[j] !== 100 || b[j + 1] !== 105 || b[j + 2] !== 100 || b[j + 3] !== 58) return false;
  j += 4;
  const method = j;
  while (j < e && b[j]! >= 97 && b[j]! <= 122) j++;
  if (j === method || b[j] !== 58) return false;
  const rest = ++j;
  for (; j < e; j++) {
    const c = b[j]!, l = c | 32;
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 58) || c === 46 || c === 95 || c === 37 || c === 45)) return false;
  }
  return j > rest;
}

const F = new Int32Array(8), G = new Int32Array(8), H = new Int32Array(8);
/** Every key pass 2 reads, in any object: pass 1 records where their values sit (JsonChecker). */
export const FIELD_NAMES = ['did', 'time_us', 'kind', 'commit', 'operation', 'collection', 'rkey', 'record', 'text', 'langs', 'facets', 'tags', 'reply', 'embed', 'uri', 'subject', 'parent', 'features', '$type', 'tag', 'media', 'external'];
/** The checker every scan uses (jetstream-chunk.ts writes chunks into its memory). */
export const CHECK = new JsonChecker(FIELD_NAMES);
const FIELD_COUNT = FIELD_NAMES.length;
/** The accounts' ids the module's readTop looks a line's did up in (scanned.actorId): its user inserts first sightings. */
export const dids = CHECK.dids;
/**
 * The module's readTop (wasm/json-check.ts) reads did … record by these indexes, compares the
 * words written at WORDS, and starts the action id's hashes from SEEDS; its record is at READ_TOP.
 */
const READ_TOP = CHECK.region('TOP'), SEEDS = CHECK.region('SEEDS'), WORDS_START = CHECK.region('WORDS_START'), WORDS = CHECK.region('WORDS');
if (FIELD_NAMES.slice(0, 8).join() !== 'did,time_us,kind,commit,operation,collection,rkey,record') throw new Error('jetstream-scan: readTop reads the first 8 names');
{
  const seeds = new Int32Array(CHECK.memory, SEEDS, 8), starts = new Int32Array(CHECK.memory, WORDS_START, 9);
  COLLECTIONS.forEach((collection, k) => {
    const h = Int32Array.from(ID_HASH_START), part = `/${collection}/`;
    idHashes(bytesOf(part), 0, part.length, h);
    seeds.set(h, 2 * k);
  });
  [...COLLECTIONS, 'commit', 'create', 'update', 'delete'].map(bytesOf).forEach((word, w) => {
    new Uint8Array(CHECK.memory, WORDS + starts[w]!, word.length).set(word);
    starts[w + 1] = starts[w]! + word.length;
  });
}
const topViews = (): [Int32Array, Float64Array] => [new Int32Array(CHECK.memory, READ_TOP, 12), new Float64Array(CHECK.memory, READ_TOP + 8, 1)];
let [topRecord, topTime] = topViews();
const names = (...list: string[]): Int32Array => Int32Array.from(list, (name) => FIELD_NAMES.indexOf(name));
const POST_FIELDS = names('text', 'langs', 'facets', 'tags', 'reply', 'embed');
const URI = names('uri'), SUBJECT = names('subject'), PARENT = names('parent'), FEATURES = names('features');
const FEATURE = names('$type', 'uri', 'tag', 'did');
const EMBED = names('$type', 'record', 'media', 'external');
const COLLECTION_BYTES = COLLECTIONS.map(bytesOf);
const [LINK, TAG, MENTION] = ['app.bsky.richtext.facet#link', 'app.bsky.richtext.facet#tag', 'app.bsky.richtext.facet#mention'].map(bytesOf) as [Uint8Array, Uint8Array, Uint8Array];
const [EMBED_RECORD, EMBED_WITH_MEDIA, EMBED_EXTERNAL] = ['app.bsky.embed.record', 'app.bsky.embed.recordWithMedia', 'app.bsky.embed.external'].map(bytesOf) as [Uint8Array, Uint8Array, Uint8Array];

/** A strong ref's uri (`{uri: non-empty string}`) at `at`: its start/end in `ref`, or false. */
const ref = { start: 0, end: 0 };
function strongRef(at: number): boolean {
  if (!isObject(at)) return false;
  fields(at, URI, H);
  const uri = H[0]!;
  if (!isString(uri)) return false;
  ref.start = uri + 1;
  ref.end = plainEnd(uri);
  return ref.end > ref.start;
}

function push(list: 'links' | 'tags' | 'mentions', count: 'linkCount' | 'tagCount' | 'mentionCount', at: number): void {
  const n = scanned[count];
  if (2 * n + 2 > scanned[list].length) {
    const grown = new Int32Array(2 * scanned[list].length);
    grown.set(scanned[list]);
    scanned[list] = grown;
  }
  scanned[list][2 * n] = at + 1;
  scanned[list][2 * n + 1] = plainEnd(at);
  scanned[count] = n + 1;
}

/** Each element of the array at `at`, or none when it is absent; gives up when it is not an array. */
function eachOf(at: number, visit: (element: number) => void): void {
  if (absent(at)) return;
  if (b[at] !== 91) fail();
  let j = skipWs(at + 1);
  if (b[j] === 93) return;
  for (;;) {
    visit(j);
    j = skipWs(skip(j));
    if (b[j] === 93) return;
    j = skipWs(j + 1);
  }
}

/** `at://authority/app.bsky.feed.post/rkey` (the fast path's AT_URI with a post collection). */
function isPostUri(start: number, stop: number): boolean {
  const prefix = [97, 116, 58, 47, 47];
  for (let k = 0; k < 5; k++) if (b[start + k] !== prefix[k]) return false;
  const cuts: number[] = [];
  for (let j = start + 5; j < stop; j++) {
    const c = b[j]!;
    if (c === 63 || c === 35) return false;
    if (c === 47) cuts.push(j);
  }
  if (cuts.length !== 2 || cuts[0] === start + 5 || cuts[1] === stop - 1 || cuts[1]! - cuts[0]! === 1) return false;
  const post = COLLECTION_BYTES[K_POST]!;
  if (cuts[1]! - cuts[0]! - 1 !== post.length) return false;
  for (let k = 0; k < post.length; k++) if (b[cuts[0]! + 1 + k] !== post[k]) return false;
  return true;
}

function readFacet(facet: number): void {
  if (!isObject(facet)) fail();
  fields(facet, FEATURES, G);
  const features = G[0]!;
  if (absent(features)) fail();
  eachOf(features, readFeature);
}

/** The external embed's link of a media embed at `at` (images and video give detection nothing). */
function readMedia(at: number, type: number): void {
  if (!stringIs(type, EMBED_EXTERNAL)) return;
  fields(at, EMBED, H);
  const external = H[3]!;
  if (!isObject(external)) return;
  fields(external, URI, H);
  if (isString(H[0]!)) push('links', 'linkCount', H[0]!);
}

function readLang(lang: number): void {
  if (!isString(lang) || b[lang + 1] === 34) fail();
}

function readTag(tag: number): void {
  if (!isString(tag)) fail();
  push('tags', 'tagCount', tag);
}

function readFeature(feature: number): void {
  if (!isObject(feature)) fail();
  fields(feature, FEATURE, H);
  const type = H[0]!;
  if (!isString(type)) fail();
  const uri = H[1]!, tag = H[2]!, did = H[3]!;
  if (stringIs(type, LINK)) {
    if (isString(uri)) push('links', 'linkCount', uri);
  } else if (stringIs(type, TAG)) {
    if (isString(tag)) push('tags', 'tagCount', tag);
  } else if (stringIs(type, MENTION) && isString(did)) push('mentions', 'mentionCount', did);
}

function readPost(record: number): void {
  fields(record, POST_FIELDS, G);
  const text = G[0]!, langs = G[1]!, facets = G[2]!, tags = G[3]!, reply = G[4]!, embed = G[5]!;
  if (!absent(text) && !isString(text)) fail();
  eachOf(langs, readLang);
  eachOf(facets, readFacet);
  eachOf(tags, readTag);
  let parent = -1, parentEnd = -1;
  if (!absent(reply)) {
    if (!isObject(reply)) fail();
    fields(reply, PARENT, H);
    if (!strongRef(H[0]!)) fail();
    { parent = ref.start; parentEnd = ref.end; }
  }
  let quoted = -1, quotedEnd = -1;
  if (!absent(embed)) {
    if (!isObject(embed)) fail();
    fields(embed, EMBED, F);
    const type = F[0]!, inner = F[1]!, media = F[2]!;
    if (!isString(type)) fail();
    if (stringIs(type, EMBED_RECORD)) {
      if (strongRef(inner)) { quoted = ref.start; quotedEnd = ref.end; }
    } else if (stringIs(type, EMBED_WITH_MEDIA)) {
      if (isObject(inner)) {
        fields(inner, EMBED, H);
        if (strongRef(H[1]!)) { quoted = ref.start; quotedEnd = ref.end; }
      }
      if (isObject(media)) {
        fields(media, EMBED, G);
        if (isString(G[0]!)) readMedia(media, G[0]!);
      }
    } else readMedia(embed, type);
  }
  if (quoted >= 0 && !isPostUri(quoted, quotedEnd)) quoted = -1;
  if (parent >= 0) { scanned.kind = K_REPLY; scanned.targetStart = parent; scanned.targetEnd = parentEnd; }
  else if (quoted >= 0) { scanned.kind = K_QUOTE; scanned.targetStart = quoted; scanned.targetEnd = quotedEnd; }
}

/**
 * Scans the line `bytes[start, stop)` (no line break inside). Returns SCAN_ACTION with the
 * action's parts in `scanned`, SCAN_NONE, or SCAN_GIVE_UP (read the line with parseJetstreamLine).
 * @example if (scanJetstreamBytes(chunk, 0, chunk.indexOf(10)) === SCAN_ACTION) use(scanned.didStart)
 */
export function scanJetstreamBytes(bytes: Uint8Array, start: number, stop: number): number {
  const code = scanTop(bytes, start, stop);
  if (code !== TOP_ACTION) return code === TOP_NONE ? SCAN_NONE : SCAN_GIVE_UP;
  return readRecordOf(bytes, start);
}

/** readRecord over the checked bytes `bytes` (pass 1's offsets from `start`): a SCAN_ code. */
export function readRecordOf(bytes: Uint8Array, start: number): number {
  ends = CHECK.ends;
  b = bytes;
  base = start;
  try {
    return readRecord();
  } catch (error) {
    if (error === GIVE_UP) return SCAN_GIVE_UP;
    throw error;
  }
}

/** scanTop's codes: the line is not JSON (or too long); the module's readTop gave up; no action; an action. */
export const TOP_NOT_JSON = -1, TOP_GIVE_UP = 0, TOP_NONE = 1, TOP_ACTION = 2;

/**
 * Pass 1 and the top fields (the module's readTop: did, time_us, kind, the commit's operation,
 * collection and rkey, the record's place, and the did's and action id's hashes) of the line
 * `bytes[start, stop)`, into `scanned` (and `recordAt`): one of the TOP_ codes.
 */
export function scanTop(bytes: Uint8Array, start: number, stop: number): number {
  // check() refuses lines of ESCAPED bytes or more, whose ends could not carry the flag.
  if (!CHECK.check(bytes, start, stop)) return TOP_NOT_JSON;
  let top = start;
  while (bytes[top] === 32 || bytes[top] === 9) top++;
  const code = CHECK.readTop(top);
  if (code === TOP_GIVE_UP) return code;
  if (topRecord.buffer !== CHECK.memory) [topRecord, topTime] = topViews();
  takeTop(topRecord, 0, topTime[0]!, code === TOP_ACTION);
  return code;
}

/** The record's place in the last line scanTop found an action in. */
let recordAt = -1;

/**
 * readTop's record at `record[at…]` into `scanned`: the did's and rkey's places and the time, and
 * for an action its kind, the record's place, the hashes and the did's id in `dids`.
 */
export function takeTop(record: Int32Array, at: number, timeUs: number, action: boolean): void {
  const s = scanned;
  s.didStart = record[at]!;
  s.didEnd = record[at + 1]!;
  s.timeUs = timeUs;
  s.rkeyStart = record[at + 4]!;
  s.rkeyEnd = record[at + 5]!;
  if (!action) return;
  s.kind = s.collection = record[at + 6]!;
  recordAt = record[at + 7]!;
  s.didHash = record[at + 8]!;
  s.idHash1 = record[at + 9]!;
  s.idHash2 = record[at + 10]!;
  s.actorId = record[at + 11]!;
}

/** An action's record, after scanTop: its targets and lists into `scanned`. */
function readRecord(): number {
  const s = scanned, kindOf = s.collection;
  s.targetStart = s.targetEnd = -1;
  s.linkCount = s.tagCount = s.mentionCount = 0;
  if (kindOf === K_FOLLOW) {
    fields(recordAt, SUBJECT, G);
    if (!isString(G[0]!) || !isDid(G[0]!)) return SCAN_GIVE_UP;
  } else if (kindOf === K_POST) readPost(recordAt);
  else {
    fields(recordAt, SUBJECT, G);
    if (!strongRef(G[0]!)) return SCAN_GIVE_UP;
    { s.targetStart = ref.start; s.targetEnd = ref.end; }
  }
  return SCAN_ACTION;
}
