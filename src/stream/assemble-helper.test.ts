import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LockstepError } from '../model/index.js';
import { assemblePartials } from './assemble.js';
import { AssembleHelper, balancedTraces } from './assemble-helper.js';
import { decodePartial, encodePartial, PartitionWork } from './distributed.js';
import type { PartitionPartial } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { LabelJoin } from './label-join.js';
import { partitionActions } from './partitioner.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

/** A small feed's partials as stored (5 partitions), decoded afresh on each call: the helper moves columns out of what it is given. */
function partialsOfFeed(): () => PartitionPartial[] {
  const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 120_000 });
  const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
  const stored = [...partitionActions(actions, { partitions: 5, batchSize: 100 })].map(([partition, batches]) => {
    const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    for (const batch of batches) work.add(batch);
    return { partition, bytes: encodePartial(work.finish()) };
  }).sort((x, y) => x.partition - y.partition);
  return () => stored.map(({ partition, bytes }) => decodePartial(bytes, `p${partition}`));
}

describe('AssembleHelper (assemblePartials with some traces summed on a second thread)', () => {
  const fresh = partialsOfFeed();
  const expected = assemblePartials(fresh(), { traces: DEFAULT_STREAM_TRACES });

  it('gives assemblePartials\' result bit for bit, whatever order the partials come in, with its traces summed on the thread', async () => {
    assert.ok(expected.clusters.length > 0 && expected.graph.size > 10);
    for (const order of [[0, 1, 2, 3, 4], [3, 0, 4, 2, 1]]) {
      const partials = fresh();
      const helper = new AssembleHelper(), join = new LabelJoin();
      const theirs = balancedTraces(partials[order[0]!]!);
      assert.ok(theirs.size > 0);
      try {
        for (const p of order) {
          join.add(p, partials[p]!.actors);
          helper.add(partials[p]!);
        }
        // The thread's traces' columns were moved there, not copied.
        assert.ok(partials.every((partial) => partial.traces.every((entry) => !theirs.has(entry.trace) || entry.pairs.a.byteLength === 0)));
        assert.deepStrictEqual(await helper.assemble(partials, { traces: DEFAULT_STREAM_TRACES, labels: join }), expected);
      } finally {
        await helper.close();
      }
    }
  });

  it('fails the merge, saying to run the coordinator again, if its thread dies or it was given other partials', async () => {
    const dying = new AssembleHelper(() => new Worker('process.exit(3)', { eval: true }));
    const partials = fresh();
    for (const partial of partials) dying.add(partial);
    await assert.rejects(dying.assemble(partials, { traces: DEFAULT_STREAM_TRACES }), (error: unknown) => error instanceof LockstepError && /run the coordinator again/.test(error.message));
    await dying.close();
    const helper = new AssembleHelper();
    try {
      const some = fresh();
      for (const partial of some.slice(0, 4)) helper.add(partial);
      await assert.rejects(helper.assemble(some, { traces: DEFAULT_STREAM_TRACES }), /was given partitions 0, 1, 2, 3, not the 0, 1, 2, 3, 4 merged/);
      assert.throws(() => helper.add(some[0]!), /given to the assemble thread twice/);
    } finally {
      await helper.close();
    }
  });

  it('splits the traces by a partial\'s rows: the largest stays, each next goes to the side with fewer rows', () => {
    const entry = (trace: (typeof DEFAULT_STREAM_TRACES)[number], size: number): PartitionPartial['traces'][number] => ({ trace, pairs: { a: new Int32Array(0), b: new Int32Array(0), shared: new Int32Array(0), sumLogN: new Float64Array(0), coActions: new Int32Array(0), sumDelta: new Float64Array(0), size }, activity: { actor: new Int32Array(0), keys: new Int32Array(0) } });
    const partial: PartitionPartial = { partition: 0, actors: [], events: 0, duplicates: 0, traces: [entry('co-repost', 4), entry('co-link', 5), entry('co-hashtag', 2), entry('co-reply', 3)] };
    assert.deepEqual([...balancedTraces(partial)].sort(), ['co-reply', 'co-repost']);
  });
});
