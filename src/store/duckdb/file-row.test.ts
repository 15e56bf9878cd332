// A trace breaks one account's ties (same object, same time) by the actions' rows in their file,
// as the direct sources do; the store's own row order is whatever DuckDB's threads made of it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ItemBatch } from '../../ingest/port.js';
import type { Action } from '../../model/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { DuckDbStore } from './duckdb-store.js';
import { SCHEMA_VERSION } from './schema.js';
import { actionRefs, buildActorDictionary, exportTrace } from './trace-export.js';

let dir = '';
let cleanup = async (): Promise<void> => undefined;
before(async () => ({ dir, cleanup } = await scratchDir()));
after(async () => cleanup());

const EXPORT = { fastRepostMs: 60_000, platforms: [] };

/** The co-repost trace's post ids in the order detection sees them, grouped by (object, time, account). */
async function tiedPosts(store: DuckDbStore): Promise<string[][]> {
  const actors = await buildActorDictionary(store.connection, EXPORT);
  const data = await exportTrace(store.connection, 'co-repost', actors.ids.length, EXPORT);
  assert.notEqual(data, null);
  const refs = await actionRefs(store.connection, [...data!.action]);
  const groups = new Map<string, string[]>();
  data!.action.forEach((action, event) => {
    const group = `${data!.key[event]}|${data!.time[event]}|${data!.actor[event]}`;
    groups.set(group, [...(groups.get(group) ?? []), refs.get(action)?.id ?? '?']);
  });
  return [...groups.values()].filter((posts) => posts.length > 1);
}

/** Post numbers in file order within each tie (ids are `p<row>`). */
const inFileOrder = (posts: readonly string[]): boolean => posts.every((post, i) => i === 0 || Number(post.slice(1)) > Number(posts[i - 1]!.slice(1)));

test('a loaded CooRTweet file gives its ties in file order, and of a repeated id its first earliest row', async () => {
  // 20 accounts share 50 objects; each account posts each object 3 times at one second, so every
  // (object, time, account) is a tie of 3 posts. Some ids repeat later in the file: the repeats
  // make the load dedupe, which used to reorder the stored rows.
  const lines = ['object_id,account_id,content_id,timestamp_share'];
  let row = 0;
  for (let object = 0; object < 50; object++) {
    for (let account = 0; account < 20; account++) {
      for (let copy = 0; copy < 3; copy++) lines.push(`o${object},a${account},p${row++},${1_600_000_000 + object}`);
    }
  }
  // p0 again: the same time with another account (the first row, a0's, is kept); p1 again later (dropped).
  lines.push(`o0,a19,p0,${1_600_000_000}`, `o9,a5,p1,${1_600_000_099}`);
  const file = join(dir, 'ties.csv');
  await writeFile(file, `${lines.join('\n')}\n`);
  const store = await DuckDbStore.open(':memory:');
  try {
    const ingestId = await store.beginIngest(file, 'coortweet');
    const result = await store.loadCsv(ingestId, { file, format: 'coortweet', header: ['object_id', 'account_id', 'content_id', 'timestamp_share'] });
    assert.equal(result.counts.ingested, 3000);
    assert.equal(result.counts.duplicates, 2);
    const kept = (await store.connection.runAndReadAll(`SELECT actor_id, time FROM actions WHERE id IN ('p0', 'p1') ORDER BY id`)).getRows();
    assert.deepEqual(kept.map(([actor, time]) => [actor, Number(time)]), [['a0', 1_600_000_000_000], ['a0', 1_600_000_000_000]]);
    const ties = await tiedPosts(store);
    assert.equal(ties.length, 1000);
    assert.deepEqual(ties.filter((posts) => !inFileOrder(posts)), [], 'ties in file order');
  } finally {
    await store.close();
  }
});

test('ties follow the file row, whatever order the rows were stored in', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    // Ten reposts of one post by one account at one time, stored in a shuffled order.
    const rows = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4].map((fileRow) =>
      `('twitter', 'p${fileRow}', 'u1', 'repost', 1000, 'x', NULL, NULL, NULL, [], [], [], [], NULL, 1, ${fileRow})`);
    await store.connection.run(`INSERT INTO actions VALUES ${rows.join(', ')}, ('twitter', 'q', 'u2', 'repost', 1000, 'x', NULL, NULL, NULL, [], [], [], [], NULL, 1, 10)`);
    assert.deepEqual(await tiedPosts(store), [['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']]);
  } finally {
    await store.close();
  }
});

