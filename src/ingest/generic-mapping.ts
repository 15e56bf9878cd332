/**
 * The generic CSV/JSONL reader's column mapping: `--map account=user_id,time=created_at,...`
 * names, for each canonical field, the column (or JSONL key) that holds it. Any table of
 * "who did what when" can then be read without a reader of its own.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActionKind } from '../model/index.js';
import {
  ACTION_KINDS, badMapping, bareAction, bareActor, normalizeAll, normalizeHashtag, normalizeUrl, parseListField,
} from '../model/index.js';
import type { RecordResult } from './record-result.js';
import { describeValue, emptyResult, ownValue, parseIsoTime } from './record-result.js';

export type TargetField =
  | 'id' | 'account' | 'time' | 'kind' | 'target_post' | 'target_actor' | 'text' | 'language'
  | 'urls' | 'hashtags' | 'mentions' | 'media' | 'client' | 'platform' | 'handle' | 'display_name';

export const TARGET_FIELDS: readonly TargetField[] = [
  'id', 'account', 'time', 'kind', 'target_post', 'target_actor', 'text', 'language',
  'urls', 'hashtags', 'mentions', 'media', 'client', 'platform', 'handle', 'display_name',
];

/** Source column for each mapped field; `account` and `time` are required. */
export type ColumnMapping = { readonly account: string; readonly time: string }
  & { readonly [F in Exclude<TargetField, 'account' | 'time'>]?: string };

const TARGETS: ReadonlySet<string> = new Set(TARGET_FIELDS);

/**
 * Parses a `--map` value: comma-separated `field=column` pairs (a column name may contain `=`
 * but not `,`). Fields are case-insensitive; column names are matched exactly. Throws a
 * `LockstepError` (`ingest/bad-mapping`) for an unknown field, a field mapped twice, a missing
 * `account` or `time`, or a column not among `availableColumns` (when given).
 * @example parseColumnMapping('account=user_id,time=created_at,urls=links', ['user_id', 'created_at', 'links'])
 */
export function parseColumnMapping(spec: string, availableColumns?: readonly string[]): ColumnMapping {
  const fields = new Map<string, string>();
  for (const entry of spec.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const equals = entry.indexOf('=');
    const field = (equals < 0 ? entry : entry.slice(0, equals)).trim().toLowerCase();
    const column = equals < 0 ? '' : entry.slice(equals + 1).trim();
    if (equals < 0 || field === '' || column === '') throw badMapping(`"${entry}" is not of the form field=column`);
    if (!TARGETS.has(field)) throw badMapping(`unknown field "${field}"; the fields are ${TARGET_FIELDS.join(', ')}`);
    if (fields.has(field)) throw badMapping(`field "${field}" is mapped twice`);
    if (availableColumns !== undefined && !availableColumns.includes(column)) {
      throw badMapping(`column "${column}" (for ${field}) is not in the input${columnHint(column, availableColumns)}`);
    }
    fields.set(field, column);
  }
  const account = fields.get('account');
  const time = fields.get('time');
  if (account === undefined || time === undefined) {
    const missing = [account === undefined ? 'account' : null, time === undefined ? 'time' : null].filter((name) => name !== null);
    throw badMapping(`${missing.join(' and ')} must be mapped`);
  }
  return { ...Object.fromEntries(fields), account, time };
}

function columnHint(column: string, available: readonly string[]): string {
  const near = available.find((name) => name.toLowerCase() === column.toLowerCase());
  if (near !== undefined) return ` (did you mean "${near}"?)`;
  const shown = available.slice(0, 30).map((name) => `"${name}"`).join(', ');
  return `; its columns are ${shown}${available.length > 30 ? ', ...' : ''}`;
}

export interface GenericRecordOptions {
  /** Platform of records whose `platform` is not mapped or empty. */
  platform: string;
}

const DEFAULTS: GenericRecordOptions = { platform: 'generic' };

/** Kind names other tools use, and the canonical kind they mean. */
const KIND_ALIASES = new Map<string, ActionKind>([
  ['tweet', 'post'], ['status', 'post'], ['retweet', 'repost'], ['rt', 'repost'], ['reblog', 'repost'], ['boost', 'repost'],
  ['comment', 'reply'], ['quote_tweet', 'quote'], ['favorite', 'like'], ['favourite', 'like'],
]);
const KINDS: ReadonlySet<string> = new Set(ACTION_KINDS);

/**
 * Maps one record (a CSV row by header name, or a JSONL object) to an action and its actor.
 * A record whose account or time is missing or unreadable, or whose kind is unknown, gives no
 * data and a problem; an unreadable optional field is left empty with a problem. A record
 * without a mapped `id` gets a synthetic one, `synthetic:` and 32 hex digits of a SHA-256 of
 * its account, time, kind, targets, text and lists: re-ingesting the same file gives the same
 * ids, so the store counts the rows as duplicates instead of adding them twice.
 * Never throws.
 * @example mapGenericRecord({ user_id: '42', created_at: '1623881091' }, parseColumnMapping('account=user_id,time=created_at'))
 */
