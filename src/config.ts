/** The one place that reads the environment. */
import { badOption } from './model/index.js';

export interface Config {
  /** Default store file when --db is not given. */
  dbPath: string;
  /** Progress bars on stderr (off with LOCKSTEP_PROGRESS=0, or when stderr is not a terminal). */
  progress: boolean;
  /** PostgreSQL for cases, decisions, audit and users (LOCKSTEP_PG; `--pg` overrides); null: the DuckDB file. */
  pgUrl: string | null;
  /** Enforcement adapters, each configured when its URL and secret are set. */
  enforcement: EnforcementConfig;
  /** LOCKSTEP_DISCLOSURE_KEY: base64 key of the transparency archive's HMAC pseudonyms (disclose refuses to run without it). */
  disclosureKey: string | null;
  /**
   * LOCKSTEP_LEIDEN_SEED: a test hook, not a setting. The seed of Leiden's random visiting order in
   * `detect` (null: the clustering default), so a bench can check that which clusters are flagged
   * does not depend on how Leiden happened to cut the graph.
   */
  leidenSeed: number | null;
}

export interface EnforcementConfig {
  /** LOCKSTEP_MASTODON_URL, LOCKSTEP_MASTODON_TOKEN (an admin token with admin:write scope). */
  mastodon: { url: string; token: string } | null;
  /** LOCKSTEP_OZONE_URL, LOCKSTEP_OZONE_TOKEN, LOCKSTEP_OZONE_DID (the moderator), LOCKSTEP_OZONE_MODE (moderator|reporter). */
  ozone: { url: string; token: string; moderatorDid: string; mode: 'moderator' | 'reporter' } | null;
  /** LOCKSTEP_WEBHOOK_URL, LOCKSTEP_WEBHOOK_SECRET (HMAC-SHA256 key). */
  webhook: { url: string; secret: string } | null;
}

function set(env: NodeJS.ProcessEnv, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export function readEnforcementConfig(env: NodeJS.ProcessEnv = process.env): EnforcementConfig {
  const mastodon = { url: set(env, 'LOCKSTEP_MASTODON_URL'), token: set(env, 'LOCKSTEP_MASTODON_TOKEN') };
  const ozone = { url: set(env, 'LOCKSTEP_OZONE_URL'), token: set(env, 'LOCKSTEP_OZONE_TOKEN'), did: set(env, 'LOCKSTEP_OZONE_DID') };
  const webhook = { url: set(env, 'LOCKSTEP_WEBHOOK_URL'), secret: set(env, 'LOCKSTEP_WEBHOOK_SECRET') };
  return {
    mastodon: mastodon.url !== null && mastodon.token !== null ? { url: mastodon.url, token: mastodon.token } : null,
    ozone: ozone.url !== null && ozone.token !== null && ozone.did !== null
      ? { url: ozone.url, token: ozone.token, moderatorDid: ozone.did, mode: set(env, 'LOCKSTEP_OZONE_MODE') === 'reporter' ? 'reporter' : 'moderator' } : null,
    webhook: webhook.url !== null && webhook.secret !== null ? { url: webhook.url, secret: webhook.secret } : null,
  };
}

function leidenSeed(value: string | null): number | null {
  if (value === null) return null;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw badOption('LOCKSTEP_LEIDEN_SEED', `must be an integer, got "${value}"`);
  return seed;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, stderrIsTty = process.stderr.isTTY === true): Config {
  return {
    dbPath: env['LOCKSTEP_DB'] ?? './lockstep.duckdb',
    progress: env['LOCKSTEP_PROGRESS'] === '1' || (env['LOCKSTEP_PROGRESS'] !== '0' && stderrIsTty),
    pgUrl: set(env, 'LOCKSTEP_PG'),
    enforcement: readEnforcementConfig(env),
    disclosureKey: set(env, 'LOCKSTEP_DISCLOSURE_KEY'),
    leidenSeed: leidenSeed(set(env, 'LOCKSTEP_LEIDEN_SEED')),
  };
}

/** glibc's threshold above which a block is mmapped and returned to the system when freed (src/cli/malloc-reexec.ts). */
export const MALLOC_SETTING = { name: 'MALLOC_MMAP_THRESHOLD_', value: '131072' } as const;

/** Set in a parent that waits on its detect child, so a preloaded bench probe can tell the two apart. */
export const REEXEC_PARENT_MARK = 'LOCKSTEP_REEXEC_PARENT';

/**
 * The environment for a `detect` child with the malloc setting, or null when this process should do
 * the work itself: off Linux, for other commands and for `detect --compat` (they hold little
 * memory, and the setting costs some CPU in page faults), or when the variable is already set (any
 * value: the user's choice wins, and the child, which has it, never starts another).
 */
export function mallocChildEnv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv | null {
  if (platform !== 'linux' || env[MALLOC_SETTING.name] !== undefined || argv[2] !== 'detect') return null;
  if (argv.some((arg) => arg === '--compat' || arg.startsWith('--compat='))) return null;
  return { ...env, [MALLOC_SETTING.name]: MALLOC_SETTING.value };
}

/**
 * Set in a detect child to the file descriptor on which it tells its parent its exit code once its
 * outputs are written (src/cli/exit-when-flushed.ts), so the parent need not wait for its exit.
 */
export const EXIT_REPORT_FD = 'LOCKSTEP_EXIT_REPORT_FD';

/** The descriptor `EXIT_REPORT_FD` names, or null in a process no parent waits on. */
export function exitReportFd(env: NodeJS.ProcessEnv = process.env): number | null {
  const fd = Number(env[EXIT_REPORT_FD] ?? Number.NaN);
  return Number.isInteger(fd) && fd > 2 ? fd : null;
}

/** Marks this process as a parent that only waits on its detect child. */
export function markReexecParent(env: NodeJS.ProcessEnv = process.env): void {
  env[REEXEC_PARENT_MARK] = '1';
}
