/** The `lockstep` command line: thin commands over the same services the server uses. */
import { Command, CommanderError } from 'commander';
import { readConfig } from '../config.js';
import { LockstepError } from '../model/index.js';
import { registerAudit } from './commands/audit.js';
import { registerCases } from './commands/cases.js';
import { registerDemo } from './commands/demo.js';
import { registerDetect } from './commands/detect.js';
import { registerDisclose } from './commands/disclose.js';
import { registerIngest } from './commands/ingest.js';
import { registerServe } from './commands/serve.js';
import { registerShare } from './commands/share.js';
import { registerSignals } from './commands/signals.js';
import { registerSignups } from './commands/signups.js';
import { registerStats } from './commands/stats.js';
import { registerStream } from './commands/stream.js';
import { registerSynth } from './commands/synth.js';
import { registerUsers } from './commands/users.js';
import { processIo } from './io.js';
import type { CliIo } from './io.js';

export function buildProgram(io: CliIo): Command {
  const config = readConfig();
  const program = new Command('lockstep')
    .description('Find, prove, stop and disclose coordinated inauthentic behaviour: accounts acting in lockstep.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  registerIngest(program, config, io);
  registerStats(program, config, io);
  registerDetect(program, config, io);
  registerSynth(program, io);
  registerDemo(program, config, io);
  registerSignups(program, config, io);
  registerSignals(program, config, io);
  registerStream(program, config, io);
  registerServe(program, config, io);
  registerUsers(program, config, io);
  registerAudit(program, config, io);
  registerCases(program, config, io);
  registerShare(program, config, io);
  registerDisclose(program, config, io);
  return program;
}

/** Runs the CLI and returns the exit code (no process.exit, so tests can call it). */
export async function main(argv: readonly string[], io: CliIo & { exitCode: () => number } = processIo()): Promise<number> {
  try {
    // Inside the try: reading the environment (readConfig) may refuse a bad value with a LockstepError.
    await buildProgram(io).parseAsync([...argv]);
    return io.exitCode();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof LockstepError) {
      io.err(`lockstep: ${error.message}`);
      return 2;
    }
    io.err(`lockstep: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 70;
  }
}
