/**
 * `lockstep detect` ends its process as soon as its outputs are written. At 10M CooRTweet rows,
 * after the last output was written, Node's teardown (disposing of a heap of about 1 GB) and then
 * the kernel's release of the process's memory took about 0.25 s of wall time that `total_seconds`
 * did not count. Every output file is written through and closed by then (summary.json renamed
 * into place last), so its bytes are in the kernel's page cache whatever the process does next:
 * `process.exit` skips only the heap's disposal. In the detect child of src/cli/malloc-reexec.ts
 * the code then goes to the parent, which exits with it while the kernel takes this process's
 * memory back; stdout and stderr are closed first, so a caller reading them sees their end then.
 */
import { closeSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { exitReportFd } from '../config.js';

/** A stream's pending output written: an empty write calls back after everything queued before it. */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write('', () => resolve());
  });
}

/** Tells the parent `code` on `fd` and closes stdout and stderr: the last thing this process does. */
function reportExit(fd: number, code: number): void {
  try {
    writeSync(fd, `${code}\n`);
    closeSync(fd);
    closeSync(1);
    closeSync(2);
  } catch {
    // The parent is gone or the pipe closed: it learns the code from the exit instead.
  }
}

/**
 * Waits until `streams` (stdout and stderr by default) have written what they hold, then calls
 * `exit(code)` (process.exit by default); with `reportFd` (a detect child's), the code goes to the
 * parent after every other 'exit' listener has run.
 */
export async function exitWhenFlushed(code: number, reportFd: number | null = exitReportFd(), streams: readonly Writable[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (value) => process.exit(value)): Promise<void> {
  await Promise.all(streams.map(flushed));
  if (reportFd !== null) process.once('exit', () => reportExit(reportFd, code));
  exit(code);
}
