/**
 * A byte-level CSV scanner (RFC 4180: `,` separators, `"` quoting with `""` escapes, LF or CRLF
 * records, quoted fields may span lines) over a file read in large blocks. It hands each record to
 * a callback as field byte ranges in the current block, so a reader can intern or parse fields
 * without creating a JS string per field. Quoted fields are unescaped in place. A UTF-8 BOM is
 * skipped; blank lines are skipped. Structural problems (an unterminated quote, text after a
 * closing quote) are reported on the record with its starting line, never thrown.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const COMMA = 0x2c, QUOTE = 0x22, CR = 0x0d, LF = 0x0a;

/** One record, valid only during the callback (the block is reused). */
export interface CsvRecord {
  /** The current block; field i is `buf[start[i], end[i])`. */
  buf: Uint8Array;
  count: number;
  start: Int32Array;
  end: Int32Array;
  /** 1-based physical line on which the record starts. */
  line: number;
  /** Raw bytes of the record in `buf`, without the line break (intact only when `error` is set: good records are unescaped in place). */
  rawStart: number;
  rawEnd: number;
  /** A structural problem, or null. */
  error: string | null;
}

export interface CsvScanOptions {
  /** Bytes read per block (records longer than this grow the block). */
  blockBytes: number;
  /** Byte offset to start at (a record start; a BOM is only looked for at 0). */
  from: number;
  /** Line number of the line at `from`. */
  firstLine: number;
  /** Stop before the first record that starts at or after this byte offset. */
  stopAt: number;
  /** Takes simple records before the general scanner looks at them (a reader's hot path), or null. */
  fast: CsvFastPath | null;
}

/**
 * A reader's fast path: it takes whole one-line records it can read itself (typically: no quote,
 * the expected field count, a line break within the block) straight from the block, and leaves
 * the first record it cannot take to the general scanner, which hands that one to the callback
 * and then offers the block to the fast path again. Each record taken is one line.
 */
export interface CsvFastPath {
  /**
   * Takes records of `buf` from `p` (a record start) while each ends in a line break before `len`
   * and starts before `stopAt`; returns the offset after the last one taken (`p`: none), and sets
   * `taken` to the number taken.
   */
  take(buf: Uint8Array, p: number, len: number, stopAt: number): number;
  taken: number;
}

export const CSV_SCAN_DEFAULTS: Readonly<CsvScanOptions> = Object.freeze({ blockBytes: 1 << 23, from: 0, firstLine: 1, stopAt: Infinity, fast: null });

/** Where a scan ended. */
export interface CsvScanEnd {
  /** Bytes read from the file. */
  bytes: number;
  /** Byte offset of the first record not scanned (the file size when it ran to the end). */
  offset: number;
  /** Line number of the line at `offset`. */
  line: number;
}

/** Decodes a field (or any byte range) as UTF-8. */
export function fieldText(buf: Uint8Array, start: number, end: number): string {
  return DECODER.decode(buf.subarray(start, end));
}
const DECODER = new TextDecoder();

/**
 * Calls `onRecord` for every record of `file` (the header included), from `options.from` on,
 * until the end of the file, a record starting at or after `options.stopAt`, or `onRecord`
 * returning false (after that record); returns where it ended.
 *
 * @example
 * scanCsvFile('a.csv', (r) => console.log(r.line, fieldText(r.buf, r.start[0]!, r.end[0]!)));
 */
