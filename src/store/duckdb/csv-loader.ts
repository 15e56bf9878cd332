/**
 * Bulk CSV load: DuckDB reads the file itself (parallel, far faster than a JS parser). A first scan
 * keeps each row's key, reject reason and raw list strings; a second writes the good rows straight
 * into the canonical tables, with an anti-join against stored rows only when the table holds rows
 * of that platform, all in one transaction. A killed process therefore leaves all or nothing of a file.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvLoadRequest, CsvLoadResult, LoadCounts } from '../../ingest/port.js';
import { keepRejectPages } from './csv-reject-pages.js';
import { ACTION_COLUMNS, ACTOR_COLUMNS, csvPlan } from './csv-formats.js';
import type { CsvPlan, DerivedActors, ListColumn } from './csv-formats.js';
import { buildListDictionary, listExpression, listJoin } from './list-dictionary.js';
import { inInputOrder, inTransaction, queryRows, sqlString, toNumber } from './connection.js';

const PREPASS = 'ls_prepass';
/** The natural keys the file's good rows repeat. */
const REPEATED = 'ls_repeated';
const PROGRESS_INTERVAL_MS = 250;

/**
 * The file read as all-VARCHAR columns. Only the first scan keeps DuckDB's structure rejects
 * (every scan would append them again).
 */
