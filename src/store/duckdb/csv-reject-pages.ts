/**
 * The rejects of a bulk CSV load, kept in temporary tables and read back a page at a time, so that
 * a file of millions of bad rows costs the store's memory (which spills), not the JS heap.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { CsvStructureReject, RejectPages, ValueReject } from '../../ingest/port.js';
import { queryRows, sqlString, toNumber } from './connection.js';

const STRUCTURE = 'ls_structure_rejects';
const VALUES = 'ls_value_rejects';
/** Rows per page: large enough to amortise a query, small enough to stay a few MB. */
export const REJECT_PAGE_ROWS = 20_000;

function pages<T>(connection: DuckDBConnection, table: string, count: number, columns: string, toReject: (row: Record<string, DuckDBValue>) => T): RejectPages<T> {
  return {
    count,
    async *pages() {
      for (let first = 1; first <= count; first += REJECT_PAGE_ROWS) {
        const rows = await queryRows(connection,
          `SELECT ${columns} FROM ${table} WHERE n >= ${first} AND n < ${first + REJECT_PAGE_ROWS} ORDER BY n`);
        yield rows.map(toReject);
      }
    },
  };
}

async function tableRows(connection: DuckDBConnection, table: string): Promise<number> {
  const rows = await queryRows(connection, `SELECT count(*) AS n FROM ${table}`);
  return toNumber(rows[0]?.['n']);
}

/**
 * Numbers the structure rejects (DuckDB's rejects table, in file order) and the distinct value
 * rejects of the first scan's table (by fingerprint) into temporary tables, inside the load's
 * transaction; they outlive it until `release`.
 */
export async function keepRejectPages(connection: DuckDBConnection, errorsTable: string | null, prepassTable: string, valueRejectRows: number): Promise<{
  structureRejects: RejectPages<CsvStructureReject>;
  valueRejects: RejectPages<ValueReject>;
  rawOfValueRejects: (fingerprints: readonly string[]) => Promise<Map<string, string>>;
  release: () => Promise<void>;
}> {
  // DuckDB may log several errors for one line (one per surplus column): the line is one reject.
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${STRUCTURE} AS SELECT
      row_number() OVER (ORDER BY line_byte_position) AS n, line, line_byte_position, reason, csv_line
    FROM (SELECT line_byte_position, min(line) AS line, any_value(csv_line) AS csv_line,
            string_agg(DISTINCT coalesce(error_message, '') || CASE WHEN column_name IS NULL THEN '' ELSE ' (column ' || column_name || ')' END, '; ' ORDER BY coalesce(error_message, '') || CASE WHEN column_name IS NULL THEN '' ELSE ' (column ' || column_name || ')' END) AS reason
          FROM ${errorsTable ?? '(SELECT 0 AS line, 0 AS line_byte_position, NULL AS error_message, NULL AS column_name, NULL AS csv_line WHERE false)'}
          GROUP BY line_byte_position)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${VALUES} AS SELECT row_number() OVER (ORDER BY _fp) AS n, _fp, reason, raw FROM
      (SELECT _fp, any_value(_reject) AS reason, any_value(_raw) AS raw FROM ${prepassTable}
       WHERE ${valueRejectRows > 0 ? '_reject IS NOT NULL' : 'false'} GROUP BY _fp)`);
  const structureRejects = pages<CsvStructureReject>(connection, STRUCTURE, await tableRows(connection, STRUCTURE),
    'line, line_byte_position, reason, csv_line', (row) => ({
      byteOffset: toNumber(row['line_byte_position']), recordNumber: toNumber(row['line']),
      reason: String(row['reason']), raw: String(row['csv_line'] ?? ''),
    }));
  const valueRejects = pages<ValueReject>(connection, VALUES, await tableRows(connection, VALUES),
    '_fp, reason', (row) => ({ fingerprint: String(row['_fp']), reason: String(row['reason']) }));
  const rawOfValueRejects = async (fingerprints: readonly string[]): Promise<Map<string, string>> => {
    const raw = new Map<string, string>();
    for (let first = 0; first < fingerprints.length; first += REJECT_PAGE_ROWS) {
      const wanted = fingerprints.slice(first, first + REJECT_PAGE_ROWS).map((fingerprint) => sqlString(fingerprint)).join(', ');
      for (const row of await queryRows(connection, `SELECT _fp, raw FROM ${VALUES} WHERE _fp IN (${wanted})`)) raw.set(String(row['_fp']), String(row['raw']));
    }
    return raw;
  };
  const release = async (): Promise<void> => {
    await connection.run(`DROP TABLE IF EXISTS ${STRUCTURE}; DROP TABLE IF EXISTS ${VALUES}`);
  };
  return { structureRejects, valueRejects, rawOfValueRejects, release };
}
