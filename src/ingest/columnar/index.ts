export { ByteInterner } from './byte-interner.js';
export type { CsvRecord, CsvScanOptions } from './csv-scan.js';
export { CSV_SCAN_DEFAULTS, fieldText, scanCsvFile } from './csv-scan.js';
export type { CoortweetColumns, CoortweetFileCounts } from './coortweet-columns.js';
export { COORTWEET_COLUMNS, readCoortweetColumns, sharedIds, unixMs } from './coortweet-columns.js';
export { parseDecimal } from './parse-number.js';
export type { IoFileCounts, IoTweetsColumns } from './io-tweets-columns.js';
export { IO_KINDS, KIND_POST, KIND_QUOTE, KIND_REPLY, KIND_REPOST, parseIoTime, readIoArchiveColumns } from './io-tweets-columns.js';
