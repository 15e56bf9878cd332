/**
 * `lockstep serve` end to end over HTTP on the bundled synthetic archive: detections stored by
 * `detect --db`, a case on the top cluster, a bulk suspend, enforcement against the
 * Mastodon-shaped server, the audit trail; once with the workspace in the DuckDB file and once
 * in PostgreSQL (`--pg`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readConfig } from '../../config.js';
import { FAKE_MASTODON_TOKEN, startFakeMastodon } from '../../cases/enforce/test-support/fake-mastodon.js';
import type { FakeMastodon } from '../../cases/enforce/test-support/fake-mastodon.js';
import { startThrowawayPostgres } from '../../store/postgres/test-support/throwaway-postgres.js';
import type { ThrowawayPostgres } from '../../store/postgres/test-support/throwaway-postgres.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { runCli } from '../test-support/run-cli.js';
import { EXAMPLES_DIR, SYNTHETIC_FILES } from './demo.js';
import { startWorkspaceServer } from './serve.js';

const quiet = { out: () => undefined, err: () => undefined, setExitCode: () => undefined };

describe('lockstep serve on a detected archive', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: string;
  let fake: FakeMastodon;
  let pg: ThrowawayPostgres;
  before(async () => {
    ({ dir, cleanup } = await scratchDir());
    db = join(dir, 'store.duckdb');
    assert.equal((await runCli('ingest', ...SYNTHETIC_FILES.map((file) => join(EXAMPLES_DIR, file)), '--db', db, '--rejects', join(dir, 'rejects.csv'))).code, 0);
    assert.equal((await runCli('detect', '--db', db, '--out', join(dir, 'out'))).code, 0);
    fake = await startFakeMastodon();
    pg = await startThrowawayPostgres();
  });
  after(async () => { await fake.close(); await pg.stop(); await cleanup(); });

  for (const workspace of ['DuckDB file', 'PostgreSQL'] as const) {
    it(`opens the top cluster, suspends its accounts on Mastodon and audits it (workspace in ${workspace})`, async () => {
      const storeArgs = workspace === 'PostgreSQL' ? ['--db', db, '--pg', pg.url] : ['--db', db];
      const added = await runCli('users', 'add', 'ana', '--role', 'investigator', ...storeArgs);
      assert.equal(added.code, 0, added.stderr);
      const token = added.stdout.trim();
      const config = readConfig({ LOCKSTEP_MASTODON_URL: fake.url, LOCKSTEP_MASTODON_TOKEN: FAKE_MASTODON_TOKEN }, false);
      const server = await startWorkspaceServer({ db, port: '0', ...(workspace === 'PostgreSQL' ? { pg: pg.url } : {}) }, config, quiet);
      const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
        const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const json = await response.json() as Record<string, unknown>;
        assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
        return json;
      };
      try {
        const clusters = await call('GET', '/v1/clusters');
        const top = (clusters['items'] as { id: string; flagged: boolean; size: number; caseId: string | null }[])[0];
        assert.ok(top !== undefined && top.flagged);
        const detail = await call('GET', `/v1/clusters/${top.id}`);
        const edges = detail['edges'] as { source: string; target: string }[];
        assert.ok(edges.length > 0 && (detail['timeline'] as unknown[]).length > 0);
        const edge = edges[0] as { source: string; target: string };
        const posts = await call('GET', `/v1/clusters/${top.id}/edge?source=${encodeURIComponent(edge.source)}&target=${encodeURIComponent(edge.target)}`);
        assert.ok((posts['items'] as unknown[]).length > 0, 'the posts behind an edge');

        const opened = await call('POST', '/v1/cases', { clusterId: top.id });
        const id = String(opened['id']);
        await call('POST', `/v1/cases/${id}/decisions`, { entities: 'all', decision: 'suspend', reason: 'retweet ring' });
        await call('POST', `/v1/cases/${id}/transition`, { to: 'in_review' });
        await call('POST', `/v1/cases/${id}/transition`, { to: 'decided' });
        const acted = await call('POST', `/v1/cases/${id}/actions`, { adapter: 'mastodon' });
        const outcomes = acted['outcomes'] as { status: string; entity: { id: string } }[];
        assert.equal(outcomes.length, top.size);
        assert.ok(outcomes.every((outcome) => outcome.status === 'done'), JSON.stringify(outcomes.find((outcome) => outcome.status !== 'done')));
        for (const outcome of outcomes) assert.ok((fake.actions.get(outcome.entity.id) ?? []).includes('suspend'), outcome.entity.id);
        const audit = await call('GET', `/v1/audit?caseId=${id}&limit=1000`);
        assert.equal((audit['items'] as { action: string }[]).filter((entry) => entry.action === 'action.outcome').length, top.size);
        if (workspace === 'DuckDB file') {
          const [, after] = [top, await call('GET', '/v1/clusters')];
          assert.equal((after['items'] as { id: string; caseId: string | null }[]).find((item) => item.id === top.id)?.caseId, id);
        }
      } finally {
        await server.close();
      }
      const verified = await runCli('audit', 'verify', ...storeArgs);
      assert.equal(verified.code, 0, verified.stdout);
    });
  }

  it('keeps the sign-up scorer\'s velocity counts across a restart (state beside the store file)', async () => {
    const added = await runCli('users', 'add', 'ivo', '--role', 'investigator', '--db', db);
    assert.equal(added.code, 0, added.stderr);
    const token = added.stdout.trim();
    const config = readConfig({}, false);
    const at = Date.now() - 60_000;
    const score = async (url: string, n: number): Promise<{ reasons: string[] }> => {
      const response = await fetch(`${url}/v1/signups/score`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: `new-${n}`, time: at + n * 1000, ip: '203.0.113.77', user_agent: 'Mozilla/5.0', handle: `walker${n}q`, email_domain: 'example.org' }),
      });
      assert.equal(response.status, 200);
      return await response.json() as { reasons: string[] };
    };
    const first = await startWorkspaceServer({ db, port: '0' }, config, quiet);
    try {
      for (const n of [1, 2]) assert.ok(!(await score(first.url, n)).reasons.some((reason) => reason.includes('sign-ups from IP')));
    } finally {
      await first.close();
    }
    const second = await startWorkspaceServer({ db, port: '0' }, config, quiet);
    try {
      const third = await score(second.url, 3);
      assert.ok(third.reasons.includes('3 sign-ups from IP 203.0.113.77 in the last 60 min'), JSON.stringify(third.reasons));
    } finally {
      await second.close();
    }
  });
});
