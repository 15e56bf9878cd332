/**
 * Fills a CaseExport from the embedded store: the case, its entities and decisions from the
 * workspace tables, profiles from `actors`, and the indicators from the entities' own activity:
 * URLs and domains several entities shared, texts several posted (by fingerprint), the addresses
 * they came from (VPN/proxy exits grouped by their network, fixed addresses one by one), the
 * traces that linked the cluster (latest detection run) and a creation-burst signal.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { caseNotFound } from '../cases/errors.js';
import type { Entity, WorkspaceStore } from '../cases/index.js';
import type { IpNetwork, NetworkKind } from '../model/index.js';
import { ANONYMISING_KINDS, buildIpTable, lookupText } from '../signals/index.js';
import { queryRows, toNumber } from '../store/duckdb/connection.js';
import { sqlUrlDomain } from '../store/duckdb/sql-expressions.js';
import type { Attribution, CaseExport, ExportEntity, InfraIndicator, SharedObject } from './case-export.js';
import { textFingerprint } from './fingerprint.js';

export interface LoadCaseOptions {
  /** An object counts as an indicator when at least this many of the case's entities carried it. */
  minEntities?: number;
  /** At most this many indicators of each kind (the most widely carried first). */
  maxPerKind?: number;
  /** The analyst's attribution, when one was recorded. */
  attribution?: Attribution | null;
  /** Creation burst: at least this share of the accounts with a creation date were created within `burstDays`. */
  burstShare?: number;
  burstDays?: number;
}

export const LOAD_CASE_DEFAULTS: Required<LoadCaseOptions> = { minEntities: 2, maxPerKind: 200, attribution: null, burstShare: 0.5, burstDays: 31 };