test('a store of schema version 1 opens, gains file rows for new loads, and keeps its old ties in row order', async () => {
  const path = join(dir, 'v1.duckdb');
  const old = await DuckDBInstance.create(path);
  const connection = await old.connect();
  await connection.run(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)`);
  await connection.run(`CREATE TABLE actions (
     platform VARCHAR NOT NULL, id VARCHAR NOT NULL, actor_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, time BIGINT NOT NULL,
     target_post VARCHAR, target_actor VARCHAR, text VARCHAR, language VARCHAR,
     urls VARCHAR[] NOT NULL, hashtags VARCHAR[] NOT NULL, mentions VARCHAR[] NOT NULL, media_hashes VARCHAR[] NOT NULL,
     client_app VARCHAR, ingest_id INTEGER NOT NULL)`);
  await connection.run(`INSERT INTO actions VALUES ${['p3', 'p1', 'p2'].map((id) => `('twitter', '${id}', 'u1', 'repost', 1000, 'x', NULL, NULL, NULL, [], [], [], [], NULL, 1)`).join(', ')},
    ('twitter', 'q', 'u2', 'repost', 1000, 'x', NULL, NULL, NULL, [], [], [], [], NULL, 1)`);
  connection.closeSync();
  old.closeSync();
  const store = await DuckDbStore.open(path);
  try {
    const version = await store.connection.runAndReadAll('SELECT max(version) FROM schema_version');
    assert.equal(version.getRows()[0]?.[0], SCHEMA_VERSION);
    // The old rows have no file row: their ties stay in the order they were stored, as before.
    assert.deepEqual(await tiedPosts(store), [['p3', 'p1', 'p2']]);
  } finally {
    await store.close();
  }
  // Opening it again does not migrate twice.
  const again = await DuckDbStore.open(path);
  await again.close();
});

test('a store of a newer schema version is refused with what to do', async () => {
  const path = join(dir, 'future.duckdb');
  const store = await DuckDbStore.open(path);
  await store.connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1})`);
  await store.close();
  await assert.rejects(DuckDbStore.open(path), new RegExp(`schema version ${SCHEMA_VERSION + 1} and this lockstep reads up to ${SCHEMA_VERSION}: use a lockstep at least as new`));
});

test('batches (JSON readers) give their ties in reading order, and of a repeated id the first read', async () => {
  const repost = (id: string, actorId: string, targetPost = 'x'): Action => ({
    platform: 'bluesky', id, actorId, kind: 'repost', time: 1000, targetPost, targetActor: null, text: null, language: null,
    urls: [], hashtags: [], mentions: [], mediaHashes: [], clientApp: null,
  });
  const store = await DuckDbStore.open(':memory:');
  try {
    const ingestId = await store.beginIngest('feed.jsonl', 'jetstream');
    // 400 reposts of one post by one account at one time over two batches; ids are read in a shuffled order.
    const ids = Array.from({ length: 400 }, (_, i) => (i * 163) % 400);
    const batch = (part: readonly number[]): ItemBatch => ({ actors: [], actions: part.map((n) => repost(`p${n}`, 'u1')), infra: [], networks: [] });
    await store.appendBatch(ingestId, batch(ids.slice(0, 200)));
    // p0 again in the second batch with another object: the first read (in the first batch) stays;
    // p1 twice in one batch: the first of them is kept.
    const second = batch(ids.slice(200));
    second.actions.unshift(repost('p0', 'u1', 'y'), repost('p1b', 'u1', 'y'), repost('p1b', 'u1', 'z'));
    await store.appendBatch(ingestId, { ...second, actions: [...second.actions, repost('q', 'u2')] });
    const targets = (await store.connection.runAndReadAll(`SELECT id, target_post FROM actions WHERE id IN ('p0', 'p1b') ORDER BY id`)).getRows();
    assert.deepEqual(targets, [['p0', 'x'], ['p1b', 'y']]);
    const ties = await tiedPosts(store);
    assert.deepEqual(ties.map((posts) => posts.length), [400]);
    assert.deepEqual(ties[0], ids.map((n) => `p${n}`), 'reading order');
  } finally {
    await store.close();
  }
});
