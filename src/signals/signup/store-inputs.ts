/**
 * What signals, attribution and sign-up learning read from the DuckDB store: the IP-network
 * table, actors (members and everybody, for the baseline), members' logins, user-agent counts and
 * per-account client apps and activity. Member look-ups join a temp table, never long IN lists.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Actor, InfraObservation, IpNetwork, NetworkKind } from '../../model/index.js';
import { queryRows, toNumber } from '../../store/duckdb/connection.js';

const textOrNull = (value: DuckDBValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
const numberOrNull = (value: DuckDBValue | undefined): number | null => (value === null || value === undefined ? null : toNumber(value));

/** Every row of the IP-network table. */
export async function readIpNetworks(connection: DuckDBConnection): Promise<IpNetwork[]> {
  const rows = await queryRows(connection, 'SELECT cidr, asn, org, country, kind FROM ip_networks');
  return rows.map((row) => ({ cidr: String(row['cidr']), asn: numberOrNull(row['asn']), org: textOrNull(row['org']), country: textOrNull(row['country']), kind: String(row['kind']) as NetworkKind }));
}

async function withIds<T>(connection: DuckDBConnection, ids: readonly string[], work: () => Promise<T>): Promise<T> {
  await connection.run('CREATE OR REPLACE TEMP TABLE ls_signal_ids (id VARCHAR)');
  const appender = await connection.createAppender('ls_signal_ids', 'main', 'temp');
  for (const id of new Set(ids)) { appender.appendVarchar(id); appender.endRow(); }
  appender.closeSync();
  try {
    return await work();
  } finally {
    await connection.run('DROP TABLE IF EXISTS ls_signal_ids');
  }
}

function actorOf(row: Record<string, DuckDBValue>): Actor {
  return {
    platform: String(row['platform']), id: String(row['id']), kind: 'account', handle: textOrNull(row['handle']), displayName: textOrNull(row['display_name']),
    createdAt: numberOrNull(row['created_at']), followers: numberOrNull(row['followers']), following: numberOrNull(row['following']),
    language: textOrNull(row['language']), location: textOrNull(row['location']), description: textOrNull(row['description']),
  };
}

const ACTOR_COLUMNS = ['platform', 'id', 'handle', 'display_name', 'created_at', 'followers', 'following', 'language', 'location', 'description'].map((name) => `actors.${name}`).join(', ');

/** All account actors (the platform baseline). */
export async function readAllActors(connection: DuckDBConnection): Promise<Actor[]> {
  return (await queryRows(connection, `SELECT ${ACTOR_COLUMNS} FROM actors WHERE kind = 'account'`)).map(actorOf);
}

/** The actors with these ids (any platform). */
export async function readActors(connection: DuckDBConnection, ids: readonly string[]): Promise<Actor[]> {
  return withIds(connection, ids, async () => (await queryRows(connection, `SELECT ${ACTOR_COLUMNS} FROM actors JOIN ls_signal_ids s ON s.id = actors.id`)).map(actorOf));
}

/** Logins and sign-ups of these accounts. */
export async function readLogins(connection: DuckDBConnection, ids: readonly string[]): Promise<InfraObservation[]> {
  return withIds(connection, ids, async () => (await queryRows(connection, 'SELECT infra.platform, actor_id, time, ip, user_agent, event FROM infra JOIN ls_signal_ids s ON s.id = infra.actor_id'))
    .map((row) => ({ platform: String(row['platform']), actorId: String(row['actor_id']), time: toNumber(row['time']), ip: String(row['ip']), userAgent: textOrNull(row['user_agent']), event: row['event'] === 'signup' ? 'signup' : 'login' })));
}

/** Logins per user agent over everybody, and all logins. */
export async function readUserAgentBaseline(connection: DuckDBConnection): Promise<{ counts: Map<string, number>; logins: number }> {
  const rows = await queryRows(connection, 'SELECT user_agent, count(*) AS n FROM infra WHERE user_agent IS NOT NULL GROUP BY 1');
  const counts = new Map(rows.map((row) => [String(row['user_agent']), toNumber(row['n'])]));
  let logins = 0;
  for (const n of counts.values()) logins += n;
  return { counts, logins };
}

