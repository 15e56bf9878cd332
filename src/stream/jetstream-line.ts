/** One line of a Jetstream stream (file replay or WebSocket frame) into actions, or a problem saying where. */
import { readJetstreamEvent } from '../ingest/jetstream.js';
import type { Action } from '../model/index.js';

export interface LineResult {
  actions: Action[];
  /** Empty when the line was read; otherwise why not, with where. */
  problems: string[];
  /** The event's `time_us` (Jetstream's cursor), when it has one. */
  timeUs: number | null;
}

/**
 * Reads one Jetstream JSON line. Never throws: bad JSON or a malformed event becomes a problem
 * naming `where` (file:line or the stream).
 * @example parseJetstreamLine('{"did":"did:plc:a","time_us":1,"kind":"commit",...}', 'feed.jsonl:3')
 */
export function parseJetstreamLine(line: string, where: string): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { actions: [], problems: [`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`], timeUs: null };
  }
  const read = readJetstreamEvent(value);
  const timeUs = typeof value === 'object' && value !== null && 'time_us' in value && typeof value.time_us === 'number' ? value.time_us : null;
  return { actions: read.actions, problems: read.problems.map((problem) => `${where}: ${problem}`), timeUs };
}
