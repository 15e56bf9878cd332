/** The one place that reads the environment. */
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

export function readConfig(env: NodeJS.ProcessEnv = process.env, stderrIsTty = process.stderr.isTTY === true): Config {
  return {
    dbPath: env['LOCKSTEP_DB'] ?? './lockstep.duckdb',
    progress: env['LOCKSTEP_PROGRESS'] === '1' || (env['LOCKSTEP_PROGRESS'] !== '0' && stderrIsTty),
    pgUrl: set(env, 'LOCKSTEP_PG'),
    enforcement: readEnforcementConfig(env),
    disclosureKey: set(env, 'LOCKSTEP_DISCLOSURE_KEY'),
  };
}
