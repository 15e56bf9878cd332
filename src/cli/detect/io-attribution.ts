/**
 * Attribution evidence for clusters of Information Operations archive files read without the
 * store: the same account signals `attributeFromStore` computes (src/cli/commands/signals.ts),
 * from the profiles and actions the columns hold. The archive has no logins, so there are no
 * infrastructure signals, as in the store. Up to SIGNALS_DEFAULTS.baselineAccounts other accounts
 * and baselineActivity of them with activity the sets are the store's; past those the store
 * samples, here the first in the order the accounts were added are taken (all for the baseline).
 * Client apps may come in any order: the signals break ties between them by name.
 */
import type { IoTweetsColumns } from '../../ingest/columnar/index.js';
import type { Actor } from '../../model/index.js';
import { compareCodePoints } from '../../model/index.js';
import type { AccountFacts } from '../../detect/expand-by-signals.js';
import type { ActivitySummary, AttributionEvidence } from '../../signals/index.js';
import { specificHandleTemplate } from '../../signals/handle-pattern.js';
import { SIGNALS_DEFAULTS } from '../commands/signals.js';

const DAY_MS = 86_400_000;
const PLATFORM = 'twitter';

/** The store's actors table for these columns: one account actor per profile, in insertion order. */
export function ioActors(columns: IoTweetsColumns): Actor[] {
  return [...columns.profiles].map(([user, profile]) => ({ platform: PLATFORM, id: columns.users.text(user), kind: 'account', ...profile }));
}

/** Most frequent value, ties to the first met (as SQL's mode over rows in time order); null when none. */
function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let most = 0;
  for (const value of values) {
    const n = (counts.get(value) ?? 0) + 1;
    counts.set(value, n);
    if (n > most) most = n;
  }
  for (const value of values) if (counts.get(value) === most) return value;
  return -1;
}

/** Activity of these accounts (by id in `users`) over the actions (`rows` of the columns), as readActivity. */
export function ioActivity(columns: IoTweetsColumns, rows: Int32Array, accounts: ReadonlySet<number>): Map<string, ActivitySummary> {
  const byAccount = new Map<number, number[]>();
  for (const r of rows) {
    const user = columns.user[r]!;
    if (!accounts.has(user)) continue;
    let list = byAccount.get(user);
    if (list === undefined) byAccount.set(user, (list = []));
    list.push(r);
  }
  const out = new Map<string, ActivitySummary>();
  for (const [user, list] of byAccount) {
    list.sort((x, y) => columns.time[x]! - columns.time[y]! || x - y);
    const counts = new Map<string, number>();
    let gap = 0;
    const early: number[] = [], late: number[] = [];
    const half = Math.ceil(list.length / 2);
    list.forEach((r, i) => {
      if (i > 0) gap = Math.max(gap, columns.time[r]! - columns.time[list[i - 1]!]!);
      const client = columns.client[r]!;
      if (client >= 0) { const app = columns.clients.text(client); counts.set(app, (counts.get(app) ?? 0) + 1); }
      const language = columns.language[r]!;
      if (language >= 0) (i < half ? early : late).push(language);
    });
    const earlyLanguage = mode(early), lateLanguage = mode(late);
    out.set(columns.users.text(user), {
      clients: counts, first: columns.time[list[0]!]!, last: columns.time[list[list.length - 1]!]!, longestGapDays: gap / DAY_MS,
      earlyLanguage: earlyLanguage < 0 ? null : columns.languages.text(earlyLanguage),
      lateLanguage: lateLanguage < 0 ? null : columns.languages.text(lateLanguage),
    });
  }
  return out;
}

/**
 * Evidence per group of member ids, null for all when no account has a profile field attribution
 * reads (creation date, language, follower count), as the store path.
 * @example const evidence = await ioAttribution(columns, actions.row, [['123', '456']]);
 */
export async function ioAttribution(columns: IoTweetsColumns, rows: Int32Array, groups: readonly (readonly string[])[], options: Partial<typeof SIGNALS_DEFAULTS> = {}): Promise<(AttributionEvidence | null)[]> {
  const settings = { ...SIGNALS_DEFAULTS, ...options };
  let profiled = 0;
  for (const profile of columns.profiles.values()) if (profile.createdAt !== null || profile.language !== null || profile.followers !== null) profiled++;
  if (profiled === 0) return groups.map(() => null);
  const actors = ioActors(columns);
  const userOf = new Map<string, number>();
  for (const user of columns.profiles.keys()) userOf.set(columns.users.text(user), user);
  const members = new Set(groups.flat());
  const others = actors.filter((actor) => !members.has(actor.id)).slice(0, settings.baselineActivity).map((actor) => actor.id);
  const wanted = new Set<number>();
  for (const id of [...members, ...others]) {
    const user = userOf.get(id);
    if (user !== undefined) wanted.add(user);
  }
  const activity = ioActivity(columns, rows, wanted);
  const { attributor } = await import('../../signals/index.js');
  const attribute = attributor({ actors, activity, logins: [], lookup: null });
  return groups.map((group) => attribute.evidence(group));
}

/**
 * The per-account facts the expansion by signals reads (src/detect/expand-by-signals.ts), indexed
 * like `actorIds`: creation day, most used client app over the account's actions (ties to the
 * first name in code-point order), and its handle's grouping template when the handle is visible and specific.
 * @example const facts = ioAccountFacts(columns, actions.row, loaded.actorIds);
 */
export function ioAccountFacts(columns: IoTweetsColumns, rows: Int32Array, actorIds: readonly string[]): AccountFacts {
  const n = actorIds.length;
  const facts: AccountFacts = { createdDay: new Float64Array(n).fill(NaN), client: new Int32Array(n).fill(-1), template: new Int32Array(n).fill(-1) };
  const actorOf = new Map<string, number>();
  actorIds.forEach((id, actor) => actorOf.set(id, actor));
  const actorOfUser = new Int32Array(columns.users.size).fill(-1);
  for (let user = 0; user < columns.users.size; user++) actorOfUser[user] = actorOf.get(columns.users.text(user)) ?? -1;
  const templates = new Map<string, number>();
  for (const [user, profile] of columns.profiles) {
    const actor = actorOfUser[user]!;
    if (actor < 0) continue;
    if (profile.createdAt !== null) facts.createdDay[actor] = Math.floor(profile.createdAt / DAY_MS);
    const template = specificHandleTemplate(profile.handle);
    if (template !== null) {
      let id = templates.get(template);
      if (id === undefined) templates.set(template, (id = templates.size));
      facts.template[actor] = id;
    }
  }
  // Client counts per (actor, client) in one flat table: clients are few.
  const clients = columns.clients.size;
  const counts = new Int32Array(n * Math.max(1, clients));
  for (const r of rows) {
    const actor = actorOfUser[columns.user[r]!]!;
    const client = columns.client[r]!;
    if (actor >= 0 && client >= 0) counts[actor * clients + client]! += 1;
  }
  for (let actor = 0; actor < n; actor++) {
    let best = -1, most = 0;
    for (let client = 0; client < clients; client++) {
      const c = counts[actor * clients + client]!;
      // Ties to the first name in code-point order, as the store path and the account signals.
      if (c > most || (c === most && c > 0 && compareCodePoints(columns.clients.text(client), columns.clients.text(best)) < 0)) { most = c; best = client; }
    }
    facts.client[actor] = best;
  }
  return facts;
}
