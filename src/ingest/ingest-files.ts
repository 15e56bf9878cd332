/**
 * Ingest: files in, canonical rows in the store, every bad row in the rejects file.
 * CSV archives are bulk-loaded by the store itself; the other formats are read here in JS and
 * appended in batches.
 */
import { LockstepError, unknownFormat } from '../model/index.js';
import { fileSize, readHead } from './file-text.js';
import { CSV_FORMATS, REQUIRED_COLUMNS, detectFormat, parseCsvHeader } from './formats.js';
import type { FormatName } from './formats.js';
import { writeBulkRejects } from './locate-rejects.js';
import { CSV_TABLE_FORMATS } from './port.js';
import type { CsvTableFormat, IngestStore, ItemBatch, LoadCounts } from './port.js';
import { recordReader } from './record-readers.js';
import { csvRecords, jsonRecords } from './record-sources.js';
import type { RejectsFile } from './rejects-file.js';

export interface IngestOptions {
  /** Force a format instead of detecting it. */
  format?: FormatName;
  /** Column mapping for the generic formats, e.g. `account=user_id,time=created_at`. */
  map?: string;
  /** Platform name for formats that do not say (generic, logins). */
  platform?: string;
  batchSize: number;
  onProgress?: (progress: { file: string; fraction: number }) => void;
}

export const INGEST_DEFAULTS: IngestOptions = { batchSize: 50_000 };

export interface FileSummary extends LoadCounts {
  file: string;
  format: FormatName;
  /** Records that carry nothing lockstep models (e.g. Jetstream deletes), neither kept nor rejected. */
  skipped: number;
  seconds: number;
}

function resolveFormat(file: string, head: string, forced: FormatName | undefined): FormatName {
  if (forced !== undefined) return forced;
  const detected = detectFormat(head);
  if (detected === null) throw unknownFormat(file, 'neither JSON nor a CSV with a header');
  return detected;
}

function checkColumns(file: string, format: FormatName, header: readonly string[]): void {
  const missing = (REQUIRED_COLUMNS[format] ?? []).filter((column) => !header.includes(column));
  if (missing.length > 0) throw unknownFormat(file, `as ${format} it lacks the column(s) ${missing.join(', ')}`);
}

async function bulkLoad(file: string, format: CsvTableFormat, head: string, store: IngestStore, ingestId: number, rejects: RejectsFile, options: IngestOptions): Promise<LoadCounts> {
  const header = parseCsvHeader(head) ?? [];
  checkColumns(file, format, header);
  const onProgress = options.onProgress === undefined ? undefined : (fraction: number): void => options.onProgress?.({ file, fraction });
  const result = await store.loadCsv(ingestId, { file, format, header, ...(onProgress === undefined ? {} : { onProgress }) });
  try {
    await writeBulkRejects(file, result, rejects);
  } finally {
    await result.release();
  }
  const structural = result.structureRejects.count;
  return { ...result.counts, read: result.counts.read + structural, rejected: result.counts.rejected + structural };
}

function emptyBatch(): ItemBatch {
  return { actors: [], actions: [], infra: [], networks: [] };
}

function batchSize(batch: ItemBatch): number {
  return batch.actors.length + batch.actions.length + batch.infra.length + batch.networks.length;
}

/**
 * The record reader of the file. A file whose format nothing recognised and that has no --map is
 * named with its columns, so a user who passed several files knows which one to map or leave out.
 */
function readerOf(file: string, format: FormatName, header: string[] | undefined, options: IngestOptions): ReturnType<typeof recordReader> {
  try {
    return recordReader(format, { ...(options.map === undefined ? {} : { map: options.map }), ...(header === undefined ? {} : { header }), platform: options.platform ?? 'unknown' });
  } catch (error) {
    if (!(error instanceof LockstepError)) throw error;
    const columns = header === undefined || header.length === 0 ? '' : ` (columns: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''})`;
    const why = options.map === undefined ? `its format was not recognised${columns}; name it with --format, or map its columns: ` : '';
    throw new LockstepError(error.code, `${file}: ${why}${error.message}`, { cause: error });
  }
}

async function streamLoad(file: string, format: FormatName, head: string, store: IngestStore, ingestId: number, rejects: RejectsFile, options: IngestOptions): Promise<LoadCounts & { skipped: number }> {
  const size = await fileSize(file);
  const isCsv = CSV_FORMATS.has(format);
  const header = isCsv ? parseCsvHeader(head) ?? [] : undefined;
  if (header !== undefined) checkColumns(file, format, header);
  const read = readerOf(file, format, header, options);
  const totals = { read: 0, ingested: 0, duplicates: 0, rejected: 0, actorsAdded: 0, skipped: 0 };
  let batch = emptyBatch();
  const flush = async (): Promise<void> => {
    const counts = await store.appendBatch(ingestId, batch);
    totals.read += counts.read;
    totals.ingested += counts.ingested;
    totals.duplicates += counts.duplicates;
    totals.actorsAdded += counts.actorsAdded;
    batch = emptyBatch();
  };
  let lastProgress = 0;
  for await (const record of isCsv ? csvRecords(file, size) : jsonRecords(file, size)) {
    if (!record.ok) {
      totals.read += 1;
      totals.rejected += 1;
      await rejects.write({ file, line: record.line, reason: record.reason, raw: record.raw });
      continue;
    }
    const result = read(record.value);
    batch.actors.push(...result.actors);
    batch.actions.push(...result.actions);
    batch.infra.push(...result.infra);
    batch.networks.push(...result.networks);
    for (const problem of result.problems) {
      totals.read += 1;
      totals.rejected += 1;
      await rejects.write({ file, line: record.line, reason: problem, raw: record.raw });
    }
    if (result.problems.length === 0 && result.actions.length + result.infra.length + result.networks.length + result.actors.length === 0) totals.skipped += 1;
    if (batchSize(batch) >= options.batchSize) await flush();
    if (record.progress - lastProgress >= 0.01) {
      lastProgress = record.progress;
      options.onProgress?.({ file, fraction: record.progress });
    }
  }
  await flush();
  totals.read += totals.skipped;
  return totals;
}

/**
 * Ingests one file into the store. Throws only when the file cannot be read at all (missing,
 * empty, unknown format); bad rows go to `rejects` and are counted.
 */
export async function ingestFile(file: string, store: IngestStore, rejects: RejectsFile, options: Partial<IngestOptions> = {}): Promise<FileSummary> {
  const settings: IngestOptions = { ...INGEST_DEFAULTS, ...options };
  const started = performance.now();
  const head = await readHead(file);
  const format = resolveFormat(file, head, settings.format);
  const ingestId = await store.beginIngest(file, format);
  const counts = CSV_TABLE_FORMATS.has(format)
    ? { ...await bulkLoad(file, format as CsvTableFormat, head, store, ingestId, rejects, settings), skipped: 0 }
    : await streamLoad(file, format, head, store, ingestId, rejects, settings);
  await store.finishIngest(ingestId, counts);
  settings.onProgress?.({ file, fraction: 1 });
  return { file, format, ...counts, seconds: (performance.now() - started) / 1000 };
}
