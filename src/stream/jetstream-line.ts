/** One line of a Jetstream stream (file replay or WebSocket frame) into actions, or a problem saying where. */
import { readJetstreamEventChecked } from '../ingest/jetstream.js';
import { readJetstreamFast } from '../ingest/jetstream-fast.js';
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
 * naming `where` (file:line or the stream; a function is called only when there is a problem, so
 * the common line builds no string). A well-formed commit takes a hand-checked path
 * (readJetstreamFast); anything else goes through the full zod reader, with the same actions.
 * @example parseJetstreamLine('{"did":"did:plc:a","time_us":1,"kind":"commit",...}', 'feed.jsonl:3')
 */
export function parseJetstreamLine(line: string, where: string | (() => string)): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { actions: [], problems: [`${place(where)}: not JSON (${error instanceof Error ? error.message : String(error)})`], timeUs: null };
  }
  const fast = readJetstreamFast(value);
  // The fast path accepts only objects whose time_us is a positive safe integer.
  if (fast !== null) return { actions: fast.length === 0 ? [] : (fast as Action[]), problems: [], timeUs: (value as { time_us: number }).time_us };
  const read = readJetstreamEventChecked(value);
  const timeUs = typeof value === 'object' && value !== null && 'time_us' in value && typeof value.time_us === 'number' ? value.time_us : null;
  const at = read.problems.length === 0 ? '' : place(where);
  return { actions: read.actions, problems: read.problems.map((problem) => `${at}: ${problem}`), timeUs };
}

function place(where: string | (() => string)): string {
  return typeof where === 'string' ? where : where();
}
