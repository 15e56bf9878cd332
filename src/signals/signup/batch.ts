/**
 * Batch sign-up scoring: a CSV of registrations (`account_id,time,ip,user_agent,handle,email_domain`,
 * columns in any order, extra columns ignored) in, `account_id,decision,score,reasons` out, in file
 * order (velocity windows assume time order, as a registration log has). Rows with a bad value go
 * to a rejects file with their line number, never silently dropped. Lines are split by hand (a
 * parser per line cost more than the scoring); a quoted cell may not span lines.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { LockstepError } from '../../model/index.js';
import { looksLikeIpv6, parseIpv4 } from '../ipv4.js';
import type { ParsedSignup, SignupDecision, SignupInput, SignupScorer } from './scorer.js';
import { byteInterner, ipv4At, isoUtcAt, plainCells, rowCells } from './byte-row.js';
import { handleShapes } from './handle-shape.js';

export const SIGNUP_COLUMNS = ['account_id', 'time', 'ip', 'user_agent', 'handle', 'email_domain'] as const;

export interface BatchResult {
  read: number;
  scored: number;
  rejected: number;
  decisions: { allow: number; challenge: number; block: number };
  rejectsFile: string | null;
}

/** True when a CSV cell needs quotes (a quote, comma or line break in it). */
function needsQuotes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 34 || code === 44 || code === 10 || code === 13) return true;
  }
  return false;
}

const csvField = (value: string): string => (needsQuotes(value) ? `"${value.replaceAll('"', '""')}"` : value);

const digitsAt = (text: string, from: number, count: number): number => {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
};

/** The last date part parsed and its epoch ms: a registration log's rows share their day. */
let cachedDay = '';
let cachedDayMs = 0;

/** `YYYY-MM-DDTHH:MM:SS[.sss]Z` by hand (Date.parse costs more than the scoring); NaN otherwise. */
function parseIsoUtc(text: string): number {
  const n = text.length;
  if ((n !== 20 && n !== 24) || text.charCodeAt(n - 1) !== 90 || text.charCodeAt(10) !== 84) return NaN;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const millis = n === 24 ? digitsAt(text, 20, 3) : 0;
  if (Number.isNaN(millis)) return NaN;
  let dayMs: number;
  if (cachedDay !== '' && text.startsWith(cachedDay)) dayMs = cachedDayMs;
  else {
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return NaN;
    dayMs = Date.UTC(digitsAt(text, 0, 4), month - 1, day);
    if (Number.isNaN(dayMs)) return NaN;
    cachedDay = text.slice(0, 10);
    cachedDayMs = dayMs;
  }
  return dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** Epoch ms from unix seconds/ms digits or ISO 8601 (a time without zone is UTC); NaN when neither. */
export function parseSignupTime(text: string): number {
  const fast = parseIsoUtc(text);
  if (!Number.isNaN(fast)) return fast;
  if (/^\d{1,16}$/.test(text)) {
    const value = Number(text);
    return value < 1e11 ? value * 1000 : value;
  }
  return /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text.length === 10 || text.includes('T') ? text : `${text.replace(' ', 'T')}Z`) : NaN;
}

const trimmed = (text: string | undefined): string => {
  if (text === undefined) return '';
  const n = text.length;
  return n > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(n - 1) <= 32) ? text.trim() : text;
};

/** A registration from the CSV's cells, or the reason it is unusable. */
export function readSignupRow(cells: readonly string[], columns: readonly number[]): { ok: true; value: SignupInput } | { ok: false; reason: string } {
  const accountId = trimmed(cells[columns[0] as number]);
  if (accountId === '') return { ok: false, reason: 'account_id is empty' };
  const timeText = trimmed(cells[columns[1] as number]);
  const time = parseSignupTime(timeText);
  if (!Number.isFinite(time)) return { ok: false, reason: `time "${timeText}" is not a time (ISO 8601 or unix seconds/ms)` };
  const ip = trimmed(cells[columns[2] as number]);
  if (looksLikeIpv6(ip)) return { ok: false, reason: `ip "${ip}" is IPv6, which is not supported yet` };
  if (parseIpv4(ip) < 0) return { ok: false, reason: `ip "${ip}" is not an IPv4 address` };
  const handle = trimmed(cells[columns[4] as number]);
  if (handle === '') return { ok: false, reason: 'handle is empty' };
  return { ok: true, value: { account_id: accountId, time, ip, user_agent: trimmed(cells[columns[3] as number]), handle, email_domain: trimmed(cells[columns[5] as number]) } };
}

