/** Process entry of the `lockstep` binary (bin/lockstep.js loads the compiled copy). */
import { startReadingWorker } from '../ingest/columnar/reading-worker.js';
import { wantsReadingWorker } from './early-reading-worker.js';

// Before anything else loads: a worker's boot (0.2-0.3 s) then overlaps the CLI's start-up. The two
// modules above load only src/worker-thread.ts besides (a direct import: the columnar index would
// load every reader).
if (wantsReadingWorker(process.argv)) startReadingWorker();
const { mallocChildEnv } = await import('../config.js');

// `detect` on Linux works in a child with glibc's mmap threshold fixed (src/cli/malloc-reexec.ts).
// The parent loads only what spawns and waits (the CLI's modules took it ~0.07 s before the spawn).
const childEnv = mallocChildEnv(process.argv);
const code = childEnv === null
  ? await (await import('./main.js')).main(process.argv)
  : await (await import('./malloc-reexec.js')).runInChild(childEnv);
process.exitCode = code;
// detect's outputs are all written by now: end without the heap's teardown (src/cli/exit-when-flushed.ts).
if (process.argv[2] === 'detect') await (await import('./exit-when-flushed.js')).exitWhenFlushed(code);
