/** The traces of coordination lockstep looks for: what two accounts do alike, and on what key. */
export type TraceName =
  | 'co-repost'
  | 'co-link'
  | 'co-domain'
  | 'co-hashtag'
  | 'hashtag-sequence'
  | 'near-duplicate'
  | 'co-reply'
  | 'co-mention'
  | 'fast-repost';

export const TRACE_NAMES: readonly TraceName[] = [
  'co-repost', 'co-link', 'co-domain', 'co-hashtag', 'hashtag-sequence', 'near-duplicate', 'co-reply', 'co-mention', 'fast-repost',
];

/** Traces used when the user names none (co-domain is coarse: opt in). */
export const DEFAULT_TRACES: readonly TraceName[] = TRACE_NAMES.filter((name) => name !== 'co-domain');

export const TRACE_DESCRIPTIONS: Record<TraceName, string> = {
  'co-repost': 'repost (or share) the same post',
  'co-link': 'post the same normalised URL',
  'co-domain': 'post links to the same domain',
  'co-hashtag': 'use the same hashtag',
  'hashtag-sequence': 'use the same ordered set of 2+ hashtags in one post',
  'near-duplicate': 'post near-identical text (MinHash, any script)',
  'co-reply': 'reply to the same post',
  'co-mention': 'mention the same account',
  'fast-repost': 'repost the same post within seconds of it',
};

/** A trace's events with the row of the action behind each event, for the evidence. */
export interface TraceData {
  actor: Int32Array;
  key: Int32Array;
  time: Float64Array;
  /** Store row of the action behind each event (for the concrete posts behind an edge). */
  action: Int32Array;
  actorCount: number;
  keyCount: number;
}
