// The expansion names handle templates by number: the numbers must not follow the actors' row
// order, which is the order DuckDB's threads inserted them in (it varied between runs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbStore } from '../../store/index.js';
import { storeAccountFacts } from './store-account-facts.js';

const ACTORS: readonly (readonly [string, string])[] = [['u1', 'hk_news_2019_0412'], ['u2', 'maria.lopez1987'], ['u3', 'hk_daily_2019_0413'], ['u4', 'Xy9kQ2pL7w']];

async function templatesInRowOrder(order: readonly number[]): Promise<number[]> {
  const store = await DuckDbStore.open(':memory:');
  try {
    const rows = order.map((index) => `('twitter', '${ACTORS[index]![0]}', 'account', '${ACTORS[index]![1]}', NULL, 1500000000000, NULL, NULL, NULL, NULL, NULL, 1)`);
    await store.connection.run(`INSERT INTO actors VALUES ${rows.join(', ')}`);
    const facts = await storeAccountFacts(store.connection, ACTORS.map(([id]) => id));
    assert.ok(facts !== null);
    return [...facts.template];
  } finally {
    await store.close();
  }
}

test('handle templates get the same numbers whatever order the actors were inserted in', async () => {
  const forward = await templatesInRowOrder([0, 1, 2, 3]);
  assert.deepEqual(await templatesInRowOrder([3, 2, 1, 0]), forward);
  assert.deepEqual(await templatesInRowOrder([2, 0, 3, 1]), forward);
  assert.ok(forward.some((template) => template >= 1), `two templates at least: ${forward}`);
});
