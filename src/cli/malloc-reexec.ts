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
import { markReexecParent } from '../config.js';

/**
 * Runs this command again in a child with `env`, passing on its stdio, node flags and signals
 * (SIGINT, SIGTERM, SIGHUP), and resolves to the exit code to give (128 + n after a signal).
 */
export function runInChild(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  markReexecParent();
  const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve) => {
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
