/** The workspace store in the embedded DuckDB file: the same SQL as PostgreSQL, one writer at a time. */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { storeFailed } from '../../model/index.js';
import { SqlWorkspaceStore } from './workspace-sql.js';
import type { SqlRow, SqlRunner, SqlValue } from './workspace-sql.js';

/** Serialises calls on one connection: DuckDB transactions are per connection, not per call. */
function serial(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}

function duckDbRunner(connection: DuckDBConnection, onClose: () => Promise<void>): SqlRunner {
  const exclusive = serial();
  const raw = async (sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> => {
    try {
      const reader = params.length === 0 ? await connection.runAndReadAll(sql) : await connection.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjects();
    } catch (error) {
      throw storeFailed('workspace query', error);
    }
  };
  return {
    forUpdate: '',
    query: (sql, params) => exclusive(() => raw(sql, params)),
    transaction: (work) => exclusive(async () => {
      await raw('BEGIN TRANSACTION');
      try {
        const result = await work(raw);
        await raw('COMMIT');
        return result;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }),
    close: () => exclusive(onClose),
  };
}

/**
 * The workspace tables in an open DuckDB connection (created if missing). `onClose` runs when
 * the store closes (the owner of the connection decides whether that closes the file).
 */
export async function openDuckDbWorkspace(connection: DuckDBConnection, onClose: () => Promise<void> = async () => undefined): Promise<SqlWorkspaceStore> {
  const store = new SqlWorkspaceStore(duckDbRunner(connection, onClose));
  await store.migrate();
  return store;
}
