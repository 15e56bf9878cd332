/**
 * Account signals of a cluster against the platform baseline: creation-date bursts, handle
 * patterns and shared templates, empty profiles, follower/following shape, language mix, and,
 * when activity is known, repurposed accounts and client-app concentration. The marks follow
 * Twitter's and the Stanford Internet Observatory's write-ups of the 2019 network (accounts
 * created in bursts, `Name12345678` handles, empty profiles, old accounts bought and switched to
 * Chinese) and DFRLab's checklist for bot and sock-puppet networks.
 */
import type { Actor } from '../model/index.js';
import { compareCodePoints } from '../model/index.js';
import { proportionSignal } from './evidence.js';
import type { Signal } from './evidence.js';
import { groupingTemplate, handlePattern, isHashedHandle, isSpecificTemplate } from './handle-pattern.js';

const DAY_MS = 86_400_000;

/** What an account did, when the store has its actions. */
export interface ActivitySummary {
  clients: ReadonlyMap<string, number>;
  first: number;
  last: number;
  earlyLanguage: string | null;
  lateLanguage: string | null;
  longestGapDays: number;
}

export const ACCOUNT_SIGNAL_DEFAULTS = {
  /** Width of the creation-burst window, days. */
  burstDays: 7,
  fewFollowers: 10,
  /** Following at least this many times followers (+1) is a follow-for-follow shape. */
  followingSkew: 10,
  /** Repurposed: created at least this long before its first action here, or silent this long. */
  dormantDays: 365,
};

/** The platform's distributions, computed once and reused for every cluster. */
export interface AccountBaseline {
  accounts: number;
  /** Accounts created per UTC day (day number). */
  createdPerDay: Map<number, number>;
  withCreation: number;
  languages: Map<string, number>;
  withLanguage: number;
  templates: Map<string, number>;
  withHandle: number;
  nameDigits: number;
  highEntropy: number;
  emptyProfile: number;
  withFollowers: number;
  fewFollowers: number;
  followingSkew: number;
  /** Over accounts with activity. */
  withActivity: number;
  repurposed: number;
  /** Accounts by their most used client app. */
  clients: Map<string, number>;
  withClient: number;
}

const realHandle = (actor: Actor): string | null => (actor.handle === null || actor.handle === '' || isHashedHandle(actor.handle) ? null : actor.handle);
const emptyProfile = (actor: Actor): boolean => (actor.description ?? '').trim() === '' && (actor.location ?? '').trim() === '';
const languageOf = (actor: Actor): string | null => (actor.language === null || actor.language === '' ? null : actor.language.toLowerCase());

function isRepurposed(actor: Actor, activity: ActivitySummary, settings: typeof ACCOUNT_SIGNAL_DEFAULTS): boolean {
  const dormant = settings.dormantDays;
  const oldBeforeFirst = actor.createdAt !== null && activity.first - actor.createdAt >= dormant * DAY_MS;
  const silent = activity.longestGapDays >= dormant;
  const switched = activity.earlyLanguage !== null && activity.lateLanguage !== null && activity.earlyLanguage !== activity.lateLanguage;
  // A long silence inside the account's own history, then a new language or a first action long
  // after creation. Age alone is not a mark: a data window starts after most accounts were made.
  return silent && (switched || oldBeforeFirst);
}

/**
 * The most used client app; ties go to the first name in code-point order, so the result does not
 * depend on the order the counts arrived in (a store's GROUP BY returns groups in no fixed order).
 */
function mainClient(activity: ActivitySummary): string | null {
  let best: string | null = null;
  let most = 0;
  for (const [client, n] of activity.clients) {
    if (n > most || (n === most && best !== null && compareCodePoints(client, best) < 0)) { best = client; most = n; }
  }
  return best;
}

const bump = <K>(map: Map<K, number>, key: K, by = 1): void => { map.set(key, (map.get(key) ?? 0) + by); };

