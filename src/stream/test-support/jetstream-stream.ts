/**
 * A seeded Jetstream-format stream with planted rings: organic accounts post (with hashtags) and
 * repost popular posts at random moments; each ring's members repost the same post within
 * seconds, again and again, and share a hashtag. For stream tests and the stream bench.
 */
import { mulberry32 } from '../../model/index.js';
import { FIREHOSE_DEFAULTS, firehoseLines, type FirehoseShape } from './jetstream-firehose.js';

export { FIREHOSE_DEFAULTS, type FirehoseShape } from './jetstream-firehose.js';

export interface JetstreamStreamOptions {
  seed: number;
  /** Stream length, ms of event time. */
  durationMs: number;
  /** Organic accounts and their actions per second overall. */
  organicAccounts: number;
  organicPerSecond: number;
  /** Rings of coordinated accounts: sizes, and how often (ms) each ring strikes. */
  rings: number[];
  ringEveryMs: number;
  /** Time of the first event, µs since the epoch. */
  startUs: number;
  /** Largest shuffle of arrival order, ms (events arrive out of time order by up to this). */
  jitterMs: number;
  /**
   * A firehose-like organic part instead of the small community's (organicAccounts with
   * heavy-tailed activity and keys, replies, quotes: jetstream-firehose.ts), its shape's parts
   * over FIREHOSE_DEFAULTS. Absent: the small community, line for line as before.
   */
  firehose?: Partial<FirehoseShape>;
}

export const JETSTREAM_STREAM_DEFAULTS: Readonly<JetstreamStreamOptions> = Object.freeze({
  seed: 7, durationMs: 3_600_000, organicAccounts: 500, organicPerSecond: 5, rings: [8, 12], ringEveryMs: 300_000,
  startUs: 1_720_000_000_000_000, jitterMs: 0,
});

export interface RingTruth {
  members: string[];
}

const did = (name: string): string => `did:plc:${name}`;
const postUri = (author: string, rkey: string): string => `at://${did(author)}/app.bsky.feed.post/${rkey}`;

/**
 * Lines of the stream (each a Jetstream JSON event) in arrival order, and the planted rings.
 * @example const { lines, rings } = jetstreamStream({ durationMs: 600_000 });
 */
export function jetstreamStream(options?: Partial<JetstreamStreamOptions>): { lines: string[]; rings: RingTruth[] } {
  const opts = { ...JETSTREAM_STREAM_DEFAULTS, ...options };
  const rng = mulberry32(opts.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const events: { time: number; arrival: number; line: string }[] = [];
  let rkey = 0;
  const emit = (time: number, author: string, collection: string, record: Record<string, unknown>): void => {
    const tid = `r${(rkey++).toString(36)}`;
    const timeUs = opts.startUs + Math.round(time * 1000);
    const line = JSON.stringify({ did: did(author), time_us: timeUs, kind: 'commit', commit: { rev: tid, operation: 'create', collection, rkey: tid, record, cid: `c${tid}` } });
    events.push({ time, arrival: time + rng() * opts.jitterMs, line });
  };
  if (opts.firehose === undefined) {
    const organic = Array.from({ length: opts.organicAccounts }, (_, i) => `organic${i}`);
    const tags = Array.from({ length: 200 }, (_, i) => `topic${i}`);
    const popular: string[] = [postUri('news', 'seed')];
    const total = Math.round((opts.durationMs / 1000) * opts.organicPerSecond);
    for (let i = 0; i < total; i++) {
      const time = rng() * opts.durationMs;
      const author = pick(organic);
      if (rng() < 0.5) {
        const record: Record<string, unknown> = { $type: 'app.bsky.feed.post', text: 'hello', createdAt: new Date(opts.startUs / 1000 + time).toISOString(), tags: [pick(tags)] };
        emit(time, author, 'app.bsky.feed.post', record);
        if (rng() < 0.1) popular.push(postUri(author, `r${(rkey - 1).toString(36)}`));
        if (popular.length > 50) popular.shift();
      } else {
        emit(time, author, 'app.bsky.feed.repost', { $type: 'app.bsky.feed.repost', subject: { uri: pick(popular), cid: 'x' }, createdAt: '2024-07-03T00:00:00Z' });
      }
    }
  } else {
    const lines = Math.round((opts.durationMs / 1000) * opts.organicPerSecond);
    firehoseLines({ ...FIREHOSE_DEFAULTS, ...opts.firehose }, opts.organicAccounts, lines, opts.durationMs, opts.startUs, rng, (time, line) => {
      events.push({ time, arrival: time + rng() * opts.jitterMs, line });
    });
  }
  const rings: RingTruth[] = [];
  opts.rings.forEach((size, ring) => {
    const members = Array.from({ length: size }, (_, i) => `ring${ring}m${i}`);
    rings.push({ members: members.map(did) });
    for (let strike = 0, at = rng() * opts.ringEveryMs; at < opts.durationMs; strike++, at += opts.ringEveryMs * (0.5 + rng())) {
      const target = postUri(`ring${ring}src`, `s${strike}`);
      for (const member of members) {
        if (rng() < 0.15) continue;
        const time = at + rng() * 20_000;
        emit(time, member, 'app.bsky.feed.repost', { $type: 'app.bsky.feed.repost', subject: { uri: target, cid: 'x' }, createdAt: '2024-07-03T00:00:00Z' });
        emit(time + 1_000 + rng() * 5_000, member, 'app.bsky.feed.post', { $type: 'app.bsky.feed.post', text: 'look', createdAt: '2024-07-03T00:00:00Z', tags: [`ring${ring}tag${strike % 4}`] });
      }
    }
  });
  events.sort((x, y) => x.arrival - y.arrival);
  return { lines: events.map((event) => event.line), rings };
}
