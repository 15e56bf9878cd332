/**
 * Normalising list fields (URLs, hashtags) of a bulk load through a dictionary: the distinct raw
 * values are read out, normalised once each in JS (the same functions the JSON readers use, so
 * an object has one key whatever format it came in), and joined back. Archives repeat the same
 * list strings across retweets, so this is far cheaper than a call per row, and it keeps one
 * definition of normalisation instead of a SQL twin.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { normalizeAll, normalizeHashtag, normalizeUrl, parseListField } from '../../model/index.js';
import type { ListColumn, ListNormalizer } from './csv-formats.js';
import { queryRows } from './connection.js';

/** Normalisation strips control characters, so no item contains the separator. */
const SEPARATOR = '\u001f';

const NORMALIZERS: Record<ListNormalizer, (item: string) => string | null> = {
  url: normalizeUrl,
  hashtag: normalizeHashtag,
  none: (item) => item,
};

export function dictionaryTable(list: ListColumn): string {
  return `ls_dict_${list.column}`;
}

/** Builds `ls_dict_<column>(raw, joined)` for the stage's distinct non-empty raw values. */
export async function buildListDictionary(connection: DuckDBConnection, stage: string, list: ListColumn): Promise<void> {
  const table = dictionaryTable(list);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} (raw VARCHAR, joined VARCHAR)`);
  const raws = await queryRows(connection,
    `SELECT DISTINCT _raw_${list.column} AS raw FROM ${stage} WHERE _reject IS NULL AND _raw_${list.column} NOT IN ('', '[]')`);
  if (raws.length === 0) return;
  const normalize = NORMALIZERS[list.normalize];
  const appender = await connection.createAppender(table, 'main', 'temp');
  for (const row of raws) {
    const raw = String(row['raw']);
    appender.appendVarchar(raw);
    appender.appendVarchar(normalizeAll(parseListField(raw), normalize).join(SEPARATOR));
    appender.endRow();
  }
  appender.closeSync();
}

/** The SELECT expression giving the normalised list for a row of the stage aliased `s`. */
export function listExpression(list: ListColumn): string {
  const alias = `d_${list.column}`;
  return `CASE WHEN ${alias}.joined IS NULL OR ${alias}.joined = '' THEN []::VARCHAR[] ELSE string_split(${alias}.joined, chr(31)) END`;
}

export function listJoin(list: ListColumn): string {
  return `LEFT JOIN ${dictionaryTable(list)} d_${list.column} ON d_${list.column}.raw = s._raw_${list.column}`;
}
