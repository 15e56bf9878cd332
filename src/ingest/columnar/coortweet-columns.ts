/**
 * CooRTweet's 4-column CSV (`object_id, account_id, content_id, timestamp_share`, any column order,
 * extra columns ignored) read straight into typed columns: ids interned from the file's bytes, one
 * row per good record, no JS object per row. Column names are matched case-insensitively. Bad records are handed to `onReject` with file, line
 * and reason; the checks and their reasons are those of the store path (csv-formats.ts), in the
 * same order, so both paths reject the same rows.
 */
import { statSync } from 'node:fs';
import type { Reject } from '../../model/index.js';
import { unknownFormat } from '../../model/index.js';
import { sharedInt32 } from '../../worker-thread.js';
import { ByteInterner } from './byte-interner.js';
import type { InternedValues } from './byte-interner.js';
import { fieldText, scanCsvFile } from './csv-scan.js';
import type { CsvFastPath, CsvRecord } from './csv-scan.js';
import { parseDecimal } from './parse-number.js';

export const COORTWEET_COLUMNS = ['object_id', 'account_id', 'content_id', 'timestamp_share'] as const;

export interface CoortweetFileCounts {
  file: string;
  /** Records read (good and rejected; the header not counted). */
  read: number;
  rejected: number;
  seconds: number;
  /** Threads the file was read on: 2 when a worker read its second half, else 1. */
  threads: number;
  /** What decided the threads (`readCoortweetColumnsSplit`); absent for the one-thread reader. */
  split?: SplitReason;
}

/**
 * Why a file was read on the threads it was: `small` (below the split size), `forced` (the
 * `threads` option), `idle` (a core was idle during the probe), `busy` (none was, or the load
 * average said so), `load-average` (no CPU counters; the load average allowed it), `no-cut` (no
 * safe place to cut the file).
 */
export type SplitReason = 'small' | 'forced' | 'idle' | 'busy' | 'load-average' | 'no-cut';

/** Good rows of one or more CooRTweet files, in file order. */
export interface CoortweetColumns {
  size: number;
  /**
   * Ids in `objects`, `contents` and `accounts` (three interners: small hot tables for the repeated
   * values). `object` is on a SharedArrayBuffer (a detect thread reads it).
   */
  object: Int32Array;
  content: Int32Array;
  account: Int32Array;
  /** timestamp_share as written (unix seconds, or ms when > 1e11). */
  timestamp: Float64Array;
  objects: ByteInterner;
  contents: ByteInterner;
  accounts: ByteInterner;
  files: CoortweetFileCounts[];
}

const SPACE = 0x20, COMMA = 0x2c, QUOTE = 0x22, CR = 0x0d, LF = 0x0a, ZERO = 0x30;

/** CSV quoting of a field for a reject's raw text. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header's shape: its field count and where the four columns are. */
export interface CoortweetHeader {
  fields: number;
  /** Field index of object_id, account_id, content_id, timestamp_share. */
  at: number[];
}

/** The header record of `file`; throws `ingest/unknown-format` when a column is missing. */
export function coortweetHeader(file: string, record: CsvRecord): CoortweetHeader {
  const names = Array.from({ length: record.count }, (_, f) => fieldText(record.buf, record.start[f]!, record.end[f]!).trim().toLowerCase());
  const missing = COORTWEET_COLUMNS.filter((name) => !names.includes(name));
  if (missing.length > 0) throw unknownFormat(file, `CooRTweet 4-column CSV needs the columns ${COORTWEET_COLUMNS.join(', ')}; missing ${missing.join(', ')}`);
  return { fields: names.length, at: COORTWEET_COLUMNS.map((name) => names.indexOf(name)) };
}

/** Capacity hints for the columns and interners of `bytes` bytes of file. */
export function rowsCapacity(bytes: number): number {
  return Math.max(1024, Math.ceil(bytes / 40));
}

/** Rows being read: typed columns that grow, and the three interners. */
export class CoortweetRows {
  size = 0;
  object: Int32Array;
  content: Int32Array;
  account: Int32Array;
  timestamp: Float64Array;
  readonly objects: ByteInterner;
  readonly contents: ByteInterner;
  readonly accounts: ByteInterner;

  /** `bytes`: the file bytes the rows come from (sizes the arrays; they grow when short). */
  constructor(bytes: number) {
    const expected = rowsCapacity(bytes);
    // Shared memory: the detect thread orders the co-repost trace by it (coortweet-source.ts), which
    // otherwise made a shared copy first (40 MB at 10M rows).
    this.object = sharedInt32(expected);
    this.content = new Int32Array(expected);
    this.account = new Int32Array(expected);
    this.timestamp = new Float64Array(expected);
    this.objects = new ByteInterner(Math.ceil(expected / 4), Math.ceil(bytes / 16));
    this.contents = new ByteInterner(expected, Math.ceil(bytes / 3));
    this.accounts = new ByteInterner(Math.ceil(expected / 16), Math.ceil(bytes / 32));
  }

