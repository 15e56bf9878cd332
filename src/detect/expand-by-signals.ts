/**
 * Expansion of behaviour-detected clusters by account signals: the step investigators take once a
 * network is found by what it did (Twitter's 2019 disclosure: "about 200,000 more accounts of the
 * same network" suspended before they were substantially active; DFRLab and the Stanford Internet
 * Observatory expand by creation bursts, handle templates and shared clients). It is guilt by
 * association, so it is a separate stage whose every recruit carries the signals that recruited
 * it, and it never joins a member to a cluster by one signal.
 *
 * Method, per cluster with at least `minCore` behaviour-detected members (the core):
 * 1. The core's signature, each part only where the core shares it:
 *    - `creation_burst`: the densest `burstDays`-day window of the core's creation days, held by at
 *      least `minBurstShare` of the core (the campaign's registration batch);
 *    - `client`: the core's dominant client app, held by at least `minClientShare` of the core;
 *    - `handle_template`: a specific handle template held by at least `minTemplateShare` of the
 *      core members whose handle is visible;
 *    - `behaviour_tie`: acting at least once on a rare object (at most `maxKeyActors` accounts in
 *      its trace) on which a core member acted within `tieWindowMs`.
 * 2. Each part's base rate p is measured over all accounts (the share of accounts that match it).
 * 3. A candidate (an account in no cluster) matches the identity parts when it was created in the
 *    burst and has the core's client and template wherever its own client and template are known,
 *    with at least `minSignals` parts in all (the tie included). These I candidates are counted, so
 *    the identity parts' joint rate is measured, not assumed from their single rates.
 * 4. The M of them with a behavioural tie are recruited only if ties are far more common among them
 *    than among all accounts: with E = I · p(tie), the Poisson tail P(X ≥ M | E) must be below
 *    `alpha` / (clusters tested), and E / M, the share of recruits that chance ties would explain,
 *    at most `maxChanceShare`.
 * The one assumption is that, among accounts of one registration batch and client, organic ones
 * tie to the core no more often than accounts at large do.
 */
import { distinctActorsPerKey, identityOrder, sortByKeyTime } from './kernel/index.js';
import type { TraceEvents } from './kernel/index.js';
import { logPoissonUpperTail } from './significance/poisson.js';

const DAY_MS = 86_400_000;

/** Per-account facts the signature reads, indexed by the dense account id of the traces. */
export interface AccountFacts {
  /** UTC day number of the account's creation; NaN when unknown. */
  createdDay: Float64Array;
  /** Interned id of the account's most used client app; -1 when unknown. */
  client: Int32Array;
  /** Interned id of the account's specific handle template; -1 when hidden, hashed or generic. */
  template: Int32Array;
}

export interface ExpansionInput {
  actorCount: number;
  facts: AccountFacts;
  /** The detected clusters' members (dense account ids); recruits join these by index. */
  clusters: readonly { readonly members: readonly number[] }[];
  /** The traces whose rare objects make behavioural ties. */
  traces: readonly TraceEvents[];
}

export const EXPAND_DEFAULTS = {
  /** Clusters with fewer members are not expanded. */
  minCore: 5,
  burstDays: 7,
  minBurstShare: 0.5,
  minClientShare: 0.9,
  minTemplateShare: 0.5,
  /** A tie is on an object at most this many accounts acted on, within this time of a core member. */
  maxKeyActors: 20,
  tieWindowMs: 3_600_000,
  /** Fewest signature parts a recruit must match (the burst and the tie count). */
  minSignals: 3,
  alpha: 0.01,
  maxChanceShare: 0.1,
};

export type ExpandOptions = typeof EXPAND_DEFAULTS;

export type SignalName = 'creation_burst' | 'client' | 'handle_template' | 'behaviour_tie';

/** One part of a core's signature. */
export interface SignaturePart {
  name: SignalName;
  /** Share of all accounts (with data for it) that match it. */
  baseRate: number;
  /** Core members that match it, of `of`. */
  core: number;
  of: number;
  /** Creation window (ISO days), client id, or template id. */
  detail: { from: string; to: string } | { client: number } | { template: number } | { maxKeyActors: number; windowMs: number | null };
}

export interface ClusterExpansion {
  cluster: number;
  parts: SignaturePart[];
  candidates: number;
  /** Candidates matching the identity parts (burst, and client and template where known). */
  identity: number;
  /** Of those, the ones with a behavioural tie, and how many chance ties would give. */
  matched: number;
  expected: number;
  pValue: number;
  accepted: boolean;
  /** Why not expanded, when no test was made. */
  skipped: string | null;
  recruits: Recruit[];
}

export interface Recruit {
  account: number;
  cluster: number;
  signals: SignalName[];
  /** Π of the matched parts' base rates: the chance a random account matches them all. */
  chance: number;
}

export interface ExpansionResult {
  clusters: ClusterExpansion[];
  recruits: Recruit[];
}

