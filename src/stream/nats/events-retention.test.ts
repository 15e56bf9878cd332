import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, nanos } from 'nats';
import type { NatsConnection } from 'nats';
import { runCli } from '../../cli/test-support/run-cli.js';
import { startNatsCluster } from '../test-support/nats-cluster.js';
import type { NatsCluster } from '../test-support/nats-cluster.js';
import { EVENT_STREAM_DEFAULTS, ensureEventsStream, EVENTS_STREAM, purgeJobEvents } from './events-retention.js';
import { parseRetention } from './retention-duration.js';

describe('retention of the events stream', () => {
  it('reads --retention durations and refuses what is not one', () => {
    assert.equal(parseRetention('24h'), 24 * 3_600_000);
    assert.equal(parseRetention('90s'), 90_000);
    assert.equal(parseRetention('45m'), 45 * 60_000);
    assert.equal(parseRetention('7d'), 7 * 86_400_000);
    assert.equal(parseRetention('120'), 120_000);
    for (const bad of ['', 'h', '0s', '0.5s', '-1h', '2w', '1h30m']) assert.equal(parseRetention(bad), null, bad);
  });

  it('refuses a bad --retention on the command line, naming the option', async () => {
    const run = await runCli('stream-publish', 'nothing.jsonl', '--nats', 'nats://127.0.0.1:1', '--job', 'j', '--retention', 'forever');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--retention.*"forever"/);
  });

  describe('on a 3-node cluster', () => {
    let cluster: NatsCluster;
    let nc: NatsConnection;
    const info = async (filter?: string) => (await nc.jetstreamManager()).streams.info(EVENTS_STREAM, filter === undefined ? undefined : { subjects_filter: filter });
    before(async () => {
      cluster = await startNatsCluster(3);
      nc = await connect({ servers: cluster.urls });
    });
    after(async () => {
      await nc.close().catch(() => undefined);
      await cluster.stop();
    });

    it('a new stream gets the default max age; one made without limits (before retention) gets it on the next ensure, keeping its messages', async () => {
      const jsm = await nc.jetstreamManager();
      // As lockstep made it before: no max age.
      await jsm.streams.add({ name: EVENTS_STREAM, subjects: ['lockstep.events.>'], num_replicas: 3, duplicate_window: nanos(10 * 60_000) });
      assert.equal((await info()).config.max_age, 0);
      await nc.jetstream().publish('lockstep.events.old.0', new Uint8Array([1, 2, 3]));
      await ensureEventsStream(nc, 3);
      const updated = await info();
      assert.equal(updated.config.max_age, nanos(EVENT_STREAM_DEFAULTS.maxAgeMs));
      assert.equal(updated.state.messages, 1, 'the update drops nothing younger than the max age');
      await jsm.streams.delete(EVENTS_STREAM);
      await ensureEventsStream(nc, 3, { maxAgeMs: 2 * 3_600_000 });
      const made = await info();
      assert.equal(made.config.max_age, nanos(2 * 3_600_000));
      assert.equal(made.config.num_replicas, 3);
    });

    it('a limit the operator chose is kept by a later ensure left at the default, and replaced only by another chosen one', async () => {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(EVENTS_STREAM).catch(() => false);
      const week = 7 * 86_400_000;
      await ensureEventsStream(nc, 3, { maxAgeMs: week });
      await nc.jetstream().publish('lockstep.events.kept.0', new Uint8Array([7]));
      await ensureEventsStream(nc, 3);
      assert.equal((await info()).config.max_age, nanos(week), 'a worker or publish at the default does not cut a 7-day stream to one day');
      await ensureEventsStream(nc, 3, { maxAgeMs: 2 * 3_600_000 });
      const chosen = await info();
      assert.equal(chosen.config.max_age, nanos(2 * 3_600_000));
      assert.equal(chosen.state.messages, 1);
    });

    it('purges one job\'s events and no other\'s', async () => {
      await ensureEventsStream(nc, 3);
      const js = nc.jetstream();
      for (let partition = 0; partition < 3; partition++) {
        await js.publish(`lockstep.events.done.${partition}`, new Uint8Array([partition]));
        await js.publish(`lockstep.events.done2.${partition}`, new Uint8Array([partition]));
      }
      assert.equal(await purgeJobEvents(nc, 'done'), 3);
      assert.deepEqual(Object.keys((await info('lockstep.events.done.>')).state.subjects ?? {}), []);
      assert.equal(Object.keys((await info('lockstep.events.done2.>')).state.subjects ?? {}).length, 3, 'a job whose id starts alike keeps its events');
    });

    it('drops events older than the max age (a job never coordinated)', async () => {
      await ensureEventsStream(nc, 3, { maxAgeMs: 1_500 });
      await nc.jetstream().publish('lockstep.events.abandoned.0', new Uint8Array([9]));
      const deadline = Date.now() + 15_000;
      while ((await info()).state.messages > 0) {
        assert.ok(Date.now() < deadline, 'events are still there 15 s after a max age of 1.5 s');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await assert.rejects(ensureEventsStream(nc, 3, { maxAgeMs: 0 }), /events max age: 0 ms/);
    });
  });
});
