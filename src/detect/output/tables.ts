/**
 * CSV writers for `accounts.csv` and `edges.csv` (the output contract in DESIGN.md), as
 * generators of text chunks. RFC 4180: comma-separated, CRLF line ends, a field in double quotes
 * when it holds a comma, a double quote, CR or LF (or starts or ends with white space, which some
 * readers trim), with inner quotes doubled. Ids are written exactly as in the input: nothing is
 * dropped or replaced, not even control characters (CSV can carry them).
 */
import type { AttributeValue, ExportEdge, NetworkExport } from './network.js';
import { ChunkBuffer, badExport, checkDeclarations, checkPerTrace, numberText, traceAttributeName } from './network.js';

export const ACCOUNTS_HEADER: readonly string[] = ['account_id', 'cluster_id', 'score'];
export const EDGES_HEADER: readonly string[] = ['source', 'target', 'weight'];

export interface AccountRow {
  /** The account id exactly as in the input (for the Information Operations archive, `userid`). */
  accountId: string;
  clusterId: number;
  score: number;
  /** Values of the extra columns; absent or null is an empty field. */
  extra?: Readonly<Record<string, AttributeValue | null | undefined>>;
}

export interface TableOptions {
  /** Approximate characters per chunk yielded. */
  chunkChars: number;
  /** RFC 4180 says CRLF. */
  lineEnd: '\r\n' | '\n';
}

export const TABLE_DEFAULTS: Readonly<TableOptions> = Object.freeze({ chunkChars: 1 << 16, lineEnd: '\r\n' });

export interface AccountsCsvOptions extends TableOptions {
  /** Columns after `account_id,cluster_id,score`, filled from `AccountRow.extra`. */
  extraColumns: readonly string[];
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV field per RFC 4180.
 * @example csvField('say "hi", then go') // '"say ""hi"", then go"'
 */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * `accounts.csv`: the header `account_id,cluster_id,score` (then the extra columns), then one row
 * per account.
 * @example
 * for (const chunk of accountsCsvChunks(rows, { extraColumns: ['screen_name'] })) out.write(chunk);
 */
export function* accountsCsvChunks(rows: Iterable<AccountRow>, options?: Partial<AccountsCsvOptions>): Generator<string, void, undefined> {
  const opts: AccountsCsvOptions = { ...TABLE_DEFAULTS, extraColumns: [], ...options };
  const extras = opts.extraColumns;
  const seen = new Set<string>(ACCOUNTS_HEADER);
  for (const column of extras) {
    if (column === '' || seen.has(column)) throw badExport('accounts.csv', `extra column "${column}" is empty or repeats another column`);
    seen.add(column);
  }
  const end = opts.lineEnd;
  const buffer = new ChunkBuffer(opts.chunkChars);
  const header = buffer.push([...ACCOUNTS_HEADER, ...extras].map(csvField).join(',') + end);
  if (header !== null) yield header;
  let index = 0;
  for (const row of rows) {
    const where = `accounts.csv row ${index++} (${JSON.stringify(row.accountId)})`;
    if (typeof row.accountId !== 'string') throw badExport(where, 'account_id must be a string');
    let line = `${csvField(row.accountId)},${numberText(row.clusterId, `${where} cluster_id`, 'integer')},${numberText(row.score, `${where} score`, 'double')}`;
    for (const column of extras) line += `,${valueField(row.extra?.[column], `${where} ${column}`)}`;
    const chunk = buffer.push(line + end);
    if (chunk !== null) yield chunk;
  }
  yield buffer.flush();
}

/**
 * `edges.csv`: the header `source,target,weight` then `w_<trace>` per trace, then one row per
 * edge; a trace the edge does not appear in is 0.
 * @example
 * for (const chunk of edgesCsvChunks({ edges, traceNames: ['co_repost', 'co_link'] })) out.write(chunk);
 */
export function* edgesCsvChunks(graph: Pick<NetworkExport, 'edges' | 'traceNames'>, options?: Partial<TableOptions>): Generator<string, void, undefined> {
  const opts: TableOptions = { ...TABLE_DEFAULTS, ...options };
  const { traceNames } = graph;
  checkDeclarations(traceNames, []);
  const traces = new Set(traceNames);
  const end = opts.lineEnd;
  const buffer = new ChunkBuffer(opts.chunkChars);
  const header = buffer.push([...EDGES_HEADER, ...traceNames.map(traceAttributeName)].map(csvField).join(',') + end);
  if (header !== null) yield header;
  let index = 0;
  for (const edge of graph.edges) {
    const where = `edges.csv row ${index++}`;
    checkPerTrace(edge, where, traces);
    const chunk = buffer.push(edgeLine(edge, traceNames, where) + end);
    if (chunk !== null) yield chunk;
  }
  yield buffer.flush();
}

function edgeLine(edge: ExportEdge, traceNames: readonly string[], where: string): string {
  let line = `${csvField(edge.source)},${csvField(edge.target)},${numberText(edge.weight, `${where} weight`, 'double')}`;
  for (const trace of traceNames) line += `,${numberText(edge.perTrace[trace] ?? 0, `${where} ${traceAttributeName(trace)}`, 'double')}`;
  return line;
}

function valueField(value: AttributeValue | null | undefined, where: string): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? numberText(value, where, 'double') : csvField(value);
}
