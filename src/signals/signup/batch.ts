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
import type { SignupInput, SignupScorer } from './scorer.js';

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

/**
 * Scores every registration in `input`, writing `out` (and `out`.rejects.csv when a row is bad).
 * Throws `ingest/unreadable` when the header lacks a column.
 */
export async function scoreSignupFile(input: string, out: string, scorer: SignupScorer): Promise<BatchResult> {
  const output = createWriteStream(out, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const rejectsPath = `${out}.rejects.csv`;
  let rejects: ReturnType<typeof createWriteStream> | null = null;
  const result: BatchResult = { read: 0, scored: 0, rejected: 0, decisions: { allow: 0, challenge: 0, block: 0 }, rejectsFile: null };
  let columns: number[] | null = null;
  let lineNumber = 0;
  let buffer = 'account_id,decision,score,reasons\n';
  let pending = '';
  const flush = async (): Promise<void> => {
    if (!output.write(buffer)) await once(output, 'drain');
    buffer = '';
  };
  const handleLine = (raw: string): void => {
    lineNumber += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    const cells = splitCsvLine(line);
    if (columns === null) {
      const header = cells.map((cell) => cell.trim().replace(/^\uFEFF/, '').toLowerCase());
      const missing = SIGNUP_COLUMNS.filter((name) => !header.includes(name));
      if (missing.length > 0) throw new LockstepError('ingest/unreadable', `${input}:1: sign-up file lacks column(s) ${missing.join(', ')}; expected ${SIGNUP_COLUMNS.join(',')}`);
      columns = SIGNUP_COLUMNS.map((name) => header.indexOf(name));
      return;
    }
    result.read += 1;
    const row = readSignupRow(cells, columns);
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
    result.scored += 1;
    const decision = scored.decision;
    // A switch, not decisions[decision]: a keyed store per row cost more than it looks.
    switch (decision) {
      case 'allow': result.decisions.allow += 1; break;
      case 'challenge': result.decisions.challenge += 1; break;
      case 'block': result.decisions.block += 1; break;
    }
    buffer += `${csvField(scored.account_id)},${decision},${scored.score},${scored.reasons.length === 0 ? '' : csvField(scored.reasons.join(' | '))}\n`;
  };
  try {
    for await (const chunk of createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = pending + (chunk as string);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        handleLine(text.slice(start, end));
        start = end + 1;
        // Small writes: a long-lived string of many rows survives young-generation collections.
        if (buffer.length > 1 << 16) { output.write(buffer); buffer = ''; }
      }
      pending = text.slice(start);
      if (buffer.length > 1 << 20) await flush();
    }
    if (pending !== '') handleLine(pending);
    if (columns === null) throw new LockstepError('ingest/unreadable', `${input}: empty sign-up file; expected a header ${SIGNUP_COLUMNS.join(',')}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LockstepError('ingest/unreadable', `${input}: no such file`);
    throw error;
  } finally {
    await flush();
    output.end();
    await once(output, 'finish');
    const open = rejects as ReturnType<typeof createWriteStream> | null;
    if (open !== null) { open.end(); await once(open, 'finish'); }
  }
  return result;
}