const DAY = 86_400_000;
const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const optStr = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const optNum = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Puts the case's entity ids in a temp table the queries join on. */
export async function stageEntities(connection: DuckDBConnection, entities: readonly Pick<Entity, 'id' | 'kind'>[], table = 'ls_share_entities'): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} (id VARCHAR, kind VARCHAR)`);
  const appender = await connection.createAppender(table, 'main', 'temp');
  for (const entity of entities) {
    appender.appendVarchar(entity.id);
    appender.appendVarchar(entity.kind);
    appender.endRow();
  }
  appender.closeSync();
}

async function tableExists(connection: DuckDBConnection, name: string): Promise<boolean> {
  const rows = await queryRows(connection, 'SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = $1', [name]);
  return toNumber(rows[0]?.['n']) > 0;
}

/** True when `share` of the dates fall within one window of `days` (sliding over the sorted dates). */
export function creationBurst(dates: readonly number[], share: number, days: number): boolean {
  if (dates.length < 3) return false;
  const sorted = [...dates].sort((a, b) => a - b);
  let best = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) > days * DAY) start++;
    best = Math.max(best, end - start + 1);
  }
  return best / sorted.length >= share;
}

async function sharedObjects(connection: DuckDBConnection, expression: string, limits: Required<LoadCaseOptions>): Promise<SharedObject[]> {
  const rows = await queryRows(connection, `
    SELECT value, count(DISTINCT actor_id) AS entities FROM (
      SELECT a.actor_id, ${expression} AS value FROM (SELECT a.actor_id, unnest(a.urls) AS u FROM actions a JOIN ls_share_entities e ON e.id = a.actor_id) a)
    WHERE value IS NOT NULL AND value <> '' GROUP BY value HAVING count(DISTINCT actor_id) >= ${limits.minEntities}
    ORDER BY entities DESC, value LIMIT ${limits.maxPerKind}`);
  return rows.map((row) => ({ value: str(row['value']), entities: toNumber(row['entities']) }));
}

async function sharedTexts(connection: DuckDBConnection, limits: Required<LoadCaseOptions>): Promise<SharedObject[]> {
  const rows = await queryRows(connection, `SELECT DISTINCT a.actor_id, a.text FROM actions a JOIN ls_share_entities e ON e.id = a.actor_id
    WHERE a.text IS NOT NULL AND length(trim(a.text)) > 0 AND a.kind IN ('post', 'reply', 'quote')`);
  const byPrint = new Map<string, { actors: Set<string>; sample: string }>();
  for (const row of rows) {
    const text = str(row['text']);
    const print = textFingerprint(text);
    const entry = byPrint.get(print) ?? { actors: new Set<string>(), sample: text };
    entry.actors.add(str(row['actor_id']));
    byPrint.set(print, entry);
  }
  return [...byPrint].filter(([, entry]) => entry.actors.size >= limits.minEntities)
    .map(([value, entry]) => ({ value, entities: entry.actors.size, sample: entry.sample }))
    .sort((a, b) => b.entities - a.entities || (a.value < b.value ? -1 : 1)).slice(0, limits.maxPerKind);
}

async function infrastructure(connection: DuckDBConnection, limits: Required<LoadCaseOptions>): Promise<InfraIndicator[]> {
  const networkRows = await queryRows(connection, 'SELECT cidr, asn, org, country, kind FROM ip_networks');
  const table = buildIpTable(networkRows.map((row): IpNetwork => ({
    cidr: str(row['cidr']), asn: optNum(row['asn']), org: optStr(row['org']), country: optStr(row['country']), kind: str(row['kind']) as NetworkKind,
  })));
  const rows = await queryRows(connection, 'SELECT DISTINCT i.ip, i.actor_id FROM infra i JOIN ls_share_entities e ON e.id = i.actor_id');
  const groups = new Map<string, { kind: NetworkKind; asn: number | null; country: string | null; actors: Set<string> }>();
  for (const row of rows) {
    const ip = str(row['ip']);
    const info = ip.includes(':') ? null : lookupText(table, ip);
    const anonymous = info !== null && ANONYMISING_KINDS.has(info.kind);
    const key = anonymous ? info.cidr : ip;
    const entry = groups.get(key) ?? { kind: info?.kind ?? 'unknown', asn: info?.asn ?? null, country: info?.country ?? null, actors: new Set<string>() };
    entry.actors.add(str(row['actor_id']));
    groups.set(key, entry);
  }
  return [...groups].filter(([, entry]) => entry.actors.size >= limits.minEntities)
    .map(([value, entry]) => ({ value, networkKind: entry.kind, asn: entry.asn, country: entry.country, entities: entry.actors.size }))
    .sort((a, b) => b.entities - a.entities || (a.value < b.value ? -1 : 1)).slice(0, limits.maxPerKind);
}

async function clusterTraces(connection: DuckDBConnection, clusterId: string): Promise<string[]> {
  if (!(await tableExists(connection, 'det_clusters'))) return [];
  const rows = await queryRows(connection, `SELECT traces FROM det_clusters WHERE cluster_id = $1 ORDER BY run_id DESC LIMIT 1`, [clusterId]);
  const raw = rows[0]?.['traces'];
  if (raw === undefined) return [];
  const parsed = JSON.parse(str(raw)) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/**
 * The case as sharing and disclosure see it. `connection` is the store's (DuckDbStore.connection);
 * `workspace` the workspace store on the same file (openDuckDbWorkspace).
 * @example const input = await loadCaseExport(store.connection, workspace, 'case-1', { minEntities: 3 });
 */
export async function loadCaseExport(connection: DuckDBConnection, workspace: WorkspaceStore, caseId: string, options: LoadCaseOptions = {}): Promise<CaseExport> {
  const limits = { ...LOAD_CASE_DEFAULTS, ...options };
  const record = await workspace.getCase(caseId);
  if (record === null) throw caseNotFound(`case ${caseId}`);
  const entities = await workspace.caseEntities(caseId);
  const decisions = await workspace.decisions(caseId);
  await stageEntities(connection, entities);
  const profiles = await queryRows(connection, `SELECT a.* FROM actors a JOIN ls_share_entities e ON e.id = a.id`);
  const byId = new Map(profiles.map((row) => [str(row['id']), row]));
  const exported = entities.map((entity): ExportEntity => {
    const row = byId.get(entity.id);
    return {
      kind: entity.kind, id: entity.id, platform: row === undefined ? 'unknown' : str(row['platform']), handle: entity.handle ?? optStr(row?.['handle']),
      displayName: optStr(row?.['display_name']), createdAt: optNum(row?.['created_at']), followers: optNum(row?.['followers']),
    };
  });
  const span = await queryRows(connection, 'SELECT min(a.time) AS first, max(a.time) AS last FROM actions a JOIN ls_share_entities e ON e.id = a.actor_id');
  const dates = exported.filter((entity) => entity.kind === 'account' && entity.createdAt !== null).map((entity) => entity.createdAt as number);
  return {
    case: { id: record.id, title: record.title, clusterId: record.clusterId, createdAt: record.createdAt, status: record.status },
    entities: exported,
    decisions,
    attribution: limits.attribution,
    urls: await sharedObjects(connection, 'a.u', limits),
    domains: await sharedObjects(connection, sqlUrlDomain('a.u'), limits),
    texts: await sharedTexts(connection, limits),
    infrastructure: await infrastructure(connection, limits),
    traces: await clusterTraces(connection, record.clusterId),
    signals: creationBurst(dates, limits.burstShare, limits.burstDays) ? ['creation-burst'] : [],
    firstSeen: optNum(span[0]?.['first']),
    lastSeen: optNum(span[0]?.['last']),
  };
}
