// The CSV fast path must give an object the same key as the JSON readers do: lists loaded by
// DuckDB are normalised through the dictionary with the very JS functions the readers call.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { IO_TWEET_COLUMNS } from '../../ingest/formats.js';
import { normalizeAll, normalizeHashtag, normalizeUrl, parseListField } from '../../model/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { DuckDbStore } from './duckdb-store.js';

const csvQuote = (value: string): string => `"${value.replaceAll('"', '""')}"`;
const item = (value: string): string => `'${value.replace(/['",[\]]/g, '')}'`;
const urlLists = fc.array(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('', ' ', 'HTTP://X.COM/a?utm_source=t&id=1', 'https://x.com/a?id=1#f')), { maxLength: 4 });
const tagLists = fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('#HongKong', '＃ＨＫ', '香港', '', 'ＨＫ', 'hk')), { maxLength: 5 });

test('URLs and hashtags loaded from an archive CSV get exactly the keys the JS normalisers give', async () => {
  const rows = fc.sample(fc.tuple(urlLists, tagLists), { numRuns: 400, seed: 3 });
  const lines = rows.map(([urls, tags], index) => {
    const values: Record<string, string> = {
      tweetid: String(index + 1), userid: 'u1', tweet_time: '2019-08-01 10:00',
      urls: `[${urls.map(item).join(', ')}]`, hashtags: `[${tags.map(item).join(', ')}]`,
    };
    return IO_TWEET_COLUMNS.map((column) => csvQuote(values[column] ?? '')).join(',');
  });
  const { dir, cleanup } = await scratchDir();
  const store = await DuckDbStore.open(':memory:');
  try {
    const file = join(dir, 'tweets.csv');
    await writeFile(file, `${IO_TWEET_COLUMNS.join(',')}\n${lines.join('\n')}\n`);
    const ingestId = await store.beginIngest(file, 'twitter-io-tweets');
    const result = await store.loadCsv(ingestId, { file, format: 'twitter-io-tweets', header: [...IO_TWEET_COLUMNS] });
    assert.equal(result.counts.ingested, rows.length);
    const reader = await store.connection.runAndReadAll('SELECT id, urls, hashtags FROM actions ORDER BY CAST(id AS INTEGER)');
    const stored = reader.getRowObjectsJson() as { id: string; urls: string[]; hashtags: string[] }[];
    stored.forEach((row, index) => {
      const [urls, tags] = rows[index] ?? [[], []];
      assert.deepEqual(row.urls, normalizeAll(parseListField(`[${urls.map(item).join(', ')}]`), normalizeUrl));
      assert.deepEqual(row.hashtags, normalizeAll(parseListField(`[${tags.map(item).join(', ')}]`), normalizeHashtag));
    });
    assert.ok(stored.every((row) => !row.urls.includes('') && !row.hashtags.includes('')), 'an empty URL or hashtag is never an object');
  } finally {
    await store.close();
    await cleanup();
  }
});