export function scanCsvFile(file: string, onRecord: (record: CsvRecord) => boolean | void, options?: Partial<CsvScanOptions>): CsvScanEnd {
  const opts = { ...CSV_SCAN_DEFAULTS, ...options };
  const fd = openSync(file, 'r');
  try {
    let buf = new Uint8Array(opts.blockBytes);
    let len = 0;
    let eof = false;
    let total = 0;
    /** File offset of buf[0]. */
    let base = opts.from;
    let position = opts.from;
    const scanner = new RecordScanner(opts.firstLine, opts.fast);
    let first = opts.from === 0;
    for (;;) {
      if (!eof && len < buf.length) {
        const n = readSync(fd, buf, len, buf.length - len, position);
        if (n === 0) eof = true;
        len += n;
        total += n;
        position += n;
      }
      let p = 0;
      if (first && len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3;
      first = false;
      p = scanner.scanBlock(buf, p, len, eof, onRecord, opts.stopAt - base);
      if (scanner.stopped || (eof && p >= len)) return { bytes: total, offset: base + p, line: scanner.line };
      // Keep the incomplete record; grow the block if it alone fills it.
      if (p === 0 && len === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      } else {
        buf.copyWithin(0, p, len);
        len -= p;
        base += p;
      }
    }
  } finally {
    closeSync(fd);
  }
}

class RecordScanner {
  /** Set when a scan stopped early (stopAt or the callback). */
  stopped = false;
  private start = new Int32Array(64);
  private end = new Int32Array(64);
  private escaped = new Uint8Array(64);

  /** `line`: the line number of the next record's first line. */
  constructor(public line: number, private readonly fast: CsvFastPath | null = null) {}

  /**
   * Scans complete records of `buf[p, len)`; returns where the first incomplete one starts, or
   * (`stopped` set) the first record at or after `stopAt` or the one after a callback said false.
   */
  scanBlock(buf: Uint8Array, p: number, len: number, eof: boolean, onRecord: (record: CsvRecord) => boolean | void, stopAt: number): number {
    const record: CsvRecord = { buf, count: 0, start: this.start, end: this.end, line: 0, rawStart: 0, rawEnd: 0, error: null };
    const fast = this.fast;
    while (p < len) {
      if (fast !== null && p < stopAt) {
        const q = fast.take(buf, p, len, stopAt);
        if (q !== p) {
          this.line += fast.taken;
          p = q;
          continue;
        }
      }
      if (p >= stopAt) { this.stopped = true; return p; }
      const recordStart = p;
      let lines = 0;
      let count = 0;
      let error: string | null = null;
      let complete = false;
      let rawEnd = p;
      for (;;) {
        if (count === this.start.length) this.grow();
        if (buf[p] === QUOTE) {
          let q = p + 1;
          let hasEscape = false;
          let closed = -1;
          while (q < len) {
            const b = buf[q]!;
            if (b === QUOTE) {
              if (q + 1 < len && buf[q + 1] === QUOTE) { hasEscape = true; q += 2; continue; }
              if (q + 1 >= len && !eof) break;
              closed = q;
              break;
            }
            if (b === LF) lines++;
            q++;
          }
          if (closed < 0) {
            if (!eof) return recordStart;
            error = 'a quoted field is not closed before the end of the file';
            this.start[count] = p + 1; this.end[count] = len; this.escaped[count] = 0; count++;
            p = len; rawEnd = len; complete = true;
            break;
          }
          this.start[count] = p + 1; this.end[count] = closed; this.escaped[count] = hasEscape ? 1 : 0; count++;
          p = closed + 1;
          if (p < len && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) {
            error ??= 'unexpected text after a closing quote';
            while (p < len && buf[p] !== COMMA && buf[p] !== LF && buf[p] !== CR) p++;
            if (p >= len && !eof) return recordStart;
          }
        } else {
          const s = p;
          while (p < len) {
            const b = buf[p]!;
            // One comparison for most bytes: the three stops are all at or below ','.
            if (b <= COMMA && (b === COMMA || b === LF || b === CR)) break;
            p++;
          }
          if (p >= len && !eof) return recordStart;
          this.start[count] = s; this.end[count] = p; this.escaped[count] = 0; count++;
        }
        if (p >= len) { rawEnd = p; complete = true; break; }
        const b = buf[p]!;
        if (b === COMMA) {
          p++;
          if (p >= len) {
            if (!eof) return recordStart;
            if (count === this.start.length) this.grow();
            this.start[count] = p; this.end[count] = p; this.escaped[count] = 0; count++;
            rawEnd = p; complete = true;
            break;
          }
          continue;
        }
        rawEnd = p;
        if (b === CR) {
          if (p + 1 >= len && !eof) return recordStart;
          p += buf[p + 1] === LF ? 2 : 1;
        } else {
          p++;
        }
        lines++;
        complete = true;
        break;
      }
      if (!complete) return recordStart;
      const line = this.line;
      this.line += lines;
      if (count === 1 && this.start[0] === this.end[0] && error === null) continue; // blank line
      // A broken record keeps its raw bytes intact for the rejects file; a good one is unescaped.
      if (error === null) for (let f = 0; f < count; f++) if (this.escaped[f] === 1) this.end[f] = unescapeInPlace(buf, this.start[f]!, this.end[f]!);
      record.count = count; record.line = line; record.rawStart = recordStart; record.rawEnd = rawEnd; record.error = error;
      record.start = this.start; record.end = this.end;
      if (onRecord(record) === false) { this.stopped = true; return p; }
    }
    return p;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const start = new Int32Array(n); start.set(this.start); this.start = start;
    const end = new Int32Array(n); end.set(this.end); this.end = end;
    const escaped = new Uint8Array(n); escaped.set(this.escaped); this.escaped = escaped;
  }
}

/** Turns `""` into `"` in `buf[start, end)`, compacting leftwards; returns the new end. */
function unescapeInPlace(buf: Uint8Array, start: number, end: number): number {
  let w = start;
  for (let r = start; r < end; r++) {
    buf[w++] = buf[r]!;
    if (buf[r] === QUOTE && buf[r + 1] === QUOTE) r++;
  }
  return w;
}
