import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteFront } from '../byte-front.js';
import { DEFAULT_STREAM_TRACES, visitTraceEvents } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner, type OutBatch } from '../partitioner.js';
import { powerRank } from './jetstream-firehose.js';
import { jetstreamStream } from './jetstream-stream.js';

const ACCOUNTS = 20_000;
const feed = (seed = 3) => jetstreamStream({ seed, durationMs: 600_000, organicAccounts: ACCOUNTS, organicPerSecond: 40, rings: [6, 9], ringEveryMs: 120_000, firehose: { likeShare: 0.1, followShare: 0.05 } });

describe('firehose-like feed', () => {
  const { lines, rings } = feed();
  const parsed = lines.map((line) => parseJetstreamLine(line, 'feed'));
  const actions = parsed.flatMap((result) => result.actions);

  it('is read without a problem, and the byte front end takes every line its fast way with the same batches', () => {
    assert.deepEqual(parsed.flatMap((result) => result.problems), []);
    const viaLines = new Partitioner({ partitions: 4, traces: DEFAULT_STREAM_TRACES, batchSize: 256 });
    const expected: OutBatch[] = [];
    for (const action of actions) viaLines.push(action, expected);
    viaLines.finish(expected);
    const viaBytes = new Partitioner({ partitions: 4, traces: DEFAULT_STREAM_TRACES, batchSize: 256 });
    const front = new ByteFront(viaBytes, { where: (n) => `${n}`, onProblem: (problem) => assert.fail(problem) });
    const bytes = Buffer.from(`${lines.join('\n')}\n`), got: OutBatch[] = [];
    for (let at = 0; at < bytes.length; at += 65_536) front.push(bytes.subarray(at, at + 65_536), got);
    front.end(got);
    viaBytes.finish(got);
    assert.equal(front.slowLines, 0);
    assert.equal(got.length, expected.length);
    got.forEach((batch, i) => assert.ok(Buffer.from(batch.bytes).equals(Buffer.from(expected[i]!.bytes)), `batch ${i}`));
  });

  it('has every kind of action, in shares near the shape asked for', () => {
    const kinds = new Map<string, number>();
    for (const action of actions) kinds.set(action.kind, (kinds.get(action.kind) ?? 0) + 1);
    assert.deepEqual([...kinds.keys()].sort(), ['follow', 'like', 'post', 'quote', 'reply', 'repost']);
    const share = (kind: string): number => (kinds.get(kind) ?? 0) / actions.length;
    assert.ok(Math.abs(share('repost') - 0.3) < 0.03, `reposts ${share('repost')}`);
    assert.ok(Math.abs(share('like') - 0.1) < 0.02, `likes ${share('like')}`);
  });

  it('has heavy-tailed activity and keys: most accounts act once or twice, a few often; most keys are seen once', () => {
    const byAccount = new Map<string, number>();
    for (const action of actions) byAccount.set(action.actorId, (byAccount.get(action.actorId) ?? 0) + 1);
    const counts = [...byAccount.values()].sort((x, y) => y - x);
    // 24k actions over 20k accounts uniformly: the busiest would act ~8 times.
    assert.ok(counts[0]! > 100, `busiest account ${counts[0]}`);
    assert.ok(counts.filter((n) => n <= 2).length > counts.length / 2);
    const keys = new Map<string, number>();
    for (const action of actions) visitTraceEvents(action, DEFAULT_STREAM_TRACES, (trace, scope, raw) => keys.set(`${trace} ${scope}:${raw}`, (keys.get(`${trace} ${scope}:${raw}`) ?? 0) + 1));
    const keyCounts = [...keys.values()];
    assert.ok(keyCounts.filter((n) => n === 1).length > keyCounts.length / 2);
    assert.ok(Math.max(...keyCounts) > 100);
  });

  it('reposts, replies to and quotes posts made earlier in the stream', () => {
    const posted = new Set<string>();
    let targeted = 0;
    for (const action of actions) {
      if (action.kind === 'post' || action.kind === 'reply' || action.kind === 'quote') posted.add(action.id);
      if ((action.kind === 'reply' || action.kind === 'quote' || action.kind === 'repost') && !action.actorId.includes('ring')) {
        assert.ok(posted.has(action.targetPost!), `${action.id} targets ${action.targetPost}, not posted before`);
        targeted++;
      }
    }
    assert.ok(targeted > actions.length / 3);
  });

  it('keeps the planted rings, and the same seed gives the same feed', () => {
    assert.deepEqual(rings.map((ring) => ring.members.length), [6, 9]);
    const ringActors = new Set(actions.filter((action) => action.actorId.includes('ring')).map((action) => action.actorId));
    assert.deepEqual([...ringActors].sort(), rings.flatMap((ring) => ring.members).sort());
    assert.deepEqual(feed().lines, lines);
    assert.notDeepEqual(feed(4).lines.slice(0, 10), lines.slice(0, 10));
  });
});

describe('powerRank', () => {
  it('stays in [0, n) and favours low ranks in proportion to the exponent', () => {
    for (const s of [0, 0.7, 1, 1.5]) {
      const counts = new Int32Array(100);
      for (let i = 0; i < 100_000; i++) counts[powerRank(100, s, (i + 0.5) / 100_000)]!++;
      assert.equal(counts.reduce((x, y) => x + y, 0), 100_000);
      // P(r) ∝ ∫ x^-s over [r + 1, r + 2]: P(0) / P(99) is 100 for s = 0, 69 for s = 1, 690 for s = 1.5.
      const cell = (r: number): number => (s === 1 ? Math.log((r + 2) / (r + 1)) : ((r + 2) ** (1 - s) - (r + 1) ** (1 - s)) / (1 - s));
      const ratio = counts[0]! / counts[99]!;
      assert.ok(Math.abs(Math.log(ratio / (cell(0) / cell(99)))) < 0.1, `s ${s}: ratio ${ratio}, expected ${cell(0) / cell(99)}`);
    }
  });
});