export function mapGenericRecord(record: Record<string, unknown>, mapping: ColumnMapping, options: Partial<GenericRecordOptions> = {}): RecordResult {
  const settings: GenericRecordOptions = { ...DEFAULTS, ...options };
  const result = emptyResult();
  const problems = result.problems;
  const get = (field: TargetField): unknown => {
    const column = mapping[field];
    return column === undefined ? undefined : ownValue(record, column);
  };
  const say = (field: TargetField, what: string): void => {
    problems.push(`${field} (column "${mapping[field] ?? ''}"): ${what}`);
  };

  const account = readId(get('account'), 'account', say);
  const rawTime = get('time');
  const time = parseMappedTime(rawTime);
  const rawKind = get('kind');
  const kind = readKind(rawKind);
  if (account === null) say('account', 'missing; not ingested');
  if (time === null) say('time', `${describeValue(rawTime)} is not an ISO 8601 date-time or a unix time; not ingested`);
  if (kind === null) say('kind', `${describeValue(rawKind)} is not one of ${ACTION_KINDS.join(', ')}; not ingested`);
  if (account === null || time === null || kind === null) return result;

  const platform = readText(get('platform'), 'platform', say)?.trim() || settings.platform;
  const targetPost = readId(get('target_post'), 'target_post', say);
  const targetActor = readId(get('target_actor'), 'target_actor', say);
  const text = readText(get('text'), 'text', say);
  const urls = normalizeAll(readList(get('urls'), 'urls', false, say), normalizeUrl);
  const hashtags = normalizeAll(readList(get('hashtags'), 'hashtags', true, say), normalizeHashtag);
  const mentions = normalizeAll(readList(get('mentions'), 'mentions', true, say), normalizeMention);
  const media = normalizeAll(readList(get('media'), 'media', true, say), (hash) => hash.trim() || null);
  const id = readId(get('id'), 'id', say)
    ?? syntheticId([account, time, kind, targetPost, targetActor, text, urls, hashtags, mentions, media]);

  const action = bareAction(platform, id, account, kind, time);
  action.targetPost = targetPost;
  action.targetActor = targetActor;
  action.text = text;
  action.language = readText(get('language'), 'language', say)?.trim() || null;
  action.urls = urls;
  action.hashtags = hashtags;
  action.mentions = mentions;
  action.mediaHashes = media;
  action.clientApp = readText(get('client'), 'client', say)?.trim() || null;
  result.actions.push(action);

  const actor = bareActor(platform, account);
  actor.handle = readText(get('handle'), 'handle', say)?.trim().replace(/^@/, '') || null;
  actor.displayName = readText(get('display_name'), 'display_name', say)?.trim() || null;
  result.actors.push(actor);
  return result;
}

type Say = (field: TargetField, what: string) => void;

/** A cell as text: strings as they are, finite numbers and booleans written out; '' is no value. */
function readText(value: unknown, field: TargetField, say: Say): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  say(field, `expected text, got ${describeValue(value)}; left empty`);
  return null;
}

/**
 * An identifier, trimmed. A JSON number above 2^53 has already lost digits when the line was
 * parsed (a Twitter id written unquoted): it is refused rather than stored wrong.
 */
function readId(value: unknown, field: TargetField, say: Say): string | null {
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isSafeInteger(value)) {
    say(field, `the number ${describeValue(value)} is too large to be exact in JSON; write ids as strings; left empty`);
    return null;
  }
  return readText(value, field, say)?.trim() || null;
}

function readKind(value: unknown): ActionKind | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 'post';
  if (typeof value !== 'string') return null;
  const name = value.trim().toLowerCase();
  if (KINDS.has(name)) return name as ActionKind;
  return KIND_ALIASES.get(name) ?? null;
}

/** Mentions keep their case: they may be ids (hashed ids are case-sensitive), not only handles. */
function normalizeMention(raw: string): string | null {
  return raw.trim().replace(/^@/, '') || null;
}

const UNIX_TIME = /^\d+(\.\d+)?(e\+?\d+)?$/i;

/**
 * A time cell to ms since the epoch (UTC), or null. Accepted: ISO 8601 with `T` or a space,
 * with or without seconds, with or without a zone (none means UTC; see parseIsoTime), and
 * non-negative unix times, as a number or digits, told apart by magnitude: below 1e11 seconds
 * (1e11 s is the year 5138), below 1e14 milliseconds, below 1e17 microseconds (Jetstream's
 * time_us), below 1e20 nanoseconds. Milliseconds before March 1973 would read as seconds; no
 * social-media data is that old.
 * @example parseMappedTime('1623881091') // 1623881091000
 */
export function parseMappedTime(value: unknown): number | null {
  if (typeof value === 'number') return fromUnix(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return UNIX_TIME.test(text) ? fromUnix(Number(text)) : parseIsoTime(text);
}

function fromUnix(value: number): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  if (value < 1e11) return Math.round(value * 1000);
  if (value < 1e14) return Math.round(value);
  if (value < 1e17) return Math.round(value / 1000);
  if (value < 1e20) return Math.round(value / 1e6);
  return null;
}

const JsonList = z.array(z.union([z.string(), z.number()]));

/**
 * A list cell. Accepted: a JSON array (JSONL), a bracketed list as the Information Operations
 * archive writes it (`[a, b]`, `['a', 'b']`, or a JSON array in a CSV cell), or items separated
 * by `|` or, without any `|`, by white space. Commas separate items too, except in `urls`:
 * a URL may contain a comma, a hashtag, a mention or a media hash may not.
 */
function readList(value: unknown, field: TargetField, commas: boolean, say: Say): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  if (Array.isArray(value)) {
    const parsed = JsonList.safeParse(value);
    if (parsed.success) return parsed.data.map(String);
    say(field, 'a list with items that are not text; ignored');
    return [];
  }
  if (typeof value !== 'string') {
    say(field, `expected a list, got ${describeValue(value)}; ignored`);
    return [];
  }
  const text = value.trim();
  if (text.startsWith('[')) return jsonList(text) ?? parseListField(text);
  if (text.includes('|')) return text.split('|').map((item) => item.trim()).filter((item) => item !== '');
  return text.split(commas ? /[\s,]+/u : /\s+/u).filter((item) => item !== '');
}

function jsonList(text: string): string[] | null {
  try {
    const parsed = JsonList.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.map(String) : null;
  } catch {
    return null;
  }
}

function syntheticId(parts: readonly unknown[]): string {
  return `synthetic:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}
