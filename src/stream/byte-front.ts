/**
 * The scale-out front end over bytes: chunks of a Jetstream JSONL file (or stream) go straight to
 * the partitioner's columns. Lines are found in the chunk, scanned in place (jetstream-scan.ts),
 * a chunk at a time (jetstream-chunk.ts: written once into the WebAssembly module's memory, whose
 * scanLines checks its lines and reads their top fields there, up to 64 lines a call; a line
 * carried over chunks, or with a share a chunk holding a lone CR, a line at a time),
 * and accounts and keys are looked up by their bytes (byte-ids.ts), so the common line makes no
 * string and no object: a string is decoded, normalised and interned only the first time its
 * bytes are seen. A line the scanner gives up on is decoded and read by parseJetstreamLine, as
 * before, with the same line numbers as readline's; the batches are the same as that path's for
 * the same file (test: byte-front.test.ts).
 *
 * With `share`, it is one of several front ends reading the same bytes (stream-publish --threads):
 * each takes the lines whose account (the did the line opens with) hashes to it, so every action of
 * an account, and every repeat of an action, meets one partitioner's duplicate check; a line whose
 * did is not found that way (not at the head, escaped, no JSON) is the first share's. Each counts
 * every line, so a rejected line's number is the file's; a line of another share is only counted,
 * not checked (the module tells the share from the line's head). A lone CR is a line break for
 * this, as for readline.
 */
import { normalizeHashtag, normalizeUrl } from '../model/index.js';
import { STREAM_TRACES, urlDomain } from './extract.js';
import type { StreamTrace } from './extract.js';
import { ByteIds } from './byte-ids.js';
import { lineShare, loneCr } from './line-share.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { chunkBytes, chunkLine, chunkLineAt, scanChunk, scanChunkResume } from './jetstream-chunk.js';
import { dids, K_LIKE, K_REPLY, K_REPOST, K_FOLLOW, scanJetstreamBytes, scanned, SCAN_ACTION, SCAN_GIVE_UP } from './jetstream-scan.js';
import { KEY_TAG } from './module-ids.js';
import type { OutBatch, Partitioner } from './partitioner.js';

export { lineShare } from './line-share.js';

const PLATFORM = 'bluesky';
const T = (trace: StreamTrace): number => STREAM_TRACES.indexOf(trace);
const T_REPOST = T('co-repost'), T_REPLY = T('co-reply'), T_LINK = T('co-link'), T_DOMAIN = T('co-domain');
const T_HASHTAG = T('co-hashtag'), T_SEQUENCE = T('hashtag-sequence'), T_MENTION = T('co-mention');
const NONE = -2;
/** ByteFront's id lists. */
const LINKS = 0, TAGS = 1, MENTIONS = 2, DOMAINS = 3;

/** Whether `ids[0, n)` holds `id`. */
function holds(ids: Int32Array, n: number, id: number): boolean {
  for (let k = 0; k < n; k++) if (ids[k] === id) return true;
  return false;
}

/** A Buffer over the whole of the last memory decode read (a chunk's: the module's memory), kept to read more of it. */
let decodeView: Buffer = Buffer.alloc(0);

/**
 * `bytes[start, end)` as a string. Through one Buffer over the memory `bytes` is in, made again
 * only when that memory changes (it grows, or a carried line is read), not a Buffer a string: at a
 * firehose's cardinality ~1.2 strings an event are decoded (each label's first sighting).
 */
function decode(bytes: Uint8Array, start: number, end: number): string {
  if (decodeView.buffer !== bytes.buffer) decodeView = Buffer.from(bytes.buffer);
  return decodeView.toString('utf8', bytes.byteOffset + start, bytes.byteOffset + end);
}

const trimmed = (raw: string): string | null => {
  const value = raw.trim();
  return value === '' ? null : value;
};

export interface ByteFrontOptions {
  /** Where line `n` (1-based) is, for a problem: e.g. `file:n`. */
  where: (line: number) => string;
  /** Called with each problem of a rejected line. */
  onProblem: (problem: string) => void;
  /** Take only share `index` of `of` (by account); absent: every line. */
  share?: { index: number; of: number };
}

/**
 * Feeds a Jetstream byte stream to a partitioner.
 * @example
 * const front = new ByteFront(partitioner, { where: (n) => `feed.jsonl:${n}`, onProblem: console.error });
 * for await (const chunk of createReadStream('feed.jsonl')) front.push(chunk, out);
 * front.end(out); partitioner.finish(out);
 */
