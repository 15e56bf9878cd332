// Organic explanations read a cluster's facts: their ties (a member's two domains with as many
// posts, two authors with as many reposts) must not follow the store's row order, which is the
// order DuckDB's threads inserted the rows in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterFacts } from '../../detect/organic.js';
import { clustersFacts } from './cluster-facts.js';
import { DuckDbStore } from './duckdb-store.js';
import { buildActorDictionary } from './trace-export.js';

/** [id, account, kind, target post, target account, url]: u1 links b.com and a.com once each; zz, aa and yy are reposted once each. */
const ACTIONS: readonly (readonly [string, string, string, string | null, string | null, string | null])[] = [
  ['1', 'u1', 'post', null, null, 'https://b.com/x'],
  ['2', 'u1', 'post', null, null, 'https://a.com/y'],
  ['3', 'u1', 'repost', '10', 'zz', null],
  ['4', 'u1', 'repost', '11', 'aa', null],
  ['5', 'u2', 'post', null, null, 'https://c.com/z'],
  ['6', 'u2', 'repost', '12', 'yy', null],
];

const text = (value: string | null): string => (value === null ? 'NULL' : `'${value}'`);

async function factsInRowOrder(order: readonly number[]): Promise<ClusterFacts[]> {
  const store = await DuckDbStore.open(':memory:');
  try {
    const rows = order.map((index) => {
      const [id, account, kind, post, author, url] = ACTIONS[index]!;
      return `('twitter', '${id}', '${account}', '${kind}', ${1000 * (index + 1)}, ${text(post)}, ${text(author)}, NULL, NULL, ${url === null ? '[]' : `['${url}']`}, [], [], [], NULL, 1, ${index})`;
    });
    await store.connection.run(`INSERT INTO actions VALUES ${rows.join(', ')}`);
    await buildActorDictionary(store.connection, { fastRepostMs: 60_000, platforms: [] });
    return await clustersFacts(store.connection, [{ members: [1, 0], traces: [{ trace: 'co-repost', edges: 1 }], exclusivity: 1 }]);
  } finally {
    await store.close();
  }
}

test('cluster facts break ties as the direct sources do, whatever order the rows were inserted in', async () => {
  for (const order of [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [1, 3, 5, 0, 2, 4]]) {
    const [facts] = await factsInRowOrder(order);
    // Members in the cluster's order (u2 is actor 1, listed first), u1's top domain the first in code-point order.
    assert.deepEqual(facts!.members.map((member) => [member.actor, member.topDomain, member.topDomainPosts]), [[1, 'c.com', 1], [0, 'a.com', 1]], `order ${order}`);
    // Most reposted first, ties by author.
    assert.deepEqual(facts!.repostAuthors.map((author) => [author.author, author.reposts]), [['aa', 1], ['yy', 1], ['zz', 1]], `order ${order}`);
  }
});
