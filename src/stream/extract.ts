/**
 * Trace events of one action, as the batch path derives them in SQL (store/duckdb/trace-export.ts),
 * so that the stream and the batch engine see the same (trace, key, time) events for the same
 * input. Near-duplicate text (MinHash over the whole corpus) and fast-repost (a join to the
 * original post) are not streamed: see STREAM_TRACES.
 */
import type { Action } from '../model/index.js';
import type { TraceName } from '../detect/traces/trace-names.js';

/** The traces stream mode maintains (co-domain is opt-in, as in batch). */
export type StreamTrace = Exclude<TraceName, 'near-duplicate' | 'fast-repost'>;

export const STREAM_TRACES: readonly StreamTrace[] = ['co-repost', 'co-link', 'co-domain', 'co-hashtag', 'hashtag-sequence', 'co-reply', 'co-mention'];

/** Streamed traces used when the user names none (co-domain is coarse: opt in). */
export const DEFAULT_STREAM_TRACES: readonly StreamTrace[] = STREAM_TRACES.filter((trace) => trace !== 'co-domain');

/** One event of a trace: the action's actor acted on `key` at the action's time. */
export interface TraceEvent {
  trace: StreamTrace;
  key: string;
}

const NOT_ORIGINAL = new Set(['repost', 'share', 'like', 'follow']);

/** The host of a normalised URL without `www.` (the same expression as the SQL sqlUrlDomain). */
export function urlDomain(url: string): string | null {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([^/:?]+)/.exec(url);
  if (match === null) return null;
  return (match[1] ?? '').replace(/^www\./, '');
}

/** Receives one trace event: its key is `scope:raw`, or `raw` when the scope is empty. */
export type TraceEventVisitor = (trace: StreamTrace, scope: string, raw: string) => void;

/**
 * Calls `visit` for each event of `action` in the traces asked for, in trace order, with the key
 * in two parts (no string is built: the stream interns the parts).
 */
export function visitTraceEvents(action: Action, traces: readonly StreamTrace[], visit: TraceEventVisitor): void {
  const original = !NOT_ORIGINAL.has(action.kind);
  for (const trace of traces) {
    switch (trace) {
      case 'co-repost':
        if ((action.kind === 'repost' || action.kind === 'share') && action.targetPost !== null) visit(trace, action.platform, action.targetPost);
        break;
      case 'co-reply':
        if (action.kind === 'reply' && action.targetPost !== null) visit(trace, action.platform, action.targetPost);
        break;
      case 'co-link':
        if (original) for (const url of action.urls) if (url !== '') visit(trace, '', url);
        break;
      case 'co-domain':
        if (original) {
          const seen = new Set<string>();
          for (const url of action.urls) {
            const domain = urlDomain(url);
            if (domain !== null && domain !== '' && !seen.has(domain)) {
              seen.add(domain);
              visit(trace, '', domain);
            }
          }
        }
        break;
      case 'co-hashtag':
        if (original) for (const tag of action.hashtags) if (tag !== '') visit(trace, '', tag);
        break;
      case 'hashtag-sequence':
        if (original && action.hashtags.length >= 2) visit(trace, '', action.hashtags.join(' '));
        break;
      case 'co-mention':
        if (original) for (const mention of action.mentions) if (mention !== '') visit(trace, action.platform, mention);
        break;
    }
  }
}

/**
 * The events of `action` in the traces asked for, in trace order (a hashtag used twice in one
 * post is two events, as SQL's unnest gives them).
 * @example traceEvents(repost, ['co-repost']) // [{ trace: 'co-repost', key: 'bluesky:at://did:plc:x/app.bsky.feed.post/1' }]
 */
export function traceEvents(action: Action, traces: readonly StreamTrace[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  visitTraceEvents(action, traces, (trace, scope, raw) => out.push({ trace, key: scope === '' ? raw : `${scope}:${raw}` }));
  return out;
}
