/**
 * A continuous job's test feed (continuous.test.ts, continuous-retention.test.ts): organic
 * background for 12 minutes and a ring that strikes every 50 s, its first 4 members for the first
 * 6 minutes and all 6 after, so it appears and then grows past the alert threshold.
 */
import { parseJetstreamLine } from '../../jetstream-line.js';
import { jetstreamStream } from '../../test-support/jetstream-stream.js';

export const START_US = 1_720_000_000_000_000;
export const RING = Array.from({ length: 6 }, (_, i) => `did:plc:grow${i}`);

/** The feed's Jetstream lines in time order, and each line's event time (ms). */
export function growingRingLines(): { lines: string[]; times: number[] } {
  const { lines } = jetstreamStream({ durationMs: 720_000, organicPerSecond: 3, rings: [], seed: 21 });
  const ring: string[] = [];
  let rkey = 0;
  for (let strike = 0, at = 5_000; at < 700_000; strike++, at += 50_000) {
    const members = at < 360_000 ? RING.slice(0, 4) : RING;
    members.forEach((member, i) => {
      const time = at + i * 1_500;
      const repost = { $type: 'app.bsky.feed.repost', subject: { uri: `at://did:plc:growsrc/app.bsky.feed.post/s${strike}`, cid: 'x' }, createdAt: '2024-07-03T00:00:00Z' };
      const post = { $type: 'app.bsky.feed.post', text: 'look', createdAt: '2024-07-03T00:00:00Z', tags: [`growtag${strike}`] };
      ring.push(JSON.stringify({ did: member, time_us: START_US + time * 1000, kind: 'commit', commit: { rev: `g${rkey}`, operation: 'create', collection: 'app.bsky.feed.repost', rkey: `g${rkey++}`, record: repost, cid: 'c' } }));
      ring.push(JSON.stringify({ did: member, time_us: START_US + (time + 2_000) * 1000, kind: 'commit', commit: { rev: `g${rkey}`, operation: 'create', collection: 'app.bsky.feed.post', rkey: `g${rkey++}`, record: post, cid: 'c' } }));
    });
  }
  const all = [...lines, ...ring].map((line) => ({ line, time: parseJetstreamLine(line, '').actions[0]?.time ?? 0 })).sort((x, y) => x.time - y.time);
  return { lines: all.map((entry) => entry.line), times: all.map((entry) => entry.time) };
}
