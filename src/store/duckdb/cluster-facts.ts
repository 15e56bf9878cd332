/** What the store knows about a cluster's members beyond the traces (for organic explanations). */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ClusterFacts, MemberPosting, RepostAuthor } from '../../detect/organic.js';
import type { TraceName } from '../../detect/traces/trace-names.js';
import { queryRows, toNumber } from './connection.js';

const DOMAIN = `regexp_replace(regexp_extract(u, '^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?([^/:?]+)', 1), '^www\\.', '')`;

export async function clusterFacts(connection: DuckDBConnection, members: readonly number[], traces: readonly { trace: TraceName; edges: number }[]): Promise<ClusterFacts> {
  const list = members.map((member) => Math.trunc(member)).join(', ');
  const memberActions = `SELECT a.*, a.rowid AS r, d.ix FROM actions a JOIN ls_d_actor d ON d.platform = a.platform AND d.id = a.actor_id WHERE d.ix IN (${list})`;
  const postingRows = await queryRows(connection, `
    WITH m AS (${memberActions}),
    totals AS (SELECT ix, count(*) AS actions FROM m GROUP BY ix),
    domains AS (SELECT ix, ${DOMAIN} AS domain, count(DISTINCT r) AS posts
                FROM (SELECT ix, r, unnest(urls) AS u FROM m WHERE kind = 'post') GROUP BY ALL),
    top AS (SELECT ix, arg_max(domain, posts) AS domain, max(posts) AS posts FROM domains GROUP BY ix)
    SELECT totals.ix, totals.actions, top.domain, coalesce(top.posts, 0) AS posts FROM totals LEFT JOIN top USING (ix)`);
  const postings: MemberPosting[] = postingRows.map((row) => ({
    actions: toNumber(row['actions']), topDomain: row['domain'] === null ? null : String(row['domain']), topDomainPosts: toNumber(row['posts']),
  }));
  const authorRows = await queryRows(connection, `
    WITH m AS (${memberActions})
    SELECT m.target_actor AS author, count(*) AS reposts,
      bool_or(EXISTS (SELECT 1 FROM ls_d_actor d WHERE d.platform = m.platform AND d.id = m.target_actor AND d.ix IN (${list}))) AS in_cluster
    FROM m WHERE m.kind = 'repost' AND m.target_actor IS NOT NULL GROUP BY 1 ORDER BY reposts DESC LIMIT 5`);
  const repostAuthors: RepostAuthor[] = authorRows.map((row) => ({
    author: String(row['author']), reposts: toNumber(row['reposts']), inCluster: row['in_cluster'] === true,
  }));
  const delayRows = await queryRows(connection, `
    WITH m AS (${memberActions})
    SELECT median(m.time - o.time) AS delay FROM m JOIN actions o ON o.platform = m.platform AND o.id = m.target_post
    WHERE m.kind IN ('repost', 'share') AND m.time >= o.time`);
  const delay = delayRows[0]?.['delay'];
  return { members: postings, repostAuthors, medianRepostDelayMs: delay === null || delay === undefined ? null : Number(delay), traces };
}
