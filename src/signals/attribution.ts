/**
 * Attribution evidence for a cluster: its account and infrastructure signals against the
 * platform baseline, each with its strength and a confidence label, and a summary count. No
 * single signal decides, and nothing here names an operator: attributing a cluster to a state or
 * any other actor is an analyst's decision, recorded on the case.
 */
import type { Actor, InfraObservation } from '../model/index.js';
import { accountBaseline, accountSignals } from './account-signals.js';
import type { AccountBaseline, ActivitySummary } from './account-signals.js';
import type { Confidence, Signal } from './evidence.js';
import { infraBaseline, infraSignals } from './infra-signals.js';
import type { InfraBaseline } from './infra-signals.js';
import type { IpLookup } from './ip-table.js';

export interface AttributionEvidence {
  accounts: number;
  /** Members the store has profiles for, and logins for. */
  with_profile: number;
  with_logins: number;
  signals: Signal[];
  summary: { supports: Record<Confidence, number>; weakens: number; strongest: string[] };
  note: string;
}

export const ATTRIBUTION_NOTE = 'Evidence for an analyst, not a verdict: no single signal decides, and naming an operator (a state or anyone else) is recorded on the case by a person, never inferred here.';

/** Everything the baselines are built from, once per run. */
export interface AttributionData {
  actors: readonly Actor[];
  activity?: ReadonlyMap<string, ActivitySummary>;
  logins?: readonly InfraObservation[];
  lookup?: IpLookup | null;
}

export interface Attributor {
  /** Evidence for one cluster's member ids. */
  evidence(memberIds: readonly string[]): AttributionEvidence;
}

/**
 * Builds the baselines once and returns a function from a cluster's members to its evidence.
 * @example
 * const attribute = attributor({ actors, logins, lookup: buildIpTable(networks) });
 * attribute.evidence(cluster.members.map((m) => m.account_id)).signals
 */
export function attributor(data: AttributionData): Attributor {
  const activity = data.activity ?? new Map<string, ActivitySummary>();
  const accountBase: AccountBaseline = accountBaseline(data.actors, activity);
  const byId = new Map(data.actors.map((actor) => [actor.id, actor]));
  const lookup = data.lookup ?? null;
  const logins = data.logins ?? [];
  const infraBase: InfraBaseline | null = lookup === null || logins.length === 0 ? null : infraBaseline(logins, lookup);
  const loginsOf = new Map<string, InfraObservation[]>();
  for (const login of logins) {
    let list = loginsOf.get(login.actorId);
    if (list === undefined) loginsOf.set(login.actorId, (list = []));
    list.push(login);
  }
  return {
    evidence(memberIds) {
      const members = memberIds.map((id) => byId.get(id)).filter((actor): actor is Actor => actor !== undefined);
      const memberLogins = memberIds.flatMap((id) => loginsOf.get(id) ?? []);
      const signals = [
        ...(members.length > 0 ? accountSignals(members, accountBase, activity) : []),
        ...(infraBase !== null && lookup !== null ? infraSignals(memberLogins, infraBase, lookup) : []),
      ];
      return summarise(memberIds.length, members.length, new Set(memberLogins.map((login) => login.actorId)).size, signals);
    },
  };
}

function summarise(accounts: number, withProfile: number, withLogins: number, signals: Signal[]): AttributionEvidence {
  const supports: Record<Confidence, number> = { low: 0, medium: 0, high: 0 };
  let weakens = 0;
  for (const signal of signals) {
    if (signal.direction === 'supports') supports[signal.confidence] += 1;
    if (signal.direction === 'weakens') weakens += 1;
  }
  const strongest = signals.filter((signal) => signal.direction === 'supports')
    .sort((x, y) => rank(y.confidence) - rank(x.confidence) || y.z - x.z).slice(0, 3).map((signal) => signal.name);
  return { accounts, with_profile: withProfile, with_logins: withLogins, signals, summary: { supports, weakens, strongest }, note: ATTRIBUTION_NOTE };
}

const rank = (confidence: Confidence): number => (confidence === 'high' ? 2 : confidence === 'medium' ? 1 : 0);
