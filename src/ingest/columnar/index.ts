export { ByteInterner } from './byte-interner.js';
export type { CsvRecord, CsvScanOptions } from './csv-scan.js';
export { CSV_SCAN_DEFAULTS, fieldText, scanCsvFile } from './csv-scan.js';
export type { CoortweetColumns, CoortweetFileCounts } from './coortweet-columns.js';
export { COORTWEET_COLUMNS, readCoortweetColumns, sharedIds, unixMs } from './coortweet-columns.js';
export type { SplitReadOptions } from './coortweet-split.js';
export { SPLIT_READ_DEFAULTS, readCoortweetColumnsSplit } from './coortweet-split.js';
export { parseDecimal } from './parse-number.js';
export type { IoFileCounts, IoTweetsColumns } from './io-tweets-columns.js';
export type { IoProfile } from './io-profiles.js';
export { IO_PROFILE_COLUMNS, ioProfile, parseProfileCount, parseProfileDate } from './io-profiles.js';
export { IO_KINDS, KIND_POST, KIND_QUOTE, KIND_REPLY, KIND_REPOST, parseIoTime, readIoArchiveColumns } from './io-tweets-columns.js';
// The columnar readers' rejects are written with the ingest module's rejects file; re-exported here
// so a command that only reads columns (detect --compat) does not load every ingest reader (~0.15 s).
export { RejectsFile } from '../rejects-file.js';
