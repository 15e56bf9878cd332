/**
 * What the store knows about clusters' members beyond the traces (for organic explanations),
 * for all clusters at once: three grouped queries, whatever the number of clusters.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { compareCodePoints } from '../../model/index.js';
import type { ClusterFacts, MemberPosting, RepostAuthor } from '../../detect/organic.js';
import type { TraceName } from '../../detect/traces/trace-names.js';
import { queryRows, toNumber } from './connection.js';
import { sqlUrlDomain } from './sql-expressions.js';

const DOMAIN = sqlUrlDomain('u');

export interface ClusterInput {
  members: readonly number[];
  traces: readonly { trace: TraceName; edges: number }[];
  exclusivity: number;
}

export async function clustersFacts(connection: DuckDBConnection, clusters: readonly ClusterInput[]): Promise<ClusterFacts[]> {
  await connection.run('CREATE OR REPLACE TEMP TABLE ls_cluster_member (ix INTEGER, cluster INTEGER)');
  const appender = await connection.createAppender('ls_cluster_member', 'main', 'temp');
  clusters.forEach((cluster, id) => cluster.members.forEach((member) => { appender.appendInteger(member); appender.appendInteger(id); appender.endRow(); }));
  appender.closeSync();
  const memberActions = `SELECT a.*, a.rowid AS r, c.ix, c.cluster FROM actions a
    JOIN ls_d_actor d ON d.platform = a.platform AND d.id = a.actor_id JOIN ls_cluster_member c ON c.ix = d.ix`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE ls_cluster_actions AS ${memberActions}`);
  const postingRows = await queryRows(connection, `
    WITH totals AS (SELECT cluster, ix, count(*) AS actions FROM ls_cluster_actions GROUP BY ALL),
    domains AS (SELECT cluster, ix, ${DOMAIN} AS domain, count(DISTINCT r) AS posts
                FROM (SELECT cluster, ix, r, unnest(urls) AS u FROM ls_cluster_actions WHERE kind = 'post') GROUP BY ALL),
    top AS (SELECT cluster, ix, arg_min(domain, (-posts, domain)) AS domain, max(posts) AS posts FROM domains GROUP BY ALL)
    SELECT totals.cluster, totals.ix, totals.actions, top.domain, coalesce(top.posts, 0) AS posts FROM totals LEFT JOIN top USING (cluster, ix)`);
  const authorRows = await queryRows(connection, `
    SELECT m.cluster, m.target_actor AS author, count(*) AS reposts,
      bool_or(EXISTS (SELECT 1 FROM ls_d_actor d JOIN ls_cluster_member c ON c.ix = d.ix
                      WHERE d.platform = m.platform AND d.id = m.target_actor AND c.cluster = m.cluster)) AS in_cluster
    FROM ls_cluster_actions m WHERE m.kind = 'repost' AND m.target_actor IS NOT NULL GROUP BY ALL`);
  const delayRows = await queryRows(connection, `
    SELECT m.cluster, median(m.time - o.time) AS delay FROM ls_cluster_actions m JOIN actions o ON o.platform = m.platform AND o.id = m.target_post
    WHERE m.kind IN ('repost', 'share') AND m.time >= o.time GROUP BY m.cluster`);
  const facts: ClusterFacts[] = clusters.map((cluster) => ({ members: [], repostAuthors: [], medianRepostDelayMs: null, traces: cluster.traces, exclusivity: cluster.exclusivity }));
  for (const row of postingRows) {
    const posting: MemberPosting = { actor: toNumber(row['ix']), actions: toNumber(row['actions']), topDomain: row['domain'] === null ? null : String(row['domain']), topDomainPosts: toNumber(row['posts']) };
    facts[toNumber(row['cluster'])]?.members.push(posting);
  }
  for (const row of authorRows) {
    const author: RepostAuthor = { author: String(row['author']), reposts: toNumber(row['reposts']), inCluster: row['in_cluster'] === true };
    facts[toNumber(row['cluster'])]?.repostAuthors.push(author);
  }
  // Rows come in the order DuckDB's threads finish: ties are ordered as the direct sources order
  // them (io-archive-source.ts), members as the cluster lists them, so reruns explain alike.
  facts.forEach((entry, cluster) => {
    const position = new Map(clusters[cluster]!.members.map((member, index) => [member, index]));
    entry.members.sort((x, y) => (position.get(x.actor ?? -1) ?? 0) - (position.get(y.actor ?? -1) ?? 0));
    entry.repostAuthors.sort((x, y) => y.reposts - x.reposts || compareCodePoints(x.author, y.author));
  });
  for (const row of delayRows) {
    const entry = facts[toNumber(row['cluster'])];
    if (entry !== undefined && row['delay'] !== null) entry.medianRepostDelayMs = Number(row['delay']);
  }
  await connection.run('DROP TABLE ls_cluster_actions');
  return facts;
}
