// Arbitrary bytes never crash a reader, and every row read ends up ingested, rejected or counted
// as a duplicate (or, for events we do not model, skipped): nothing silently disappears.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { DuckDbStore } from '../store/index.js';
import { scratchDir } from '../test-support/fixtures.js';
import { IO_TWEET_COLUMNS } from './formats.js';
import type { FormatName } from './formats.js';
import { ingestFile } from './ingest-files.js';
import type { FileSummary } from './ingest-files.js';
import { RejectsFile } from './rejects-file.js';

const RUNS = 25;

function ioRow(i: number): string {
  const values: Record<string, string> = { tweetid: String(1000 + i), userid: `u${i % 7}`, tweet_time: '2019-08-01 10:0' + String(i % 10), tweet_text: `text ${i}`, is_retweet: 'false', hashtags: "['HK']", urls: '[]' };
  return IO_TWEET_COLUMNS.map((column) => `"${values[column] ?? ''}"`).join(',');
}

const garbageLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('"unterminated, quote', ',,,,', '""', '\u0000\u0001', '{"not": "csv"}', 'a,b'),
);

async function ingestText(text: string | Buffer, format?: FormatName): Promise<{ summary: FileSummary | null; stored: number; rejectsWritten: number; error: unknown }> {
  const { dir, cleanup } = await scratchDir();
  const file = join(dir, 'input');
  await writeFile(file, text);
  const store = await DuckDbStore.open(':memory:');
  const rejects = new RejectsFile(join(dir, 'rejects.csv'));
  try {
    const summary = await ingestFile(file, store, rejects, format === undefined ? {} : { format });
    const reader = await store.connection.runAndReadAll('SELECT (SELECT count(*) FROM actions) + (SELECT count(*) FROM infra) + (SELECT count(*) FROM ip_networks)');
    return { summary, stored: Number(reader.getRows()[0]?.[0]), rejectsWritten: rejects.count, error: null };
  } catch (error) {
    return { summary: null, stored: 0, rejectsWritten: rejects.count, error };
  } finally {
    await rejects.close();
    await store.close();
    await cleanup();
  }
}

function assertConserved(result: Awaited<ReturnType<typeof ingestText>>): void {
  if (result.summary === null) {
    assert.ok(result.error instanceof LockstepError, `only a clear LockstepError may stop an ingest, got ${String(result.error)}`);
    return;
  }
  const s = result.summary;
  assert.equal(s.read, s.ingested + s.duplicates + s.rejected + s.skipped);
  assert.equal(result.rejectsWritten, s.rejected, 'every rejected row is in the rejects file');
  assert.equal(result.stored, s.ingested);
}

test('Information Operations tweets with garbage lines mixed in: no crash, every row accounted for, good rows kept', { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.nat(50).map((i) => ({ good: i })), garbageLine.map((line) => ({ bad: line }))), { maxLength: 30 }), async (rows) => {
    const lines = rows.map((row) => ('good' in row ? ioRow(row.good) : row.bad));
    const result = await ingestText(`${IO_TWEET_COLUMNS.map((c) => `"${c}"`).join(',')}\n${lines.join('\n')}\n`);
    assertConserved(result);
    // Without a stray quote, garbage cannot swallow its neighbours: every distinct good row is stored.
    if (!rows.some((row) => 'bad' in row && row.bad.includes('"')) && result.summary !== null) {
      const distinctGood = new Set(rows.flatMap((row) => ('good' in row ? [row.good] : []))).size;
      assert.equal(result.summary.ingested, distinctGood);
    }
  }), { numRuns: RUNS });
});

test('arbitrary bytes as any format: a clear error or a conserved count, never a crash', { timeout: 120_000 }, async () => {
  const formats: (FormatName | undefined)[] = [undefined, 'twitter-io-tweets', 'coortweet', 'logins', 'ip-networks', 'jetstream', 'twitter-v2', 'twitter-io-users'];
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.constantFrom(...formats), async (bytes, format) => {
    assertConserved(await ingestText(Buffer.from(bytes), format));
  }), { numRuns: RUNS * 2 });
});

test('JSONL with broken lines: each line ingested, rejected or skipped', { timeout: 120_000 }, async () => {
  const event = (i: number): string => JSON.stringify({ did: `did:plc:${i % 5}`, time_us: 1_700_000_000_000_000 + i, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: `r${i}`, record: { text: `post ${i}`, createdAt: '2024-01-01T00:00:00Z' } } });
  await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.nat(40).map(event), garbageLine), { minLength: 1, maxLength: 30 }), async (lines) => {
    assertConserved(await ingestText(`${lines.join('\n')}\n`, 'jetstream'));
  }), { numRuns: RUNS });
});
