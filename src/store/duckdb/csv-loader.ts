/**
 * Bulk CSV load: DuckDB reads the file itself (parallel, far faster than a JS parser), into a
 * staging table with a reject reason per row, and the good rows move to the canonical tables with
 * an anti-join, all in one transaction. A killed process therefore leaves all or nothing of a file.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvLoadRequest, CsvLoadResult, CsvStructureReject, LoadCounts, ValueReject } from '../../ingest/port.js';
import { ACTION_COLUMNS, ACTOR_COLUMNS, csvPlan } from './csv-formats.js';
import type { ListColumn } from './csv-formats.js';
import { buildListDictionary, listExpression, listJoin } from './list-dictionary.js';
import { inTransaction, queryRows, sqlString, toNumber } from './connection.js';

const STAGE = 'ls_stage';
const PROGRESS_INTERVAL_MS = 250;

function readerExpression(file: string, header: readonly string[]): string {
  const columns = `{${header.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${sqlString(file)}, header = true, columns = ${columns}, delim = ',', quote = '"', escape = '"',
    auto_detect = false, strict_mode = true, ignore_errors = true, store_rejects = true,
    rejects_table = 'ls_reject_errors', rejects_scan = 'ls_reject_scans', max_line_size = 16777216)`;
}

/** md5 of the raw fields joined by U+001F: how a value reject is found again in the file (see locate-rejects.ts). */
function fingerprintExpression(header: readonly string[]): string {
  return `md5(concat_ws(chr(31), ${header.map((name) => `coalesce("${name.replaceAll('"', '""')}", '')`).join(', ')}))`;
}

/** The raw fields of a bad row, re-joined as CSV, kept in the rejects file even if the line is not found. */
function rawExpression(header: readonly string[]): string {
  const field = (name: string): string => {
    const value = `coalesce("${name.replaceAll('"', '""')}", '')`;
    return `CASE WHEN regexp_matches(${value}, '[",\r\n]') THEN '"' || replace(${value}, '"', '""') || '"' ELSE ${value} END`;
  };
  return `concat_ws(',', ${header.map(field).join(', ')})`;
}

async function withProgress<T>(connection: DuckDBConnection, onProgress: ((fraction: number) => void) | undefined, work: Promise<T>): Promise<T> {
  if (onProgress === undefined) return work;
  const timer = setInterval(() => {
    const { percentage } = connection.progress;
    if (percentage >= 0) onProgress(Math.min(1, percentage / 100));
  }, PROGRESS_INTERVAL_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

async function stage(connection: DuckDBConnection, request: CsvLoadRequest): Promise<void> {
  const plan = csvPlan(request.format, request.header);
  const reader = readerExpression(request.file, request.header);
  const from = plan.from === undefined ? reader : plan.from(reader);
  await connection.run('DROP TABLE IF EXISTS ls_reject_errors; DROP TABLE IF EXISTS ls_reject_scans');
  await withProgress(connection, request.onProgress, connection.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE} AS SELECT ${plan.select},
       CASE WHEN _reject IS NOT NULL THEN ${fingerprintExpression(request.header)} END AS _fp,
       CASE WHEN _reject IS NOT NULL THEN ${rawExpression(request.header)} END AS _raw
     FROM ${from}`,
  ));
}

async function structureRejects(connection: DuckDBConnection): Promise<CsvStructureReject[]> {
  const exists = await queryRows(connection, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'ls_reject_errors'`);
  if (toNumber(exists[0]?.['n']) === 0) return [];
  const rows = await queryRows(connection,
    `SELECT line, line_byte_position, error_type, error_message, column_name, csv_line FROM ls_reject_errors ORDER BY line_byte_position`);
  return rows.map((row) => ({
    byteOffset: toNumber(row['line_byte_position']),
    recordNumber: toNumber(row['line']),
    reason: `${String(row['error_message'])}${row['column_name'] === null ? '' : ` (column ${String(row['column_name'])})`}`,
    raw: String(row['csv_line'] ?? ''),
  }));
}

function insertActions(ingestId: number, lists: readonly ListColumn[]): string {
  const listed = new Map(lists.map((list) => [list.column as string, list]));
  const columns = ACTION_COLUMNS.map((column) => {
    const list = listed.get(column);
    return list === undefined ? `s.${column}` : listExpression(list);
  });
  return `INSERT INTO actions SELECT ${columns.join(', ')}, ${ingestId} FROM ${STAGE} s ${lists.map(listJoin).join(' ')}
    WHERE _reject IS NULL AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.platform = s.platform AND a.id = s.id)
    QUALIFY row_number() OVER (PARTITION BY s.platform, s.id ORDER BY s.time) = 1`;
}

function insertActors(ingestId: number): string {
  return `INSERT INTO actors SELECT ${ACTOR_COLUMNS.join(', ')}, ${ingestId} FROM ${STAGE} s
    WHERE _reject IS NULL AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.platform = s.platform AND a.id = s.id)
    QUALIFY row_number() OVER (PARTITION BY platform, id ORDER BY created_at NULLS LAST) = 1`;
}

/** One actor per acting account, with the profile of its latest row (archives repeat it per tweet). */
function insertDerivedActors(ingestId: number): string {
  const fields = ['handle', 'display_name', 'created_at', 'followers', 'following', 'language', 'location', 'description'];
  return `INSERT INTO actors SELECT platform, actor_id, 'account', ${fields.map((f) => `p.${f}`).join(', ')}, ${ingestId}
    FROM (SELECT platform, actor_id, arg_max({${fields.map((f) => `'${f}': a_${f}`).join(', ')}}, time) AS p
          FROM ${STAGE} s WHERE _reject IS NULL
            AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.platform = s.platform AND a.id = s.actor_id)
          GROUP BY platform, actor_id)`;
}

async function changedRows(connection: DuckDBConnection, sql: string): Promise<number> {
  const rows = await queryRows(connection, sql);
  const first = rows[0];
  return first === undefined ? 0 : toNumber(Object.values(first)[0]);
}

export async function loadCsvFile(connection: DuckDBConnection, ingestId: number, request: CsvLoadRequest): Promise<CsvLoadResult> {
  const plan = csvPlan(request.format, request.header);
  return inTransaction(connection, async () => {
    await stage(connection, request);
    const structure = await structureRejects(connection);
    const totals = await queryRows(connection, `SELECT count(*) AS n, count(_reject) AS bad FROM ${STAGE}`);
    const read = toNumber(totals[0]?.['n']);
    const bad = toNumber(totals[0]?.['bad']);
    const valueRejects: ValueReject[] = (await queryRows(connection,
      `SELECT _fp, any_value(_reject) AS reason, any_value(_raw) AS raw FROM ${STAGE} WHERE _reject IS NOT NULL GROUP BY _fp`))
      .map((row) => ({ fingerprint: String(row['_fp']), reason: String(row['reason']), raw: String(row['raw']) }));
    let ingested: number;
    let actorsAdded = 0;
    if (plan.target === 'actions') {
      for (const list of plan.lists) await buildListDictionary(connection, STAGE, list);
      ingested = await changedRows(connection, insertActions(ingestId, plan.lists));
      if (plan.deriveActors) actorsAdded = await changedRows(connection, insertDerivedActors(ingestId));
    } else {
      ingested = await changedRows(connection, insertActors(ingestId));
      actorsAdded = ingested;
    }
    await connection.run(`DROP TABLE ${STAGE}`);
    const counts: LoadCounts = { read, ingested, duplicates: read - bad - ingested, rejected: bad, actorsAdded };
    return { counts, structureRejects: structure, valueRejects };
  });
}
