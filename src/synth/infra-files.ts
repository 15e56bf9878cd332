/** The infrastructure files `lockstep synth` writes beside a synthetic archive. */
import type { InfraWorld } from './infra-plan.js';
import { ipinfoRows, IPINFO_COLUMNS, planInfra } from './infra-plan.js';
import { LOGIN_COLUMNS, loginRows } from './infra-logins.js';
import { SIGNUP_COLUMNS, signupTables, TRUTH_SIGNUP_COLUMNS } from './signups-wave.js';
import type { SignupTables } from './signups-wave.js';

/** The infrastructure files of a synthetic archive, for the synth command to write. */
export interface InfraFile { name: string; header: readonly string[]; rows: Iterable<readonly string[]> }

/**
 * logins.csv, ipinfo.csv, new_signups.csv and truth_signups.csv for an archive's users and truth.
 * @example for (const file of infraFiles(7, 1, tables.users, tables.truth)) write(file.name, file.header, file.rows);
 */
export function infraFiles(seed: number, scale: number, users: Iterable<readonly string[]>, truth: Iterable<readonly string[]>): { files: InfraFile[]; world: InfraWorld; signups: SignupTables['summary'] } {
  const world = planInfra(seed);
  const signups = signupTables(world, seed, scale);
  return {
    world,
    signups: signups.summary,
    files: [
      { name: 'logins.csv', header: LOGIN_COLUMNS, rows: { [Symbol.iterator]: () => loginRows(world, seed, users, truth) } },
      { name: 'ipinfo.csv', header: IPINFO_COLUMNS, rows: ipinfoRows(world) },
      { name: 'new_signups.csv', header: SIGNUP_COLUMNS, rows: signups.signups },
      { name: 'truth_signups.csv', header: TRUTH_SIGNUP_COLUMNS, rows: signups.truth },
    ],
  };
}
