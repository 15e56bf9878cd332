/**
 * Batch sign-up scoring: a CSV of registrations (`account_id,time,ip,user_agent,handle,email_domain`,
 * columns in any order, extra columns ignored) in, `account_id,decision,score,reasons` out, in file
 * order (velocity windows assume time order, as a registration log has). Rows with a bad value go
 * to a rejects file with their line number, never silently dropped. Lines without quotes are split
 * by hand (the common case, and the speed of the path); quoted lines go through csv-parse.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse/sync';
import { LockstepError } from '../model/index.js';
import { looksLikeIpv6, parseIpv4 } from '../signals/ipv4.js';
import type { SignupInput, SignupScorer } from './scorer.js';

export const SIGNUP_COLUMNS = ['account_id', 'time', 'ip', 'user_agent', 'handle', 'email_domain'] as const;

export interface BatchResult {
  read: number;
  scored: number;
  rejected: number;
  decisions: { allow: number; challenge: number; block: number };
  rejectsFile: string | null;
}

const csvField = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Epoch ms from unix seconds/ms digits or ISO 8601; NaN when neither. */
export function parseSignupTime(text: string): number {
  if (/^\d{1,16}$/.test(text)) {
    const value = Number(text);
    return value < 1e11 ? value * 1000 : value;
  }
  return /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text.length === 10 || text.includes('T') ? text : `${text.replace(' ', 'T')}Z`) : NaN;
}

/** A registration from the CSV's cells, or the reason it is unusable. */
export function readSignupRow(cells: readonly string[], columns: readonly number[]): { ok: true; value: SignupInput } | { ok: false; reason: string } {
  const cell = (i: number): string => (cells[columns[i] as number] ?? '').trim();
  const accountId = cell(0);
  if (accountId === '') return { ok: false, reason: 'account_id is empty' };
  const timeText = cell(1);
  const time = parseSignupTime(timeText);
  if (!Number.isFinite(time)) return { ok: false, reason: `time "${timeText}" is not a time (ISO 8601 or unix seconds/ms)` };
  const ip = cell(2);
  if (looksLikeIpv6(ip)) return { ok: false, reason: `ip "${ip}" is IPv6, which is not supported yet` };
  if (parseIpv4(ip) < 0) return { ok: false, reason: `ip "${ip}" is not an IPv4 address` };
  const handle = cell(4);
  if (handle === '') return { ok: false, reason: 'handle is empty' };
  return { ok: true, value: { account_id: accountId, time, ip, user_agent: cell(3), handle, email_domain: cell(5) } };
}

function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const records = parse(line, { relax_quotes: true }) as string[][];
  return records[0] ?? [];
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
    const cells = splitLine(line);
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
    result.decisions[scored.decision] += 1;
    buffer += `${csvField(scored.account_id)},${scored.decision},${scored.score},${scored.reasons.length === 0 ? '' : csvField(scored.reasons.join(' | '))}\n`;
  };
  try {
    for await (const chunk of createReadStream(input, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = pending + (chunk as string);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        handleLine(text.slice(start, end));
        start = end + 1;
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
