/** Process entry of the `lockstep` binary (bin/lockstep.js loads the compiled copy). */
import { mallocChildEnv } from '../config.js';
import { main } from './main.js';
import { runInChild } from './malloc-reexec.js';

// `detect` on Linux works in a child with glibc's mmap threshold fixed (src/cli/malloc-reexec.ts).
const childEnv = mallocChildEnv(process.argv);
process.exitCode = childEnv === null ? await main(process.argv) : await runInChild(childEnv);
