/** `lockstep ingest FILE...`: files into the store, bad rows into the rejects file. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { FORMAT_DESCRIPTIONS, FORMAT_NAMES, RejectsFile, ingestFile } from '../../ingest/index.js';
import type { FileSummary, FormatName } from '../../ingest/index.js';
import { DuckDbStore } from '../../store/index.js';
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

export interface IngestCliOptions { format?: FormatName; db: string; rejects: string; map?: string; platform?: string; json?: boolean }

/** Ingests files into an open store; shared by `ingest` and `demo`. */
export async function ingestInto(store: DuckDbStore, files: readonly string[], options: Omit<IngestCliOptions, 'db' | 'json'>, showProgress: boolean): Promise<IngestReport> {
  const started = performance.now();
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

export function registerIngest(program: Command, config: Config, io: CliIo): void {
  program.command('ingest')
    .description('Read activity and account files into the store (format detected from the header or shape)')
    .argument('<files...>', 'input files')
    .addOption(new Option('--format <format>', 'force the input format').choices(FORMAT_NAMES))
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--rejects <path>', 'where rows that cannot be read are kept', 'lockstep-rejects.csv')
    .option('--map <mapping>', 'column mapping for generic CSV/JSONL, e.g. account=user_id,time=created_at,id=tweet_id')
    .option('--platform <name>', 'platform name for formats that do not say (generic, logins)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', `\nFormats:\n${FORMAT_NAMES.map((name) => `  ${name.padEnd(18)} ${FORMAT_DESCRIPTIONS[name]}`).join('\n')}`)
    .action(async (files: string[], options: IngestCliOptions) => {
      const store = await DuckDbStore.open(options.db);
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
