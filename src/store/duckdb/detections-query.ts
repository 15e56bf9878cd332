/** Reading the stored detection runs (see detections.ts) for the workspace API. */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Actor, ActorKind } from '../../model/index.js';
import { accountProfileSignals } from '../../signals/account-profile.js';
import type { AccountProfileSignals } from '../../signals/account-profile.js';
import { DETECTIONS_DDL, traceKeySql } from './detections.js';
import type { TimelineBucket } from './detections.js';
import { queryRows, toNumber } from './connection.js';

export interface ClusterSummary {
  id: string; score: number; size: number; traces: string[]; topKeys: string[];
  firstTime: number | null; lastTime: number | null; organic: string | null; flagged: boolean;
}
export interface Member { accountId: string; handle: string | null; actions: number; degree: number; attachment: number }
export interface ClusterEdge { source: string; target: string; weight: number; traces: Record<string, number> }
export interface ClusterDetail extends ClusterSummary { members: Member[]; edges: ClusterEdge[]; timeline: TimelineBucket[]; evidence: unknown }
export interface PostRef { actionId: string; accountId: string; time: number; kind: string; text: string | null; urls: string[] }
export interface SharedAction { trace: string; key: string; a: PostRef; b: PostRef; deltaSeconds: number }
export interface AccountView { account: Actor | null; actions: number; firstTime: number | null; lastTime: number | null; clusters: string[]; signals: AccountProfileSignals | null; recent: PostRef[] }

const str = (value: DuckDBValue | undefined): string => (value === null || value === undefined ? '' : String(value));
const optNum = (value: DuckDBValue | undefined): number | null => (value === null || value === undefined ? null : toNumber(value));
const parse = <T>(value: DuckDBValue | undefined, fallback: T): T => {
  if (typeof value !== 'string') return fallback;
  try { return JSON.parse(value) as T; } catch { return fallback; }
};
const list = (value: DuckDBValue | undefined): string[] => {
  if (value !== null && typeof value === 'object' && 'items' in value && Array.isArray(value.items)) return value.items.map((item) => String(item));
  return [];
};

function postRef(row: Record<string, DuckDBValue>, prefix: string): PostRef {
  return {
    actionId: str(row[`${prefix}id`]), accountId: str(row[`${prefix}actor_id`]), time: toNumber(row[`${prefix}time`]), kind: str(row[`${prefix}kind`]),
    text: row[`${prefix}text`] === null ? null : str(row[`${prefix}text`]), urls: list(row[`${prefix}urls`]),
  };
}

export class DuckDbDetections {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(connection: DuckDBConnection): Promise<DuckDbDetections> {
    for (const ddl of DETECTIONS_DDL) await connection.run(ddl);
    return new DuckDbDetections(connection);
  }

  /** The latest run, or null before any `lockstep detect --db`. */
  async latestRun(): Promise<{ runId: number; windows: Record<string, number> } | null> {
    const rows = await queryRows(this.connection, 'SELECT run_id, windows FROM det_runs ORDER BY run_id DESC LIMIT 1');
    const row = rows[0];
    return row === undefined ? null : { runId: toNumber(row['run_id']), windows: parse<Record<string, number>>(row['windows'], {}) };
  }

  private summary(row: Record<string, DuckDBValue>): ClusterSummary {
    return {
      id: str(row['cluster_id']), score: toNumber(row['score']), size: toNumber(row['size']), traces: parse<string[]>(row['traces'], []),
      topKeys: parse<string[]>(row['top_keys'], []), firstTime: optNum(row['first_time']), lastTime: optNum(row['last_time']),
      organic: row['organic'] === null ? null : str(row['organic']), flagged: row['flagged'] === true,
    };
  }

  /** Clusters of the run, flagged first, then by score. */
  async clusters(runId: number): Promise<ClusterSummary[]> {
    const rows = await queryRows(this.connection, `SELECT * EXCLUDE (timeline, evidence) FROM det_clusters WHERE run_id = $1 ORDER BY flagged DESC, score DESC, size DESC, cluster_id`, [runId]);
    return rows.map((row) => this.summary(row));
  }

  /** Ids of clusters whose members include an account (search). */
  async clustersWithMember(runId: number, text: string): Promise<Set<string>> {
    const rows = await queryRows(this.connection, `SELECT DISTINCT m.cluster_id FROM det_members m LEFT JOIN actors ac ON ac.id = m.account_id
      WHERE m.run_id = $1 AND (m.account_id ILIKE $2 OR ac.handle ILIKE $2)`, [runId, `%${text}%`]);
    return new Set(rows.map((row) => str(row['cluster_id'])));
  }

  async cluster(runId: number, clusterId: string): Promise<ClusterDetail | null> {
    const rows = await queryRows(this.connection, 'SELECT * FROM det_clusters WHERE run_id = $1 AND cluster_id = $2', [runId, clusterId]);
    const row = rows[0];
    if (row === undefined) return null;
    const summary = this.summary(row);
    const members = await queryRows(this.connection, `
      SELECT m.account_id, m.score, m.degree, any_value(ac.handle) AS handle, (SELECT count(*) FROM actions x WHERE x.actor_id = m.account_id) AS actions
      FROM det_members m LEFT JOIN actors ac ON ac.id = m.account_id WHERE m.run_id = $1 AND m.cluster_id = $2 GROUP BY m.account_id, m.score, m.degree, m.ord ORDER BY m.ord`, [runId, clusterId]);
    const edges = await queryRows(this.connection, 'SELECT source, target, weight, traces FROM det_edges WHERE run_id = $1 AND cluster_id = $2', [runId, clusterId]);
    return {
      ...summary,
      members: members.map((member) => ({
        accountId: str(member['account_id']), handle: member['handle'] === null || member['handle'] === undefined ? null : str(member['handle']),
        actions: toNumber(member['actions']), degree: toNumber(member['degree']),
        attachment: summary.score > 0 ? Math.round(Math.min(1, toNumber(member['score']) / summary.score) * 1000) / 1000 : 0,
      })),
      edges: edges.map((edge) => ({ source: str(edge['source']), target: str(edge['target']), weight: toNumber(edge['weight']), traces: parse<Record<string, number>>(edge['traces'], {}) })),
      timeline: parse<TimelineBucket[]>(row['timeline'], []),
      evidence: parse<unknown>(row['evidence'], {}),
    };
  }