  /**
   * Adds one data record: a row when it is good, else a reject (file, line, reason, raw text).
   * Returns false for a reject.
   */
  add(record: CsvRecord, header: CoortweetHeader, file: string, onReject: (reject: Reject) => void): boolean {
    const { buf, start, end } = record;
    const at = header.at;
    if (record.error !== null || record.count !== header.fields) {
      const reason = record.error ?? `expected ${header.fields} fields, found ${record.count}`;
      onReject({ file, line: record.line, reason, raw: fieldText(buf, record.rawStart, record.rawEnd) });
      return false;
    }
    // Trimmed field bounds (spaces, as SQL trim); empty means missing.
    let objectStart = start[at[0]!]!, objectEnd = end[at[0]!]!;
    let accountStart = start[at[1]!]!, accountEnd = end[at[1]!]!;
    let contentStart = start[at[2]!]!, contentEnd = end[at[2]!]!;
    while (objectStart < objectEnd && buf[objectStart] === SPACE) objectStart++;
    while (objectEnd > objectStart && buf[objectEnd - 1] === SPACE) objectEnd--;
    while (accountStart < accountEnd && buf[accountStart] === SPACE) accountStart++;
    while (accountEnd > accountStart && buf[accountEnd - 1] === SPACE) accountEnd--;
    while (contentStart < contentEnd && buf[contentStart] === SPACE) contentStart++;
    while (contentEnd > contentStart && buf[contentEnd - 1] === SPACE) contentEnd--;
    const timestamp = parseDecimal(buf, start[at[3]!]!, end[at[3]!]!);
    const reason = contentStart === contentEnd ? 'content_id is empty'
      : accountStart === accountEnd ? 'account_id is empty'
        : objectStart === objectEnd ? 'object_id is empty'
          : Number.isNaN(timestamp) ? 'timestamp_share is not a unix time' : null;
    if (reason !== null) {
      const raw = Array.from({ length: record.count }, (_, f) => csvField(fieldText(buf, start[f]!, end[f]!))).join(',');
      onReject({ file, line: record.line, reason, raw });
      return false;
    }
    this.push(buf, objectStart, objectEnd, contentStart, contentEnd, accountStart, accountEnd, timestamp);
    return true;
  }

  /**
   * The scanner's fast path for these rows (see `CsvFastPath`): a line (LF or CRLF) of exactly the
   * header's field count, without quotes, its three ids not empty and not starting or ending with a space,
   * and a plain decimal timestamp, goes straight into the columns, as `add` would put it; any
   * other line is left to the scanner and `add` (which rejects it or reads its quoting).
   */
  fastPath(header: CoortweetHeader): CoortweetFastPath {
    return new CoortweetFastPath(this, header);
  }

  /** Adds a row of trimmed, non-empty id bounds in `buf` and a parsed timestamp. */
  push(buf: Uint8Array, objectStart: number, objectEnd: number, contentStart: number, contentEnd: number, accountStart: number, accountEnd: number, timestamp: number): void {
    if (this.size === this.object.length) this.reserve(this.size + 1);
    const i = this.size++;
    this.object[i] = this.objects.intern(buf, objectStart, objectEnd);
    this.content[i] = this.contents.intern(buf, contentStart, contentEnd);
    this.account[i] = this.accounts.intern(buf, accountStart, accountEnd);
    this.timestamp[i] = timestamp;
  }

  /**
   * `push` for the fast path, which has read each id's trailing digit run (`…Digits`: where it
   * starts; `…Number`: its value when 1 to 9 digits long).
   */
  pushParsed(buf: Uint8Array, objectStart: number, objectDigits: number, objectEnd: number, objectNumber: number, contentStart: number, contentDigits: number, contentEnd: number, contentNumber: number,
    accountStart: number, accountDigits: number, accountEnd: number, accountNumber: number, timestamp: number): void {
    if (this.size === this.object.length) this.reserve(this.size + 1);
    const i = this.size++;
    this.object[i] = this.objects.internParsed(buf, objectStart, objectDigits, objectEnd, objectNumber);
    this.content[i] = this.contents.internParsed(buf, contentStart, contentDigits, contentEnd, contentNumber);
    this.account[i] = this.accounts.internParsed(buf, accountStart, accountDigits, accountEnd, accountNumber);
    this.timestamp[i] = timestamp;
  }