/** The baseline of all accounts (members included: with millions of accounts they barely move it). */
export function accountBaseline(actors: Iterable<Actor>, activity: ReadonlyMap<string, ActivitySummary> = new Map(), options: Partial<typeof ACCOUNT_SIGNAL_DEFAULTS> = {}): AccountBaseline {
  const settings = { ...ACCOUNT_SIGNAL_DEFAULTS, ...options };
  const base: AccountBaseline = {
    accounts: 0, createdPerDay: new Map(), withCreation: 0, languages: new Map(), withLanguage: 0, templates: new Map(), withHandle: 0,
    nameDigits: 0, highEntropy: 0, emptyProfile: 0, withFollowers: 0, fewFollowers: 0, followingSkew: 0, withActivity: 0, repurposed: 0,
    clients: new Map(), withClient: 0,
  };
  for (const actor of actors) {
    base.accounts += 1;
    if (actor.createdAt !== null) { base.withCreation += 1; bump(base.createdPerDay, Math.floor(actor.createdAt / DAY_MS)); }
    const language = languageOf(actor);
    if (language !== null) { base.withLanguage += 1; bump(base.languages, language); }
    const handle = realHandle(actor);
    if (handle !== null) {
      base.withHandle += 1;
      const pattern = handlePattern(handle);
      if (pattern === 'name-digits') base.nameDigits += 1;
      if (pattern === 'high-entropy') base.highEntropy += 1;
      bump(base.templates, groupingTemplate(handle, pattern));
    }
    if (emptyProfile(actor)) base.emptyProfile += 1;
    if (actor.followers !== null && actor.following !== null) {
      base.withFollowers += 1;
      if (actor.followers < settings.fewFollowers) base.fewFollowers += 1;
      if (actor.following >= settings.followingSkew * (actor.followers + 1)) base.followingSkew += 1;
    }
    const done = activity.get(actor.id);
    if (done !== undefined) {
      base.withActivity += 1;
      if (isRepurposed(actor, done, settings)) base.repurposed += 1;
      const client = mainClient(done);
      if (client !== null) { bump(base.clients, client); base.withClient += 1; }
    }
  }
  return base;
}

const share = (count: number, of: number): number => (of === 0 ? 0 : count / of);
const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

function creationBurst(members: readonly Actor[], base: AccountBaseline, days: number): Signal | null {
  const created = members.map((actor) => actor.createdAt).filter((time): time is number => time !== null).map((time) => Math.floor(time / DAY_MS)).sort((x, y) => x - y);
  if (created.length === 0 || base.withCreation === 0) return null;
  // The densest window of `days` days (two pointers over sorted days).
  let best = { count: 0, from: created[0] as number };
  let lo = 0;
  for (let hi = 0; hi < created.length; hi++) {
    while ((created[hi] as number) - (created[lo] as number) >= days) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, from: created[lo] as number };
  }
  let inWindow = 0;
  for (let day = best.from; day < best.from + days; day++) inWindow += base.createdPerDay.get(day) ?? 0;
  const perDay = new Map<number, number>();
  for (const day of created) bump(perDay, day);
  const topDays = [...perDay].sort((x, y) => y[1] - x[1]).slice(0, 5).map(([day, n]) => ({ day: isoDay(day), accounts: n, platform: base.createdPerDay.get(day) ?? 0 }));
  const span = Math.max(1, ((created[created.length - 1] as number) - (created[0] as number)) / days);
  return proportionSignal('creation_burst', `members created in the densest ${days}-day window, against all accounts created in it`,
    best.count, created.length, share(inWindow, base.withCreation), { from: isoDay(best.from), to: isoDay(best.from + days - 1), top_days: topDays }, Math.ceil(span));
}

function templateSignal(handles: readonly string[], base: AccountBaseline): Signal | null {
  if (handles.length === 0 || base.withHandle === 0) return null;
  const counts = new Map<string, number>();
  for (const handle of handles) bump(counts, groupingTemplate(handle));
  const specific = [...counts].filter(([template, n]) => n >= 3 && isSpecificTemplate(template));
  if (specific.length === 0) return proportionSignal('shared_handle_template', 'members sharing a narrow handle template', 0, handles.length, 0, { templates: [] });
  const shared = specific.reduce((sum, [, n]) => sum + n, 0);
  const expected = specific.reduce((sum, [template]) => sum + (base.templates.get(template) ?? 0), 0) / base.withHandle;
  return proportionSignal('shared_handle_template', 'members whose narrow handle template (e.g. Aa#8 = Name12345678) 3+ members share, against the templates\' share of all handles',
    shared, handles.length, expected, { templates: specific.sort((x, y) => y[1] - x[1]).slice(0, 5).map(([template, n]) => ({ template, accounts: n, platform_share: round6((base.templates.get(template) ?? 0) / base.withHandle) })) });
}

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

