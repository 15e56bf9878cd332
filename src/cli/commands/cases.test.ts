/**
 * `lockstep cases` on a detected archive: a case opened on the top flagged cluster holds every
 * member, shows in the list, is refused a second time, and is written to the audit log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scratchDir } from '../../test-support/fixtures.js';
import { runCli } from '../test-support/run-cli.js';
import { EXAMPLES_DIR, SYNTHETIC_FILES } from './demo.js';

interface ClusterJson { id: number; flagged: boolean; score: number; members: unknown[] }

describe('lockstep cases', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: string;
  let top: ClusterJson;
  before(async () => {
    ({ dir, cleanup } = await scratchDir());
    db = join(dir, 'store.duckdb');
    assert.equal((await runCli('ingest', ...SYNTHETIC_FILES.map((file) => join(EXAMPLES_DIR, file)), '--db', db, '--rejects', join(dir, 'rejects.csv'))).code, 0);
    assert.equal((await runCli('detect', '--db', db, '--out', join(dir, 'out'))).code, 0);
    const clusters = JSON.parse(await readFile(join(dir, 'out', 'clusters.json'), 'utf8')) as ClusterJson[];
    const flagged = clusters.filter((cluster) => cluster.flagged).sort((a, b) => b.score - a.score);
    assert.ok(flagged[0] !== undefined, 'the bundled archive has a flagged cluster');
    top = flagged[0];
  });
  after(async () => { await cleanup(); });

  it('opens a case on a cluster with all its members, lists it, and refuses a second open case', async () => {
    const opened = await runCli('cases', 'open', String(top.id), '--db', db, '--as', 'ana', '--json');
    assert.equal(opened.code, 0, opened.stderr);
    const record = JSON.parse(opened.stdout) as { id: string; status: string; clusterId: string };
    assert.equal(record.status, 'open');
    assert.equal(record.clusterId, String(top.id));

    const shown = await runCli('cases', 'show', record.id, '--db', db, '--json');
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { entities: unknown[] }).entities.length, top.members.length);

    const listed = await runCli('cases', 'list', '--db', db, '--status', 'open');
    assert.match(listed.stdout, new RegExp(`^${record.id}\\topen\\tcluster ${top.id}\\t`, 'm'));

    const again = await runCli('cases', 'open', String(top.id), '--db', db);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, new RegExp(`already has case ${record.id}`));

    const verified = await runCli('audit', 'verify', '--db', db, '--json');
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /"entries":\s*[1-9]/);
  });

  it('names a cluster that does not exist', async () => {
    const missing = await runCli('cases', 'open', 'no-such-cluster', '--db', db);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cluster no-such-cluster/);
  });
});
