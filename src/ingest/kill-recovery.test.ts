// A process killed mid-ingest must leave a consistent store, and running the same command again
// must end with exactly the rows of an uninterrupted run: nothing lost, nothing doubled.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDbStore } from '../store/index.js';
import { REPO_ROOT, scratchDir } from '../test-support/fixtures.js';

const ENTRY = join(REPO_ROOT, 'src', 'cli', 'entry.ts');

function runIngest(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'ingest', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, LOCKSTEP_PROGRESS: '0' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts an ingest and SIGKILLs it once its progress bar passes `killAt` (a fraction). */
async function killMidway(args: string[], killAt: number): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'ingest', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOCKSTEP_PROGRESS: '1' } });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const percents = [...text.matchAll(/(\d+)%/g)].map((match) => Number(match[1]));
    if (percents.some((percent) => percent >= killAt * 100 && percent < 100)) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

async function count(dbPath: string, sql: string): Promise<number> {
  const store = await DuckDbStore.open(dbPath);
  try {
    const reader = await store.connection.runAndReadAll(sql);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  } finally {
    await store.close();
  }
}

test('bulk CSV ingest killed mid-way: the store opens clean and a rerun completes it exactly', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const file = join(dir, 'tweets.csv');
    const generated = spawnSync(process.execPath, [join(REPO_ROOT, 'bench', 'gen-io-tweets.mjs'), file, '200000', '7']);
    assert.equal(generated.status, 0);
    const reference = join(dir, 'reference.duckdb');
    assert.equal(runIngest([file, '--db', reference, '--rejects', join(dir, 'r0.csv')]).status, 0);
    const expected = await count(reference, 'SELECT count(*) FROM actions');
    assert.equal(expected, 200000);

    const db = join(dir, 'killed.duckdb');
    const signal = await killMidway([file, '--db', db, '--rejects', join(dir, 'r1.csv')], 0.2);
    assert.equal(signal, 'SIGKILL', 'the ingest finished before it could be killed; use a larger file');
    const afterKill = await count(db, 'SELECT count(*) FROM actions');
    assert.ok(afterKill === 0 || afterKill === expected, `a killed bulk load keeps all or nothing, found ${afterKill}`);
    assert.equal(runIngest([file, '--db', db, '--rejects', join(dir, 'r2.csv')]).status, 0);
    assert.equal(await count(db, 'SELECT count(*) FROM actions'), expected);
    assert.equal(await count(db, 'SELECT count(*) - count(DISTINCT id) FROM actions'), 0);
    assert.equal(await count(db, 'SELECT count(*) FROM actors'), await count(reference, 'SELECT count(*) FROM actors'));
  } finally {
    await cleanup();
  }
});

test('batched ingest killed mid-way keeps whole batches, and a rerun adds exactly the missing rows', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const file = join(dir, 'logins.csv');
    const rows = 150_000;
    const lines = ['account_id,time,ip,user_agent,event'];
    for (let i = 0; i < rows; i++) lines.push(`acct${i % 5000},${1_560_000_000 + i},10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},Mozilla/5.0,${i % 7 === 0 ? 'signup' : 'login'}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const db = join(dir, 'killed.duckdb');
    const signal = await killMidway([file, '--db', db, '--rejects', join(dir, 'r1.csv')], 0.5);
    assert.equal(signal, 'SIGKILL', 'the ingest finished before it could be killed; use a larger file');
    const afterKill = await count(db, 'SELECT count(*) FROM infra');
    assert.ok(afterKill > 0 && afterKill < rows, `expected some whole batches kept, found ${afterKill}`);
    assert.equal(afterKill % 50_000, 0, 'only whole batches are kept');
    const rerun = runIngest([file, '--db', db, '--rejects', join(dir, 'r2.csv'), '--json']);
    assert.equal(rerun.status, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout) as { ingested: number; duplicates: number };
    assert.equal(report.duplicates, afterKill);
    assert.equal(report.ingested, rows - afterKill);
    assert.equal(await count(db, 'SELECT count(*) FROM infra'), rows);
  } finally {
    await cleanup();
  }
});
