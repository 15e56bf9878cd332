/**
 * The store's tables. No primary-key constraints: DuckDB's ART indexes slow bulk loads several
 * times over, so uniqueness of (platform, id) is kept by the loaders, which insert with an
 * anti-join inside one transaction (one writer at a time: DuckDB locks the file).
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ingest_log (
     ingest_id INTEGER NOT NULL, file VARCHAR NOT NULL, format VARCHAR NOT NULL, started_at BIGINT NOT NULL,
     finished_at BIGINT, read BIGINT, ingested BIGINT, duplicates BIGINT, rejected BIGINT)`,
  `CREATE TABLE IF NOT EXISTS actors (
     platform VARCHAR NOT NULL, id VARCHAR NOT NULL, kind VARCHAR NOT NULL, handle VARCHAR, display_name VARCHAR,
     created_at BIGINT, followers BIGINT, following BIGINT, language VARCHAR, location VARCHAR, description VARCHAR,
     ingest_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS actions (
     platform VARCHAR NOT NULL, id VARCHAR NOT NULL, actor_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, time BIGINT NOT NULL,
     target_post VARCHAR, target_actor VARCHAR, text VARCHAR, language VARCHAR,
     urls VARCHAR[] NOT NULL, hashtags VARCHAR[] NOT NULL, mentions VARCHAR[] NOT NULL, media_hashes VARCHAR[] NOT NULL,
     client_app VARCHAR, ingest_id INTEGER NOT NULL, file_row BIGINT)`,
  `CREATE TABLE IF NOT EXISTS infra (
     platform VARCHAR NOT NULL, actor_id VARCHAR NOT NULL, time BIGINT NOT NULL, ip VARCHAR NOT NULL, user_agent VARCHAR,
     event VARCHAR NOT NULL, ingest_id INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ip_networks (
     cidr VARCHAR NOT NULL, asn BIGINT, org VARCHAR, country VARCHAR, kind VARCHAR NOT NULL, ingest_id INTEGER NOT NULL)`,
];

/**
 * How a store of an older version becomes the next: the statements for version v turn a store of
 * v - 1 into one of v. Run once each, in order, when the store opens (connection.ts).
 */
export const MIGRATIONS: Readonly<Record<number, readonly string[]>> = {
  // An action's row in its file (ingest_id says which file): the last tie-break of the trace
  // export, as the direct sources break ties by file row. Actions stored before keep NULL, and
  // their ties fall back to rowid as they did.
  2: ['ALTER TABLE actions ADD COLUMN file_row BIGINT'],
};

/** Natural keys: a row with the same key as a stored row is a duplicate, not a new fact. */
export const NATURAL_KEYS = {
  actors: ['platform', 'id'],
  actions: ['platform', 'id'],
  infra: ['platform', 'actor_id', 'time', 'ip', 'event'],
  ip_networks: ['cidr'],
} as const;

export type FactTable = keyof typeof NATURAL_KEYS;
