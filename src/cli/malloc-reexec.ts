/**
 * `lockstep detect` on Linux runs itself once more with `MALLOC_MMAP_THRESHOLD_=131072`
 * (src/config.ts `mallocChildEnv` says when).
 *
 * Why: glibc serves large blocks (the engine's typed arrays) with mmap only above a threshold that
 * grows, as blocks are freed, up to 32 MB; below it a freed array stays in the heap for reuse. After
 * detection the process held about twice its live memory (scale 30: RSS 1236 MiB against a live
 * heap of 126 MiB and 413 MiB outside it), and later stages stacked on the freed tables. A fixed
 * threshold of 128 KB returns every freed table to the system: the synthetic archive of 10.3M rows
 * peaked at 3.74 GB instead of 4.20 GB, same outputs. glibc reads the setting only when a process
 * starts, so it cannot be set from inside; hence the second process.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { EXIT_REPORT_FD, markReexecParent } from '../config.js';

/** The child's descriptor for its exit report: the first after stdin, stdout and stderr. */
const REPORT_FD = 3;

/**
 * Runs this command again in a child with `env`, passing on its stdio, node flags and signals
 * (SIGINT, SIGTERM, SIGHUP), and resolves to the exit code to give (128 + n after a signal). The
 * child reports its code on a pipe once its outputs are written and its stdout and stderr closed
 * (src/cli/exit-when-flushed.ts); that resolves at once, without waiting for the kernel to take
 * down the child's memory (0.2 s at 10M events). A child that ends without reporting (a crash, a
 * signal) resolves on its exit, as before. `args` are the child's node arguments (tests).
 */
export function runInChild(env: NodeJS.ProcessEnv, args: readonly string[] = [...process.execArgv, ...process.argv.slice(1)]): Promise<number> {
  const child = spawn(process.execPath, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env: { ...env, [EXIT_REPORT_FD]: String(REPORT_FD) } });
  markReexecParent();
  const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve) => {
    let report = '';
    const pipe = child.stdio[REPORT_FD] as Readable | null;
    pipe?.setEncoding('utf8');
    pipe?.on('data', (text: string) => { report += text; });
    pipe?.on('end', () => {
      const code = /^(\d+)\n$/.exec(report);
      if (code !== null) resolve(Number(code[1]));
    });
    pipe?.on('error', () => undefined);
    child.on('error', (error) => {
      process.stderr.write(`lockstep: could not start detect in a child process: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const name of signals) process.off(name, forward);
      resolve(code ?? (signal === null ? 1 : 128 + constants.signals[signal]));
    });
  });
}