/** P(X ≥ k) for X ~ Poisson(mean): the significance test's tail (significance/poisson.ts), as a p-value. */
export function poissonUpperTail(k: number, mean: number): number {
  return Math.exp(logPoissonUpperTail(k, mean));
}

const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The densest `days`-day window of sorted days: [from, from + days), and how many fall in it. */
function densestWindow(sorted: readonly number[], days: number): { from: number; count: number } {
  let best = { from: sorted[0] ?? 0, count: 0 };
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= days) lo++;
    if (hi - lo + 1 > best.count) best = { from: sorted[lo] as number, count: hi - lo + 1 };
  }
  return best;
}

/** The most common non-negative id and its count. */
function dominant(ids: Iterable<number>): { id: number; count: number; known: number } {
  const counts = new Map<number, number>();
  let known = 0;
  for (const id of ids) {
    if (id < 0) continue;
    known++;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let best = { id: -1, count: 0 };
  for (const [id, count] of counts) if (count > best.count || (count === best.count && id < best.id)) best = { id, count };
  return { ...best, known };
}

/**
 * Accounts tied to each cluster by behaviour: they acted on a rare object (2 to `maxKeyActors`
 * distinct accounts in its trace) on which a member of that cluster acted within `tieWindowMs`.
 * One set per cluster (the cluster's own members are never in it). Each key's events are read in
 * the kernel's (key, time) order, so a member's partners within the window are its neighbours.
 */
function behaviourTies(traces: readonly TraceEvents[], clusterOf: Int32Array, clusters: number, settings: ExpandOptions): Set<number>[] {
  // Sets, not a mark array per cluster: ties are few, clusters at 10M events are over a thousand.
  const tied = Array.from({ length: clusters }, () => new Set<number>());
  for (const trace of traces) {
    const distinct = distinctActorsPerKey(trace);
    const { keyStart, time, payload } = sortByKeyTime(trace.key, trace.time, trace.keyCount, identityOrder(trace.key.length));
    for (let key = 0; key < trace.keyCount; key++) {
      const actors = distinct[key] as number;
      if (actors < 2 || actors > settings.maxKeyActors) continue;
      const start = keyStart[key] as number;
      const end = keyStart[key + 1] as number;
      for (let x = start; x < end; x++) {
        const c = clusterOf[trace.actor[payload[x] as number] as number] as number;
        if (c < 0) continue;
        const marks = tied[c] as Set<number>;
        // The window's events run from `first` to `last` around x (times are sorted within the key).
        const at = time[x] as number;
        let first = x;
        while (first > start && at - (time[first - 1] as number) <= settings.tieWindowMs) first--;
        for (let y = first; y < end && (time[y] as number) - at <= settings.tieWindowMs; y++) {
          const other = trace.actor[payload[y] as number] as number;
          if (clusterOf[other] !== c) marks.add(other);
        }
      }
    }
  }
  return tied;
}

/**
 * Recruits accounts in no cluster into the clusters whose core they share a tight, significant
 * signature with (see the file comment). Pure: facts and traces in, recruits with reasons out.
 * @example
 * const { recruits } = expandBySignals({ actorCount, facts, clusters, traces: [...traces.values()] });
 * recruits[0]?.signals // ['creation_burst', 'client', 'behaviour_tie']
 */
export function expandBySignals(input: ExpansionInput, options: Partial<ExpandOptions> = {}): ExpansionResult {
  const settings = { ...EXPAND_DEFAULTS, ...options };
  const { actorCount, facts } = input;
  const clusterOf = new Int32Array(actorCount).fill(-1);
  input.clusters.forEach((cluster, c) => { for (const m of cluster.members) clusterOf[m] = c; });
  // Candidates (accounts in no cluster), bucketed by creation day: a signature reads only its burst's days.
  let candidates = 0;
  const candidatesByDay = new Map<number, number[]>();
  for (let a = 0; a < actorCount; a++) {
    if (clusterOf[a] !== -1) continue;
    candidates++;
    const day = facts.createdDay[a] as number;
    if (!Number.isFinite(day)) continue;
    let list = candidatesByDay.get(day);
    if (list === undefined) candidatesByDay.set(day, (list = []));
    list.push(a);
  }
  // Base-rate denominators and histograms over all accounts.
  const createdPerDay = new Map<number, number>();
  const clientCount = new Map<number, number>();
  const templateCount = new Map<number, number>();
  let withCreation = 0, withClient = 0, withTemplate = 0;
  for (let a = 0; a < actorCount; a++) {
    const day = facts.createdDay[a] as number;
    if (Number.isFinite(day)) { withCreation++; createdPerDay.set(day, (createdPerDay.get(day) ?? 0) + 1); }
    const client = facts.client[a] as number;
    if (client >= 0) { withClient++; clientCount.set(client, (clientCount.get(client) ?? 0) + 1); }
    const template = facts.template[a] as number;
    if (template >= 0) { withTemplate++; templateCount.set(template, (templateCount.get(template) ?? 0) + 1); }
  }
  const eligible = input.clusters.map((cluster) => cluster.members.length >= settings.minCore);
  const ties = behaviourTies(input.traces, clusterOf.map((c) => (c >= 0 && eligible[c] === true ? c : -1)), input.clusters.length, settings);
  const tested = Math.max(1, eligible.filter(Boolean).length);
  const out: ClusterExpansion[] = [];
  input.clusters.forEach((cluster, c) => {
    const members = cluster.members;
    const result: ClusterExpansion = { cluster: c, parts: [], candidates, identity: 0, matched: 0, expected: 0, pValue: 1, accepted: false, skipped: null, recruits: [] };
    out.push(result);
    if (!eligible[c]) { result.skipped = `fewer than ${settings.minCore} members`; return; }
    const days = members.map((m) => facts.createdDay[m] as number).filter(Number.isFinite).sort((x, y) => x - y);
    const burst = densestWindow(days, settings.burstDays);
    if (days.length === 0 || burst.count < settings.minBurstShare * members.length || withCreation === 0) { result.skipped = 'the core has no creation burst'; return; }
    // The window is the days the core's burst actually spans inside the densest window (a batch
    // registered over two days gives a two-day window, not `burstDays`).
    let lastDay = burst.from;
    for (const d of days) if (d >= burst.from && d < burst.from + settings.burstDays) lastDay = d;
    let inWindow = 0;
    for (let d = burst.from; d <= lastDay; d++) inWindow += createdPerDay.get(d) ?? 0;
    result.parts.push({ name: 'creation_burst', baseRate: inWindow / withCreation, core: burst.count, of: members.length, detail: { from: isoDay(burst.from), to: isoDay(lastDay) } });
    const client = dominant(members.map((m) => facts.client[m] as number));
    if (client.id >= 0 && client.count >= settings.minClientShare * client.known) {
      result.parts.push({ name: 'client', baseRate: (clientCount.get(client.id) ?? 0) / withClient, core: client.count, of: client.known, detail: { client: client.id } });
    }
    const template = dominant(members.map((m) => facts.template[m] as number));
    if (template.id >= 0 && template.known >= 3 && template.count >= settings.minTemplateShare * template.known) {
      result.parts.push({ name: 'handle_template', baseRate: (templateCount.get(template.id) ?? 0) / withTemplate, core: template.count, of: template.known, detail: { template: template.id } });
    }
    const tie = ties[c] as Set<number>;
    const tiedCount = tie.size;
    // The core is tied by definition (it was found by behaviour).
    result.parts.push({ name: 'behaviour_tie', baseRate: tiedCount / Math.max(1, actorCount - members.length), core: members.length, of: members.length, detail: { maxKeyActors: settings.maxKeyActors, windowMs: Number.isFinite(settings.tieWindowMs) ? settings.tieWindowMs : null } });
    // Identity parts (burst, client, template) are measured jointly: the candidates matching all of
    // them are counted, so no independence between them is assumed. The tie is then tested as an
    // enrichment among those: E = identity matches × the tie's base rate.
    const tieRate = tiedCount / Math.max(1, actorCount - members.length);
    let identity = 0;
    const matches: Recruit[] = [];
    for (let day = burst.from; day <= lastDay; day++) for (const a of candidatesByDay.get(day) ?? []) {
      const signals: SignalName[] = ['creation_burst'];
      let ok = true;
      for (const part of result.parts) {
        if (part.name === 'client' && (facts.client[a] as number) >= 0) {
          if (facts.client[a] !== (part.detail as { client: number }).client) ok = false;
          signals.push('client');
        }
        if (part.name === 'handle_template' && (facts.template[a] as number) >= 0) {
          if (facts.template[a] !== (part.detail as { template: number }).template) ok = false;
          signals.push('handle_template');
        }
      }
      signals.push('behaviour_tie');
      if (!ok || signals.length < settings.minSignals) continue;
      identity++;
      if (tie.has(a)) matches.push({ account: a, cluster: c, signals, chance: 0 });
    }
    const expected = identity * tieRate;
    result.identity = identity;
    for (const match of matches) match.chance = (identity / Math.max(1, candidates)) * tieRate;
    result.matched = matches.length;
    result.expected = expected;
    result.pValue = poissonUpperTail(matches.length, expected);
    result.accepted = matches.length > 0 && result.pValue <= settings.alpha / tested && expected / matches.length <= settings.maxChanceShare;
    if (result.accepted) result.recruits = matches;
  });
  // An account matched by two clusters goes to the one whose signature it is least likely to match by chance.
  const best = new Map<number, Recruit>();
  for (const expansion of out) {
    for (const recruit of expansion.recruits) {
      const held = best.get(recruit.account);
      if (held === undefined || recruit.chance < held.chance) best.set(recruit.account, recruit);
    }
  }
  for (const expansion of out) expansion.recruits = expansion.recruits.filter((recruit) => best.get(recruit.account) === recruit);
  return { clusters: out, recruits: [...best.values()].sort((x, y) => x.cluster - y.cluster || x.account - y.account) };
}