function languageSignal(members: readonly Actor[], base: AccountBaseline): Signal | null {
  const languages = new Map<string, number>();
  let known = 0;
  for (const actor of members) { const language = languageOf(actor); if (language !== null) { known += 1; bump(languages, language); } }
  if (known === 0 || base.withLanguage === 0) return null;
  const ranked = [...languages].sort((x, y) => y[1] - x[1]);
  const [top, count] = ranked[0] as [string, number];
  // Jensen-Shannon divergence (bits) between the mixes, for the detail.
  const all = new Set([...languages.keys(), ...base.languages.keys()]);
  let jsd = 0;
  for (const language of all) {
    const p = (languages.get(language) ?? 0) / known;
    const q = (base.languages.get(language) ?? 0) / base.withLanguage;
    const m = (p + q) / 2;
    if (p > 0) jsd += 0.5 * p * Math.log2(p / m);
    if (q > 0) jsd += 0.5 * q * Math.log2(q / m);
  }
  return proportionSignal('language_mix', `members whose account language is the cluster's most common (${top}), against that language's share of all accounts`,
    count, known, (base.languages.get(top) ?? 0) / base.withLanguage, { top: ranked.slice(0, 5).map(([language, n]) => ({ language, accounts: n, platform_share: round6((base.languages.get(language) ?? 0) / base.withLanguage) })), js_divergence_bits: round6(jsd) }, Math.min(all.size, 20));
}

/**
 * Every account signal the data supports for one cluster's members (signals without data are
 * left out, never reported as zero).
 */
export function accountSignals(members: readonly Actor[], base: AccountBaseline, activity: ReadonlyMap<string, ActivitySummary> = new Map(), options: Partial<typeof ACCOUNT_SIGNAL_DEFAULTS> = {}): Signal[] {
  const settings = { ...ACCOUNT_SIGNAL_DEFAULTS, ...options };
  const signals: (Signal | null)[] = [creationBurst(members, base, settings.burstDays)];
  const handles = members.map(realHandle).filter((handle): handle is string => handle !== null);
  if (handles.length > 0 && base.withHandle > 0) {
    const nameDigits = handles.filter((handle) => handlePattern(handle) === 'name-digits');
    const random = handles.filter((handle) => handlePattern(handle) === 'high-entropy');
    signals.push(proportionSignal('handle_name_digits', 'members whose handle is letters then 6+ digits (Name12345678)', nameDigits.length, handles.length, share(base.nameDigits, base.withHandle), { examples: nameDigits.slice(0, 5), hashed_or_missing: members.length - handles.length }));
    signals.push(proportionSignal('handle_high_entropy', 'members whose handle looks random (10+ characters, high entropy)', random.length, handles.length, share(base.highEntropy, base.withHandle), { examples: random.slice(0, 5) }));
    signals.push(templateSignal(handles, base));
  }
  signals.push(proportionSignal('empty_profile', 'members with neither a bio nor a location', members.filter(emptyProfile).length, members.length, share(base.emptyProfile, base.accounts), {}));
  const shaped = members.filter((actor) => actor.followers !== null && actor.following !== null);
  if (shaped.length > 0 && base.withFollowers > 0) {
    const followers = shaped.map((actor) => actor.followers as number).sort((x, y) => x - y);
    signals.push(proportionSignal('few_followers', `members with fewer than ${settings.fewFollowers} followers`, shaped.filter((actor) => (actor.followers as number) < settings.fewFollowers).length, shaped.length,
      share(base.fewFollowers, base.withFollowers), { median_followers: followers[Math.floor(followers.length / 2)] ?? 0 }));
    signals.push(proportionSignal('following_skew', `members following ${settings.followingSkew}x more accounts than follow them`, shaped.filter((actor) => (actor.following as number) >= settings.followingSkew * ((actor.followers as number) + 1)).length, shaped.length,
      share(base.followingSkew, base.withFollowers), {}));
  }
  signals.push(languageSignal(members, base));
  const active = members.filter((actor) => activity.has(actor.id));
  if (active.length > 0 && base.withActivity > 0) {
    const repurposed = active.filter((actor) => isRepurposed(actor, activity.get(actor.id) as ActivitySummary, settings));
    signals.push(proportionSignal('repurposed', `members silent ${settings.dormantDays}+ days in their own history, then switching language or first acting long after creation`, repurposed.length, active.length, share(base.repurposed, base.withActivity), { examples: repurposed.slice(0, 5).map((actor) => actor.id) }));
    const clients = new Map<string, number>();
    let withClient = 0;
    for (const actor of active) {
      const client = mainClient(activity.get(actor.id) as ActivitySummary);
      if (client !== null) { bump(clients, client); withClient += 1; }
    }
    const ranked = [...clients].sort((x, y) => y[1] - x[1] || compareCodePoints(x[0], y[0]));
    const top = ranked[0];
    if (top !== undefined && base.withClient > 0) {
      signals.push(proportionSignal('client_concentration', `members whose most used client app is the cluster's most common (${top[0]}), against all accounts`, top[1], withClient,
        (base.clients.get(top[0]) ?? 0) / base.withClient, { top: ranked.slice(0, 5).map(([client, n]) => ({ client, accounts: n, platform_share: round6((base.clients.get(client) ?? 0) / base.withClient) })) }, Math.min(clients.size, 20)));
    }
  }
  return signals.filter((signal): signal is Signal => signal !== null);
}
