/**
 * Whether this command line will read a CooRTweet file on two threads, so that src/cli/entry.ts
 * starts the reading worker before the CLI's modules load (src/ingest/columnar/reading-worker.ts
 * says why). Only `detect --compat` knows its input's format from its arguments; it splits files
 * of at least EARLY_WORKER_MIN_BYTES unless `--read-threads 1`. A worker started for nothing (the
 * cores turn out busy) costs about 0.2 CPU-s and is stopped when the read begins.
 */
import { statSync } from 'node:fs';

/** The split read's `minSplitBytes` (SPLIT_READ_DEFAULTS; spelled here to load nothing, a test checks they agree). */
export const EARLY_WORKER_MIN_BYTES = 16 << 20;

/** True for `detect … --compat …` with an argument naming a file of at least `minBytes`, not `--read-threads 1`. */
export function wantsReadingWorker(argv: readonly string[], minBytes = EARLY_WORKER_MIN_BYTES): boolean {
  const args = argv.slice(2);
  if (args[0] !== 'detect' || !args.some((arg) => arg === '--compat' || arg.startsWith('--compat='))) return false;
  if (args.some((arg, at) => arg === '--read-threads=1' || (arg === '--read-threads' && args[at + 1] === '1'))) return false;
  return args.some((arg) => !arg.startsWith('-') && largeFile(arg, minBytes));
}

function largeFile(path: string, minBytes: number): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && stat.size >= minBytes;
  } catch {
    return false;
  }
}