/** Row counts of the tables attribution needs, to skip it cheaply when there is nothing to read. */
export async function infraCounts(connection: DuckDBConnection): Promise<{ actors: number; infra: number; networks: number }> {
  const rows = await queryRows(connection, `SELECT (SELECT count(*) FROM actors) AS actors, (SELECT count(*) FROM infra) AS infra, (SELECT count(*) FROM ip_networks) AS networks`);
  return { actors: toNumber(rows[0]?.['actors']), infra: toNumber(rows[0]?.['infra']), networks: toNumber(rows[0]?.['networks']) };
}

/** Per account: actions by client app, and the activity timeline summary repurposing needs. */
export interface AccountActivity { clients: Map<string, number>; first: number; last: number; earlyLanguage: string | null; lateLanguage: string | null; longestGapDays: number }

/** Client apps and activity of these accounts (accounts without actions are absent). */
export async function readActivity(connection: DuckDBConnection, ids: readonly string[]): Promise<Map<string, AccountActivity>> {
  return withIds(connection, ids, async () => {
    const out = new Map<string, AccountActivity>();
    const clientRows = await queryRows(connection, `SELECT actor_id, coalesce(client_app, '') AS app, count(*) AS n FROM actions JOIN ls_signal_ids s ON s.id = actions.actor_id GROUP BY ALL`);
    const timeRows = await queryRows(connection, `
      WITH a AS (SELECT actor_id, time, language, time - lag(time) OVER (PARTITION BY actor_id ORDER BY time) AS gap,
                        ntile(2) OVER (PARTITION BY actor_id ORDER BY time) AS half
                 FROM actions JOIN ls_signal_ids s ON s.id = actions.actor_id)
      SELECT actor_id, min(time) AS first, max(time) AS last, coalesce(max(gap), 0) AS gap,
             mode(language) FILTER (WHERE half = 1 AND language IS NOT NULL) AS early,
             mode(language) FILTER (WHERE half = 2 AND language IS NOT NULL) AS late
      FROM a GROUP BY actor_id`);
    for (const row of timeRows) {
      out.set(String(row['actor_id']), {
        clients: new Map(), first: toNumber(row['first']), last: toNumber(row['last']), longestGapDays: toNumber(row['gap']) / 86_400_000,
        earlyLanguage: textOrNull(row['early']), lateLanguage: textOrNull(row['late']),
      });
    }
    for (const row of clientRows) {
      const app = String(row['app']);
      if (app !== '') out.get(String(row['actor_id']))?.clients.set(app, toNumber(row['n']));
    }
    return out;
  });
}

/** Actors with these ids plus a uniform sample of at most `sample` other accounts (the baseline). */
export async function readActorsWithSample(connection: DuckDBConnection, ids: readonly string[], sample: number): Promise<Actor[]> {
  return withIds(connection, ids, async () => (await queryRows(connection, `
    SELECT ${ACTOR_COLUMNS} FROM actors WHERE kind = 'account' AND id IN (SELECT id FROM ls_signal_ids)
    UNION ALL
    SELECT * FROM (SELECT ${ACTOR_COLUMNS} FROM actors WHERE kind = 'account' AND id NOT IN (SELECT id FROM ls_signal_ids)) USING SAMPLE reservoir(${Math.max(1, Math.floor(sample))} ROWS) REPEATABLE (7)`)).map(actorOf));
}

/** Every login and sign-up (the infrastructure baseline). */
export async function readAllLogins(connection: DuckDBConnection): Promise<InfraObservation[]> {
  return (await queryRows(connection, 'SELECT platform, actor_id, time, ip, user_agent, event FROM infra'))
    .map((row) => ({ platform: String(row['platform']), actorId: String(row['actor_id']), time: toNumber(row['time']), ip: String(row['ip']), userAgent: textOrNull(row['user_agent']), event: row['event'] === 'signup' ? 'signup' : 'login' }));
}

/** Accounts with a profile field attribution reads (creation date, language, follower counts). */
export async function profiledActors(connection: DuckDBConnection): Promise<number> {
  const rows = await queryRows(connection, `SELECT count(*) AS n FROM actors WHERE kind = 'account' AND (created_at IS NOT NULL OR language IS NOT NULL OR followers IS NOT NULL)`);
  return toNumber(rows[0]?.['n']);
}
