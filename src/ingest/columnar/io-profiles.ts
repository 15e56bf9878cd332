/**
 * Account profiles of Information Operations archive files, with the store's rules
 * (src/store/duckdb/csv-formats.ts and csv-loader.ts): fields trimmed of spaces, empty means
 * missing; `account_creation_date` as `YYYY-MM-DD[ HH:MM[:SS]]` UTC; counts with thousands commas
 * dropped and decimals rounded. The first file that names an account gives its profile: a tweets
 * file its latest row's (by time, then tweet id), a users file its row with the earliest creation
 * date.
 */
import type { Actor } from '../../model/index.js';

/** Profile columns, in `IoProfile` field order. */
export const IO_PROFILE_COLUMNS = ['user_screen_name', 'user_display_name', 'account_creation_date', 'follower_count',
  'following_count', 'account_language', 'user_reported_location', 'user_profile_description'] as const;

/** One account's profile as the store's actors table holds it. */
export type IoProfile = Pick<Actor, 'handle' | 'displayName' | 'createdAt' | 'followers' | 'following' | 'language' | 'location' | 'description'>;

const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `account_creation_date` as UTC ms, null when it is not a date (as SQL's try_strptime). */
export function parseProfileDate(text: string | null): number | null {
  if (text === null) return null;
  const match = DATE.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/** A follower or following count (commas dropped, rounded), null when it is not a number. */
export function parseProfileCount(text: string | null): number | null {
  if (text === null) return null;
  const clean = text.replaceAll(',', '');
  if (!NUMBER.test(clean)) return null;
  const value = Number(clean);
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return Number.isSafeInteger(rounded) ? rounded : null;
}

/** The profile from its columns' trimmed texts (null when empty), in IO_PROFILE_COLUMNS order. */
export function ioProfile(fields: readonly (string | null)[]): IoProfile {
  return {
    handle: fields[0] ?? null, displayName: fields[1] ?? null, createdAt: parseProfileDate(fields[2] ?? null),
    followers: parseProfileCount(fields[3] ?? null), following: parseProfileCount(fields[4] ?? null),
    language: fields[5] ?? null, location: fields[6] ?? null, description: fields[7] ?? null,
  };
}
