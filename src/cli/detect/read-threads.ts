/**
 * `--read-threads auto|1|2`: how many threads read a CooRTweet file. `auto` (the default) splits a
 * large file when a core is idle while its first megabytes are read (src/ingest/columnar/
 * idle-cores.ts); 1 or 2 fixes it, e.g. on a machine shared with other jobs, where the decision,
 * taken once at the start, may not hold for the whole read.
 */
export type ReadThreads = 'auto' | 1 | 2;

export const READ_THREAD_CHOICES: readonly string[] = ['auto', '1', '2'];

/** The option's text (commander has checked it is one of READ_THREAD_CHOICES) as the reader's setting. */
export function readThreads(text: string | undefined): ReadThreads {
  return text === '1' ? 1 : text === '2' ? 2 : 'auto';
}