  /** Appends another part's rows, its ids interned here (in its order of first appearance). */
  append(part: CoortweetPartRows): void {
    const object = this.objects.merge(part.objects);
    const content = this.contents.merge(part.contents);
    const account = this.accounts.merge(part.accounts);
    this.reserve(this.size + part.size);
    // A column at a time: each loop's random reads go to one id table, which then has the cache to
    // itself (at 10M rows the object table alone is 8 MB; three interleaved tables missed more).
    remapInto(this.object, this.size, object, part.object, part.size);
    remapInto(this.content, this.size, content, part.content, part.size);
    remapInto(this.account, this.size, account, part.account, part.size);
    this.timestamp.set(part.timestamp.subarray(0, part.size), this.size);
    this.size += part.size;
  }

  /** The rows as plain arrays (sharing memory), for another thread. */
  part(): CoortweetPartRows {
    return {
      size: this.size, object: this.object.subarray(0, this.size), content: this.content.subarray(0, this.size),
      account: this.account.subarray(0, this.size), timestamp: this.timestamp.subarray(0, this.size),
      objects: this.objects.handOver(), contents: this.contents.handOver(), accounts: this.accounts.handOver(),
    };
  }

  /** The columns of the rows read. */
  columns(files: CoortweetFileCounts[]): CoortweetColumns {
    return {
      size: this.size,
      object: this.object.subarray(0, this.size), content: this.content.subarray(0, this.size),
      account: this.account.subarray(0, this.size), timestamp: this.timestamp.subarray(0, this.size),
      objects: this.objects, contents: this.contents, accounts: this.accounts, files,
    };
  }

  private reserve(rows: number): void {
    let n = this.object.length;
    if (rows <= n) return;
    while (n < rows) n *= 2;
    const object = sharedInt32(n); object.set(this.object); this.object = object;
    const content = new Int32Array(n); content.set(this.content); this.content = content;
    const account = new Int32Array(n); account.set(this.account); this.account = account;
    const timestamp = new Float64Array(n); timestamp.set(this.timestamp); this.timestamp = timestamp;
  }
}

/** `target[at + r] = remap[ids[r]]` for each r below `count`. */
function remapInto(target: Int32Array, at: number, remap: Int32Array, ids: Int32Array, count: number): void {
  for (let r = 0; r < count; r++) target[at + r] = remap[ids[r]!]!;
}

/** Field roles in the fast path. */
const OBJECT = 0, ACCOUNT = 1, CONTENT = 2, TIMESTAMP = 3, OTHER = 4;

/** `CoortweetRows.fastPath`: simple lines straight into the rows; `rows` counts them all. */
export class CoortweetFastPath implements CsvFastPath {
  taken = 0;
  /** Lines taken over the whole scan. */
  rows = 0;
  private readonly role: Uint8Array;

  constructor(private readonly target: CoortweetRows, header: CoortweetHeader) {
    this.role = new Uint8Array(header.fields).fill(OTHER);
    header.at.forEach((field, role) => { this.role[field] = role; });
  }

  take(buf: Uint8Array, p: number, len: number, stopAt: number): number {
    const role = this.role, fields = role.length, rows = this.target;
    let taken = 0;
    while (p < stopAt) {
      let q = p;
      let objectStart = 0, objectEnd = 0, accountStart = 0, accountEnd = 0, contentStart = 0, contentEnd = 0, timeStart = 0, timeEnd = 0;
      // Each field's trailing digit run, read in the same pass: where it starts and its value
      // (exact up to 15 digits), so ids and the timestamp are not read a second time.
      let objectDigits = 0, accountDigits = 0, contentDigits = 0, timeDigits = 0;
      let objectNumber = 0, accountNumber = 0, contentNumber = 0, timeNumber = 0;
      let simple = true;
      for (let f = 0; f < fields; f++) {
        const s = q;
        let b = 0;
        let number = 0, digitsAt = q;
        // One comparison for most bytes: the four stops (`,` LF CR `"`) are all at or below ','.
        while (q < len) {
          b = buf[q]!;
          if (b <= COMMA && (b === COMMA || b === LF || b === CR || b === QUOTE)) break;
          const digit = b - ZERO;
          if (digit >= 0 && digit <= 9) { number = number * 10 + digit; } else { number = 0; digitsAt = q + 1; }
          q++;
        }
        if (q >= len) { simple = false; break; }
        if (f < fields - 1 ? b !== COMMA : b !== LF && !(b === CR && q + 1 < len && buf[q + 1] === LF)) { simple = false; break; }
        switch (role[f]) {
          case OBJECT: objectStart = s; objectEnd = q; objectDigits = digitsAt; objectNumber = number; break;
          case ACCOUNT: accountStart = s; accountEnd = q; accountDigits = digitsAt; accountNumber = number; break;
          case CONTENT: contentStart = s; contentEnd = q; contentDigits = digitsAt; contentNumber = number; break;
          case TIMESTAMP: timeStart = s; timeEnd = q; timeDigits = digitsAt; timeNumber = number; break;
          default: break;
        }
        q += b === CR ? 2 : 1;
      }
      if (!simple || objectStart === objectEnd || accountStart === accountEnd || contentStart === contentEnd
        || buf[objectStart] === SPACE || buf[objectEnd - 1] === SPACE || buf[accountStart] === SPACE || buf[accountEnd - 1] === SPACE
        || buf[contentStart] === SPACE || buf[contentEnd - 1] === SPACE) break;
      // An all-digit timestamp of up to 15 digits is its number; anything else is parsed in full.
      const timestamp = timeDigits === timeStart && timeEnd > timeStart && timeEnd - timeStart <= 15 ? timeNumber : parseDecimal(buf, timeStart, timeEnd);
      if (Number.isNaN(timestamp)) break;
      rows.pushParsed(buf, objectStart, objectDigits, objectEnd, objectNumber, contentStart, contentDigits, contentEnd, contentNumber, accountStart, accountDigits, accountEnd, accountNumber, timestamp);
      taken++;
      p = q;
    }
    this.taken = taken;
    this.rows += taken;
    return p;
  }
}