/**
 * The cells of one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote). A quote inside an
 * unquoted cell is kept as text, as csv-parse's relax_quotes does.
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let cell = '';
      let from = i + 1;
      const close = line.indexOf('"', from);
      if (close >= 0 && line.charCodeAt(close + 1) === 44) { // the common case: "text", with no quotes inside
        cells.push(line.slice(from, close));
        i = close + 2;
        continue;
      }
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) { cell += line.slice(from); i = line.length; break; }
        cell += line.slice(from, quote);
        if (line.charCodeAt(quote + 1) === 34) { cell += '"'; from = quote + 2; continue; }
        i = quote + 1;
        break;
      }
      const comma = line.indexOf(',', i);
      // Text after the closing quote (malformed) is kept rather than lost.
      cell += line.slice(i, comma < 0 ? line.length : comma);
      cells.push(cell);
      if (comma < 0) return cells;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) { cells.push(line.slice(i)); return cells; }
      cells.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Output bytes of each decision between its commas, and of each score (k / 1000 as `${score}` writes it). */
const DECISION_BYTES = { allow: Buffer.from(',allow,'), challenge: Buffer.from(',challenge,'), block: Buffer.from(',block,') } as const;
const SCORE_BYTES = Array.from({ length: 1001 }, (_, k) => Buffer.from(String(k / 1000)));
/**
 * ASCII bytes as text: Buffer's own latin1Slice where the runtime has it (toString's encoding
 * dispatch and argument checks cost as much as the copy for a short cell).
 */
