/**
 * Turns the stored actions into the integer-keyed traces detection works on. DuckDB does the
 * interning (a dictionary table per trace) and the joins; typed arrays stream out chunk by chunk.
 * The dictionaries stay as temp tables so labels (URLs, post ids) are looked up only for the few
 * keys an explanation shows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { queryRows, sqlString, toNumber } from './connection.js';
import { sqlUrlDomain } from './sql-expressions.js';

export interface ExportOptions {
  /** Fast repost: at most this many ms after the original. */
  fastRepostMs: number;
  /** Only actions of these platforms (all when empty). */
  platforms: readonly string[];
}

/**
 * An action's place in the input: its file (ingests are numbered in order) and its row there, the
 * last tie-break of a trace (one account's actions at one time on one key), as the direct sources
 * break ties by file row. Actions stored before file rows were kept have rowid, their old tie-break.
 */
const POSITION = `(a.ingest_id::BIGINT << 40) + coalesce(a.file_row, a.rowid) AS position`;

/** Events per trace as SQL over `actions a` joined to the actor dictionary `d`: (actor, key, time, action, position). */
function traceSource(trace: Exclude<TraceName, 'near-duplicate'>, options: ExportOptions): string {
  const notRepost = `a.kind NOT IN ('repost', 'share', 'like', 'follow')`;
  switch (trace) {
    case 'co-repost':
      return `SELECT a.platform || ':' || a.target_post AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE a.kind IN ('repost', 'share') AND a.target_post IS NOT NULL`;
    case 'fast-repost':
      return `SELECT a.platform || ':' || a.target_post AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a
        JOIN actions o ON o.platform = a.platform AND o.id = a.target_post
        WHERE a.kind IN ('repost', 'share') AND a.time - o.time BETWEEN 0 AND ${options.fastRepostMs}`;
    case 'co-reply':
      return `SELECT a.platform || ':' || a.target_post AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE a.kind = 'reply' AND a.target_post IS NOT NULL`;
    case 'co-link':
      return `SELECT unnest(a.urls) AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE ${notRepost} AND len(a.urls) > 0`;
    case 'co-domain':
      return `SELECT DISTINCT ON (action, k) ${sqlUrlDomain('u')} AS k, time, action, position, platform, actor_id
        FROM (SELECT unnest(a.urls) AS u, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE ${notRepost} AND len(a.urls) > 0)`;
    case 'co-hashtag':
      return `SELECT unnest(a.hashtags) AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE ${notRepost} AND len(a.hashtags) > 0`;
    case 'hashtag-sequence':
      return `SELECT array_to_string(a.hashtags, ' ') AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE ${notRepost} AND len(a.hashtags) >= 2`;
    case 'co-mention':
      return `SELECT a.platform || ':' || unnest(a.mentions) AS k, a.time, a.rowid AS action, ${POSITION}, a.platform, a.actor_id FROM actions a WHERE ${notRepost} AND len(a.mentions) > 0`;
  }
}

function platformFilter(options: ExportOptions, alias: string): string {
  return options.platforms.length === 0 ? 'TRUE' : `${alias}.platform IN (${options.platforms.map(sqlString).join(', ')})`;
}

