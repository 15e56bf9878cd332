// A file that repeats an id at one time with another account or object: which row the store keeps
// must be fixed by the file (the first one), not by which of DuckDB's threads read it first.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scratchDir } from '../../test-support/fixtures.js';
import { queryRows } from './connection.js';
import { DuckDbStore } from './duckdb-store.js';

const HEADER = ['account_id', 'post_id', 'url_id', 'hashtag_id', 'domain_id', 'phash_id', 'timestamp'];
const POSTS = 3000;

test('of rows repeating an id at the same time, the store keeps the first in the file', async () => {
  // Each post twice at one time, by two accounts; every tenth post once more, a second earlier (that row wins).
  const lines = [HEADER.join(',')];
  for (let post = 0; post < POSTS; post++) lines.push(`first_${post},${post},,7,,,1629135608`);
  for (let post = 0; post < POSTS; post++) lines.push(`second_${post},${post},,7,,,1629135608`);
  for (let post = 0; post < POSTS; post += 10) lines.push(`earlier_${post},${post},,7,,,1629135607`);
  const { dir, cleanup } = await scratchDir();
  const store = await DuckDbStore.open(':memory:');
  try {
    const file = join(dir, 'repeated.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const { counts } = await store.loadCsv(1, { file, format: 'coortweet-multi', header: HEADER });
    assert.equal(counts.ingested, POSTS);
    assert.equal(counts.duplicates, POSTS + POSTS / 10);
    const rows = await queryRows(store.connection, 'SELECT id, actor_id FROM actions');
    const kept = new Map(rows.map((row) => [String(row['id']), String(row['actor_id'])]));
    for (let post = 0; post < POSTS; post++) {
      assert.equal(kept.get(`${post}/hashtag_id`), post % 10 === 0 ? `earlier_${post}` : `first_${post}`, `post ${post}`);
    }
  } finally {
    await store.close();
    await cleanup();
  }
});