export class ByteFront {
  readonly #partitioner: Partitioner;
  readonly #options: ByteFrontOptions;
  /** The partitioner's traces, as indexes into STREAM_TRACES. */
  readonly #traces: number[];
  /** Per trace: raw bytes → key id (NONE: normalises to nothing). */
  readonly #keys = STREAM_TRACES.map(() => new ByteIds());
  /** URL key id → its domain's key id + 2 (0: not yet known; 1: none). */
  #domains = new Int32Array(1024);
  /** The start of a line the last chunk did not end: `#carry[0, #carried)`. */
  #carry: Uint8Array | null = null;
  #carried = 0;
  /** Whether the chunk being read holds a CR (with a share: its lines are split at lone ones). */
  #crs = false;
  #eventTraces = new Int32Array(64);
  #eventKeys = new Int32Array(64);
  #events = 0;
  /** Per list (LINKS, TAGS, MENTIONS, DOMAINS): the action's distinct key ids (reused: no array an action). */
  readonly #lists = [new Int32Array(64), new Int32Array(64), new Int32Array(64), new Int32Array(64)];
  /** Lines read (readline's count), lines rejected, actions read, lines read the JSON.parse way. */
  lines = 0;
  rejected = 0;
  actions = 0;
  slowLines = 0;

  constructor(partitioner: Partitioner, options: ByteFrontOptions) {
    this.#partitioner = partitioner;
    this.#options = options;
    this.#traces = partitioner.options.traces.map(T);
  }

  /** Takes the next chunk of the stream; batches that fill are appended to `out`. */
  push(chunk: Uint8Array, out: OutBatch[]): void {
    dids.claim(this);
    // The scanner reads plain Uint8Arrays only (a carried line is one): a Buffer beside them made
    // its byte loads polymorphic. Line breaks are found through a Buffer view of the same bytes:
    // Buffer's indexOf is memchr (0.05 µs a line), a Uint8Array's a byte loop in the runtime (0.3).
    const lines = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    this.#crs = this.#options.share !== undefined && lines.indexOf(13) >= 0;
    if (this.#carry !== null) {
      const newline = lines.indexOf(10);
      const head = newline < 0 ? chunk : chunk.subarray(0, newline);
      const joined = this.#carryOn(head);
      if (newline < 0) return;
      this.#carry = null;
      const crs = this.#crs;
      this.#crs ||= this.#options.share !== undefined && joined.indexOf(13) >= 0;
      this.#line(joined, 0, joined.length, out);
      this.#crs = crs;
      from = newline + 1;
    }
    // With a share, a lone CR splits a line into lines of their own shares: such a chunk is read a line at a time.
    if (!this.#crs || !loneCr(lines, from)) {
      this.#chunk(chunk, from, out);
      return;
    }
    for (let newline = lines.indexOf(10, from); newline >= 0; newline = lines.indexOf(10, from)) {
      this.#line(chunk, from, newline, out);
      from = newline + 1;
    }
    if (from < chunk.length) this.#carryFrom(chunk, from);
  }

