/** The `lockstep` command line: thin commands over the same services the server uses. */
import { Command, CommanderError } from 'commander';
import { readConfig } from '../config.js';
import { LockstepError } from '../model/index.js';
import { processIo } from './io.js';
import type { CliIo } from './io.js';

/**
 * The program with its commands. `lockstep detect …` registers detect alone: the other commands'
 * modules took 0.03-0.06 s to load, part of every detect run's time (the 2.2M-row CooRTweet target).
 */
async function buildProgram(io: CliIo, argv: readonly string[]): Promise<Command> {
  const config = readConfig();
  const program = new Command('lockstep')
    .description('Find, prove, stop and disclose coordinated inauthentic behaviour: accounts acting in lockstep.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  const { registerDetect } = await import('./commands/detect.js');
  if (argv[2] === 'detect') {
    registerDetect(program, config, io);
    return program;
  }
  const [{ registerIngest }, { registerStats }, { registerSynth }, { registerDemo }, { registerSignups }, { registerSignals }, { registerStream }, { registerServe }, { registerUsers }, { registerAudit }, { registerCases }, { registerShare }, { registerDisclose }] = await Promise.all([
    import('./commands/ingest.js'), import('./commands/stats.js'), import('./commands/synth.js'), import('./commands/demo.js'), import('./commands/signups.js'), import('./commands/signals.js'),
    import('./commands/stream.js'), import('./commands/serve.js'), import('./commands/users.js'), import('./commands/audit.js'), import('./commands/cases.js'), import('./commands/share.js'), import('./commands/disclose.js'),
  ]);
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
    await (await buildProgram(io, argv)).parseAsync([...argv]);
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
