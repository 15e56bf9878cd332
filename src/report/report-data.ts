/**
 * What the disclosure report shows, from the store: the case export (entities, indicators,
 * techniques), reach, posts per day, creation months, top hashtags/URLs/domains, sample posts
 * and the network (edges of the latest detection run, when one is stored). Sample posts name
 * only accounts over the follower threshold and hide @mentions: the report is public.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WorkspaceStore } from '../cases/index.js';
import type { Attribution } from '../share/case-export.js';
import { disarmTechniques } from '../share/disarm.js';
import { loadCaseExport, stageEntities } from '../share/load-case.js';
import { reach } from './reach.js';
import { queryRows, toNumber } from '../store/duckdb/connection.js';
import { sqlUrlDomain } from '../store/duckdb/sql-expressions.js';
import type { Counted, ReportData } from './report-html.js';

export interface ReportOptions { producer?: string; attribution?: Attribution | null; threshold?: number; top?: number; samples?: number }
export const REPORT_DEFAULTS: Required<ReportOptions> = { producer: 'lockstep', attribution: null, threshold: 5000, top: 10, samples: 5 };

const counted = (rows: Record<string, unknown>[]): Counted[] => rows.map((row) => ({ value: String(row['value']), count: toNumber(row['n'] as bigint | number) }));

async function networkOf(connection: DuckDBConnection, clusterId: string, members: ReadonlySet<string>): Promise<ReportData['network']> {
  const exists = await queryRows(connection, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'det_edges'`);
  const edges = toNumber(exists[0]?.['n']) === 0 ? [] : await queryRows(connection,
    'SELECT source, target, weight FROM det_edges WHERE cluster_id = $1 AND run_id = (SELECT max(run_id) FROM det_edges WHERE cluster_id = $1)', [clusterId]);
  return {
    nodes: [...members].sort(),
    edges: edges.map((row) => ({ source: String(row['source']), target: String(row['target']), weight: Number(row['weight']) }))
      .filter((edge) => members.has(edge.source) && members.has(edge.target)),
  };
}

/**
 * Everything the report shows for one case.
 * @example const html = reportHtml(await loadReportData(store.connection, workspace, 'case-1', { producer: 'Example' }));
 */
export async function loadReportData(connection: DuckDBConnection, workspace: WorkspaceStore, caseId: string, options: ReportOptions = {}): Promise<ReportData> {
  const settings = { ...REPORT_DEFAULTS, ...options };
  const input = await loadCaseExport(connection, workspace, caseId, { attribution: settings.attribution });
  const reachReport = await reach(connection, input.entities, { period: 'month' });
  await stageEntities(connection, input.entities, 'ls_report_entities');
  const own = `FROM actions a JOIN (SELECT DISTINCT id FROM ls_report_entities) e ON e.id = a.actor_id`;
  const timeline = await queryRows(connection, `SELECT strftime(make_timestamp(a.time * 1000), '%Y-%m-%d') AS value, count(*) AS n ${own}
    WHERE a.kind IN ('post', 'repost', 'reply', 'quote') AND a.time > 0 GROUP BY ALL ORDER BY value`);
  const creation = input.entities.filter((entity) => entity.createdAt !== null)
    .reduce((months, entity) => months.set(new Date(entity.createdAt as number).toISOString().slice(0, 7), (months.get(new Date(entity.createdAt as number).toISOString().slice(0, 7)) ?? 0) + 1), new Map<string, number>());
  const hashtags = await queryRows(connection, `SELECT value, count(*) AS n FROM (SELECT unnest(a.hashtags) AS value ${own}) GROUP BY ALL ORDER BY n DESC, value LIMIT ${settings.top}`);
  const urls = await queryRows(connection, `SELECT value, count(*) AS n FROM (SELECT unnest(a.urls) AS value ${own}) GROUP BY ALL ORDER BY n DESC, value LIMIT ${settings.top}`);
  const domains = await queryRows(connection, `SELECT ${sqlUrlDomain('value')} AS value, count(*) AS n FROM (SELECT unnest(a.urls) AS value ${own}) GROUP BY ALL ORDER BY n DESC, value LIMIT ${settings.top}`);
  const samples = await queryRows(connection, `SELECT a.time, a.text, p.handle, p.followers FROM actions a JOIN (SELECT DISTINCT id FROM ls_report_entities) e ON e.id = a.actor_id
    LEFT JOIN actors p ON p.id = a.actor_id AND p.platform = a.platform
    WHERE a.kind IN ('post', 'quote', 'reply') AND a.text IS NOT NULL AND length(trim(a.text)) > 0 ORDER BY a.time, a.id LIMIT ${settings.samples}`);
  const members = new Set(input.entities.map((entity) => entity.id));
  return {
    title: input.case.title, caseId, producer: settings.producer,
    counts: {
      accounts: input.entities.filter((entity) => entity.kind === 'account').length,
      pages: input.entities.filter((entity) => entity.kind === 'page').length,
      groups: input.entities.filter((entity) => entity.kind === 'group').length,
    },
    reach: reachReport,
    timeline: counted(timeline),
    creation: [...creation].sort(([a], [b]) => (a < b ? -1 : 1)).map(([value, count]) => ({ value, count })),
    hashtags: counted(hashtags), urls: counted(urls), domains: counted(domains),
    samples: samples.map((row) => {
      const followers = row['followers'] === null || row['followers'] === undefined ? null : toNumber(row['followers']);
      const named = followers !== null && followers >= settings.threshold && row['handle'] !== null;
      return { time: toNumber(row['time']), author: named ? `@${String(row['handle'])}` : 'an account of the network', text: String(row['text']).replace(/@[A-Za-z0-9_]+/g, '@…') };
    }),
    techniques: disarmTechniques(input),
    attribution: settings.attribution,
    network: await networkOf(connection, input.case.clusterId, members),
    firstSeen: input.firstSeen, lastSeen: input.lastSeen,
  };
}
