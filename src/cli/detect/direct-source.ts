/**
 * `lockstep detect FILE...` without the store, for inputs a columnar reader handles (today
 * CooRTweet's 4-column CSV): files straight into typed columns, bad rows into the rejects file
 * with file, line and reason, and an ingest report shaped like the store path's.
 */
import { readHead } from '../../ingest/file-text.js';
// The format table and the rejects file only: the ingest barrel would load the store path's readers too.
import { detectFormat } from '../../ingest/formats.js';
import type { FormatName } from '../../ingest/formats.js';
import { RejectsFile } from '../../ingest/rejects-file.js';
import { readCoortweetColumnsSplit } from '../../ingest/columnar/index.js';
import type { Reject } from '../../model/index.js';
import type { IngestReport } from '../commands/ingest.js';
import type { ReadThreads } from './read-threads.js';
import { coortweetActions, coortweetSource } from './coortweet-source.js';
import type { DetectSource } from './detect-source.js';

export interface DirectOptions {
  rejects: string;
  format?: FormatName;
  map?: string;
  /** Threads reading a CooRTweet file (default 'auto'). */
  threads?: ReadThreads;
}

/** True when every input can be read without the store. */
export async function canReadDirectly(inputs: readonly string[], options: DirectOptions): Promise<boolean> {
  if (inputs.length === 0 || options.map !== undefined) return false;
  if (options.format !== undefined && options.format !== 'coortweet') return false;
  for (const file of inputs) if (detectFormat(await readHead(file)) !== 'coortweet') return false;
  return true;
}

/** Reads the inputs into a detect source; call only when `canReadDirectly` said yes. */
export async function readDirectly(inputs: readonly string[], options: DirectOptions): Promise<{ source: DetectSource; ingest: IngestReport }> {
  const started = performance.now();
  const rejected: Reject[] = [];
  const columns = await readCoortweetColumnsSplit(inputs, (reject) => rejected.push(reject), { threads: options.threads ?? 'auto' });
  const actions = coortweetActions(columns);
  const rejects = new RejectsFile(options.rejects);
  try {
    for (const reject of rejected) await rejects.write(reject);
  } finally {
    await rejects.close();
  }
  const files = columns.files.map((file, index) => ({
    file: file.file, format: 'coortweet' as const, read: file.read, rejected: file.rejected, skipped: 0, seconds: file.seconds,
    ingested: actions.counts[index]?.ingested ?? 0, duplicates: actions.counts[index]?.duplicates ?? 0, actorsAdded: actions.counts[index]?.actorsAdded ?? 0,
  }));
  const sum = (key: 'read' | 'ingested' | 'duplicates' | 'rejected' | 'actorsAdded'): number => files.reduce((total, file) => total + file[key], 0);
  const ingest: IngestReport = {
    files, read: sum('read'), ingested: sum('ingested'), duplicates: sum('duplicates'), rejected: sum('rejected'), skipped: 0,
    actorsAdded: sum('actorsAdded'), rejectsFile: rejects.writtenPath, seconds: (performance.now() - started) / 1000,
  };
  return { source: coortweetSource(columns, actions), ingest };
}
