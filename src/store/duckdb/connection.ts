/** Opening the embedded DuckDB file, with the schema in place. */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { storeFailed } from '../../model/index.js';
import { SCHEMA_DDL, SCHEMA_VERSION } from './schema.js';

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
  const version = await queryRows(connection, 'SELECT max(version) AS v FROM schema_version');
  if (version[0]?.['v'] === null) await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
  return { instance, connection };
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
