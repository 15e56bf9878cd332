export { FORMAT_DESCRIPTIONS, FORMAT_NAMES, IO_TWEET_COLUMNS, IO_USER_COLUMNS, detectFormat } from './formats.js';
export type { FormatName } from './formats.js';
export { INGEST_DEFAULTS, ingestFile } from './ingest-files.js';
export type { FileSummary, IngestOptions } from './ingest-files.js';
export { RejectsFile, REJECTS_HEADER } from './rejects-file.js';
export type { CsvLoadRequest, CsvLoadResult, IngestStore, ItemBatch, LoadCounts } from './port.js';
