/** Opening the embedded DuckDB file, with the schema in place. */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { storeFailed } from '../../model/index.js';
import { MIGRATIONS, SCHEMA_DDL, SCHEMA_VERSION } from './schema.js';

export interface DuckDbHandle { instance: DuckDBInstance; connection: DuckDBConnection }

export interface OpenOptions {
  /** Where DuckDB spills when it reaches its memory limit (DuckDB's default: `<db>.tmp`). */
  tempDirectory?: string;
  /** DuckDB's memory limit, e.g. `1GB`: past it, loads spill to disk instead of growing. DuckDB's default is 80% of RAM. */
  memoryLimit?: string;
}

export async function openDuckDb(path: string, options: OpenOptions = {}): Promise<DuckDbHandle> {
  let instance: DuckDBInstance;
  try {
    // Insertion order does not matter to us and keeping it serialises bulk inserts.
    instance = await DuckDBInstance.create(path, {
      preserve_insertion_order: 'false',
      ...(options.tempDirectory === undefined ? {} : { temp_directory: options.tempDirectory }),
      ...(options.memoryLimit === undefined ? {} : { memory_limit: options.memoryLimit }),
    });
  } catch (error) {
    const locked = error instanceof Error && /lock/i.test(error.message);
    throw storeFailed(`opening ${path}${locked ? ' (another lockstep process is using it; wait for it or use another --db)' : ''}`, error);
  }
  const connection = await instance.connect();
  // Progress is tracked only when the "progress bar" is on; we read it, DuckDB prints nothing.
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  for (const ddl of SCHEMA_DDL) await connection.run(ddl);
  await migrate(connection, path);
  return { instance, connection };
}

/** Brings an older store to SCHEMA_VERSION (a new one is made at it); a newer store is refused. */
async function migrate(connection: DuckDBConnection, path: string): Promise<void> {
  const found = (await queryRows(connection, 'SELECT max(version) AS v FROM schema_version'))[0]?.['v'];
  if (found === null || found === undefined) {
    await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
    return;
  }
  const version = toNumber(found);
  if (version > SCHEMA_VERSION) {
    throw storeFailed(`opening ${path}`, new Error(`the store is of schema version ${version} and this lockstep reads up to ${SCHEMA_VERSION}: use a lockstep at least as new as the one that wrote it`));
  }
  for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
    await inTransaction(connection, async () => {
      for (const statement of MIGRATIONS[next] ?? []) await connection.run(statement);
      await connection.run(`INSERT INTO schema_version VALUES (${next})`);
    });
  }
}

export async function queryRows(connection: DuckDBConnection, sql: string, values?: DuckDBValue[]): Promise<Record<string, DuckDBValue>[]> {
  const reader = values === undefined ? await connection.runAndReadAll(sql) : await connection.runAndReadAll(sql, values);
  return reader.getRowObjects();
}

/** DuckDB returns BIGINT as bigint; our counts fit a double. */
export function toNumber(value: DuckDBValue | undefined): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return 0;
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Runs `work` in a transaction; rolls back on any error so the file stays consistent. */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `work` with DuckDB keeping rows in the order its input yields them: a CREATE TABLE AS over
 * a CSV read (no join, no window in it) then stores the file's rows in file order, still read in
 * parallel, so their rowids are file rows. The store leaves it off otherwise (DuckDB does not keep
 * the order through joins anyway, and keeping it costs memory in other statements).
 */
export async function inInputOrder<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('SET preserve_insertion_order = true');
  try {
    return await work();
  } finally {
    await connection.run('SET preserve_insertion_order = false');
  }
}