  /** The members of a cluster as entities (kind from the stored actors; account when unknown). */
  async clusterEntities(runId: number, clusterId: string): Promise<{ kind: ActorKind; id: string; handle: string | null }[]> {
    const rows = await queryRows(this.connection, `SELECT m.account_id, any_value(ac.kind) AS kind, any_value(ac.handle) AS handle FROM det_members m
      LEFT JOIN actors ac ON ac.id = m.account_id WHERE m.run_id = $1 AND m.cluster_id = $2 GROUP BY m.account_id, m.ord ORDER BY m.ord`, [runId, clusterId]);
    return rows.map((row) => ({
      kind: (['account', 'page', 'group'].includes(str(row['kind'])) ? str(row['kind']) : 'account') as ActorKind,
      id: str(row['account_id']), handle: row['handle'] === null || row['handle'] === undefined ? null : str(row['handle']),
    }));
  }

  /**
   * The posts behind the edge between two members: for each of the edge's traces, pairs of
   * their actions on one key within the trace's window, closest first (at most `limit` per trace).
   */
  async edgePosts(runId: number, clusterId: string, source: string, target: string, limit = 20): Promise<SharedAction[] | null> {
    const edges = await queryRows(this.connection, `SELECT traces FROM det_edges WHERE run_id = $1 AND cluster_id = $2 AND ((source = $3 AND target = $4) OR (source = $4 AND target = $3))`,
      [runId, clusterId, source, target]);
    if (edges[0] === undefined) return null;
    const traces = Object.keys(parse<Record<string, number>>(edges[0]['traces'], {}));
    const windows = (await this.latestRun())?.windows ?? {};
    const shared: SharedAction[] = [];
    const columns = (alias: string): string => `${alias}.id AS ${alias}_id, ${alias}.actor_id AS ${alias}_actor_id, ${alias}.time AS ${alias}_time, ${alias}.kind AS ${alias}_kind, ${alias}.text AS ${alias}_text, ${alias}.urls AS ${alias}_urls`;
    for (const trace of traces) {
      const sql = traceKeySql(trace);
      if (sql === null) continue;
      const side = (param: string): string => `SELECT a.*, ${sql.key} AS k FROM actions a WHERE a.actor_id = ${param} AND ${sql.where}`;
      const rows = await queryRows(this.connection, `
        SELECT ${columns('x')}, ${columns('y')}, x.k AS k, abs(x.time - y.time) AS delta
        FROM (${side('$1')}) x JOIN (${side('$2')}) y ON x.k = y.k AND x.platform = y.platform
        WHERE x.k IS NOT NULL AND x.k <> '' AND abs(x.time - y.time) <= $3 ORDER BY delta, x.time LIMIT $4`,
      [source, target, windows[trace] ?? 60_000, limit]);
      for (const row of rows) {
        shared.push({ trace, key: str(row['k']), a: postRef(row, 'x_'), b: postRef(row, 'y_'), deltaSeconds: toNumber(row['delta']) / 1000 });
      }
    }
    return shared;
  }

  async account(runId: number | null, accountId: string, recent = 20): Promise<AccountView> {
    const actors = await queryRows(this.connection, 'SELECT * FROM actors WHERE id = $1 LIMIT 1', [accountId]);
    const stats = await queryRows(this.connection, 'SELECT count(*) AS n, min(time) AS first, max(time) AS last FROM actions WHERE actor_id = $1', [accountId]);
    const posts = await queryRows(this.connection, `SELECT id AS p_id, actor_id AS p_actor_id, time AS p_time, kind AS p_kind, text AS p_text, urls AS p_urls
      FROM actions WHERE actor_id = $1 ORDER BY time DESC LIMIT $2`, [accountId, recent]);
    const clusters = runId === null ? [] : await queryRows(this.connection, 'SELECT DISTINCT cluster_id FROM det_members WHERE run_id = $1 AND account_id = $2', [runId, accountId]);
    const actor = actors[0];
    const account: Actor | null = actor === undefined ? null : {
        platform: str(actor['platform']), id: str(actor['id']), kind: str(actor['kind']) as ActorKind, handle: actor['handle'] === null ? null : str(actor['handle']),
        displayName: actor['display_name'] === null ? null : str(actor['display_name']), createdAt: optNum(actor['created_at']),
        followers: optNum(actor['followers']), following: optNum(actor['following']), language: actor['language'] === null ? null : str(actor['language']),
        location: actor['location'] === null ? null : str(actor['location']), description: actor['description'] === null ? null : str(actor['description']),
    };
    const activity = { actions: toNumber(stats[0]?.['n']), firstTime: optNum(stats[0]?.['first']), lastTime: optNum(stats[0]?.['last']) };
    return {
      account, ...activity,
      clusters: clusters.map((row) => str(row['cluster_id'])),
      signals: account === null && activity.actions === 0 ? null : accountProfileSignals(account, activity),
      recent: posts.map((row) => postRef(row, 'p_')),
    };
  }
}
