import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import type { PartitionPartial } from '../partial-codec.js';
import { collectPartials } from './collect-partials.js';
import { packPartial } from './partial-pack.js';
import { ensurePartialStream, putPartial } from './partial-store.js';

const partialOf = (partition: number): PartitionPartial => ({
  partition, actors: [`bluesky\u0000p${partition}`, `bluesky\u0000q${partition}`], events: 10 + partition, duplicates: 0,
  traces: [{
    trace: 'co-repost',
    pairs: { a: Int32Array.of(0), b: Int32Array.of(1), shared: Int32Array.of(1), sumLogN: Float64Array.of(0.1 * (partition + 1)), coActions: Int32Array.of(1), sumDelta: Float64Array.of(5), size: 1 },
    activity: { actor: Int32Array.of(0, 1), keys: Int32Array.of(1, 1) },
  }],
});

describe('collectPartials', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls });
    await ensurePartialStream(nc, 1);
  });
  after(async () => {
    await nc.close();
    await cluster.stop();
  });

  it('gives the partials in partition order, whatever order they were stored in (the merge adds float sums in that order)', async () => {
    const told: number[] = [];
    const collected = collectPartials(nc, 'order', 3, 30_000, (partition) => told.push(partition));
    for (const partition of [2, 0, 1]) {
      await putPartial(nc, 'order', partition, packPartial(partialOf(partition)));
      // Each read before the next is stored: the coordinator meets them in storing order.
      for (let waited = 0; !told.includes(partition) && waited < 300; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const partials = await collected;
    assert.deepEqual(told, [2, 0, 1]);
    assert.deepEqual(partials.map((partial) => partial.partition), [0, 1, 2]);
    assert.deepEqual(partials.map((partial) => partial.events), [10, 11, 12]);
  });
});
