/**
 * What a record-level reader returns for one parsed input value, and the small helpers the
 * record readers (twitter-v2, jetstream, generic-mapping) share. Readers never throw on input:
 * whatever they cannot use becomes a `problems` entry that the caller turns into a reject.
 */
import type { z } from 'zod';
import type { Action, Actor } from '../model/index.js';

export interface RecordResult {
  actors: Actor[];
  actions: Action[];
  /** Human reasons this record (or part of it) could not be read. Empty when all of it was used. */
  problems: string[];
}

/** A result with nothing read and nothing wrong yet; readers fill it. */
export function emptyResult(): RecordResult {
  return { actors: [], actions: [], problems: [] };
}

/** A plain (non-array) object, as JSON gives them. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: `record['constructor']` must not find Object's prototype. */
export function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

const MAX_SHOWN = 40;

/**
 * A value as a problem message shows it: short, on one line, and never by calling its own
 * toString (hostile or prototype-less objects throw there).
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      if (value === '') return 'an empty string';
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return JSON.stringify(shown);
    }
    case 'number': return Number.isFinite(value) ? String(value) : 'a non-finite number';
    case 'boolean': return String(value);
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

/** The first zod issue as `path: message`, for a problem line. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * An optional part of a record: absent or null gives null; present but of the wrong shape gives
 * null and a problem naming the part (the rest of the record is still used).
 */
export function readPart<T>(value: unknown, schema: z.ZodType<T>, part: string, problems: string[]): T | null {
  if (value === undefined || value === null) return null;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(`${part}: ${describeIssue(parsed.error)}; ignored`);
  return null;
}

/** An optional list: its readable items; unreadable items are dropped and counted in one problem. */
export function readItems<T>(value: unknown, schema: z.ZodType<T>, part: string, problems: string[]): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${part}: expected a list, got ${describeValue(value)}; ignored`);
    return [];
  }
  const items: T[] = [];
  let bad = 0;
  for (const item of value) {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(parsed.data);
    else bad += 1;
  }
  if (bad > 0) problems.push(`${part}: ${bad} of ${value.length} items unreadable; ignored`);
  return items;
}

/** null for a missing or empty string: an empty text is no text (it would match every other empty one). */
export function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)? ?(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO 8601 date-time to ms since the epoch, or null. Accepts `T` or a space between date and
 * time, optional seconds and fraction, and a zone `Z`, `UTC`, `±HH`, `±HHMM` or `±HH:MM`;
 * no zone means UTC (the Information Operations archives and most exports write UTC without
 * saying so). A date without a time of day is not accepted: lockstep compares actions seconds
 * apart, and a day-precision time would put a whole day's actions at midnight.
 * @example parseIsoTime('2017-08-06 08:15') // Date.UTC(2017, 7, 6, 8, 15)
 */
export function parseIsoTime(raw: string): number | null {
  const match = ISO_TIME.exec(raw.trim());
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) => Number(match[group] ?? '0')) as
    [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Number((match[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = zoneOffsetMinutes(match[8]);
  if (offsetMinutes === null) return null;
  // Via setUTCFullYear because Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const time = date.getTime() - offsetMinutes * 60_000;
  return Number.isFinite(time) ? time : null;
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || /^(Z|UTC|GMT)$/i.test(zone)) return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59) return null;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
