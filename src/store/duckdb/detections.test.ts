/** A detect run on the bundled synthetic archive, kept in the store and read back as the workspace reads it. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../cli/test-support/run-cli.js';
import { EXAMPLES_DIR, SYNTHETIC_FILES } from '../../cli/commands/demo.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { DuckDbStore } from './duckdb-store.js';
import { DuckDbDetections } from './detections-query.js';
import { bucketWidth, saveDetectionOutputs } from './detections.js';

describe('detect --db keeps the run in the store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: DuckDbStore;
  let detections: DuckDbDetections;
  before(async () => {
    ({ dir, cleanup } = await scratchDir());
    const db = join(dir, 'store.duckdb');
    const ingest = await runCli('ingest', ...SYNTHETIC_FILES.map((file) => join(EXAMPLES_DIR, file)), '--db', db, '--rejects', join(dir, 'rejects.csv'), '--json');
    assert.equal(ingest.code, 0, ingest.stderr);
    const detect = await runCli('detect', '--db', db, '--out', join(dir, 'out'));
    assert.equal(detect.code, 0, detect.stderr);
    assert.match(detect.stderr, /detection run 1 \(\d+ clusters\) saved/);
    store = await DuckDbStore.open(db);
    detections = await DuckDbDetections.open(store.connection);
  });
  after(async () => { await store.close(); await cleanup(); });

  it('lists the clusters of clusters.json, flagged first by score', async () => {
    const run = await detections.latestRun();
    assert.equal(run?.runId, 1);
    const clusters = await detections.clusters(1);
    assert.ok(clusters.length >= 3, `${clusters.length} clusters`);
    const flagged = clusters.filter((cluster) => cluster.flagged);
    assert.ok(flagged.length >= 1);
    for (let i = 1; i < flagged.length; i++) assert.ok((flagged[i - 1]?.score ?? 0) >= (flagged[i]?.score ?? 0));
    for (const cluster of clusters) {
      assert.ok(cluster.score >= 0 && cluster.score <= 1);
      assert.ok(cluster.size >= 3);
      assert.ok(cluster.traces.length >= 1);
    }
  });

  it('gives a cluster its members, edges between members, a timeline of co-actions and the posts behind an edge', async () => {
    const top = (await detections.clusters(1))[0];
    assert.ok(top !== undefined);
    const detail = await detections.cluster(1, top.id);
    assert.ok(detail !== null);
    assert.equal(detail.members.length, top.size);
    const members = new Set(detail.members.map((member) => member.accountId));
    assert.ok(detail.edges.length >= top.size - 1, `${detail.edges.length} edges for ${top.size} members`);
    for (const edge of detail.edges) {
      assert.ok(members.has(edge.source) && members.has(edge.target));
      assert.ok(Object.keys(edge.traces).length >= 1);
    }
    assert.ok(detail.members.every((member) => member.actions > 0 && member.degree >= 1 && member.attachment > 0 && member.attachment <= 1));
    const coActions = detail.timeline.reduce((sum, bucket) => sum + bucket.coActions, 0);
    assert.ok(coActions > 0, 'the timeline shows co-actions');
    assert.ok(detail.timeline.every((bucket) => top.traces.includes(bucket.trace)));
    const edge = detail.edges[0];
    assert.ok(edge !== undefined);
    const posts = await detections.edgePosts(1, top.id, edge.source, edge.target);
    assert.ok(posts !== null && posts.length > 0, 'an edge is backed by posts');
    for (const shared of posts) {
      assert.deepEqual(new Set([shared.a.accountId, shared.b.accountId]), new Set([edge.source, edge.target]));
      assert.ok(shared.deltaSeconds >= 0 && shared.deltaSeconds <= 60 * 60 * 24);
    }
    assert.equal(await detections.edgePosts(1, top.id, edge.source, 'not-a-member'), null);
    const account = await detections.account(1, edge.source);
    assert.ok(account.actions > 0);
    assert.deepEqual(account.clusters, [top.id]);
    assert.ok(account.recent.length > 0);
    assert.ok(account.signals !== null, 'an account page shows its signals');
    assert.equal(account.signals.activeSpanDays, Math.floor(((account.lastTime ?? 0) - (account.firstTime ?? 0)) / 86_400_000));
    assert.equal(account.signals.handleTemplate === null, account.account?.handle === null || account.account === null);
  });

  it('a second save is a new run; broken outputs are refused with the file named', async () => {
    assert.equal((await saveDetectionOutputs(store.connection, join(dir, 'out'))).runId, 2);
    assert.equal((await detections.latestRun())?.runId, 2);
    await writeFile(join(dir, 'out', 'clusters.json'), '[{"id": 1}]');
    await assert.rejects(saveDetectionOutputs(store.connection, join(dir, 'out')), /clusters\.json: not a lockstep detect output/);
    assert.equal((await detections.latestRun())?.runId, 2);
  });

  it('buckets a span into at most ~200 buckets', () => {
    assert.equal(bucketWidth(0, 60 * 60_000), 60_000);
    assert.equal(bucketWidth(0, 30 * 86_400_000), 21_600_000);
    assert.equal(bucketWidth(null, null), 60_000);
  });
});
