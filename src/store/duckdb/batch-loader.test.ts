// Actions appended in a batch (JSON readers) are stored in the batch's order, and of a repeated id
// the first: a trace orders one account's same-time actions by row, and the dedupe window alone
// returned rows by partition.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bareAction } from '../../model/index.js';
import { queryRows } from './connection.js';
import { DuckDbStore } from './duckdb-store.js';

test('a batch\'s actions are stored in its order, the first of a repeated id kept', async () => {
  const actions = Array.from({ length: 400 }, (_, post) => bareAction('bluesky', `at://p/${1000 - post}`, 'did:a', 'repost', 1_629_135_608_000 + (post % 3)));
  const repeats = Array.from({ length: 40 }, (_, post) => bareAction('bluesky', `at://p/${1000 - 10 * post}`, 'did:b', 'repost', 1_629_135_600_000));
  const store = await DuckDbStore.open(':memory:');
  try {
    const counts = await store.appendBatch(1, { actors: [], actions: [...actions, ...repeats], infra: [], networks: [] });
    assert.equal(counts.ingested, 400);
    const rows = await queryRows(store.connection, 'SELECT id, actor_id FROM actions ORDER BY rowid');
    assert.deepEqual(rows.map((row) => String(row['id'])), actions.map((action) => action.id));
    assert.ok(rows.every((row) => row['actor_id'] === 'did:a'));
  } finally {
    await store.close();
  }
});