  /** Carries `chunk[from, end)`, a copy: a Buffer's slice is a view, and the chunk's memory may be reused. */
  #carryFrom(chunk: Uint8Array, from: number): void {
    this.#carry = chunk.slice(from);
    this.#carried = this.#carry.length;
  }

  /**
   * The carried line with `head` added: its buffer grows to twice what it held, not to the line, so
   * a line over many chunks is copied a few times its length in all, not once per chunk (a 100 MB
   * line in 256 KB chunks was 20 GB of copies).
   */
  #carryOn(head: Uint8Array): Uint8Array {
    let carry = this.#carry!;
    const length = this.#carried + head.length;
    if (length > carry.length) {
      const grown = new Uint8Array(Math.max(length, 2 * carry.length));
      grown.set(carry.subarray(0, this.#carried));
      carry = this.#carry = grown;
    }
    carry.set(head, this.#carried);
    this.#carried = length;
    return carry.subarray(0, length);
  }

  /**
   * The chunk's lines from `from` (the whole stream's, no share): the chunk is copied once into the
   * module's memory and its lines checked and their top fields read there, a call for up to 64
   * lines (scanChunk; with a share, its lines only); the rest of each line is read here as before.
   * The last part without a line break is carried.
   */
  #chunk(chunk: Uint8Array, from: number, out: OutBatch[]): void {
    const length = chunk.length - from;
    chunkBytes(length).set(from === 0 ? chunk : chunk.subarray(from));
    let at = 0;
    const share = this.#options.share;
    for (let count = scanChunk(at, length, share); count > 0; count = scanChunk(at, length, share)) {
      const bytes = chunkBytes(length);
      for (let k = 0; k < count; k++) {
        const code = chunkLine(k);
        this.#read(code, bytes, chunkLineAt.start, chunkLineAt.end, out);
      }
      at = scanChunkResume();
    }
    if (at < length) this.#carryFrom(chunk, from + at);
  }

  /** The end of the stream: reads a last line without a line break. */
  end(out: OutBatch[]): void {
    dids.claim(this);
    const carry = this.#carry?.subarray(0, this.#carried) ?? null;
    this.#carry = null;
    this.#crs = this.#options.share !== undefined && carry !== null && carry.indexOf(13) >= 0;
    if (carry !== null) this.#line(carry, 0, carry.length, out);
  }

  #line(bytes: Uint8Array, start: number, end: number, out: OutBatch[]): void {
    if (end > start && bytes[end - 1] === 13) end--;
    const share = this.#options.share;
    if (share !== undefined) {
      if (this.#crs) {
        // Lines as readline makes them: each part between lone CRs is a line of its own share.
        for (let cr = start; cr < end; cr++) {
          if (bytes[cr] !== 13) continue;
          this.#sharedLine(bytes, start, cr, share, out);
          start = cr + 1;
        }
      }
      this.#sharedLine(bytes, start, end, share, out);
      return;
    }
    this.#ownLine(bytes, start, end, out);
  }

  #sharedLine(bytes: Uint8Array, start: number, end: number, share: { index: number; of: number }, out: OutBatch[]): void {
    if (lineShare(bytes, start, end, share.of) === share.index) this.#ownLine(bytes, start, end, out);
    else this.lines++;
  }

  #ownLine(bytes: Uint8Array, start: number, end: number, out: OutBatch[]): void {
    // Not a chunk's line: the module read no repost subject of it.
    chunkLineAt.targetStart = -1;
    this.#read(scanJetstreamBytes(bytes, start, end), bytes, start, end, out);
  }

  /** The line `bytes[start, end)` after its scan gave `code` (SCAN_OTHER_SHARE and SCAN_NONE: only counted). */
  #read(code: number, bytes: Uint8Array, start: number, end: number, out: OutBatch[]): void {
    if (code === SCAN_GIVE_UP) {
      this.#slow(decode(bytes, start, end), out);
      return;
    }
    this.lines++;
    if (code === SCAN_ACTION) {
      this.actions++;
      this.#action(bytes, out);
    }
  }

  /** A line the scanner gave up on, split at lone CRs as readline splits it. */
  #slow(text: string, out: OutBatch[]): void {
    this.slowLines++;
    for (const part of text.split('\r')) {
      const n = ++this.lines;
      if (part.trim() === '') continue;
      const parsed = parseJetstreamLine(part, () => this.#options.where(n));
      if (parsed.problems.length > 0) {
        this.rejected++;
        for (const problem of parsed.problems) this.#options.onProblem(problem);
      }
      this.actions += parsed.actions.length;
      for (const action of parsed.actions) this.#partitioner.push(action, out);
    }
  }

  /** The key id of `bytes[start, end)` in trace `t` (NONE: it normalises to nothing). */
  #key(t: number, bytes: Uint8Array, start: number, end: number): number {
    const ids = this.#keys[t]!;
    let id = ids.get(bytes, start, end);
    if (id === -1) {
      id = this.#newKey(t, bytes, start, end);
      ids.set(bytes, start, end, id);
    }
    return id;
  }

  /** The key id of `bytes[start, end)` in trace `t` (NONE: it normalises to nothing), made from its string. */
  #newKey(t: number, bytes: Uint8Array, start: number, end: number): number {
    const raw = decode(bytes, start, end);
    const value = t === T_LINK ? normalizeUrl(raw) : t === T_HASHTAG ? normalizeHashtag(raw) : t === T_MENTION ? trimmed(raw) : raw;
    // Decoded here (or normalised from that): a string of its own, kept without a copy.
    return value === null || value === '' ? NONE : this.#partitioner.keyId(t, t === T_LINK || t === T_HASHTAG ? '' : PLATFORM, value, true);
  }

  /**
   * The key id of a chunk's repost subject `bytes[start, end)`, which the module looked up in
   * `dids` under KEY_TAG (chunkLineAt; looked up again when it was not there: an earlier line of
   * the same call may have added it); a first sighting is added there.
   */
  #chunkRepost(bytes: Uint8Array, start: number, end: number): number {
    const at = chunkLineAt;
    let id = at.targetId;
    if (id === -1) id = dids.get(bytes, start, end, at.targetHash, KEY_TAG);
    if (id === -1) {
      id = this.#newKey(T_REPOST, bytes, start, end);
      dids.set(bytes, start, end, id, at.targetHash, KEY_TAG);
    }
    return id;
  }

  /** List `list`, holding at least `count`. */
  #list(list: number, count: number): Int32Array {
    const ids = this.#lists[list]!;
    return ids.length >= count ? ids : (this.#lists[list] = new Int32Array(2 * count));
  }

  /**
   * Distinct key ids of a list of byte ranges, first occurrences in order (the fast path's
   * `distinct`), into list `list`: their count.
   */
  #distinct(t: number, bytes: Uint8Array, ranges: Int32Array, count: number, list: number): number {
    const ids = this.#list(list, count);
    let n = 0;
    for (let r = 0; r < count; r++) {
      const id = this.#key(t, bytes, ranges[2 * r]!, ranges[2 * r + 1]!);
      if (id !== NONE && !holds(ids, n, id)) ids[n++] = id;
    }
    return n;
  }

  #event(t: number, key: number): void {
    if (this.#events === this.#eventKeys.length) {
      const traces = new Int32Array(2 * this.#events), keys = new Int32Array(2 * this.#events);
      traces.set(this.#eventTraces);
      keys.set(this.#eventKeys);
      [this.#eventTraces, this.#eventKeys] = [traces, keys];
    }
    this.#eventTraces[this.#events] = t;
    this.#eventKeys[this.#events++] = key;
  }

  #domain(url: number): number {
    if (url >= this.#domains.length) {
      const grown = new Int32Array(Math.max(2 * this.#domains.length, url + 1));
      grown.set(this.#domains);
      this.#domains = grown;
    }
    if (this.#domains[url] === 0) {
      const domain = urlDomain(this.#partitioner.keyLabel(T_LINK, url));
      this.#domains[url] = domain === null || domain === '' ? 1 : this.#partitioner.keyId(T_DOMAIN, '', domain) + 2;
    }
    return this.#domains[url]! - 2;
  }

  #action(bytes: Uint8Array, out: OutBatch[]): void {
    const s = scanned, partitioner = this.#partitioner;
    // The module looked the did up (scanned.actorId); a first sighting is interned and added there
    // (looked up again first: an earlier line of the same scanLines call may have added it).
    let actor = s.actorId;
    if (actor === -1) actor = dids.get(bytes, s.didStart, s.didEnd, s.didHash);
    if (actor === -1) {
      actor = partitioner.actorId(PLATFORM, decode(bytes, s.didStart, s.didEnd), true);
      dids.set(bytes, s.didStart, s.didEnd, actor, s.didHash);
    }
    this.#events = 0;
    const kind = s.kind;
    const original = kind !== K_REPOST && kind !== K_LIKE && kind !== K_FOLLOW;
    let urls = -1, tags = -1;
    for (const t of this.#traces) {
      if (t === T_REPOST || t === T_REPLY) {
        if (kind !== (t === T_REPOST ? K_REPOST : K_REPLY) || s.targetStart < 0) continue;
        // A chunk's repost whose subject the module read (the same bytes as here): looked up there.
        const inModule = t === T_REPOST && chunkLineAt.targetStart === s.targetStart;
        this.#event(t, inModule ? this.#chunkRepost(bytes, s.targetStart, s.targetEnd) : this.#key(t, bytes, s.targetStart, s.targetEnd));
      } else if (!original) continue;
      else if (t === T_LINK || t === T_DOMAIN) {
        if (urls < 0) urls = this.#distinct(T_LINK, bytes, s.links, s.linkCount, LINKS);
        const urlIds = this.#lists[LINKS]!;
        if (t === T_LINK) for (let u = 0; u < urls; u++) this.#event(t, urlIds[u]!);
        else {
          const domains = this.#list(DOMAINS, urls);
          let seen = 0;
          for (let u = 0; u < urls; u++) {
            const domain = this.#domain(urlIds[u]!);
            if (domain >= 0 && !holds(domains, seen, domain)) {
              domains[seen++] = domain;
              this.#event(t, domain);
            }
          }
        }
      } else if (t === T_HASHTAG || t === T_SEQUENCE) {
        if (tags < 0) tags = this.#distinct(T_HASHTAG, bytes, s.tags, s.tagCount, TAGS);
        const tagIds = this.#lists[TAGS]!;
        if (t === T_HASHTAG) for (let g = 0; g < tags; g++) this.#event(t, tagIds[g]!);
        else if (tags >= 2) {
          let sequence = partitioner.keyLabel(T_HASHTAG, tagIds[0]!);
          for (let g = 1; g < tags; g++) sequence += ` ${partitioner.keyLabel(T_HASHTAG, tagIds[g]!)}`;
          this.#event(t, partitioner.keyId(t, '', sequence));
        }
      } else if (t === T_MENTION) {
        const mentions = this.#distinct(t, bytes, s.mentions, s.mentionCount, MENTIONS), mentionIds = this.#lists[MENTIONS]!;
        for (let m = 0; m < mentions; m++) this.#event(t, mentionIds[m]!);
      }
    }
    partitioner.pushIds(actor, Math.floor(s.timeUs / 1000), s.idHash1, s.idHash2, this.#eventTraces, this.#eventKeys, this.#events, out);
  }
}
