/** `lockstep ingest FILE...`: files into the store, bad rows into the rejects file. */
import type { Command } from 'commander';
import { Option } from 'commander';
// Only what the options and help need is imported up front; the readers and the store load when the command runs.
import { FORMAT_DESCRIPTIONS, FORMAT_NAMES } from '../../ingest/formats.js';
import { RejectsFile } from '../../ingest/rejects-file.js';
import type { FileSummary, FormatName } from '../../ingest/index.js';
import { badOption } from '../../model/index.js';
import type { DuckDbStore } from '../../store/index.js';
import type { Config } from '../../config.js';
import { formatCount, progressBar } from '../progress.js';
import type { CliIo } from '../io.js';

export interface IngestReport {
  files: FileSummary[];
  read: number;
  ingested: number;
  duplicates: number;
  rejected: number;
  skipped: number;
  actorsAdded: number;
  rejectsFile: string | null;
  seconds: number;
}

export interface IngestCliOptions { format?: FormatName; db: string; rejects: string; map?: string; platform?: string; json?: boolean; memory?: string }

const SIZE_UNITS: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** DuckDB's memory limit for the load, checked here so a typo is a clear error, not a store failure. */
export function parseMemoryLimit(text: string): string {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)\s*$/i.exec(text);
  if (match === null) throw badOption('--memory', `"${text}" is not a size such as 512MB or 2GB`);
  const [, amount = '', unit = ''] = match;
  if (Number(amount) * (SIZE_UNITS[unit.toLowerCase()] ?? 0) < 256e6) throw badOption('--memory', `"${text}" is too small: the CSV reader alone needs about 256MB`);
  return `${amount}${unit.toUpperCase().replace('IB', 'iB')}`;
}

/** Ingests files into an open store; shared by `ingest` and `demo`. */
export async function ingestInto(store: DuckDbStore, files: readonly string[], options: Omit<IngestCliOptions, 'db' | 'json'>, showProgress: boolean): Promise<IngestReport> {
  const started = performance.now();
  const { ingestFile } = await import('../../ingest/ingest-files.js');
  const rejects = new RejectsFile(options.rejects);
  const bar = progressBar(showProgress);
  const summaries: FileSummary[] = [];
  try {
    for (const file of files) {
      summaries.push(await ingestFile(file, store, rejects, {
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.map === undefined ? {} : { map: options.map }),
        ...(options.platform === undefined ? {} : { platform: options.platform }),
        onProgress: ({ fraction }) => bar.update(file, fraction),
      }));
    }
  } finally {
    bar.done();
    await rejects.close();
  }
  const sum = (key: 'read' | 'ingested' | 'duplicates' | 'rejected' | 'skipped' | 'actorsAdded'): number =>
    summaries.reduce((total, summary) => total + summary[key], 0);
  return {
    files: summaries, read: sum('read'), ingested: sum('ingested'), duplicates: sum('duplicates'), rejected: sum('rejected'),
    skipped: sum('skipped'), actorsAdded: sum('actorsAdded'), rejectsFile: rejects.writtenPath, seconds: (performance.now() - started) / 1000,
  };
}

export function describeIngest(report: IngestReport): string {
  const lines = report.files.map((file) =>
    `${file.file} (${file.format}): ${file.read} read, ${file.ingested} new, ${file.duplicates} duplicate, ${file.rejected} rejected` +
    `${file.skipped > 0 ? `, ${file.skipped} skipped` : ''}, ${file.actorsAdded} new accounts, ${formatCount(file.read / Math.max(file.seconds, 1e-9))} rows/s`);
  lines.push(`total: ${report.read} read, ${report.ingested} new, ${report.duplicates} duplicate, ${report.rejected} rejected in ${report.seconds.toFixed(2)}s`);
  if (report.rejectsFile !== null) lines.push(`rejected rows (file, line, reason, raw text) are in ${report.rejectsFile}`);
  return lines.join('\n');
}

/**
 * DuckDB's limit during a load. Its default (80% of RAM) let a 10M-row file take 2.3 GB; past this
 * limit the first scan's table and the joins spill to `<db>.tmp`, so memory stays about flat.
 */
export const INGEST_MEMORY_LIMIT = '1GB';

export function registerIngest(program: Command, config: Config, io: CliIo): void {
  program.command('ingest')
    .description('Read activity and account files into the store (format detected from the header or shape)')
    .argument('<files...>', 'input files')
    .addOption(new Option('--format <format>', 'force the input format').choices(FORMAT_NAMES))
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--rejects <path>', 'where rows that cannot be read are kept', 'lockstep-rejects.csv')
    .option('--map <mapping>', 'column mapping for generic CSV/JSONL, e.g. account=user_id,time=created_at,id=tweet_id')
    .option('--platform <name>', 'platform name for formats that do not say (generic, logins)')
    .option('--memory <size>', 'memory limit of the store engine during the load (e.g. 1GB); past it the load spills to disk, so memory stays flat however big the file', INGEST_MEMORY_LIMIT)
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `\nFormats:\n${FORMAT_NAMES.map((name) => `  ${name.padEnd(18)} ${FORMAT_DESCRIPTIONS[name]}`).join('\n')}`)
    .action(async (files: string[], options: IngestCliOptions) => {
      const { DuckDbStore } = await import('../../store/index.js');
      const store = await DuckDbStore.open(options.db, { memoryLimit: parseMemoryLimit(options.memory ?? INGEST_MEMORY_LIMIT) });
      let report: IngestReport;
      try {
        report = await ingestInto(store, files, options, config.progress && options.json !== true);
      } finally {
        await store.close();
      }
      if (options.json === true) io.out(JSON.stringify(report));
      else io.out(describeIngest(report));
      // Non-zero only when nothing could be used at all: bad rows alone are reported, not fatal.
      if (report.ingested + report.duplicates === 0) {
        io.err('nothing was ingested: every row was rejected or the files were empty');
        io.setExitCode(1);
      }
    });
}
