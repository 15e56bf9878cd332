/**
 * The workspace store in PostgreSQL (`--pg URL`), for several analysts and server replicas on
 * one system: cases, decisions, outcomes, users and the audit log. Audit appends lock the log's
 * head row (SELECT ... FOR UPDATE), so concurrent replicas extend one chain in turn.
 */
import pg from 'pg';
import { storeFailed } from '../../model/index.js';
import { SqlWorkspaceStore, WORKSPACE_DDL } from '../duckdb/workspace-sql.js';
import type { SqlRow, SqlRunner, SqlValue } from '../duckdb/workspace-sql.js';

function pgRunner(pool: pg.Pool): SqlRunner {
  const wrap = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw storeFailed(`PostgreSQL ${operation}`, error);
    }
  };
  return {
    forUpdate: 'FOR UPDATE',
    query: (sql, params = []) => wrap('query', async () => (await pool.query(sql, [...params])).rows as SqlRow[]),
    transaction: (work) => wrap('transaction', async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(async (sql: string, params: readonly SqlValue[] = []) => (await client.query(sql, [...params])).rows as SqlRow[]);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }),
    close: () => pool.end(),
  };
}

/** Connects (e.g. `postgres://user@127.0.0.1:5432/lockstep`) and creates the tables if missing. */
export async function openPgWorkspace(url: string, options: { max?: number } = {}): Promise<SqlWorkspaceStore> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 5 });
  pool.on('error', () => undefined);
  const store = new SqlWorkspaceStore(pgRunner(pool));
  try {
    // Two replicas starting at once may race on CREATE TABLE IF NOT EXISTS; an advisory lock
    // (held by one connection, so taken and released on the same client) orders them.
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7345001)');
      for (const ddl of WORKSPACE_DDL) await client.query(ddl);
      await client.query(`INSERT INTO ws_audit_head (id, count, hash) SELECT 1, 0, '' WHERE NOT EXISTS (SELECT 1 FROM ws_audit_head WHERE id = 1)`);
      await client.query('SELECT pg_advisory_unlock(7345001)');
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storeFailed(`connecting to PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')}`, error);
  }
  return store;
}
