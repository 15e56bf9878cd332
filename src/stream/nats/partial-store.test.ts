import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { ensurePartialStream, getPartial, putPartial } from './partial-store.js';

/** Bytes that do not repeat within a chunk (a chunk swapped or dropped would show). */
const bytesOf = (length: number, seed: number): Uint8Array => {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

describe('partial store (a replicated JetStream stream)', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  before(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls });
    await ensurePartialStream(nc, 3);
  });
  after(async () => {
    await nc.close();
    await cluster.stop();
  });

  it('gives back a partial of several chunks as stored, null before it is stored, and the last put when a partition is stored again', async () => {
    assert.equal(await getPartial(nc, 'store', 0), null);
    const first = bytesOf(2_500_000, 1);
    await putPartial(nc, 'store', 0, first);
    assert.deepEqual(await getPartial(nc, 'store', 0), first);
    assert.equal(await getPartial(nc, 'store', 1), null, 'another partition has none');
    // A redone partition (a replacement worker) writes under a new put id: never a mix of two puts.
    const again = bytesOf(1_200_000, 2);
    await putPartial(nc, 'store', 0, again);
    assert.deepEqual(await getPartial(nc, 'store', 0), again);
    await putPartial(nc, 'store', 2, new Uint8Array(0));
    assert.deepEqual(await getPartial(nc, 'store', 2), new Uint8Array(0));
  });

  it('refuses a partial whose bytes differ from its manifest, naming the job and partition', async () => {
    await putPartial(nc, 'damaged', 3, bytesOf(10_000, 3));
    const js = nc.jetstream();
    const manifest = JSON.parse(new TextDecoder().decode((await (await nc.jetstreamManager()).streams.getMessage('LOCKSTEP_PARTIALS', { last_by_subj: 'lockstep.partials.damaged.3.done' })).data)) as { put: string };
    // The chunk overwritten (the stream keeps the last message per subject).
    await js.publish(`lockstep.partials.damaged.3.${manifest.put}.c0`, bytesOf(10_000, 4));
    await assert.rejects(getPartial(nc, 'damaged', 3), (error: unknown) => error instanceof LockstepError && /job damaged, partition 3: the partial's SHA-256 differs/.test(error.message));
    await js.publish('lockstep.partials.damaged.4.done', new TextEncoder().encode('{"put":"x"}'));
    await assert.rejects(getPartial(nc, 'damaged', 4), (error: unknown) => error instanceof LockstepError && /job damaged, partition 4: not a partial manifest/.test(error.message));
  });
});
