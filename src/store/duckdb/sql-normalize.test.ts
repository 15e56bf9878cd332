// The CSV fast path must give an object the same key as the JSON readers do: it goes through
// DuckDB macros that call the registered JS normalisers, and this checks the whole round trip.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { normalizeAll, normalizeHashtag, normalizeUrl, parseListField } from '../../model/index.js';
import { openDuckDb, queryRows } from './connection.js';
import type { DuckDbHandle } from './connection.js';

let db: DuckDbHandle;
before(async () => { db = await openDuckDb(':memory:'); });
after(() => { db.connection.closeSync(); db.instance.closeSync(); });

/** Runs `expression` (over column `s`) on many inputs in one query. */
async function sqlLists(expression: string, inputs: readonly string[]): Promise<string[][]> {
  await db.connection.run('CREATE OR REPLACE TEMP TABLE samples (i INTEGER, s VARCHAR)');
  const appender = await db.connection.createAppender('samples', 'main', 'temp');
  inputs.forEach((input, index) => { appender.appendInteger(index); appender.appendVarchar(input); appender.endRow(); });
  appender.closeSync();
  const rows = await queryRows(db.connection, `SELECT i, ${expression} AS v FROM samples ORDER BY i`);
  return rows.map((row) => (row['v'] as { items: string[] }).items);
}

const urlList = fc.array(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), fc.constant(''), fc.constant('HTTP://X.COM/a?utm_source=t&id=1')), { maxLength: 4 })
  .map((urls) => `[${urls.map((url) => `'${url.replaceAll("'", '')}'`).join(', ')}]`);
const tagList = fc.array(fc.oneof(fc.string(), fc.constantFrom('#HongKong', '＃ＨＫ', '香港', '', 'ＨＫ', 'hk')), { maxLength: 5 })
  .map((tags) => `[${tags.map((tag) => `'${tag.replace(/['"\\]\\[,]/g, '')}'`).join(', ')}]`);

test('URL lists read by DuckDB get exactly the keys the JS functions give', async () => {
  const samples = [...fc.sample(urlList, { numRuns: 500, seed: 7 }), '', '[]', "['', ' ']", "['HTTPS://A.com/x#frag', 'https://a.com/x']"];
  const lists = await sqlLists('ls_norm_urls(s)', samples);
  samples.forEach((sample, index) => assert.deepEqual(lists[index], normalizeAll(parseListField(sample), normalizeUrl), sample));
});

test('hashtag lists read by DuckDB are NFKC case-folded like the JS function, order kept, duplicates dropped', async () => {
  const samples = [...fc.sample(tagList, { numRuns: 500, seed: 11 }), "['HK', '＃ＨＫ', 'hk', 'News']"];
  const lists = await sqlLists('ls_norm_tags(s)', samples);
  samples.forEach((sample, index) => assert.deepEqual(lists[index], normalizeAll(parseListField(sample), normalizeHashtag), sample));
  assert.deepEqual(lists.at(-1), ['hk', 'news']);
});

test('an empty URL or hashtag is never an object', async () => {
  assert.deepEqual(await sqlLists('ls_norm_urls(s)', ["['', ' ', '#']"]), [[]]);
  assert.deepEqual(await sqlLists('ls_norm_tags(s)', ["['', '#', ' ']"]), [[]]);
});
