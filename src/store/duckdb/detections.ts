/**
 * Detection runs kept in the store, so the workspace can serve them. `lockstep detect --db`
 * saves what it wrote (the output contract: summary.json, clusters.json, edges.csv) as a new run:
 * clusters with score, traces, top keys, timeline and evidence; members; the edges between
 * members with per-trace weights. Timelines and the posts behind an edge are answered from the
 * stored actions (two members' actions on one key within the trace's window).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { LockstepError } from '../../model/index.js';
import { inTransaction, queryRows, sqlString, toNumber } from './connection.js';

export const DETECTIONS_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS det_runs (run_id INTEGER NOT NULL, created_at BIGINT NOT NULL, windows VARCHAR NOT NULL, accounts INTEGER NOT NULL, clusters INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS det_clusters (run_id INTEGER NOT NULL, cluster_id VARCHAR NOT NULL, score DOUBLE NOT NULL, size INTEGER NOT NULL,
     flagged BOOLEAN NOT NULL, organic VARCHAR, traces VARCHAR NOT NULL, top_keys VARCHAR NOT NULL, first_time BIGINT, last_time BIGINT,
     timeline VARCHAR NOT NULL, evidence VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS det_members (run_id INTEGER NOT NULL, cluster_id VARCHAR NOT NULL, ord INTEGER NOT NULL, account_id VARCHAR NOT NULL, score DOUBLE NOT NULL, degree INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS det_edges (run_id INTEGER NOT NULL, cluster_id VARCHAR NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL, weight DOUBLE NOT NULL, traces VARCHAR NOT NULL)`,
];

export interface TimelineBucket { time: number; trace: string; coActions: number }

const summarySchema = z.object({ accounts: z.number(), traces: z.array(z.object({ trace: z.string(), window_seconds: z.number() })) });
const clustersSchema = z.array(z.object({
  id: z.union([z.number(), z.string()]),
  flagged: z.boolean(),
  organic_explanation: z.object({ kind: z.string(), reason: z.string() }).passthrough().nullable(),
  score: z.number(),
  members: z.array(z.object({ account_id: z.string(), score: z.number() })),
  traces: z.array(z.object({ trace: z.string(), edges: z.number() })),
  time_span: z.object({ first: z.string().nullable(), last: z.string().nullable() }),
  top_shared_objects: z.array(z.object({ trace: z.string(), object: z.string() }).passthrough()),
  evidence: z.array(z.unknown()),
}).passthrough());

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new LockstepError('detect/bad-input', `${file}: cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new LockstepError('detect/bad-input', `${file}: not a lockstep detect output: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** Per trace: the key of an action `a` as SQL and the actions that carry one (null: not answerable from actions). */
export function traceKeySql(trace: string): { key: string; where: string } | null {
  const notRepost = `a.kind NOT IN ('repost', 'share', 'like', 'follow')`;
  switch (trace) {
    case 'co-repost': case 'fast-repost': return { key: 'a.target_post', where: `a.kind IN ('repost', 'share') AND a.target_post IS NOT NULL` };
    case 'co-reply': return { key: 'a.target_post', where: `a.kind = 'reply' AND a.target_post IS NOT NULL` };
    case 'co-link': return { key: 'unnest(a.urls)', where: `${notRepost} AND len(a.urls) > 0` };
    case 'co-hashtag': return { key: 'unnest(a.hashtags)', where: `${notRepost} AND len(a.hashtags) > 0` };
    case 'hashtag-sequence': return { key: `array_to_string(a.hashtags, ' ')`, where: `${notRepost} AND len(a.hashtags) >= 2` };
    case 'co-mention': return { key: 'unnest(a.mentions)', where: `${notRepost} AND len(a.mentions) > 0` };
    case 'near-duplicate': return { key: 'lower(trim(a.text))', where: 'a.text IS NOT NULL AND length(a.text) >= 20' };
    default: return null;
  }
}

const BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000];

