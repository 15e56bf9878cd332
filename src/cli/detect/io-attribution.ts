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
import type { ActivitySummary, AttributionEvidence } from '../../signals/index.js';
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