const latin1: (bytes: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (bytes, start, end) => (bytes as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end)
    : (bytes, start, end) => bytes.toString('latin1', start, end);
/** Output is assembled in buffers of this size (a row that does not fit starts the next one). */
const OUT_BYTES = 1 << 18;

/**
 * Scores every registration in `input`, writing `out` (and `out`.rejects.csv when a row is bad).
 * Throws `ingest/unreadable` when the header lacks a column. Plain rows (see byte-row.ts) are read
 * and written as bytes; any other line goes through the text path, which gives the same result.
 */
export async function scoreSignupFile(input: string, out: string, scorer: SignupScorer): Promise<BatchResult> {
  const output = createWriteStream(out, { highWaterMark: 1 << 20 });
  const rejectsPath = `${out}.rejects.csv`;
  let rejects: ReturnType<typeof createWriteStream> | null = null;
  const result: BatchResult = { read: 0, scored: 0, rejected: 0, decisions: { allow: 0, challenge: 0, block: 0 }, rejectsFile: null };
  let columns: number[] | null = null;
  let lineNumber = 0;
  let outBytes = Buffer.allocUnsafe(OUT_BYTES);
  let at = outBytes.write('account_id,decision,score,reasons\n', 0, 'latin1');
  const emit = (): void => {
    if (at > 0) output.write(outBytes.subarray(0, at));
    outBytes = Buffer.allocUnsafe(OUT_BYTES);
    at = 0;
  };
  /** Writes text (a row of the text path, or reasons) to the output. */
  const emitText = (text: string): void => {
    if (at + text.length * 3 + 1 > OUT_BYTES) { // + 1: room for the line break that may follow
      emit();
      if (text.length * 3 > OUT_BYTES) { output.write(text, 'utf8'); return; }
    }
    at += outBytes.write(text, at, 'utf8');
  };
  const shapes = handleShapes();
  const domains = byteInterner({ lowerCase: true });
  let cells = rowCells(SIGNUP_COLUMNS.length);
  let needed = 0;
  const handleLine = (raw: string): void => {
    lineNumber += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    const lineCells = splitCsvLine(line);
    if (columns === null) {
      const header = lineCells.map((cell) => cell.trim().replace(/^\uFEFF/, '').toLowerCase());
      const missing = SIGNUP_COLUMNS.filter((name) => !header.includes(name));
      if (missing.length > 0) throw new LockstepError('ingest/unreadable', `${input}:1: sign-up file lacks column(s) ${missing.join(', ')}; expected ${SIGNUP_COLUMNS.join(',')}`);
      columns = SIGNUP_COLUMNS.map((name) => header.indexOf(name));
      needed = Math.max(...columns) + 1;
      cells = rowCells(needed);
      return;
    }
    result.read += 1;
    const row = readSignupRow(lineCells, columns);
    if (!row.ok) {
      result.rejected += 1;
      if (rejects === null) {
        rejects = createWriteStream(rejectsPath, { encoding: 'utf8' });
        rejects.write('file,line,reason,raw\n');
        result.rejectsFile = rejectsPath;
      }
      rejects.write(`${csvField(input)},${lineNumber},${csvField(row.reason)},${csvField(line)}\n`);
      return;
    }
    const scored = scorer.score(row.value);
    count(scored.decision);
    emitText(`${csvField(scored.account_id)},${scored.decision},${scored.score},${scored.reasons.length === 0 ? '' : csvField(scored.reasons.join(' | '))}\n`);
  };
  const count = (decision: SignupDecision): void => {
    result.scored += 1;
    // A switch, not decisions[decision]: a keyed store per row cost more than it looks.
    switch (decision) {
      case 'allow': result.decisions.allow += 1; break;
      case 'challenge': result.decisions.challenge += 1; break;
      case 'block': result.decisions.block += 1; break;
    }
  };
  const row: ParsedSignup = { time: 0, ip: 0, userAgent: null, handle: '', shape: shapes.read(Buffer.from('a'), 0, 1, 'a'), emailDomain: '' };
  /** Scores the plain line `bytes[start, stop)` (no line break) from its bytes; false (nothing done) when it is not plain. */
  const plainLine = (bytes: Buffer, start: number, stop: number): boolean => {
    const cols = columns as number[];
    if (stop === start || !plainCells(bytes, start, stop, needed, cells)) return false;
    const { starts, ends } = cells;
    const idCell = cols[0] as number;
    const idFrom = starts[idCell] as number;
    const idTo = ends[idCell] as number;
    if (idTo === idFrom || cells.quoted[idCell] === 1) return false;
    for (let i = idFrom; i < idTo; i++) if (bytes[i] === 13) return false; // would need quotes
    const time = isoUtcAt(bytes, starts[cols[1] as number] as number, ends[cols[1] as number] as number);
    if (Number.isNaN(time)) return false;
    const ip = ipv4At(bytes, starts[cols[2] as number] as number, ends[cols[2] as number] as number);
    if (ip < 0) return false;
    const handleFrom = starts[cols[4] as number] as number;
    const handleTo = ends[cols[4] as number] as number;
    if (handleTo === handleFrom) return false;
    lineNumber += 1;
    result.read += 1;
    const agentFrom = starts[cols[3] as number] as number;
    const agentTo = ends[cols[3] as number] as number;
    row.time = time;
    row.ip = ip;
    row.userAgent = scorer.mayBeKnownAgent(agentTo - agentFrom) ? latin1(bytes, agentFrom, agentTo) : null;
    row.handle = latin1(bytes, handleFrom, handleTo);
    row.shape = shapes.read(bytes, handleFrom, handleTo, row.handle);
    row.emailDomain = domains.text(bytes, starts[cols[5] as number] as number, ends[cols[5] as number] as number);
    const verdict = scorer.scoreParsed(row);
    count(verdict.decision);
    const reasons = verdict.reasons;
    if (at + (idTo - idFrom) + 24 > OUT_BYTES) emit();
    for (let i = idFrom; i < idTo; i++) outBytes[at++] = bytes[i] as number;
    // Byte loops: Buffer#copy's checks cost more than these few bytes.
    const decision = DECISION_BYTES[verdict.decision];
    for (let i = 0; i < decision.length; i++) outBytes[at++] = decision[i] as number;
    const score = SCORE_BYTES[Math.round(verdict.score * 1000)] as Buffer;
    for (let i = 0; i < score.length; i++) outBytes[at++] = score[i] as number;
    outBytes[at++] = 44;
    if (reasons.length > 0) emitText(csvField(reasons.join(' | ')));
    outBytes[at++] = 10;
    return true;
  };
  /** One line `bytes[start, end)` (end at its line break or the file's end). */
  const line = (bytes: Buffer, start: number, end: number): void => {
    const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
    if (columns === null || !plainLine(bytes, start, stop)) handleLine(bytes.toString('utf8', start, end));
  };
  try {
    let rest: Buffer | null = null;
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
      const bytes: Buffer = rest === null ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
      let start = 0;
      for (let end = bytes.indexOf(10, start); end >= 0; end = bytes.indexOf(10, start)) {
        line(bytes, start, end);
        start = end + 1;
      }
      rest = start < bytes.length ? bytes.subarray(start) : null;
      if (output.writableNeedDrain) await once(output, 'drain');
    }
    if (rest !== null) line(rest, 0, rest.length);
    if (columns === null) throw new LockstepError('ingest/unreadable', `${input}: empty sign-up file; expected a header ${SIGNUP_COLUMNS.join(',')}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LockstepError('ingest/unreadable', `${input}: no such file`);
    throw error;
  } finally {
    emit();
    output.end();
    await once(output, 'finish');
    const open = rejects as ReturnType<typeof createWriteStream> | null;
    if (open !== null) { open.end(); await once(open, 'finish'); }
  }
  return result;
}
