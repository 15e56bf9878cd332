import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LockstepError } from '../model/index.js';
import { FIXTURES } from '../test-support/fixtures.js';
import { openHarness } from './test-support/ingest-harness.js';

test('the real Information Operations sample: 407 tweets stored, the cut last row rejected with its line', async () => {
  const h = await openHarness();
  try {
    const summary = await h.ingest(FIXTURES.ioTweets);
    assert.equal(summary.format, 'twitter-io-tweets');
    assert.equal(summary.ingested, 407);
    assert.equal(summary.rejected, 1);
    assert.equal(summary.read, summary.ingested + summary.duplicates + summary.rejected);
    assert.equal(summary.actorsAdded, 86);
    assert.equal(await h.count('SELECT count(*) FROM actions'), 407);
    const rejects = await h.rejectRows();
    assert.equal(rejects.length, 1);
    const text = await readFile(FIXTURES.ioTweets, 'utf8');
    const cutLine = text.slice(0, text.lastIndexOf('\n"929990851115212800"') + 1).split('\n').length;
    assert.equal(Number(rejects[0]?.line), cutLine);
    assert.match(rejects[0]?.reason ?? '', /quote/i);
    assert.match(rejects[0]?.raw ?? '', /^"929990851115212800"/);
  } finally {
    await h.close();
  }
});

test('ingesting the same file again adds nothing and counts every row as a duplicate', async () => {
  const h = await openHarness();
  try {
    await h.ingest(FIXTURES.ioTweets);
    const again = await h.ingest(FIXTURES.ioTweets);
    assert.equal(again.ingested, 0);
    assert.equal(again.duplicates, 407);
    assert.equal(again.actorsAdded, 0);
    assert.equal(await h.count('SELECT count(*) FROM actions'), 407);
    assert.equal(await h.count('SELECT count(*) FROM actors'), 86);
  } finally {
    await h.close();
  }
});

test('archive fields become canonical: retweets, minute times, normalised URLs and hashtags, hashed ids kept as they are', async () => {
  const h = await openHarness();
  try {
    await h.ingest(FIXTURES.ioTweets);
    assert.equal(await h.count(`SELECT count(*) FROM actions WHERE id = '894109669869985793' AND kind = 'post'
      AND time = epoch_ms(TIMESTAMP '2017-08-06 08:15:00') AND hashtags = ['syrianarmy', 'hama', 'insidesyriamc']
      AND urls = ['https://en.insidesyriamc.com/2017/08/06/new-convoy-of-syrian-army-arrived-in-hama/'] AND actor_id = '4125840934'`), 1);
    assert.ok(await h.count(`SELECT count(*) FROM actions WHERE kind = 'repost' AND target_post IS NOT NULL`) > 0);
    assert.equal(await h.count(`SELECT count(*) FROM actions WHERE list_contains(urls, '') OR list_contains(hashtags, '')`), 0);
    assert.equal(await h.count(`SELECT count(*) FROM actors WHERE id = 'iZ328VglWrG25qPym1bifLoiwXD9v1+A3G4WU5AThso='`), 1);
  } finally {
    await h.close();
  }
});

test('the real users file of the 2019 Hong Kong campaign: 744 accounts with creation dates and languages', async () => {
  const h = await openHarness();
  try {
    const summary = await h.ingest(FIXTURES.ioUsers);
    assert.equal(summary.format, 'twitter-io-users');
    assert.equal(summary.ingested, 744);
    assert.equal(summary.rejected, 0);
    assert.equal(await h.count(`SELECT count(*) FROM actors WHERE created_at IS NOT NULL`), 744);
    assert.equal(await h.count(`SELECT count(*) FROM actors WHERE id = '919755217121316864' AND handle = 'wuming11xia' AND language = 'zh-cn'`), 1);
  } finally {
    await h.close();
  }
});