function readerExpression(file: string, header: readonly string[], keepRejects: boolean): string {
  const columns = `{${header.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ')}}`;
  const rejects = keepRejects ? `store_rejects = true, rejects_table = 'ls_reject_errors', rejects_scan = 'ls_reject_scans',` : '';
  return `read_csv(${sqlString(file)}, header = true, columns = ${columns}, delim = ',', quote = '"', escape = '"',
    auto_detect = false, strict_mode = true, ignore_errors = true, ${rejects} max_line_size = 16777216, buffer_size = 33554432)`;
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

/** The canonical rows of the file (with `_reject`), as a subquery; DuckDB prunes the columns a query does not use. */
function canonicalRows(request: CsvLoadRequest, keepRejects: boolean, rawColumns: readonly string[] = []): string {
  const plan = csvPlan(request.format, request.header);
  const reader = readerExpression(request.file, request.header, keepRejects);
  const from = plan.from === undefined ? reader : plan.from(reader);
  return `(SELECT ${plan.select},${rawColumns.map((name) => ` ${name},`).join('')}
       CASE WHEN _reject IS NOT NULL THEN ${fingerprintExpression(request.header)} END AS _fp,
       CASE WHEN _reject IS NOT NULL THEN ${rawExpression(request.header)} END AS _raw
     FROM ${from})`;
}

/**
 * First scan: the small facts of every row (natural key, reject reason, raw list strings), never
 * the texts. The canonical rows themselves are written by a second scan straight into the table:
 * materialising a full staging copy of the file cost more than reading it twice.
 */
async function prepass(connection: DuckDBConnection, request: CsvLoadRequest, plan: CsvPlan): Promise<void> {
  await connection.run('DROP TABLE IF EXISTS ls_reject_errors; DROP TABLE IF EXISTS ls_reject_scans');
  const listColumns = plan.lists.map((list) => `, _raw_${list.column}`).join('');
  // Activity files also keep who acted, when and on what: the derived actors come from these, not
  // a third scan, and they tell apart the rows of a repeated id (fileRows).
  const actionColumns = plan.target === 'actions' ? ', actor_id, time, target_post' : '';
  // Kept in file order, so a row's rowid here is its row in the file (see fileRows).
  await inInputOrder(connection, async () => connection.run(
    `CREATE OR REPLACE TEMP TABLE ${PREPASS} AS SELECT platform, id, _reject, _fp, _raw${listColumns}${actionColumns} FROM ${canonicalRows(request, true)}`,
  ));
}

async function errorsTable(connection: DuckDBConnection): Promise<string | null> {
  const exists = await queryRows(connection, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'ls_reject_errors'`);
  return toNumber(exists[0]?.['n']) === 0 ? null : 'ls_reject_errors';
}

interface InsertShape {
  /** Anti-join against stored rows (skipped when the table holds none of this platform). */
  checkStored: boolean;
  /** Keep one row per natural key (skipped when the file has no repeated key). */
  dedupeInFile: boolean;
}

function storedFilter(table: 'actions' | 'actors', idColumn: string, shape: InsertShape): string {
  return shape.checkStored ? `AND NOT EXISTS (SELECT 1 FROM ${table} a WHERE a.platform = s.platform AND a.id = s.${idColumn})` : '';
}

function insertActions(ingestId: number, request: CsvLoadRequest, lists: readonly ListColumn[], shape: InsertShape): string {
  const listed = new Map(lists.map((list) => [list.column as string, list]));
  const columns = ACTION_COLUMNS.map((column) => {
    const list = listed.get(column);
    return list === undefined ? `s.${column}` : listExpression(list);
  });
  const fileRow = shape.dedupeInFile ? 'coalesce(r.file_row, q.file_row)' : 'r.file_row';
  // Repeated ids: the earliest row is kept, the first in the file among equally early ones (as the
  // direct sources keep); rows alike in account, time and object, by their content, so reruns keep
  // the same one (german_elections.csv repeats 215 ids at one time with another account or object).
  // One ORDER BY value (a row value compares field by field): DuckDB then keeps each id's first row
  // with a grouped arg_min, not a window that sorts every row (and stores them in id order, which
  // compressed the store's columns worse).
  const dedupe = shape.dedupeInFile
    ? `QUALIFY row_number() OVER (PARTITION BY s.platform, s.id ORDER BY (s.time, ${fileRow}, CASE WHEN q.file_row IS NOT NULL THEN hash(${columns.join(', ')}) END)) = 1`
    : '';
  return `INSERT INTO actions SELECT ${columns.join(', ')}, ${ingestId}, ${fileRow} FROM ${canonicalRows(request, false)} s ${lists.map(listJoin).join(' ')}
    ${fileRowJoins(shape)}
    WHERE s._reject IS NULL ${storedFilter('actions', 'id', shape)} ${dedupe}`;
}

/**
 * Each good row's row in the file: the first scan's rowid (that scan keeps file order). The insert
 * cannot number rows itself: numbering a scan (row_number() OVER ()) runs it on one thread. `r`
 * gives it by natural key; the rows of a repeated id find theirs in `q`, by what the first scan
 * also holds (account, time, object). Deciding repeats after the insert instead (UPDATE, DELETE
 * of the few rows) made the 948k-row seed 7 scale 10 archive's ingest into a file store 6-8
 * CPU-s dearer (not in memory: the commit of a changed insert seems to write its rows again).
 */
function fileRowJoins(shape: InsertShape): string {
  if (!shape.dedupeInFile) {
    return `LEFT JOIN (SELECT platform, id, rowid AS file_row FROM ${PREPASS} WHERE _reject IS NULL) r ON r.platform = s.platform AND r.id = s.id`;
  }
  return `LEFT JOIN (SELECT p.platform, p.id, p.rowid AS file_row FROM ${PREPASS} p ANTI JOIN ${REPEATED} k ON k.platform = p.platform AND k.id = p.id
        WHERE p._reject IS NULL) r ON r.platform = s.platform AND r.id = s.id
    LEFT JOIN (SELECT p.platform, p.id, p.actor_id, p.time, p.target_post, min(p.rowid) AS file_row FROM ${PREPASS} p
        SEMI JOIN ${REPEATED} k ON k.platform = p.platform AND k.id = p.id WHERE p._reject IS NULL GROUP BY ALL) q
      ON q.platform = s.platform AND q.id = s.id AND q.actor_id = s.actor_id AND q.time = s.time AND q.target_post IS NOT DISTINCT FROM s.target_post`;
}

function insertActors(ingestId: number, request: CsvLoadRequest, shape: InsertShape): string {
  // A users file's repeated ids: the earliest created, then by content, the same on every run.
  return `INSERT INTO actors SELECT ${ACTOR_COLUMNS.join(', ')}, ${ingestId} FROM ${canonicalRows(request, false)} s
    WHERE _reject IS NULL ${storedFilter('actors', 'id', shape)}
    ${shape.dedupeInFile ? `QUALIFY row_number() OVER (PARTITION BY platform, id ORDER BY (created_at IS NULL, created_at, hash(${ACTOR_COLUMNS.join(', ')}))) = 1` : ''}`;
}

const WINNERS = 'ls_actor_rows';

/**
 * One actor per acting account, with the profile of its latest row (archives repeat it per tweet;
 * ties on time go to the highest id, so a rerun picks the same row). The winning row of each new
 * account is found in the first scan's table; only those rows' profile fields are parsed, in a
 * scan that keeps nothing else. Formats without profile columns need no scan at all.
 */
async function insertDerivedActors(connection: DuckDBConnection, ingestId: number, request: CsvLoadRequest, profile: DerivedActors, checkStored: boolean, repeatsIds: boolean): Promise<number> {
  const fresh = `_reject IS NULL ${checkStored ? 'AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.platform = p.platform AND a.id = p.actor_id)' : ''}`;
  if (profile.rawColumns.length === 0) {
    return firstNumber(connection, `INSERT INTO actors SELECT platform, actor_id, 'account', ${profile.select}, ${ingestId}
      FROM (SELECT DISTINCT platform, actor_id FROM ${PREPASS} p WHERE ${fresh})`);
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${WINNERS} AS
    SELECT platform, actor_id, arg_max(id, (time, id)) AS id FROM ${PREPASS} p WHERE ${fresh} GROUP BY platform, actor_id`);
  const raw = profile.rawColumns.map((name) => `"${name}"`);
  // A file that repeats a tweet id may hold two rows of one account's winner: keep one, the same on every run.
  const oneRow = repeatsIds ? `QUALIFY row_number() OVER (PARTITION BY s.platform, s.actor_id ORDER BY ${raw.map((name) => `s.${name}`).join(', ')}) = 1` : '';
  const added = await firstNumber(connection, `INSERT INTO actors SELECT platform, actor_id, 'account', ${profile.select}, ${ingestId}
    FROM (SELECT s.platform, s.actor_id, ${raw.map((name) => `s.${name}`).join(', ')} FROM ${canonicalRows(request, false, raw)} s
          SEMI JOIN ${WINNERS} w ON w.platform = s.platform AND w.id = s.id AND w.actor_id = s.actor_id WHERE s._reject IS NULL ${oneRow})`);
  await connection.run(`DROP TABLE ${WINNERS}`);
  return added;
}

async function firstNumber(connection: DuckDBConnection, sql: string): Promise<number> {
  const rows = await queryRows(connection, sql);
  const first = rows[0];
  return first === undefined ? 0 : toNumber(Object.values(first)[0]);
}

/** Whether `table` already holds rows of the file's platform (only then is the anti-join needed). */
async function holdsPlatform(connection: DuckDBConnection, table: 'actions' | 'actors'): Promise<boolean> {
  return await firstNumber(connection,
    `SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE platform IN (SELECT DISTINCT platform FROM ${PREPASS}) LIMIT 1)`) > 0;
}

async function insertShape(connection: DuckDBConnection, table: 'actions' | 'actors'): Promise<InsertShape> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${REPEATED} AS
    SELECT platform, id FROM ${PREPASS} WHERE _reject IS NULL GROUP BY platform, id HAVING count(*) > 1`);
  const repeated = await firstNumber(connection, `SELECT count(*) FROM ${REPEATED}`);
  return { checkStored: await holdsPlatform(connection, table), dedupeInFile: repeated > 0 };
}

export async function loadCsvFile(connection: DuckDBConnection, ingestId: number, request: CsvLoadRequest): Promise<CsvLoadResult> {
  const plan = csvPlan(request.format, request.header);
  return inTransaction(connection, async () => {
    await withProgress(connection, request.onProgress === undefined ? undefined : (f) => request.onProgress?.(f / 3),
      prepass(connection, request, plan));
    const totals = await queryRows(connection, `SELECT count(*) AS n, count(_reject) AS bad FROM ${PREPASS}`);
    const read = toNumber(totals[0]?.['n']);
    const bad = toNumber(totals[0]?.['bad']);
    const rejects = await keepRejectPages(connection, await errorsTable(connection), PREPASS, bad);
    const shape = await insertShape(connection, plan.target);
    const later = request.onProgress === undefined ? undefined : (f: number) => request.onProgress?.(1 / 3 + (2 * f) / 3);
    let ingested: number;
    let actorsAdded = 0;
    if (plan.target === 'actions') {
      for (const list of plan.lists) await buildListDictionary(connection, PREPASS, list);
      ingested = await withProgress(connection, later, firstNumber(connection, insertActions(ingestId, request, plan.lists, shape)));
      if (plan.derivedActors !== undefined) {
        const actorsStored = await holdsPlatform(connection, 'actors');
        actorsAdded = await insertDerivedActors(connection, ingestId, request, plan.derivedActors, actorsStored, shape.dedupeInFile);
      }
    } else {
      ingested = await withProgress(connection, later, firstNumber(connection, insertActors(ingestId, request, shape)));
      actorsAdded = ingested;
    }
    await connection.run(`DROP TABLE ${PREPASS}; DROP TABLE ${REPEATED}`);
    const counts: LoadCounts = { read, ingested, duplicates: read - bad - ingested, rejected: bad, actorsAdded };
    return { counts, ...rejects };
  });
}
