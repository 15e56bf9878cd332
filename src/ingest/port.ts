/**
 * What ingest needs from a store. The port belongs here, with its user; store adapters implement it
 * (the embedded DuckDB one in src/store/duckdb) and pass the same contract tests.
 */
import type { Action, Actor, InfraObservation, IpNetwork } from '../model/index.js';

/** CSV formats the store can bulk-load by reading the file itself. */
export type CsvTableFormat = 'twitter-io-tweets' | 'twitter-io-users' | 'coortweet' | 'coortweet-multi';
export const CSV_TABLE_FORMATS: ReadonlySet<string> = new Set(['twitter-io-tweets', 'twitter-io-users', 'coortweet', 'coortweet-multi']);

export interface LoadCounts {
  /** Rows that parsed as records of the format (good or with a bad value). */
  read: number;
  ingested: number;
  duplicates: number;
  /** Rows whose values were unusable (the CSV-structure rejects are counted by the caller). */
  rejected: number;
  actorsAdded: number;
}

export interface CsvStructureReject { byteOffset: number; recordNumber: number; reason: string; raw: string }
export interface ValueReject { fingerprint: string; reason: string }

/**
 * Rejects kept by the store, read a page at a time: a file whose every row is bad must not be
 * held in memory at once.
 */
export interface RejectPages<T> {
  count: number;
  pages(): AsyncIterable<readonly T[]>;
}

export interface CsvLoadResult {
  counts: LoadCounts;
  /** Records the CSV reader could not split into the header's columns, in file order. */
  structureRejects: RejectPages<CsvStructureReject>;
  /** Distinct records that parsed but had an unusable value; located in the file by fingerprint. */
  valueRejects: RejectPages<ValueReject>;
  /** The raw fields (re-joined as CSV) of value rejects, by fingerprint: for rows not found again in the file. */
  rawOfValueRejects(fingerprints: readonly string[]): Promise<Map<string, string>>;
  /** Frees what the store kept for the pages; call once the rejects are written. */
  release(): Promise<void>;
}

export interface CsvLoadRequest {
  file: string;
  format: CsvTableFormat;
  header: readonly string[];
  onProgress?: (fraction: number) => void;
}

export interface ItemBatch {
  actors: Actor[];
  actions: Action[];
  infra: InfraObservation[];
  networks: IpNetwork[];
}

export interface IngestStore {
  /** Starts an ingest of one file and returns its id (recorded with every row it adds). */
  beginIngest(file: string, format: string): Promise<number>;
  /** Bulk-loads a CSV in one transaction: all of the file's good rows or none. */
  loadCsv(ingestId: number, request: CsvLoadRequest): Promise<CsvLoadResult>;
  /** Adds a batch in one transaction; rows already stored (same natural key) are counted as duplicates. */
  appendBatch(ingestId: number, batch: ItemBatch): Promise<LoadCounts>;
  finishIngest(ingestId: number, counts: LoadCounts): Promise<void>;
}
