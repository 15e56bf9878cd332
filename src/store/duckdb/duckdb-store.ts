/** The embedded default store: one DuckDB file, no server. */
import type { CsvLoadRequest, CsvLoadResult, IngestStore, ItemBatch, LoadCounts } from '../../ingest/port.js';
import { storeFailed } from '../../model/index.js';
import { appendItemBatch } from './batch-loader.js';
import { openDuckDb, queryRows, sqlString, toNumber } from './connection.js';
import type { DuckDbHandle, OpenOptions } from './connection.js';
import { loadCsvFile } from './csv-loader.js';
import { readStats } from './stats.js';
import type { StoreStats } from './stats.js';

export class DuckDbStore implements IngestStore {
  private constructor(private readonly handle: DuckDbHandle, readonly path: string) {}

  /** `:memory:` gives a throw-away store; past `memoryLimit`, DuckDB spills to `tempDirectory`. */
  static async open(path: string, options: OpenOptions = {}): Promise<DuckDbStore> {
    return new DuckDbStore(await openDuckDb(path, options), path);
  }

  get connection(): DuckDbHandle['connection'] {
    return this.handle.connection;
  }

  async beginIngest(file: string, format: string): Promise<number> {
    const rows = await queryRows(this.connection, 'SELECT coalesce(max(ingest_id), 0) + 1 AS id FROM ingest_log');
    const id = toNumber(rows[0]?.['id']);
    await this.connection.run(
      `INSERT INTO ingest_log (ingest_id, file, format, started_at) VALUES (${id}, ${sqlString(file)}, ${sqlString(format)}, ${Date.now()})`);
    return id;
  }

  async loadCsv(ingestId: number, request: CsvLoadRequest): Promise<CsvLoadResult> {
    try {
      return await loadCsvFile(this.connection, ingestId, request);
    } catch (error) {
      throw storeFailed(`loading ${request.file}`, error);
    }
  }

  async appendBatch(ingestId: number, batch: ItemBatch): Promise<LoadCounts> {
    try {
      return await appendItemBatch(this.connection, ingestId, batch);
    } catch (error) {
      throw storeFailed('appending a batch', error);
    }
  }

  async finishIngest(ingestId: number, counts: LoadCounts): Promise<void> {
    await this.connection.run(
      `UPDATE ingest_log SET finished_at = ${Date.now()}, read = ${counts.read}, ingested = ${counts.ingested},
         duplicates = ${counts.duplicates}, rejected = ${counts.rejected} WHERE ingest_id = ${ingestId}`);
  }

  async stats(): Promise<StoreStats> {
    return readStats(this.connection);
  }

  /** Flushes the WAL into the file; called before a clean exit so the file stands alone. */
  async close(): Promise<void> {
    try {
      await this.connection.run('CHECKPOINT');
    } finally {
      this.handle.connection.closeSync();
      this.handle.instance.closeSync();
    }
  }
}
