/**
 * How long a job's events stay in the replicated events stream (R3: three copies on three
 * servers' disks). Without limits every job's events stayed for ever, so a platform running a
 * job an hour filled its disks. Two rules keep them bounded:
 * - a bounded job's coordinator purges the job's subjects once its result is out
 *   (`purgeJobEvents`, beside the partials' purge and the consumers' removal); a continuous job's
 *   coordinator does the same after its last slice;
 * - the stream drops any message older than its max age (`stream-publish --retention`, default a
 *   day), the safety net for jobs never coordinated and the bound on a continuous job's events
 *   while it runs (a replacement worker rebuilds its horizon from them, so the max age must exceed
 *   the horizon with a margin).
 * A stream made before this had no max age; the next `stream-publish` sets it (a stream update).
 */
import type { NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import { ensureStreamMaxAge } from './stream-max-age.js';

export const EVENTS_STREAM = 'LOCKSTEP_EVENTS';
const SUBJECTS = 'lockstep.events';

/** A job's events subjects, one per partition. */
export const jobEventSubjects = (job: string): string => `${SUBJECTS}.${job}.>`;

export interface EventStreamOptions {
  /** Events older than this are dropped by the servers (jobs never coordinated, continuous jobs' past). */
  maxAgeMs: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = { maxAgeMs: 24 * 3_600_000 };

/** Publishes are deduplicated by message id for this long (a retried batch is stored once). */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/**
 * Creates the events stream if missing, with `maxAgeMs` (default a day); an existing one gets a
 * `maxAgeMs` given here if its max age differs (messages already older are then dropped by the
 * servers), and the default only if it has no limit (stream-max-age.ts).
 */
export async function ensureEventsStream(nc: NatsConnection, replicas: number, options: Partial<EventStreamOptions> = {}): Promise<void> {
  const { maxAgeMs } = { ...EVENT_STREAM_DEFAULTS, ...options };
  if (!(maxAgeMs >= 1_000)) throw new LockstepError('detect/bad-input', `events max age: ${maxAgeMs} ms is not a duration of a second or more`);
  await ensureStreamMaxAge(nc, { name: EVENTS_STREAM, subjects: [`${SUBJECTS}.>`], num_replicas: replicas }, maxAgeMs, DUPLICATE_WINDOW_MS, options.maxAgeMs !== undefined);
}

/** Removes every event message of `job` (all its partitions' subjects); returns how many. */
export async function purgeJobEvents(nc: NatsConnection, job: string): Promise<number> {
  const jsm = await nc.jetstreamManager();
  return (await jsm.streams.purge(EVENTS_STREAM, { filter: jobEventSubjects(job) })).purged;
}
