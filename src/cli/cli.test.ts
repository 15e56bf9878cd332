import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, scratchDir } from '../test-support/fixtures.js';
import { runCli } from './test-support/run-cli.js';

test('--help lists the commands, and every command has its own --help', async () => {
  const help = await runCli('--help');
  assert.equal(help.code, 0);
  for (const command of ['ingest', 'stats', 'demo']) {
    assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
    const own = await runCli(command, '--help');
    assert.equal(own.code, 0, command);
    assert.match(own.stdout, /Usage: lockstep/);
  }
  assert.match((await runCli('ingest', '--help')).stdout, /twitter-io-tweets/);
});

test('ingest --json reports read, ingested, rejected, duplicates and the rejects file; stats sees the rows', async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const db = join(dir, 'store.duckdb');
    const rejects = join(dir, 'rejects.csv');
    const first = await runCli('ingest', FIXTURES.ioTweets, FIXTURES.ioUsers, '--db', db, '--rejects', rejects, '--json');
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.equal(report['read'], 408 + 744);
    assert.equal(report['ingested'], 407 + 744);
    assert.equal(report['rejected'], 1);
    assert.equal(report['duplicates'], 0);
    assert.equal(report['rejectsFile'], rejects);
    assert.ok(existsSync(rejects));

    const again = JSON.parse((await runCli('ingest', FIXTURES.ioTweets, '--db', db, '--rejects', rejects, '--json')).stdout) as Record<string, unknown>;
    assert.equal(again['ingested'], 0);
    assert.equal(again['duplicates'], 407);

    const stats = await runCli('stats', '--db', db, '--json');
    const parsed = JSON.parse(stats.stdout) as { actions: { platform: string; count: number }[]; actors: { count: number }[] };
    assert.equal(parsed.actions.reduce((sum, row) => sum + row.count, 0), 407);
    assert.equal(parsed.actors.reduce((sum, row) => sum + row.count, 0), 744 + 86, 'the Russian tweets and the Chinese users share no account');
    const text = await runCli('stats', '--db', db);
    assert.match(text.stdout, /twitter\s+post/);
  } finally {
    await cleanup();
  }
});

test('a missing file is a clear error with a non-zero exit code', async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const result = await runCli('ingest', join(dir, 'nope.csv'), '--db', join(dir, 's.duckdb'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.csv: cannot be read/);
  } finally {
    await cleanup();
  }
});

test('a file whose every row is rejected exits non-zero and says so', async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const file = join(dir, 'logins.csv');
    await writeFile(file, 'account_id,time,ip,user_agent,event\na,notatime,1.2.3.4,x,login\nb,1560000000,999.1.1.1,x,login\n');
    const result = await runCli('ingest', file, '--db', join(dir, 's.duckdb'), '--rejects', join(dir, 'r.csv'), '--json');
    assert.equal(result.code, 1);
    assert.equal((JSON.parse(result.stdout) as { rejected: number }).rejected, 2);
    assert.match(result.stderr, /nothing was ingested/);
  } finally {
    await cleanup();
  }
});

test('an unknown --format is refused with the list of formats', async () => {
  const result = await runCli('ingest', FIXTURES.ioTweets, '--format', 'excel');
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /twitter-io-tweets/);
});

test('--memory bounds the store engine during a load; a size it cannot use is refused before anything is read', async () => {
  const { dir, cleanup } = await scratchDir();
  try {
    const db = join(dir, 'store.duckdb');
    const bounded = await runCli('ingest', FIXTURES.ioTweets, '--db', db, '--rejects', join(dir, 'rejects.csv'), '--memory', '300MB', '--json');
    assert.equal(bounded.code, 0, bounded.stderr);
    assert.equal((JSON.parse(bounded.stdout) as Record<string, unknown>)['ingested'], 407);
    for (const size of ['12', 'lots', '100MB']) {
      const refused = await runCli('ingest', FIXTURES.ioTweets, '--db', join(dir, 'other.duckdb'), '--memory', size);
      assert.equal(refused.code, 2, size);
      assert.match(refused.stderr, /--memory/);
      assert.equal(existsSync(join(dir, 'other.duckdb')), false, 'nothing is opened for a refused size');
    }
  } finally {
    await cleanup();
  }
});
