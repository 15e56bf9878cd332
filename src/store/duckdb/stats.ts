/** What is in the store: counts by platform and kind, and the time range of the activity. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, toNumber } from './connection.js';

export interface StoreStats {
  actions: { platform: string; kind: string; count: number; firstTime: number | null; lastTime: number | null }[];
  actors: { platform: string; kind: string; count: number }[];
  infra: number;
  networks: number;
  ingests: { completed: number; interrupted: number };
}

const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : toNumber(value as bigint));

export async function readStats(connection: DuckDBConnection): Promise<StoreStats> {
  const actions = await queryRows(connection,
    `SELECT platform, kind, count(*) AS n, min(time) AS first, max(time) AS last FROM actions GROUP BY ALL ORDER BY platform, kind`);
  const actors = await queryRows(connection, `SELECT platform, kind, count(*) AS n FROM actors GROUP BY ALL ORDER BY platform, kind`);
  const singles = await queryRows(connection,
    `SELECT (SELECT count(*) FROM infra) AS infra, (SELECT count(*) FROM ip_networks) AS networks,
            (SELECT count(*) FROM ingest_log WHERE finished_at IS NOT NULL) AS completed,
            (SELECT count(*) FROM ingest_log WHERE finished_at IS NULL) AS interrupted`);
  const single = singles[0] ?? {};
  return {
    actions: actions.map((row) => ({
      platform: String(row['platform']), kind: String(row['kind']), count: toNumber(row['n']),
      firstTime: nullableNumber(row['first']), lastTime: nullableNumber(row['last']),
    })),
    actors: actors.map((row) => ({ platform: String(row['platform']), kind: String(row['kind']), count: toNumber(row['n']) })),
    infra: toNumber(single['infra']),
    networks: toNumber(single['networks']),
    ingests: { completed: toNumber(single['completed']), interrupted: toNumber(single['interrupted']) },
  };
}
