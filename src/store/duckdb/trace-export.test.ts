// A trace's events must come out of the store in an order fixed by the data, not by the rows'
// numbers: DuckDB numbers rows in the order its threads finish inserting them, so one file loaded
// twice can hold its actions in two row orders (german_elections.csv: two posts of one account at
// one time on one hashtag swapped in clusters.json between runs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbStore } from './duckdb-store.js';
import { actionRefs, buildActorDictionary, exportTrace } from './trace-export.js';

const EXPORT = { fastRepostMs: 60_000, platforms: [] };

/** [id, account, time (ms), shared object]: two accounts share #x at one second, the first of them twice. */
const SHARES: readonly (readonly [string, string, number, string])[] = [
  ['166959/hashtag_id', 'fb_17226', 1_629_135_608_000, 'hashtag_id:2595'],
  ['166960/hashtag_id', 'fb_17226', 1_629_135_608_000, 'hashtag_id:2595'],
  ['200001/hashtag_id', 'fb_9', 1_629_135_608_000, 'hashtag_id:2595'],
  ['200002/hashtag_id', 'fb_9', 1_629_135_620_000, 'hashtag_id:2595'],
  ['166961/url_id', 'fb_17226', 1_629_135_608_000, 'url_id:7'],
  ['099999/url_id', 'fb_17226', 1_629_135_608_000, 'url_id:7'],
];

/** The co-repost trace of a store holding SHARES in the given row order, as (account, time, post id) in event order. */
async function exportedInRowOrder(order: readonly number[]): Promise<string[]> {
  const store = await DuckDbStore.open(':memory:');
  try {
    const rows = order.map((index) => {
      const [id, account, time, object] = SHARES[index]!;
      return `('coortweet', '${id}', '${account}', 'share', ${time}, '${object}', NULL, NULL, NULL, [], [], [], [], NULL, 1)`;
    });
    await store.connection.run(`INSERT INTO actions VALUES ${rows.join(', ')}`);
    const { ids } = await buildActorDictionary(store.connection, EXPORT);
    const data = await exportTrace(store.connection, 'co-repost', ids.length, EXPORT);
    assert.ok(data !== null);
    const refs = await actionRefs(store.connection, [...data.action]);
    return Array.from(data.action, (action, event) => `${ids[data.actor[event]!]} ${data.time[event]} ${refs.get(action)?.id}`);
  } finally {
    await store.close();
  }
}

test('a trace exported from the store has the same event order whatever order its rows were inserted in', async () => {
  const inFileOrder = await exportedInRowOrder([0, 1, 2, 3, 4, 5]);
  const reversed = await exportedInRowOrder([5, 4, 3, 2, 1, 0]);
  const shuffled = await exportedInRowOrder([3, 1, 5, 0, 2, 4]);
  assert.deepEqual(reversed, inFileOrder);
  assert.deepEqual(shuffled, inFileOrder);
  // One account's posts at one time on one object: by post id.
  assert.deepEqual(inFileOrder.filter((event) => event.startsWith('fb_17226 1629135608000')), [
    'fb_17226 1629135608000 166959/hashtag_id', 'fb_17226 1629135608000 166960/hashtag_id',
    'fb_17226 1629135608000 099999/url_id', 'fb_17226 1629135608000 166961/url_id',
  ]);
});