/** A bucket width giving at most ~200 buckets over the span. */
export function bucketWidth(first: number | null, last: number | null): number {
  const span = first === null || last === null ? 0 : last - first;
  return BUCKETS_MS.find((ms) => span / ms <= 200) ?? 604_800_000;
}

/**
 * Co-actions of each cluster's members over time, per trace: an action counts when another
 * member of the cluster acted on the same key within the trace's window.
 */
async function computeTimelines(connection: DuckDBConnection, runId: number, windows: Record<string, number>): Promise<void> {
  const clusters = await queryRows(connection, 'SELECT cluster_id, first_time, last_time, traces FROM det_clusters WHERE run_id = $1', [runId]);
  const widths = new Map(clusters.map((row) => [String(row['cluster_id']), bucketWidth(row['first_time'] === null ? null : toNumber(row['first_time']), row['last_time'] === null ? null : toNumber(row['last_time']))]));
  const buckets = new Map<string, TimelineBucket[]>();
  const tracesOf = new Map(clusters.map((row) => [String(row['cluster_id']), new Set(JSON.parse(String(row['traces'])) as string[])]));
  const traces = new Set(clusters.flatMap((row) => JSON.parse(String(row['traces'])) as string[]));
  await connection.run(`CREATE OR REPLACE TEMP TABLE ls_widths (cluster_id VARCHAR, width BIGINT)`);
  if (widths.size > 0) await connection.run(`INSERT INTO ls_widths VALUES ${[...widths].map(([id, width]) => `(${sqlString(id)}, ${width})`).join(', ')}`);
  for (const trace of traces) {
    const sql = traceKeySql(trace);
    if (sql === null) continue;
    const rows = await queryRows(connection, `
      WITH e AS (SELECT m.cluster_id, a.actor_id, a.time, ${sql.key} AS k FROM actions a JOIN det_members m ON m.account_id = a.actor_id
                 WHERE m.run_id = $1 AND ${sql.where}),
           co AS (SELECT DISTINCT x.cluster_id, x.actor_id, x.time, x.k FROM e x JOIN e y
                  ON y.cluster_id = x.cluster_id AND y.k = x.k AND y.actor_id <> x.actor_id AND abs(y.time - x.time) <= $2 WHERE x.k IS NOT NULL AND x.k <> '')
      SELECT co.cluster_id, (co.time // w.width) * w.width AS bucket, count(*) AS n FROM co JOIN ls_widths w USING (cluster_id)
      GROUP BY ALL ORDER BY bucket`, [runId, windows[trace] ?? 60_000]);
    for (const row of rows) {
      const id = String(row['cluster_id']);
      if (tracesOf.get(id)?.has(trace) !== true) continue;
      const list = buckets.get(id) ?? [];
      list.push({ time: toNumber(row['bucket']), trace, coActions: toNumber(row['n']) });
      buckets.set(id, list);
    }
  }
  for (const [id, list] of buckets) {
    list.sort((x, y) => x.time - y.time || (x.trace < y.trace ? -1 : 1));
    await connection.run('UPDATE det_clusters SET timeline = $1 WHERE run_id = $2 AND cluster_id = $3', [JSON.stringify(list), runId, id]);
  }
}

async function insertRows(connection: DuckDBConnection, table: string, rows: readonly string[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) await connection.run(`INSERT INTO ${table} VALUES ${rows.slice(start, start + 1000).join(', ')}`);
}

const sqlNum = (value: number | null): string => (value !== null && Number.isFinite(value) ? String(value) : 'NULL');
const sqlJson = (value: unknown): string => sqlString(JSON.stringify(value));
const epoch = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/**
 * Saves the outputs `lockstep detect` wrote to `outDir` as a new run (earlier runs stay; the
 * workspace shows the latest) and returns its id and cluster count.
 */
