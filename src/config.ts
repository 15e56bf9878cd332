/** The one place that reads the environment. */
export interface Config {
  /** Default store file when --db is not given. */
  dbPath: string;
  /** Progress bars on stderr (off with LOCKSTEP_PROGRESS=0, or when stderr is not a terminal). */
  progress: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, stderrIsTty = process.stderr.isTTY === true): Config {
  return {
    dbPath: env['LOCKSTEP_DB'] ?? './lockstep.duckdb',
    progress: env['LOCKSTEP_PROGRESS'] === '1' || (env['LOCKSTEP_PROGRESS'] !== '0' && stderrIsTty),
  };
}
