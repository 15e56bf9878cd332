/**
 * Reach of removed entities: the unique accounts that followed or joined any of them (a union:
 * an account following three removed pages counts once, so reach is never the sum of follower
 * counts), the engagement their posts drew (likes, reposts, replies, quotes, shares by others,
 * found by the engaged post's author), and both by period. Follow and join edges are `follow` /
 * `join` actions whose target is the entity (Jetstream follow events, the followers CSV).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EntityRef } from '../cases/index.js';
import { queryRows, toNumber } from '../store/duckdb/connection.js';
import { stageEntities } from '../share/load-case.js';

export type ReachPeriod = 'day' | 'week' | 'month' | 'year';
export const REACH_PERIODS: readonly ReachPeriod[] = ['day', 'week', 'month', 'year'];

export interface ReachOptions { period?: ReachPeriod }
export const REACH_DEFAULTS: Required<ReachOptions> = { period: 'month' };

export interface EntityReach { kind: string; id: string; followers: number; profileFollowers: number | null }
export interface PeriodReach { period: string; newFollowers: number; engagements: number }

export interface ReachReport {
  entities: number;
  /** Accounts that followed or joined at least one of the entities (the union). */
  uniqueFollowers: number;
  /** The sum of per-entity follower edges: what a careless count would report. */
  summedFollowers: number;
  /** Of the unique followers, how many are themselves among the entities. */
  followersAmongEntities: number;
  /** Followers whose follow has no time (time 0): counted in the union, in no period. */
  followersWithoutTime: number;
  perEntity: EntityReach[];
  engagement: { likes: number; reposts: number; replies: number; quotes: number; shares: number; total: number; uniqueEngagers: number };
  /** By period of each follower's first follow of any entity, and of each engagement. */
  byPeriod: PeriodReach[];
}

const PERIOD_FORMAT: Record<ReachPeriod, string> = { day: '%Y-%m-%d', week: '%G-W%V', month: '%Y-%m', year: '%Y' };

function periodSql(column: string, period: ReachPeriod): string {
  return `strftime(make_timestamp(${column} * 1000), '${PERIOD_FORMAT[period]}')`;
}

/**
 * The reach of a set of entities (for example a case's removed pages, groups and accounts).
 * @example const report = await reach(store.connection, [{ kind: 'page', id: 'P1' }, { kind: 'group', id: 'G1' }]);
 */
export async function reach(connection: DuckDBConnection, entities: readonly EntityRef[], options: ReachOptions = {}): Promise<ReachReport> {
  const settings = { ...REACH_DEFAULTS, ...options };
  await stageEntities(connection, entities, 'ls_reach_entities');
  await connection.run(`CREATE OR REPLACE TEMP TABLE ls_reach_edges AS
    SELECT a.target_actor AS entity, a.actor_id AS follower, a.time FROM actions a
    JOIN (SELECT DISTINCT id FROM ls_reach_entities) e ON e.id = a.target_actor WHERE a.kind IN ('follow', 'join')`);
  const totals = await queryRows(connection, `SELECT
      count(DISTINCT follower) AS unique_followers,
      count(DISTINCT follower) FILTER (WHERE follower IN (SELECT id FROM ls_reach_entities)) AS among,
      (SELECT count(*) FROM (SELECT follower FROM ls_reach_edges GROUP BY follower HAVING max(time) <= 0)) AS without_time
    FROM ls_reach_edges`);
  const per = await queryRows(connection, `SELECT e.kind, e.id, count(DISTINCT r.follower) AS followers, max(p.followers) AS profile_followers
    FROM ls_reach_entities e LEFT JOIN ls_reach_edges r ON r.entity = e.id LEFT JOIN actors p ON p.id = e.id
    GROUP BY e.kind, e.id ORDER BY followers DESC, e.id`);
  const engagement = await queryRows(connection, `SELECT
      count(*) FILTER (WHERE a.kind = 'like') AS likes, count(*) FILTER (WHERE a.kind = 'repost') AS reposts,
      count(*) FILTER (WHERE a.kind = 'reply') AS replies, count(*) FILTER (WHERE a.kind = 'quote') AS quotes,
      count(*) FILTER (WHERE a.kind = 'share') AS shares, count(*) AS total, count(DISTINCT a.actor_id) AS engagers
    FROM actions a JOIN (SELECT DISTINCT id FROM ls_reach_entities) e ON e.id = a.target_actor
    WHERE a.kind IN ('like', 'repost', 'reply', 'quote', 'share') AND a.actor_id NOT IN (SELECT id FROM ls_reach_entities)`);
  const periods = await queryRows(connection, `
    WITH first_follow AS (SELECT follower, min(time) AS time FROM ls_reach_edges WHERE time > 0 GROUP BY follower),
    follows AS (SELECT ${periodSql('time', settings.period)} AS period, count(*) AS n FROM first_follow GROUP BY ALL),
    engaged AS (SELECT ${periodSql('a.time', settings.period)} AS period, count(*) AS n FROM actions a
      JOIN (SELECT DISTINCT id FROM ls_reach_entities) e ON e.id = a.target_actor
      WHERE a.kind IN ('like', 'repost', 'reply', 'quote', 'share') AND a.time > 0 AND a.actor_id NOT IN (SELECT id FROM ls_reach_entities) GROUP BY ALL)
    SELECT coalesce(f.period, g.period) AS period, coalesce(f.n, 0) AS follows, coalesce(g.n, 0) AS engagements
    FROM follows f FULL OUTER JOIN engaged g ON f.period = g.period ORDER BY period`);
  const perEntity = per.map((row): EntityReach => ({
    kind: String(row['kind']), id: String(row['id']), followers: toNumber(row['followers']),
    profileFollowers: row['profile_followers'] === null || row['profile_followers'] === undefined ? null : toNumber(row['profile_followers']),
  }));
  const row = engagement[0] ?? {};
  return {
    entities: new Set(entities.map((entity) => entity.id)).size,
    uniqueFollowers: toNumber(totals[0]?.['unique_followers']),
    summedFollowers: perEntity.reduce((sum, entity) => sum + entity.followers, 0),
    followersAmongEntities: toNumber(totals[0]?.['among']),
    followersWithoutTime: toNumber(totals[0]?.['without_time']),
    perEntity,
    engagement: {
      likes: toNumber(row['likes']), reposts: toNumber(row['reposts']), replies: toNumber(row['replies']), quotes: toNumber(row['quotes']),
      shares: toNumber(row['shares']), total: toNumber(row['total']), uniqueEngagers: toNumber(row['engagers']),
    },
    byPeriod: periods.map((item) => ({ period: String(item['period']), newFollowers: toNumber(item['follows']), engagements: toNumber(item['engagements']) })),
  };
}
