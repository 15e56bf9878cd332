/**
 * Time values as users' files write them, to ms since the epoch (UTC): ISO 8601 (see
 * parseIsoTime) or unix seconds / milliseconds. Unix values above 1e11 are taken as
 * milliseconds: as seconds they would be after the year 5138.
 */
import { parseIsoTime } from './record-result.js';

const UNIX = /^-?\d+(\.\d+)?$/;

export function parseTime(raw: string): number | null {
  const text = raw.trim();
  if (text === '') return null;
  if (UNIX.test(text)) {
    const value = Number(text);
    return Math.round(Math.abs(value) > 1e11 ? value : value * 1000);
  }
  return parseIsoTime(text);
}
