/**
 * Twitter Information Operations archive files (tweets CSV, users CSV) read straight into typed
 * columns: ids interned from the file's bytes, one row per good tweet record, no JS object per
 * row. The rules are those of the store path (src/store/duckdb/csv-formats.ts), so both keep and
 * reject the same rows for the same reasons, in the same order of checks: ids and targets are
 * trimmed of spaces and empty means missing; a row is a repost when `is_retweet` is true/t/1, else
 * a quote, a reply or a post; list columns (hashtags, urls, user_mentions) are kept as the id of
 * their raw text, normalised once per distinct value (`listItems`).
 */
import { statSync } from 'node:fs';
import type { Reject } from '../../model/index.js';
import { unknownFormat } from '../../model/index.js';
import { ByteInterner } from './byte-interner.js';
import { fieldText, scanCsvFile } from './csv-scan.js';
import type { CsvRecord } from './csv-scan.js';
import { IO_PROFILE_COLUMNS, ioProfile } from './io-profiles.js';
import type { IoProfile } from './io-profiles.js';

/** Action kinds as stored, by the code in `IoTweetsColumns.kind`. */
export const IO_KINDS = ['post', 'reply', 'quote', 'repost'] as const;
export const KIND_POST = 0, KIND_REPLY = 1, KIND_QUOTE = 2, KIND_REPOST = 3;

export interface IoFileCounts {
  file: string;
  format: 'twitter-io-tweets' | 'twitter-io-users';
  /** Records read (good and rejected; the header not counted). */
  read: number;
  rejected: number;
  seconds: number;
  /** Accounts first seen in this file (acting accounts of a tweets file; profiles of a users file). */
  actorsAdded: number;
  /** Users files: distinct new accounts kept (a tweets file's count comes from its actions). */
  usersKept: number;
}

/** Good tweet rows of one or more files, in file order. */
export interface IoTweetsColumns {
  size: number;
  /** Tweet ids (and targets) in `tweets`; account ids (and target accounts) in `users`. */
  tweet: Int32Array;
  user: Int32Array;
  /** Index into IO_KINDS. */
  kind: Uint8Array;
  /** tweet_time, ms since the epoch (UTC). */
  time: Float64Array;
  /** Target post in `tweets` (reposted, quoted or replied to), -1 when none. */
  targetPost: Int32Array;
  /** Target account in `users` (reposted or replied to), -1 when none. */
  targetActor: Int32Array;
  /** Raw list text ids in `urlLists`, `hashtagLists`, `mentionLists`; -1 when empty or `[]`. */
  urls: Int32Array;
  hashtags: Int32Array;
  mentions: Int32Array;
  /** tweet_language and tweet_client_name (trimmed) in `languages` and `clients`; -1 when empty. */
  language: Int32Array;
  client: Int32Array;
  /** tweet_text of rows that are not reposts (null when empty or a repost: only those are compared). */
  text: (string | null)[];
  tweets: ByteInterner;
  users: ByteInterner;
  urlLists: ByteInterner;
  hashtagLists: ByteInterner;
  mentionLists: ByteInterner;
  languages: ByteInterner;
  clients: ByteInterner;
  /**
   * The profile of every account the store's actors table would hold (acting accounts of tweets
   * files, accounts of users files), by account id in `users`, in the order the store adds them:
   * the first file naming an account gives it (see io-profiles.ts).
   */
  profiles: Map<number, IoProfile>;
  /** Per file, in order (tweets and users files). */
  files: IoFileCounts[];
}

const SPACE = 0x20;
const TIME_REASON = 'tweet_time is not a time (expected YYYY-MM-DD HH:MM)';

/** CSV quoting of a field for a reject's raw text. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function digits(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let value = 0;
  for (let p = start; p < end; p++) {
    const d = buf[p]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The archive's tweet_time (`YYYY-MM-DD HH:MM`, with `:SS`, or ISO `T…[Z]`) as UTC ms, NaN when it
 * is none of these or not a real date (as SQL's try_strptime). Spaces around it are ignored.
 */