/** Builds `ls_d_actor(platform, id, ix)`: every account with at least one action, numbered densely. */
export async function buildActorDictionary(connection: DuckDBConnection, options: ExportOptions): Promise<{ ids: string[]; platforms: string[] }> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ls_d_actor AS
    SELECT platform, actor_id AS id, (row_number() OVER (ORDER BY platform, actor_id) - 1)::INTEGER AS ix
    FROM (SELECT DISTINCT platform, actor_id FROM actions a WHERE ${platformFilter(options, 'a')})`);
  const ids: string[] = [];
  const platforms: string[] = [];
  const result = await connection.stream('SELECT id, platform FROM ls_d_actor ORDER BY ix');
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const idVector = chunk.getColumnVector(0);
    const platformVector = chunk.getColumnVector(1);
    for (let row = 0; row < chunk.rowCount; row++) {
      ids.push(String(idVector.getItem(row)));
      platforms.push(String(platformVector.getItem(row)));
    }
  }
  return { ids, platforms };
}

/** The events of one trace (null when the data has none), keys numbered in `ls_d_key_<trace>`. */
export async function exportTrace(connection: DuckDBConnection, trace: Exclude<TraceName, 'near-duplicate'>, actorCount: number, options: ExportOptions): Promise<TraceData | null> {
  const table = `ls_t_${trace.replaceAll('-', '_')}`;
  const dictionary = `ls_d_key_${trace.replaceAll('-', '_')}`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${table}_raw AS
    SELECT s.k, s.time, s.action, s.position, d.ix AS actor FROM (${traceSource(trace, options)}) s
    JOIN ls_d_actor d ON d.platform = s.platform AND d.id = s.actor_id WHERE s.k IS NOT NULL AND s.k <> ''`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${dictionary} AS
    SELECT k AS label, (row_number() OVER (ORDER BY k) - 1)::INTEGER AS ix FROM (SELECT DISTINCT k FROM ${table}_raw)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT r.actor, d.ix AS key, r.time::DOUBLE AS time, r.action::INTEGER AS action, r.position FROM ${table}_raw r JOIN ${dictionary} d ON d.label = r.k`);
  await connection.run(`DROP TABLE ${table}_raw`);
  const counts = await queryRows(connection, `SELECT (SELECT count(*) FROM ${table}) AS events, (SELECT count(*) FROM ${dictionary}) AS keys`);
  const events = toNumber(counts[0]?.['events']);
  if (events === 0) return null;
  const data: TraceData = {
    actor: new Int32Array(events), key: new Int32Array(events), time: new Float64Array(events), action: new Int32Array(events),
    actorCount, keyCount: toNumber(counts[0]?.['keys']),
  };
  // A fixed order (the store's rowids follow the order DuckDB's threads inserted rows): the same
  // data gives the same ties everywhere downstream (the kernel's partner cap, clustering, the posts
  // an explanation shows), so the same clusters; ties in input order, as the direct sources give them.
  const result = await connection.stream(`SELECT actor, key, time, action FROM ${table} ORDER BY key, time, actor, position, action`);
  let offset = 0;
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const columns = [0, 1, 2, 3].map((column) => chunk.getColumnVector(column));
    const [actor, key, time, action] = columns;
    for (let row = 0; row < chunk.rowCount; row++, offset++) {
      data.actor[offset] = actor?.getItem(row) as number;
      data.key[offset] = key?.getItem(row) as number;
      data.time[offset] = time?.getItem(row) as number;
      data.action[offset] = action?.getItem(row) as number;
    }
  }
  await connection.run(`DROP TABLE ${table}`);
  return data;
}

/** Texts of original posts (not reposts) for the near-duplicate trace. */
export async function exportTexts(connection: DuckDBConnection, options: ExportOptions): Promise<{ actor: Int32Array; time: Float64Array; action: Int32Array; text: string[] }> {
  const source = `SELECT d.ix AS actor, a.time::DOUBLE AS time, a.rowid::INTEGER AS action, a.text FROM actions a
    JOIN ls_d_actor d ON d.platform = a.platform AND d.id = a.actor_id
    WHERE a.kind IN ('post', 'reply', 'quote') AND a.text IS NOT NULL AND length(a.text) > 0 AND ${platformFilter(options, 'a')}
    ORDER BY a.platform, a.id`;
  const counted = await queryRows(connection, `SELECT count(*) AS n FROM (${source})`);
  const n = toNumber(counted[0]?.['n']);
  const out = { actor: new Int32Array(n), time: new Float64Array(n), action: new Int32Array(n), text: new Array<string>(n) };
  const result = await connection.stream(source);
  let offset = 0;
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0 && offset < n; chunk = await result.fetchChunk()) {
    const [actor, time, action, text] = [0, 1, 2, 3].map((column) => chunk.getColumnVector(column));
    for (let row = 0; row < chunk.rowCount && offset < n; row++, offset++) {
      out.actor[offset] = actor?.getItem(row) as number;
      out.time[offset] = time?.getItem(row) as number;
      out.action[offset] = action?.getItem(row) as number;
      out.text[offset] = String(text?.getItem(row) ?? '');
    }
  }
  return out;
}

/** A temp table of integers, for joins that an IN list of thousands of values would make slow. */
async function integerTable(connection: DuckDBConnection, name: string, values: readonly number[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${name} (v BIGINT)`);
  const appender = await connection.createAppender(name, 'main', 'temp');
  for (const value of new Set(values)) {
    appender.appendBigInt(BigInt(Math.trunc(value)));
    appender.endRow();
  }
  appender.closeSync();
}

/** Labels (URL, post id, hashtag…) of some keys of a trace exported earlier in this session. */
export async function keyLabels(connection: DuckDBConnection, trace: Exclude<TraceName, 'near-duplicate'>, keys: readonly number[]): Promise<Map<number, string>> {
  const labels = new Map<number, string>();
  if (keys.length === 0) return labels;
  await integerTable(connection, 'ls_wanted_keys', keys);
  const rows = await queryRows(connection,
    `SELECT d.ix, d.label FROM ls_d_key_${trace.replaceAll('-', '_')} d JOIN ls_wanted_keys w ON w.v = d.ix`);
  for (const row of rows) labels.set(toNumber(row['ix']), String(row['label']));
  return labels;
}

/** The id, platform and time of stored actions by row (for the posts behind an edge). */
export async function actionRefs(connection: DuckDBConnection, rows: readonly number[]): Promise<Map<number, { id: string; time: number; kind: string }>> {
  const refs = new Map<number, { id: string; time: number; kind: string }>();
  if (rows.length === 0) return refs;
  await integerTable(connection, 'ls_wanted_rows', rows);
  const found = await queryRows(connection,
    `SELECT a.rowid AS r, a.id, a.time, a.kind FROM actions a SEMI JOIN ls_wanted_rows w ON w.v = a.rowid`);
  for (const row of found) refs.set(toNumber(row['r']), { id: String(row['id']), time: toNumber(row['time']), kind: String(row['kind']) });
  return refs;
}
