/**
 * The per-account facts of the expansion by signals (src/detect/expand-by-signals.ts) from a store:
 * creation day and handle template from the actors table, the most used client app from the
 * actions (ties to the first name in code-point order, as the account signals break them). The
 * same facts `ioAccountFacts` gives for archive files read directly.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AccountFacts } from '../../detect/expand-by-signals.js';
import { compareCodePoints } from '../../model/index.js';
import { specificHandleTemplate } from '../../signals/handle-pattern.js';
import { queryRows, toNumber } from '../../store/duckdb/connection.js';

const DAY_MS = 86_400_000;

/**
 * Facts indexed like `actorIds`; null when no account has a creation date (nothing to expand by).
 * @example const facts = await storeAccountFacts(store.connection, loaded.actorIds);
 */
export async function storeAccountFacts(connection: DuckDBConnection, actorIds: readonly string[]): Promise<AccountFacts | null> {
  const n = actorIds.length;
  const facts: AccountFacts = { createdDay: new Float64Array(n).fill(NaN), client: new Int32Array(n).fill(-1), template: new Int32Array(n).fill(-1) };
  const actorOf = new Map<string, number>();
  actorIds.forEach((id, actor) => actorOf.set(id, actor));
  let dated = 0;
  const templates = new Map<string, number>();
  // Templates are numbered in id order (expansion.json names them by number): the actors' row order
  // is the order DuckDB's threads inserted them in, which varies between runs.
  for (const row of await queryRows(connection, "SELECT id, handle, created_at FROM actors WHERE kind = 'account' ORDER BY platform, id")) {
    const actor = actorOf.get(String(row['id']));
    if (actor === undefined) continue;
    if (row['created_at'] !== null && row['created_at'] !== undefined) {
      facts.createdDay[actor] = Math.floor(toNumber(row['created_at']) / DAY_MS);
      dated++;
    }
    const template = specificHandleTemplate(row['handle'] === null || row['handle'] === undefined ? null : String(row['handle']));
    if (template !== null) {
      let id = templates.get(template);
      if (id === undefined) templates.set(template, (id = templates.size));
      facts.template[actor] = id;
    }
  }
  if (dated === 0) return null;
  const clients = new Map<string, number>();
  const best = new Array<{ app: string; n: number } | undefined>(n);
  for (const row of await queryRows(connection, "SELECT actor_id, client_app AS app, count(*) AS n FROM actions WHERE client_app IS NOT NULL AND client_app <> '' GROUP BY ALL")) {
    const actor = actorOf.get(String(row['actor_id']));
    if (actor === undefined) continue;
    const app = String(row['app']);
    const count = toNumber(row['n']);
    const held = best[actor];
    if (held === undefined || count > held.n || (count === held.n && compareCodePoints(app, held.app) < 0)) best[actor] = { app, n: count };
  }
  best.forEach((entry, actor) => {
    if (entry === undefined) return;
    let id = clients.get(entry.app);
    if (id === undefined) clients.set(entry.app, (id = clients.size));
    facts.client[actor] = id;
  });
  return facts;
}
