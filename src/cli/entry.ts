/** Process entry of the `lockstep` binary (bin/lockstep.js loads the compiled copy). */
import { main } from './main.js';

process.exitCode = await main(process.argv);
