import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { LockstepError } from '../../model/index.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import type { PartitionPartial } from '../partial-codec.js';
import { collectPartials } from './collect-partials.js';
import { packPartial } from './partial-pack.js';
import { ensurePartialStream, getPartial, PARTIALS_STREAM, purgePartials, putPartial, wasCollected } from './partial-store.js';

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

/**
 * What `getPartial` gives once the cluster has settled: it answers null when the replica asked has
 * not caught up or a read times out (on a loaded machine a look right after a put can), and a
 * lagging replica can still answer with the put before; callers look again, as the coordinator
 * does. Looks until `settled` holds (30 s at most) and gives the last answer, or the error thrown.
 */
async function settle(nc: NatsConnection, job: string, partition: number, settled: (answer: Uint8Array | null | Error) => boolean): Promise<Uint8Array | null | Error> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await getPartial(nc, job, partition).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (settled(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
const equalTo = (want: Uint8Array) => (answer: Uint8Array | null | Error): boolean => answer instanceof Uint8Array && Buffer.from(answer).equals(want);
/** The partial's bytes once they read back as `want` (else the last answer, which the caller's assertion shows). */
const readBack = (nc: NatsConnection, job: string, partition: number, want: Uint8Array): Promise<Uint8Array | null | Error> => settle(nc, job, partition, equalTo(want));

/** Messages per subject under `filter` in the partials stream. */
async function subjects(nc: NatsConnection, filter: string): Promise<Record<string, number>> {
  const info = await (await nc.jetstreamManager()).streams.info(PARTIALS_STREAM, { subjects_filter: filter });
  return info.state.subjects ?? {};
}

/** A small partial of its own per partition (collectPartials' order). */
const partialOf = (partition: number): PartitionPartial => ({
  partition, actors: [`bluesky\u0000p${partition}`, `bluesky\u0000q${partition}`], events: 10 + partition, duplicates: 0,
  traces: [{
    trace: 'co-repost',
    pairs: { a: Int32Array.of(0), b: Int32Array.of(1), shared: Int32Array.of(1), sumLogN: Float64Array.of(0.1 * (partition + 1)), coActions: Int32Array.of(1), sumDelta: Float64Array.of(5), size: 1 },
    activity: { actor: Int32Array.of(0, 1), keys: Int32Array.of(1, 1) },
  }],
});

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
    assert.deepEqual(await readBack(nc, 'store', 0, first), first);
    assert.equal(await getPartial(nc, 'store', 1), null, 'another partition has none');
    // A redone partition (a replacement worker) writes under a new put id: never a mix of two puts.
    const again = bytesOf(1_200_000, 2);
    await putPartial(nc, 'store', 0, again);
    assert.deepEqual(await readBack(nc, 'store', 0, again), again);
    await putPartial(nc, 'store', 2, new Uint8Array(0));
    assert.deepEqual(await readBack(nc, 'store', 2, new Uint8Array(0)), new Uint8Array(0));
  });

  it('refuses a partial whose bytes differ from its manifest, naming the job and partition', async () => {
    await putPartial(nc, 'damaged', 3, bytesOf(10_000, 3));
    const js = nc.jetstream();
    const manifest = JSON.parse(new TextDecoder().decode((await (await nc.jetstreamManager()).streams.getMessage('LOCKSTEP_PARTIALS', { last_by_subj: 'lockstep.partials.damaged.3.done' })).data)) as { put: string };
    // The chunk overwritten (the stream keeps the last message per subject).
    await js.publish(`lockstep.partials.damaged.3.${manifest.put}.c0`, bytesOf(10_000, 4));
    const damaged = await settle(nc, 'damaged', 3, (answer) => answer instanceof Error);
    assert.ok(damaged instanceof LockstepError && /job damaged, partition 3: the partial's SHA-256 differs/.test(damaged.message), String(damaged));
    await js.publish('lockstep.partials.damaged.4.done', new TextEncoder().encode('{"put":"x"}'));
    const bad = await settle(nc, 'damaged', 4, (answer) => answer instanceof Error);
    assert.ok(bad instanceof LockstepError && /job damaged, partition 4: not a partial manifest/.test(bad.message), String(bad));
  });

  it('keeps only the last put of a partition: a redone put removes the chunks of the one it replaced', async () => {
    await putPartial(nc, 'retain', 0, bytesOf(2_100_000, 5));
    const firstChunks = Object.keys(await subjects(nc, 'lockstep.partials.retain.0.*.*'));
    assert.equal(firstChunks.length, 3, '3 chunks of ~960 KB');
    const last = bytesOf(1_000_000, 6);
    await putPartial(nc, 'retain', 0, last);
    const now = await subjects(nc, 'lockstep.partials.retain.>');
    assert.equal(Object.keys(now).filter((subject) => firstChunks.includes(subject)).length, 0, 'no chunk of the first put is left');
    assert.equal(Object.keys(now).length, 3, `the manifest and the 2 chunks of the last put: ${Object.keys(now).join(' ')}`);
    assert.deepEqual(await readBack(nc, 'retain', 0, last), last);
  });

  it('removes a collected job\'s partials and no other job\'s, and marks the job collected', async () => {
    for (let partition = 0; partition < 3; partition++) await putPartial(nc, 'gone', partition, bytesOf(1_500_000, 10 + partition));
    await putPartial(nc, 'stays', 0, bytesOf(50_000, 20));
    assert.equal(await wasCollected(nc, 'gone'), false);
    const before = Object.values(await subjects(nc, 'lockstep.partials.gone.>')).reduce((sum, n) => sum + n, 0);
    assert.equal(before, 3 * (2 + 1), '3 partitions of 2 chunks and a manifest');
    assert.equal(await purgePartials(nc, 'gone'), before);
    assert.deepEqual(Object.keys(await subjects(nc, 'lockstep.partials.gone.>')), ['lockstep.partials.gone.collected'], 'only the collected mark is left');
    for (let partition = 0; partition < 3; partition++) assert.equal(await settle(nc, 'gone', partition, (answer) => answer === null), null);
    assert.equal(await wasCollected(nc, 'gone'), true);
    assert.equal(await wasCollected(nc, 'stays'), false);
    assert.deepEqual(await readBack(nc, 'stays', 0, bytesOf(50_000, 20)), bytesOf(50_000, 20), 'another job keeps its partial');
  });

  it('drops a put abandoned half-way (chunks, no manifest) after the max age, set on the existing stream', async () => {
    await ensurePartialStream(nc, 3, { maxAgeMs: 1_500 });
    assert.equal((await (await nc.jetstreamManager()).streams.info(PARTIALS_STREAM)).config.max_age, 1_500 * 1e6);
    const js = nc.jetstream();
    await js.publish('lockstep.partials.abandoned.0.deadput.c0', bytesOf(1_000, 7));
    assert.equal(Object.keys(await subjects(nc, 'lockstep.partials.abandoned.>')).length, 1);
    const deadline = Date.now() + 15_000;
    while (Object.keys(await subjects(nc, 'lockstep.partials.abandoned.>')).length > 0) {
      assert.ok(Date.now() < deadline, 'the abandoned chunk is still there 15 s after a max age of 1.5 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(Object.keys(await subjects(nc, 'lockstep.partials.>')).length, 0, 'everything older than the max age is gone');
    await assert.rejects(ensurePartialStream(nc, 3, { maxAgeMs: 0 }), /partials max age: 0 ms/);
  });

  it('collectPartials gives the partials in partition order, whatever order they were stored in (the merge adds float sums in that order)', async () => {
    // The test before leaves a max age of 1.5 s.
    await ensurePartialStream(nc, 3, { maxAgeMs: 3_600_000 });
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
