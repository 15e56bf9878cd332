import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assemblePartials, partitionLabels, splitLabels } from './assemble.js';
import { decodePartial, encodePartial, PartitionWork } from './distributed.js';
import type { PartitionPartial } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { LabelJoin } from './label-join.js';
import { partitionActions } from './partitioner.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

const withActors = (partition: number, actors: string[]): PartitionPartial => ({ partition, actors, traces: [], events: 0, duplicates: 0 });

/** The join of partials added in `order` (indexes into them). */
function joinIn(partials: readonly PartitionPartial[], order: readonly number[]): LabelJoin {
  const join = new LabelJoin();
  for (const i of order) join.add(partials[i]!.partition, partials[i]!.actors);
  return join;
}

describe('LabelJoin (the coordinator\'s label join as partials arrive)', () => {
  it('gives, in any arrival order, the ranks and splits assemblePartials makes of all the lists at once', () => {
    // Labels sharing prefixes, with and without NUL (and with two), so order and splits both matter.
    const label = fc.tuple(fc.constantFrom('bluesky', 'b', 'mastodon', ''), fc.constantFrom('\u0000', '', '\u0000x\u0000'), fc.stringMatching(/^[a-c:]{0,4}$/)).map((parts) => parts.join(''));
    const partition = fc.uniqueArray(label, { maxLength: 30 }).map((labels) => labels.sort());
    const input = fc.array(partition, { minLength: 1, maxLength: 8 }).chain((lists) => fc.tuple(fc.constant(lists), fc.shuffledSubarray(lists.map((_, i) => i), { minLength: lists.length, maxLength: lists.length })));
    fc.assert(fc.property(input, ([lists, order]) => {
      const partials = lists.map((actors, p) => withActors(p, actors));
      const joined = joinIn(partials, order).joined(partials);
      assert.notEqual(joined, null);
      const { labels, globals } = partitionLabels(partials);
      assert.deepEqual(joined!.labels, labels);
      assert.deepEqual(joined!.globals, globals);
      const split = splitLabels(labels);
      assert.deepEqual(joined!.actorIds, split.actorIds);
      assert.deepEqual(joined!.actorPlatforms, split.actorPlatforms);
    }), { numRuns: 500 });
  });

  it('answers null (assemblePartials then joins itself) for a list out of order, a partition added twice, or other partials than were added', () => {
    const a = withActors(0, ['x\u00001', 'x\u00002']), b = withActors(1, ['x\u00002', 'x\u00003']);
    assert.equal(joinIn([a, withActors(1, ['x\u00003', 'x\u00002'])], [0, 1]).joined([a, b]), null);
    assert.equal(joinIn([a, b, b], [0, 1, 2]).joined([a, b]), null);
    assert.equal(joinIn([a, b], [0, 1]).joined([a]), null);
    assert.equal(joinIn([a, b], [0, 1]).joined([a, withActors(1, ['x\u00002', 'x\u00003'])]), null);
    assert.deepEqual(joinIn([a, b], [1, 0]).joined([a, b])?.labels, ['x\u00001', 'x\u00002', 'x\u00003']);
  });

  it('leaves assemblePartials\' result as it was on real partials whatever order they arrive in', () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 120_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const partials = [...partitionActions(actions, { partitions: 5, batchSize: 100 })].map(([partition, batches]) => {
      const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
      for (const batch of batches) work.add(batch);
      return decodePartial(encodePartial(work.finish()), `p${partition}`);
    }).sort((x, y) => x.partition - y.partition);
    const alone = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
    assert.ok(alone.clusters.length > 0 && alone.actorIds.length > 100);
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]]) {
      const join = joinIn(partials, order);
      assert.notEqual(join.joined(partials), null);
      assert.deepStrictEqual(assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES, labels: join }), alone);
    }
  });
});
