/**
 * Reader of a followers CSV: `entity_id,follower_id[,time][,kind][,platform]` (time ISO 8601, a date, or unix seconds/ms), one row per
 * account that followed a page or account (kind `follow`, the default) or joined a group
 * (kind `join`). Each row becomes an action of the follower on the entity, so follow edges from
 * this file and from Jetstream follow events are one thing to reach. A row without a time keeps
 * time 0 (unknown): reach counts it and puts it in no period.
 */
import type { Action } from '../model/index.js';
import { bareAction } from '../model/index.js';
import { parseMappedTime } from './generic-mapping.js';
import type { ParseResult } from './logins.js';

export const FOLLOWER_COLUMNS = ['entity_id', 'follower_id'] as const;

function field(record: Readonly<Record<string, string | undefined>>, name: string): string {
  return (record[name] ?? '').trim();
}

/**
 * One followers row as a follow (or join) action. The action id is the edge itself, so the
 * same edge given twice is a duplicate, not a second follower.
 * @example readFollowerRecord({ entity_id: 'page-1', follower_id: '42', time: '2019-08-01' }, 'facebook')
 */
export function readFollowerRecord(record: Readonly<Record<string, string | undefined>>, platform = 'unknown'): ParseResult<Action> {
  const entity = field(record, 'entity_id');
  if (entity === '') return { ok: false, reason: 'entity_id is empty' };
  const follower = field(record, 'follower_id');
  if (follower === '') return { ok: false, reason: 'follower_id is empty' };
  const timeText = field(record, 'time');
  // A date alone (the day someone followed) is common in exports: midnight UTC.
  const time = timeText === '' ? 0 : parseMappedTime(/^\d{4}-\d{2}-\d{2}$/.test(timeText) ? `${timeText}T00:00:00Z` : timeText);
  if (time === null) return { ok: false, reason: `time "${timeText}" is not a time (ISO 8601 or unix seconds/ms)` };
  const kindText = field(record, 'kind').toLowerCase() || 'follow';
  if (kindText !== 'follow' && kindText !== 'join') return { ok: false, reason: `kind "${kindText}" is not follow or join` };
  const source = field(record, 'platform') || platform;
  const action = bareAction(source, `${kindText}:${entity}:${follower}`, follower, kindText, time);
  action.targetActor = entity;
  return { ok: true, value: action };
}
