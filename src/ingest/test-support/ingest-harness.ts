/** Runs ingests against a fresh DuckDB store in a scratch directory, for the ingest tests. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DuckDbStore } from '../../store/index.js';
import { scratchDir } from '../../test-support/fixtures.js';
import { ingestFile } from '../ingest-files.js';
import type { FileSummary, IngestOptions } from '../ingest-files.js';
import { RejectsFile } from '../rejects-file.js';

export interface Harness {
  dir: string;
  dbPath: string;
  rejectsPath: string;
  store: DuckDbStore;
  ingest(file: string, options?: Partial<IngestOptions>): Promise<FileSummary>;
  rejectRows(): Promise<{ file: string; line: string; reason: string; raw: string }[]>;
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const { dir, cleanup } = await scratchDir();
  const dbPath = join(dir, 'store.duckdb');
  const rejectsPath = join(dir, 'rejects.csv');
  const store = await DuckDbStore.open(dbPath);
  const rejects = new RejectsFile(rejectsPath);
  return {
    dir, dbPath, rejectsPath, store,
    ingest: (file, options) => ingestFile(file, store, rejects, options),
    async rejectRows() {
      await rejects.close();
      if (rejects.writtenPath === null) return [];
      return parse(await readFile(rejectsPath, 'utf8'), { columns: true }) as { file: string; line: string; reason: string; raw: string }[];
    },
    async count(sql) {
      const reader = await store.connection.runAndReadAll(sql);
      return Number(reader.getRows()[0]?.[0] ?? 0);
    },
    async close() {
      await rejects.close();
      await store.close();
      await cleanup();
    },
  };
}
