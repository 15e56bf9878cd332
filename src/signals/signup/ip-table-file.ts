/**
 * Loading the IP-network table a user supplies: a CSV (`network,asn,org,country,kind`, read by the
 * ingest row reader) or a MaxMind-format .mmdb (read with the maxmind library), or the table
 * already ingested into the store.
 */
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { readNetworkRecord } from '../../ingest/logins.js';
import type { IpNetwork } from '../../model/index.js';
import { LockstepError, unreadableInput } from '../../model/index.js';
import { buildIpTable } from '../ip-table.js';
import type { IpLookup } from '../ip-table.js';
import { mmdbLookup } from '../mmdb-table.js';
import { readIpNetworks } from './store-inputs.js';

export interface LoadedIpTable {
  lookup: IpLookup;
  source: string;
  /** Rows that were not usable, with their line numbers (CSV), and IPv6 rows left out. */
  rejected: { line: number; reason: string }[];
  ipv6Skipped: number;
}

const MMDB_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii')]);

/** Reads a CSV or .mmdb table (told apart by the MaxMind metadata marker, not the name). */
export async function loadIpTableFile(path: string): Promise<LoadedIpTable> {
  let bytes: Buffer;
  try { bytes = await readFile(path); } catch (error) { throw unreadableInput(path, error instanceof Error ? error.message : String(error), error); }
  if (bytes.lastIndexOf(MMDB_MARKER) >= 0) {
    try {
      return { lookup: mmdbLookup(bytes), source: `${path} (MaxMind DB)`, rejected: [], ipv6Skipped: 0 };
    } catch (error) {
      throw unreadableInput(path, `not a valid MaxMind DB file (${error instanceof Error ? error.message : String(error)})`, error);
    }
  }
  let records: Record<string, string>[];
  try {
    records = parse(bytes, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw unreadableInput(path, `not a CSV IP-network table (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (records.length > 0 && !('network' in (records[0] ?? {}))) {
    throw new LockstepError('ingest/unreadable', `${path}:1: an IP-network table needs the columns network,asn,org,country,kind`);
  }
  const networks: IpNetwork[] = [];
  const rejected: { line: number; reason: string }[] = [];
  records.forEach((record, index) => {
    const row = readNetworkRecord(record);
    if (row.ok) networks.push(row.value);
    else rejected.push({ line: index + 2, reason: row.reason });
  });
  const table = buildIpTable(networks);
  return { lookup: table, source: path, rejected, ipv6Skipped: table.ipv6Skipped };
}

/** The table ingested into the store. */
export async function loadIpTableFromStore(connection: DuckDBConnection, label: string): Promise<LoadedIpTable> {
  const table = buildIpTable(await readIpNetworks(connection));
  return { lookup: table, source: `${label} (ip_networks)`, rejected: table.invalid.map((cidr) => ({ line: 0, reason: `network "${cidr}" is not a CIDR` })), ipv6Skipped: table.ipv6Skipped };
}