test('CooRTweet 4-column data: one share per row, keyed by content id', async () => {
  const h = await openHarness();
  try {
    const summary = await h.ingest(FIXTURES.coortweetRussian);
    assert.equal(summary.format, 'coortweet');
    assert.equal(summary.read, 35125);
    assert.equal(summary.ingested + summary.duplicates, 35125);
    assert.equal(await h.count(`SELECT count(*) FROM actions WHERE kind = 'share' AND target_post IS NOT NULL`), summary.ingested);
  } finally {
    await h.close();
  }
});

test('CooRTweet multi-column data: one action per non-empty object column, never one for an empty column', async () => {
  const h = await openHarness();
  try {
    const summary = await h.ingest(FIXTURES.coortweetGerman);
    assert.equal(summary.format, 'coortweet-multi');
    const text = await readFile(FIXTURES.coortweetGerman, 'utf8');
    const objects = text.trim().split('\n').slice(1)
      .map((line) => line.split(',').slice(2, 6).filter((value) => value !== '').length)
      .reduce((sum, n) => sum + n, 0);
    assert.equal(summary.read - summary.rejected, objects);
    assert.equal(await h.count(`SELECT count(*) FROM actions WHERE target_post LIKE '%:' OR target_post IS NULL`), 0);
  } finally {
    await h.close();
  }
});

test('rows with unusable values are rejected with their line, the rest are stored; BOM and CRLF are fine', async () => {
  const h = await openHarness();
  try {
    const lines = (await readFile(FIXTURES.ioTweets, 'utf8')).split('\n').slice(0, 3);
    const header = lines[0] ?? '';
    const good = lines[1] ?? '';
    const noId = good.replace(/^"\d+"/, '""');
    const badTime = good.replace('"894109669869985793"', '"1"').replace('"2017-08-06 08:15"', '"yesterday"');
    const file = join(h.dir, 'bad-values.csv');
    await writeFile(file, `\uFEFF${[header, good, noId, badTime].join('\r\n')}\r\n`);
    const summary = await h.ingest(file);
    assert.equal(summary.format, 'twitter-io-tweets');
    assert.equal(summary.ingested, 1);
    assert.equal(summary.rejected, 2);
    const rejects = await h.rejectRows();
    assert.deepEqual(rejects.map((r) => [r.line, r.reason]), [['3', 'tweetid is empty'], ['4', 'tweet_time is not a time (expected YYYY-MM-DD HH:MM)']]);
  } finally {
    await h.close();
  }
});

test('a file that cannot be read at all is a clear error, not a crash', async () => {
  const h = await openHarness();
  try {
    await assert.rejects(h.ingest(join(h.dir, 'missing.csv')), (error: unknown) =>
      error instanceof LockstepError && error.code === 'ingest/unreadable' && error.message.includes('missing.csv'));
    const empty = join(h.dir, 'empty.csv');
    await writeFile(empty, '');
    await assert.rejects(h.ingest(empty), (error: unknown) => error instanceof LockstepError && /empty/.test(error.message));
    const binary = join(h.dir, 'binary.bin');
    await writeFile(binary, Buffer.from([0, 1, 2, 3, 255, 254, 10]));
    await assert.rejects(h.ingest(binary), (error: unknown) => error instanceof LockstepError && error.code === 'ingest/unknown-format');
  } finally {
    await h.close();
  }
});

test('a CSV of no known format, given without --map, is named with its columns', async () => {
  const h = await openHarness();
  try {
    const truth = join(h.dir, 'truth.csv');
    await writeFile(truth, 'userid,campaign,style\nu1,c001,retweet-ring\n');
    await assert.rejects(h.ingest(truth), (error: unknown) => error instanceof LockstepError && error.code === 'ingest/bad-mapping'
      && error.message.startsWith(`${truth}: its format was not recognised (columns: userid, campaign, style)`) && error.message.includes('--map'));
    assert.equal(await h.count('SELECT count(*) FROM actions'), 0);
  } finally {
    await h.close();
  }
});