export function parseIoTime(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  const n = end - start;
  if (n !== 16 && n !== 19 && n !== 20) return NaN;
  if (buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d || buf[start + 13] !== 0x3a) return NaN;
  const iso = buf[start + 10] === 0x54;
  if (!iso && buf[start + 10] !== SPACE) return NaN;
  if (iso && n === 16) return NaN;
  if (n === 20 && (!iso || buf[start + 19] !== 0x5a)) return NaN;
  if (n >= 19 && buf[start + 16] !== 0x3a) return NaN;
  const year = digits(buf, start, start + 4), month = digits(buf, start + 5, start + 7), day = digits(buf, start + 8, start + 10);
  const hour = digits(buf, start + 11, start + 13), minute = digits(buf, start + 14, start + 16);
  const second = n >= 19 ? digits(buf, start + 17, start + 19) : 0;
  if (!(month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Day 31 of a 30-day month rolls over: not a date.
  if (new Date(ms).getUTCDate() !== day) return NaN;
  return ms;
}

/** The trimmed bytes of a row's profile fields, kept in one reused buffer. */
class RawProfile {
  private bytes = new Uint8Array(0);
  private readonly ends = new Int32Array(IO_PROFILE_COLUMNS.length);
  /** Copies the fields `[bounds[2i], bounds[2i+1])` of `buf`. */
  set(buf: Uint8Array, bounds: Int32Array): void {
    let total = 0;
    for (let i = 0; i < this.ends.length; i++) total += bounds[2 * i + 1]! - bounds[2 * i]!;
    if (total > this.bytes.length) this.bytes = new Uint8Array(Math.max(total, 2 * this.bytes.length));
    let at = 0;
    for (let i = 0; i < this.ends.length; i++) {
      this.bytes.set(buf.subarray(bounds[2 * i]!, bounds[2 * i + 1]!), at);
      at += bounds[2 * i + 1]! - bounds[2 * i]!;
      this.ends[i] = at;
    }
  }
  /** The fields' texts, null when empty. */
  fields(): (string | null)[] {
    return Array.from(this.ends, (end, i) => {
      const start = i === 0 ? 0 : this.ends[i - 1]!;
      return end > start ? fieldText(this.bytes, start, end) : null;
    });
  }
}

class Columns {
  size = 0;
  tweet: Int32Array; user: Int32Array; kind: Uint8Array; time: Float64Array;
  targetPost: Int32Array; targetActor: Int32Array; urls: Int32Array; hashtags: Int32Array; mentions: Int32Array;
  language: Int32Array; client: Int32Array;
  text: (string | null)[] = [];
  constructor(capacity: number) {
    this.tweet = new Int32Array(capacity); this.user = new Int32Array(capacity); this.kind = new Uint8Array(capacity);
    this.time = new Float64Array(capacity); this.targetPost = new Int32Array(capacity); this.targetActor = new Int32Array(capacity);
    this.urls = new Int32Array(capacity); this.hashtags = new Int32Array(capacity); this.mentions = new Int32Array(capacity);
    this.language = new Int32Array(capacity); this.client = new Int32Array(capacity);
  }
  /** A column cut to its rows (a copy, the spare capacity released: the column here is replaced by it). */
  fit<K extends 'tweet' | 'user' | 'kind' | 'time' | 'targetPost' | 'targetActor' | 'urls' | 'hashtags' | 'mentions' | 'language' | 'client'>(name: K): Columns[K] {
    const self = this as Columns;
    const column = self[name];
    if (column.length === this.size) return column;
    const fitted = column.slice(0, this.size) as Columns[K];
    self[name] = fitted;
    return fitted;
  }
  /** Makes room for one more row and returns its index. */
  next(): number {
    if (this.size === this.tweet.length) this.grow();
    return this.size++;
  }
  private grow(): void {
    const n = this.tweet.length * 2;
    const int = (old: Int32Array): Int32Array => { const out = new Int32Array(n); out.set(old); return out; };
    this.tweet = int(this.tweet); this.user = int(this.user); this.targetPost = int(this.targetPost); this.targetActor = int(this.targetActor);
    this.urls = int(this.urls); this.hashtags = int(this.hashtags); this.mentions = int(this.mentions);
    this.language = int(this.language); this.client = int(this.client);
    const kind = new Uint8Array(n); kind.set(this.kind); this.kind = kind;
    const time = new Float64Array(n); time.set(this.time); this.time = time;
  }
}

const TWEET_COLUMNS = ['tweetid', 'userid', 'tweet_time', 'is_retweet', 'retweet_tweetid', 'retweet_userid', 'quoted_tweet_tweetid',
  'in_reply_to_tweetid', 'in_reply_to_userid', 'tweet_text', 'urls', 'hashtags', 'user_mentions', 'tweet_language', 'tweet_client_name',
  ...IO_PROFILE_COLUMNS] as const;
/** Where the profile columns start in TWEET_COLUMNS (in a users file's columns: 1, after userid). */
const TWEET_PROFILE_AT = 15;
const USER_COLUMNS = ['userid', ...IO_PROFILE_COLUMNS] as const;

function headerOf(record: CsvRecord): string[] {
  return Array.from({ length: record.count }, (_, f) => fieldText(record.buf, record.start[f]!, record.end[f]!).trim().toLowerCase());
}

function rawRecord(record: CsvRecord): string {
  return Array.from({ length: record.count }, (_, f) => csvField(fieldText(record.buf, record.start[f]!, record.end[f]!))).join(',');
}

/**
 * Reads tweets and users files of the archive, in the order given (formats as detected). Throws
 * `ingest/unknown-format` when a file lacks a required column.
 *
 * @example
 * const rows = readIoArchiveColumns([{ file: 'tweets.csv', format: 'twitter-io-tweets' }], (r) => rejects.push(r));
 * rows.tweets.text(rows.tweet[0]!) // the first good row's tweetid
 */
export function readIoArchiveColumns(inputs: readonly { file: string; format: 'twitter-io-tweets' | 'twitter-io-users' }[], onReject: (reject: Reject) => void): IoTweetsColumns {
  const bytes = inputs.reduce((sum, input) => sum + (input.format === 'twitter-io-tweets' ? statSync(input.file).size : 0), 0);
  const expected = Math.max(1024, Math.ceil(bytes / 300));
  const columns = new Columns(expected);
  const tweets = new ByteInterner(expected * 1.3, expected * 26);
  const users = new ByteInterner(Math.ceil(expected / 20), Math.ceil(expected / 20) * 40);
  const urlLists = new ByteInterner(Math.ceil(expected / 8));
  const hashtagLists = new ByteInterner(Math.ceil(expected / 8));
  const mentionLists = new ByteInterner(Math.ceil(expected / 8));
  const languages = new ByteInterner(256);
  const clients = new ByteInterner(256);
  const profiles = new Map<number, IoProfile>();
  const userSeen: number[] = [];
  const seen = (user: number): boolean => {
    while (userSeen.length <= user) userSeen.push(0);
    if (userSeen[user] === 1) return true;
    userSeen[user] = 1;
    return false;
  };
  const counts: IoFileCounts[] = [];
  for (const { file, format } of inputs) {
    const started = performance.now();
    let at: number[] | null = null;
    // This file's candidate profile per account not named by an earlier file (added at its end): a
    // users file's parsed, a tweets file's raw bytes (copied per newer row, parsed once at the end).
    // `pending`: the winning tweet id's first row came before the candidate's (read again below).
    const candidates = new Map<number, { time: number; tweet: number; profile: IoProfile }>();
    const rowCandidates = new Map<number, { time: number; tweet: number; raw: RawProfile; pending: boolean }>();
    // Tweet ids met in this file's rows, a byte per id (a Set of 10M numbers took hundreds of MB).
    let tweetSeen = new Uint8Array(Math.max(1024, tweets.size * 2));
    let read = 0, rejected = 0, actorsAdded = 0, usersKept = 0;
    const reject = (record: CsvRecord, reason: string, raw: string): void => {
      rejected++;
      onReject({ file, line: record.line, reason, raw });
    };
    let width = 0;
    let current: CsvRecord | null = null;
    /** Trimmed bounds `[s, e)` of a column of the current record (absent: empty); false when empty. */
    let s = 0, e = 0;
    const field = (column: number): boolean => {
      const f = at![column]!;
      if (f < 0) { s = e = 0; return false; }
      const { buf, start, end } = current!;
      s = start[f]!; e = end[f]!;
      while (s < e && buf[s] === SPACE) s++;
      while (e > s && buf[e - 1] === SPACE) e--;
      return s < e;
    };
    const profileFields = (from: number): (string | null)[] =>
      IO_PROFILE_COLUMNS.map((_, i) => (field(from + i) ? fieldText(current!.buf, s, e) : null));
    const bounds = new Int32Array(2 * IO_PROFILE_COLUMNS.length);
    const capture = (raw: RawProfile, from: number): void => {
      for (let i = 0; i < IO_PROFILE_COLUMNS.length; i++) {
        if (field(from + i)) { bounds[2 * i] = s; bounds[2 * i + 1] = e; } else bounds[2 * i] = bounds[2 * i + 1] = 0;
      }
      raw.set(current!.buf, bounds);
    };
    scanCsvFile(file, (record) => {
      if (at === null) {
        const header = headerOf(record);
        width = header.length;
        const required = format === 'twitter-io-tweets' ? ['tweetid', 'userid', 'tweet_time'] : ['userid'];
        const missing = required.filter((name) => !header.includes(name));
        if (missing.length > 0) throw unknownFormat(file, `the archive's ${format} CSV needs the columns ${required.join(', ')}; missing ${missing.join(', ')}`);
        at = (format === 'twitter-io-tweets' ? TWEET_COLUMNS : USER_COLUMNS).map((name) => header.indexOf(name));
        return;
      }
      read++;
      const { buf, start, end } = record;
      if (record.error !== null || record.count !== width) {
        reject(record, record.error ?? `expected ${width} fields, found ${record.count}`, fieldText(buf, record.rawStart, record.rawEnd));
        return;
      }
      current = record;
      if (format === 'twitter-io-users') {
        if (!field(0)) { reject(record, 'userid is empty', rawRecord(record)); return; }
        const account = users.intern(buf, s, e);
        if (!seen(account)) { actorsAdded++; usersKept++; }
        if (profiles.has(account)) return;
        // The store keeps one row per account: the earliest creation date (the first row on ties).
        const profile = ioProfile(profileFields(1));
        const previous = candidates.get(account);
        const before = previous?.profile?.createdAt ?? null;
        if (previous === undefined || (profile.createdAt !== null && (before === null || profile.createdAt < before))) {
          candidates.set(account, { time: 0, tweet: -1, profile });
        }
        return;
      }
      if (!field(0)) { reject(record, 'tweetid is empty', rawRecord(record)); return; }
      const tweet = tweets.intern(buf, s, e);
      if (!field(1)) { reject(record, 'userid is empty', rawRecord(record)); return; }
      const user = users.intern(buf, s, e);
      const time = field(2) ? parseIoTime(buf, s, e) : NaN;
      if (Number.isNaN(time)) { reject(record, TIME_REASON, rawRecord(record)); return; }
      if (!seen(user)) actorsAdded++;
      const row = columns.next();
      columns.tweet[row] = tweet; columns.user[row] = user; columns.time[row] = time;
      let retweet = false;
      if (field(3) && e - s <= 4) {
        const word = fieldText(buf, s, e).toLowerCase();
        retweet = word === 'true' || word === 't' || word === '1';
      }
      let kind = KIND_POST, targetPost = -1, targetActor = -1;
      if (retweet) {
        kind = KIND_REPOST;
        if (field(4)) targetPost = tweets.intern(buf, s, e);
        if (field(5)) targetActor = users.intern(buf, s, e);
      } else {
        if (field(6)) { kind = KIND_QUOTE; targetPost = tweets.intern(buf, s, e); }
        if (field(7)) {
          if (kind === KIND_POST) kind = KIND_REPLY;
          if (targetPost < 0) targetPost = tweets.intern(buf, s, e);
        }
        if (field(8)) targetActor = users.intern(buf, s, e);
      }
      columns.kind[row] = kind; columns.targetPost[row] = targetPost; columns.targetActor[row] = targetActor;
      const textColumn = at![9]!;
      columns.text[row] = !retweet && textColumn >= 0 && end[textColumn]! > start[textColumn]! ? fieldText(buf, start[textColumn]!, end[textColumn]!) : null;
      columns.urls[row] = listId(urlLists, buf, at![10]!, start, end);
      columns.hashtags[row] = listId(hashtagLists, buf, at![11]!, start, end);
      columns.mentions[row] = listId(mentionLists, buf, at![12]!, start, end);
      columns.language[row] = field(13) ? languages.intern(buf, s, e) : -1;
      columns.client[row] = field(14) ? clients.intern(buf, s, e) : -1;
      if (profiles.has(user)) return;
      // The store's actor row: the account's latest row of the file, ties on time to the highest tweet id;
      // of rows repeating that tweet id, the first (the store's pick among them is unordered: first in scan).
      if (tweet >= tweetSeen.length) { const grown = new Uint8Array(Math.max(tweet + 1, tweetSeen.length * 2)); grown.set(tweetSeen); tweetSeen = grown; }
      const repeat = tweetSeen[tweet] === 1;
      tweetSeen[tweet] = 1;
      const previous = rowCandidates.get(user);
      if (previous !== undefined && tweet === previous.tweet) previous.time = Math.max(previous.time, time);
      else if (previous === undefined || time > previous.time || (time === previous.time && tweets.compare(tweet, previous.tweet) > 0)) {
        const candidate = previous ?? { time, tweet, raw: new RawProfile(), pending: false };
        candidate.time = time; candidate.tweet = tweet; candidate.pending = repeat;
        if (!repeat) capture(candidate.raw, TWEET_PROFILE_AT);
        if (previous === undefined) rowCandidates.set(user, candidate);
      }
    });
    const reread = new Map<number, number>();
    for (const [account, candidate] of rowCandidates) if (candidate.pending) reread.set(account, candidate.tweet);
    if (reread.size > 0) {
      // Rare (a file repeating a tweet id): the first rows of those tweet ids, read again.
      let header = true;
      scanCsvFile(file, (record) => {
        if (header) { header = false; return; }
        if (record.error !== null || record.count !== width) return;
        current = record;
        if (!field(0)) return;
        const tweet = tweets.intern(record.buf, s, e);
        if (!field(1)) return;
        const user = users.intern(record.buf, s, e);
        const candidate = rowCandidates.get(user);
        if (candidate === undefined || !candidate.pending || reread.get(user) !== tweet) return;
        if (!field(2) || Number.isNaN(parseIoTime(record.buf, s, e))) return;
        capture(candidate.raw, TWEET_PROFILE_AT);
        candidate.pending = false;
      });
    }
    for (const [account, candidate] of candidates) profiles.set(account, candidate.profile);
    for (const [account, candidate] of rowCandidates) profiles.set(account, ioProfile(candidate.raw.fields()));
    if (at === null) throw unknownFormat(file, 'the file is empty (no header)');
    counts.push({ file, format, read, rejected, seconds: (performance.now() - started) / 1000, actorsAdded, usersKept });
  }
  const n = columns.size;
  columns.text.length = n;
  // Nothing is interned from here on: the lookup tables go, and every column and arena is cut to
  // its rows (the capacity was a guess from the file size; at 10M rows about 1 GB is saved).
  for (const interner of [tweets, users, urlLists, hashtagLists, mentionLists, languages, clients]) interner.seal();
  return {
    size: n, tweet: columns.fit('tweet'), user: columns.fit('user'), kind: columns.fit('kind'), time: columns.fit('time'),
    targetPost: columns.fit('targetPost'), targetActor: columns.fit('targetActor'),
    urls: columns.fit('urls'), hashtags: columns.fit('hashtags'), mentions: columns.fit('mentions'),
    language: columns.fit('language'), client: columns.fit('client'),
    text: columns.text, tweets, users, urlLists, hashtagLists, mentionLists, languages, clients, profiles, files: counts,
  };
}

/** The raw list text's id (untrimmed, as the store keeps it), -1 for an empty field or `[]`. */
function listId(lists: ByteInterner, buf: Uint8Array, f: number, start: Int32Array, end: Int32Array): number {
  if (f < 0) return -1;
  const s = start[f]!, e = end[f]!;
  if (s === e || (e - s === 2 && buf[s] === 0x5b && buf[s + 1] === 0x5d)) return -1;
  return lists.intern(buf, s, e);
}