/** A part's rows as plain arrays and interned values (what a worker hands back). */
export interface CoortweetPartRows {
  size: number;
  object: Int32Array;
  content: Int32Array;
  account: Int32Array;
  timestamp: Float64Array;
  objects: InternedValues;
  contents: InternedValues;
  accounts: InternedValues;
}

/**
 * Reads CooRTweet 4-column files on this thread. Throws `ingest/unknown-format` when a file
 * lacks a column. `readCoortweetColumnsSplit` (coortweet-split.ts) reads large files on two.
 *
 * @example
 * const rows = readCoortweetColumns(['shares.csv'], (reject) => rejects.push(reject));
 * rows.accounts.text(rows.account[0]!) // the first good row's account_id
 */
export function readCoortweetColumns(files: readonly string[], onReject: (reject: Reject) => void): CoortweetColumns {
  const rows = new CoortweetRows(files.reduce((sum, file) => sum + statSync(file).size, 0));
  const counts: CoortweetFileCounts[] = [];
  for (const file of files) {
    const started = performance.now();
    let header: CoortweetHeader | null = null;
    const afterHeader = scanCsvFile(file, (record) => {
      header = coortweetHeader(file, record);
      return false;
    }, { blockBytes: 1 << 16 });
    if (header === null) throw unknownFormat(file, 'the file is empty (no header)');
    let read = 0, rejected = 0;
    const fast = rows.fastPath(header);
    scanCsvFile(file, (record) => {
      read++;
      if (!rows.add(record, header!, file, onReject)) rejected++;
    }, { from: afterHeader.offset, firstLine: afterHeader.line, fast });
    counts.push({ file, read: read + fast.rows, rejected, seconds: (performance.now() - started) / 1000, threads: 1 });
  }
  return rows.columns(counts);
}

/**
 * Object and content ids in one id space (CooRTweet compares them: a row whose object is its own
 * content is a loop): objects keep their ids, a content equal to an object takes that object's id,
 * other contents follow from `objects.size` on.
 */
export function sharedIds(columns: CoortweetColumns): { object: Int32Array; content: Int32Array; count: number } {
  const { objects, contents } = columns;
  // Looked up from the (fewer) objects into the contents, not the other way round; not at all when
  // no object can be a content (ids of different shapes, as CooRTweet's own exports have).
  const contentId = new Int32Array(contents.size).fill(-1);
  const lookups = objects.mayShareWith(contents) ? objects.size : 0;
  for (let o = 0; o < lookups; o++) {
    const c = objects.findIn(contents, o);
    if (c >= 0) contentId[c] = o;
  }
  let next = objects.size;
  for (let c = 0; c < contents.size; c++) if (contentId[c]! < 0) contentId[c] = next++;
  const content = new Int32Array(columns.size);
  for (let r = 0; r < columns.size; r++) content[r] = contentId[columns.content[r]!]!;
  return { object: columns.object, content, count: next };
}

/** Unix seconds or ms told apart by magnitude (> 1e11 cannot be seconds), as ms; as the store path does. */
export function unixMs(timestamp: number): number {
  return Math.round(timestamp > 1e11 ? timestamp : timestamp * 1000);
}
