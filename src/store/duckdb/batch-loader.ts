/**
 * Loading batches of model values that JS readers produced (JSON formats, generic CSV, logs).
 * Rows go through DuckDB's appender into temp staging tables, then into the canonical tables with
 * an anti-join on the natural key, one transaction per batch: a killed ingest keeps whole
 * batches, and a rerun adds exactly the missing ones.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ItemBatch, LoadCounts } from '../../ingest/port.js';
import type { Action, Actor, InfraObservation, IpNetwork } from '../../model/index.js';
import { ACTION_COLUMNS, ACTOR_COLUMNS } from './csv-formats.js';
import { inTransaction, queryRows, toNumber } from './connection.js';
import { NATURAL_KEYS } from './schema.js';
import type { FactTable } from './schema.js';

/** Lists cross the appender as one string joined by U+001F (a separator no id or URL contains). */
const LIST_SEPARATOR = '\u001f';
const LIST_COLUMNS = new Set(['urls', 'hashtags', 'mentions', 'media_hashes']);

const STAGING_DDL: Record<FactTable, string> = {
  actions: `platform VARCHAR, id VARCHAR, actor_id VARCHAR, kind VARCHAR, time BIGINT, target_post VARCHAR, target_actor VARCHAR,
    text VARCHAR, language VARCHAR, urls VARCHAR, hashtags VARCHAR, mentions VARCHAR, media_hashes VARCHAR, client_app VARCHAR`,
  actors: `platform VARCHAR, id VARCHAR, kind VARCHAR, handle VARCHAR, display_name VARCHAR, created_at BIGINT, followers BIGINT,
    following BIGINT, language VARCHAR, location VARCHAR, description VARCHAR`,
  infra: `platform VARCHAR, actor_id VARCHAR, time BIGINT, ip VARCHAR, user_agent VARCHAR, event VARCHAR`,
  ip_networks: `cidr VARCHAR, asn BIGINT, org VARCHAR, country VARCHAR, kind VARCHAR`,
};

const TABLE_COLUMNS: Record<FactTable, readonly string[]> = {
  actions: ACTION_COLUMNS,
  actors: ACTOR_COLUMNS,
  infra: ['platform', 'actor_id', 'time', 'ip', 'user_agent', 'event'],
  ip_networks: ['cidr', 'asn', 'org', 'country', 'kind'],
};

function appendText(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendInt(appender: DuckDBAppender, value: number | null): void {
  if (value === null || !Number.isFinite(value)) appender.appendNull();
  else appender.appendBigInt(BigInt(Math.trunc(value)));
}

function appendList(appender: DuckDBAppender, values: readonly string[]): void {
  appender.appendVarchar(values.join(LIST_SEPARATOR));
}

function appendAction(appender: DuckDBAppender, action: Action): void {
  appendText(appender, action.platform); appendText(appender, action.id); appendText(appender, action.actorId);
  appendText(appender, action.kind); appendInt(appender, action.time); appendText(appender, action.targetPost);
  appendText(appender, action.targetActor); appendText(appender, action.text); appendText(appender, action.language);
  appendList(appender, action.urls); appendList(appender, action.hashtags); appendList(appender, action.mentions);
  appendList(appender, action.mediaHashes); appendText(appender, action.clientApp);
  appender.endRow();
}

function appendActor(appender: DuckDBAppender, actor: Actor): void {
  appendText(appender, actor.platform); appendText(appender, actor.id); appendText(appender, actor.kind);
  appendText(appender, actor.handle); appendText(appender, actor.displayName); appendInt(appender, actor.createdAt);
  appendInt(appender, actor.followers); appendInt(appender, actor.following); appendText(appender, actor.language);
  appendText(appender, actor.location); appendText(appender, actor.description);
  appender.endRow();
}

function appendInfra(appender: DuckDBAppender, infra: InfraObservation): void {
  appendText(appender, infra.platform); appendText(appender, infra.actorId); appendInt(appender, infra.time);
  appendText(appender, infra.ip); appendText(appender, infra.userAgent); appendText(appender, infra.event);
  appender.endRow();
}

function appendNetwork(appender: DuckDBAppender, network: IpNetwork): void {
  appendText(appender, network.cidr); appendInt(appender, network.asn); appendText(appender, network.org);
  appendText(appender, network.country); appendText(appender, network.kind);
  appender.endRow();
}

function stagingName(table: FactTable): string {
  return `ls_batch_${table}`;
}

function selectFromStaging(table: FactTable): string {
  return TABLE_COLUMNS[table]
    .map((column) => (LIST_COLUMNS.has(column)
      ? `CASE WHEN ${column} = '' THEN []::VARCHAR[] ELSE string_split(${column}, chr(31)) END`
      : column))
    .join(', ');
}

async function stageAndMerge<T>(connection: DuckDBConnection, table: FactTable, rows: readonly T[], append: (a: DuckDBAppender, row: T) => void, ingestId: number): Promise<{ inserted: number; offered: number }> {
  if (rows.length === 0) return { inserted: 0, offered: 0 };
  const staging = stagingName(table);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${staging} (${STAGING_DDL[table]})`);
  const appender = await connection.createAppender(staging, 'main', 'temp');
  for (const row of rows) append(appender, row);
  appender.closeSync();
  const key = NATURAL_KEYS[table];
  const sameKey = key.map((column) => `t.${column} IS NOT DISTINCT FROM s.${column}`).join(' AND ');
  // The staging table holds the batch in the reader's order (its rowids): of a repeated key the
  // first is kept, and an action's file row continues from the previous batch of its ingest.
  const fileRow = table === 'actions'
    ? `, (SELECT coalesce(max(file_row) + 1, 0) FROM actions WHERE ingest_id = ${ingestId}) + s.rowid`
    : '';
  const result = await queryRows(connection,
    `INSERT INTO ${table} SELECT ${selectFromStaging(table)}, ${ingestId}${fileRow} FROM ${staging} s
     WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${sameKey})
     QUALIFY row_number() OVER (PARTITION BY ${key.map((column) => `s.${column}`).join(', ')} ORDER BY s.rowid) = 1`);
  await connection.run(`DROP TABLE ${staging}`);
  const first = result[0];
  return { inserted: first === undefined ? 0 : toNumber(Object.values(first)[0]), offered: rows.length };
}

/**
 * Appends a batch in one transaction. Actions, infra and networks are the facts counted as
 * ingested or duplicate; actors only count as facts when the batch has nothing else (a users file).
 */
export async function appendItemBatch(connection: DuckDBConnection, ingestId: number, batch: ItemBatch): Promise<LoadCounts> {
  return inTransaction(connection, async () => {
    const actors = await stageAndMerge(connection, 'actors', batch.actors, appendActor, ingestId);
    const facts = [
      await stageAndMerge(connection, 'actions', batch.actions, appendAction, ingestId),
      await stageAndMerge(connection, 'infra', batch.infra, appendInfra, ingestId),
      await stageAndMerge(connection, 'ip_networks', batch.networks, appendNetwork, ingestId),
    ];
    const onlyActors = facts.every((fact) => fact.offered === 0);
    const counted = onlyActors ? [actors] : facts;
    const offered = counted.reduce((sum, fact) => sum + fact.offered, 0);
    const ingested = counted.reduce((sum, fact) => sum + fact.inserted, 0);
    return { read: offered, ingested, duplicates: offered - ingested, rejected: 0, actorsAdded: actors.inserted };
  });
}
