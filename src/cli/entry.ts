/** Process entry of the `lockstep` binary (bin/lockstep.js loads the compiled copy). */
import { startReadingWorker } from '../ingest/columnar/reading-worker.js';
import { wantsReadingWorker } from './early-reading-worker.js';

// Before anything else loads: a worker's boot (0.2-0.3 s) then overlaps the CLI's start-up. The two
// modules above load only src/worker-thread.ts besides (a direct import: the columnar index would
// load every reader).
if (wantsReadingWorker(process.argv)) startReadingWorker();
const { mallocChildEnv } = await import('../config.js');
const { main } = await import('./main.js');
const { runInChild } = await import('./malloc-reexec.js');

// `detect` on Linux works in a child with glibc's mmap threshold fixed (src/cli/malloc-reexec.ts).
const childEnv = mallocChildEnv(process.argv);
process.exitCode = childEnv === null ? await main(process.argv) : await runInChild(childEnv);
