/**
 * `lockstep detect FILE...` without the store for Information Operations archive files (tweets
 * CSV, with or without the users CSV): files straight into typed columns, bad rows into the
 * rejects file with file, line and reason, and an ingest report shaped like the store path's.
 */
import { readHead } from '../../ingest/file-text.js';
import { detectFormat, RejectsFile } from '../../ingest/index.js';
import { readIoArchiveColumns } from '../../ingest/columnar/index.js';
import type { Reject } from '../../model/index.js';
import type { IngestReport } from '../commands/ingest.js';
import type { DetectSource } from './detect-source.js';
import type { DirectOptions } from './direct-source.js';
import { ioActions, ioArchiveSource } from './io-archive-source.js';
import { collectGarbage } from './release-memory.js';

type IoFormat = 'twitter-io-tweets' | 'twitter-io-users';

/** The inputs' formats when every one is an archive tweets or users CSV and one at least is tweets; else null. */
export async function ioArchiveInputs(inputs: readonly string[], options: DirectOptions): Promise<{ file: string; format: IoFormat }[] | null> {
  if (inputs.length === 0 || options.map !== undefined) return null;
  const found: { file: string; format: IoFormat }[] = [];
  for (const file of inputs) {
    const format = options.format ?? detectFormat(await readHead(file));
    if (format !== 'twitter-io-tweets' && format !== 'twitter-io-users') return null;
    found.push({ file, format });
  }
  return found.some((input) => input.format === 'twitter-io-tweets') ? found : null;
}

/** Reads archive files into a detect source; call only with what `ioArchiveInputs` returned. */
export async function readIoArchive(inputs: readonly { file: string; format: IoFormat }[], options: DirectOptions): Promise<{ source: DetectSource; ingest: IngestReport }> {
  const started = performance.now();
  const rejected: Reject[] = [];
  const columns = readIoArchiveColumns(inputs, (reject) => rejected.push(reject));
  const actions = ioActions(columns);
  const rejects = new RejectsFile(options.rejects);
  try {
    for (const reject of rejected) await rejects.write(reject);
  } finally {
    await rejects.close();
  }
  let tweetsFile = 0;
  const files = columns.files.map((file) => {
    const good = file.read - file.rejected;
    const kept = file.format === 'twitter-io-tweets' ? actions.counts[tweetsFile++]?.ingested ?? 0 : file.usersKept;
    return {
      file: file.file, format: file.format, read: file.read, rejected: file.rejected, skipped: 0, seconds: file.seconds,
      ingested: kept, duplicates: good - kept, actorsAdded: file.actorsAdded,
    };
  });
  const sum = (key: 'read' | 'ingested' | 'duplicates' | 'rejected' | 'actorsAdded'): number => files.reduce((total, file) => total + file[key], 0);
  const ingest: IngestReport = {
    files, read: sum('read'), ingested: sum('ingested'), duplicates: sum('duplicates'), rejected: sum('rejected'), skipped: 0,
    actorsAdded: sum('actorsAdded'), rejectsFile: rejects.writtenPath, seconds: (performance.now() - started) / 1000,
  };
  collectGarbage();
  return { source: ioArchiveSource(columns, actions), ingest };
}