export async function saveDetectionOutputs(connection: DuckDBConnection, outDir: string, options: { now?: number } = {}): Promise<{ runId: number; clusters: number }> {
  const summary = await readJson(join(outDir, 'summary.json'), summarySchema);
  const clusters = await readJson(join(outDir, 'clusters.json'), clustersSchema);
  const edgesFile = join(outDir, 'edges.csv');
  const edges = parseCsv(await readFile(edgesFile, 'utf8'), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const windows = Object.fromEntries(summary.traces.map((trace) => [trace.trace, trace.window_seconds * 1000]));
  // edges.csv names a trace's column w_<trace with underscores> (detect/output traceAttributeName).
  const traceOfColumn = new Map(summary.traces.flatMap((trace) => [[`w_${trace.trace.replaceAll('-', '_')}`, trace.trace], [trace.trace.replaceAll('-', '_'), trace.trace]]));
  for (const ddl of DETECTIONS_DDL) await connection.run(ddl);
  const runId = await inTransaction(connection, async () => {
    const rows = await queryRows(connection, 'SELECT coalesce(max(run_id), 0) + 1 AS id FROM det_runs');
    const id = toNumber(rows[0]?.['id']);
    await connection.run(`INSERT INTO det_runs VALUES (${id}, ${options.now ?? Date.now()}, ${sqlJson(windows)}, ${summary.accounts}, ${clusters.length})`);
    const clusterOf = new Map<string, string>();
    for (const cluster of clusters) for (const member of cluster.members) if (!clusterOf.has(member.account_id)) clusterOf.set(member.account_id, String(cluster.id));
    const degree = new Map<string, number>();
    const edgeRows: string[] = [];
    edges.forEach((edge, line) => {
      const source = edge['source'] ?? '';
      const target = edge['target'] ?? '';
      const weight = Number(edge['weight']);
      if (source === '' || target === '' || !Number.isFinite(weight)) throw new LockstepError('detect/bad-input', `${edgesFile}:${line + 2}: an edge needs source, target and a numeric weight`);
      const cluster = clusterOf.get(source);
      if (cluster === undefined || cluster !== clusterOf.get(target)) return;
      const perTrace: Record<string, number> = {};
      for (const [column, value] of Object.entries(edge)) {
        const trace = traceOfColumn.get(column);
        if (trace !== undefined && value !== '' && Number(value) > 0) perTrace[trace] = Number(value);
      }
      degree.set(source, (degree.get(source) ?? 0) + 1);
      degree.set(target, (degree.get(target) ?? 0) + 1);
      edgeRows.push(`(${id}, ${sqlString(cluster)}, ${sqlString(source)}, ${sqlString(target)}, ${weight}, ${sqlJson(perTrace)})`);
    });
    const clusterRows = clusters.map((cluster) => {
      const topKeys = [...new Set(cluster.top_shared_objects.map((object) => object.object))].slice(0, 10);
      return `(${id}, ${sqlString(String(cluster.id))}, ${cluster.score}, ${cluster.members.length}, ${cluster.flagged}, ${cluster.organic_explanation === null ? 'NULL' : sqlString(cluster.organic_explanation.reason)},
        ${sqlJson(cluster.traces.map((trace) => trace.trace))}, ${sqlJson(topKeys)}, ${sqlNum(epoch(cluster.time_span.first))}, ${sqlNum(epoch(cluster.time_span.last))}, '[]',
        ${sqlJson({ traces: cluster.traces, topSharedObjects: cluster.top_shared_objects, coActions: cluster.evidence })})`;
    });
    const memberRows = clusters.flatMap((cluster) => cluster.members.map((member, ord) =>
      `(${id}, ${sqlString(String(cluster.id))}, ${ord}, ${sqlString(member.account_id)}, ${member.score}, ${degree.get(member.account_id) ?? 0})`));
    await insertRows(connection, 'det_clusters', clusterRows);
    await insertRows(connection, 'det_members', memberRows);
    await insertRows(connection, 'det_edges', edgeRows);
    return id;
  });
  await computeTimelines(connection, runId, windows);
  return { runId, clusters: clusters.length };
}
