/**
 * `lockstep users add` and `lockstep audit verify` on a store file: the token works once hashed,
 * and verify catches an entry edited, removed or reordered in the file itself (SQL on the table).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { hashToken } from '../../server/auth.js';
import { openWorkspaceStore } from '../../server/workspace.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { runCli } from '../test-support/run-cli.js';

async function sql(db: string, statement: string): Promise<void> {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  await connection.run(statement);
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
}

describe('lockstep users and lockstep audit verify', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: string;
  before(async () => {
    ({ dir, cleanup } = await scratchDir());
    db = join(dir, 'store.duckdb');
    for (const [name, role] of [['ana', 'admin'], ['vic', 'viewer'], ['rev', 'reviewer'], ['inv', 'investigator'], ['bo', 'viewer']] as const) {
      const added = await runCli('users', 'add', name, '--role', role, '--db', db);
      assert.equal(added.code, 0, added.stderr);
    }
  });
  after(async () => { await cleanup(); });

  it('prints a token once and stores only its hash', async () => {
    const added = await runCli('users', 'add', 'eve', '--role', 'reviewer', '--db', db);
    const token = added.stdout.trim();
    assert.match(token, /^lst_[\w-]{43}$/);
    assert.match(added.stderr, /shown once/);
    const store = await openWorkspaceStore(db, null);
    try {
      assert.deepEqual(await store.userByTokenHash(hashToken(token)), { name: 'eve', role: 'reviewer', createdAt: (await store.listUsers()).find((user) => user.name === 'eve')?.createdAt });
    } finally {
      await store.close();
    }
    assert.equal((await runCli('users', 'add', 'eve', '--role', 'admin', '--db', db)).code, 2, 'a second eve is refused');
    assert.equal((await runCli('users', 'add', 'bad name', '--role', 'admin', '--db', db)).code, 2);
    assert.notEqual((await runCli('users', 'add', 'x', '--role', 'boss', '--db', db)).code, 0);
    assert.match((await runCli('users', 'list', '--db', db)).stdout, /^eve\treviewer\t/m);
  });

  it('verifies an intact log, then names the entry edited, removed or reordered in the file', async () => {
    const intact = await runCli('audit', 'verify', '--db', db);
    assert.equal(intact.code, 0, intact.stdout);
    assert.match(intact.stdout, /audit log intact: 6 entries/);

    await sql(db, `UPDATE ws_audit SET payload = '{"role":"admin"}' WHERE seq = 2`);
    const edited = await runCli('audit', 'verify', '--db', db, '--json');
    assert.equal(edited.code, 1);
    assert.deepEqual((({ seq, problem }) => ({ seq, problem }))(JSON.parse(edited.stdout) as { seq: number; problem: string }), { seq: 2, problem: 'edited' });
    await sql(db, `UPDATE ws_audit SET payload = '{"role":"viewer"}' WHERE seq = 2`);
    assert.equal((await runCli('audit', 'verify', '--db', db)).code, 0, 'restoring the text restores the chain');

    await sql(db, 'UPDATE ws_audit SET seq = CASE seq WHEN 3 THEN 4 WHEN 4 THEN 3 ELSE seq END');
    const reordered = JSON.parse((await runCli('audit', 'verify', '--db', db, '--json')).stdout) as { seq: number; problem: string };
    assert.deepEqual([reordered.seq, reordered.problem], [3, 'reordered']);
    await sql(db, 'UPDATE ws_audit SET seq = CASE seq WHEN 3 THEN 4 WHEN 4 THEN 3 ELSE seq END');

    await sql(db, 'DELETE FROM ws_audit WHERE seq = 5');
    const removed = await runCli('audit', 'verify', '--db', db);
    assert.equal(removed.code, 1);
    assert.match(removed.stdout, /BROKEN at entry 5 \(removed\)/);
  });

  it('catches a removed last entry through the stored head', async () => {
    await sql(db, 'DELETE FROM ws_audit WHERE seq >= 5');
    const verdict = JSON.parse((await runCli('audit', 'verify', '--db', db, '--json')).stdout) as { ok: boolean; seq: number; problem: string };
    assert.deepEqual([verdict.ok, verdict.seq, verdict.problem], [false, 5, 'removed']);
  });
});
