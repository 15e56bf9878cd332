// Single meetings (issue 3, slow campaigns whose cluster never forms): can a test form a cluster
// from pushes in which no pair meets twice? Reads a synthetic archive (DIR: tweets.csv, users.csv,
// truth.csv) and a detect output for it (OUT/accounts.csv: every row counts as flagged), and
// measures, among the accounts the detector did not flag:
// - bursts: on each group trace, every run of a rare object's events (at most --max-key-actors
//   accounts ever) with no gap over --window-min minutes and at least --min-size accounts; a burst
//   is exclusive when it holds every event of the object (nobody acted on it at any other time).
//   Printed by trace and by the majority label of their accounts (truth: a slow campaign, another
//   campaign's style, an organic confounder);
// - chains: the exclusive bursts of unflagged accounts (one occasion per distinct account set),
//   linked into a single-meeting graph (a burst of s accounts gives each of its pairs 1/(s-1)),
//   cut by Leiden; each community G of at least --min-group accounts is tested as a whole:
//   O = Σ over occasions (members of G on it - 1)+, against E = Σ C(s,2) (slots_G / slots)² (G's
//   share of all burst places, squared: an upper bound of O's mean when places are drawn at random);
//   'days' = occasions more than a day apart. Then what a rule 'a community meeting on >= d days'
//   would flag, by label;
// - --audience: per such community, the popular objects (> --max-key-actors accounts) on which two
//   members acted within the window (fans, a live event's or a cascade's crowd share their audience's
//   objects; a campaign's members need not);
// - --campaigns: per slow campaign with no member flagged, every object two of its members used.
//
// - --identity: per such community, its members created within one week (k of g), against creation
//   days drawn from all accounts' (a union bound over the member that opens the week); kept at 1%
//   Bonferroni over the communities. This adds account signals to behaviour: a lead, not
//   in the detector (see below).
//
//   node --import tsx bench/single-meetings.ts --dir bench/.data/qf/s7-x10 --out OUT [--audience] [--campaigns] [--identity]
//
// Session 14, on the detect outputs of 64168c4 (P 1.000 on all), scale 10, seeds 7 / 2 (development)
// and 31 / 43 / 67 (held out):
// - exclusive bursts of >= 3 unflagged accounts, by majority: slow campaigns 11 / 12 / 16 / 12 / 30,
//   organic 1,788 / 2,199 / 1,616 / 2,057 / 1,689 (fans on their idol's posts 742-1,589, feeds
//   192-300, live-event 105-262, viral-cascade 112-282, no confounder 47-130). One burst, however
//   improbable under time-shuffling, is what organic retweets or replies of a little-known post
//   look like;
// - slow campaigns with no member flagged: 85 / 85 / 129 / 91 / 211 members; in >= 1 exclusive burst
//   31 / 48 / 60 / 38 / 119, in >= 2 10 / 15 / 14 / 7 / 53 (their plans: 1-11 pushes, 4 at the
//   median; s7: 2, 2, 2, 3, 5, 9, some on objects others use too: a copypasta template, popular tags);
// - chains meeting on >= 2 days: communities mostly slow 1 / 2 / 3 / 2 / 6, other 66 / 57 / 69 /
//   52 / 78; accounts slow 6 / 37 / 40 / 26 / 97, organic 4,762 / 5,654 / 4,100 / 5,488 / 3,782, of
//   which live-event, viral-cascade and none (no organic explanation covers them) 2,008 / 1,512 /
//   2,030 / 1,793 / 1,406. On >= 3 or 4 days: slow 0-63, organic still thousands. Slow chains rank
//   among organic ones (s7: c117's 6 members on 2 occasions, O 6, logp -24.7: 9 organic communities
//   of 7-16 accounts, not feeds, rank above it and 4 of 7 accounts tie with it); at s67, where they
//   rank best, a cut keeping its 6 slow communities (97 slow members, ~45 organic accounts Leiden
//   put with them) keeps 11 organic ones, not feeds or fans, at least as significant (997 accounts:
//   5 live-event crowds of 115-311 over 5-18 days, 6 mixes of 13-25 viral/live/none accounts);
// - --audience: small chains (5-40 accounts) meet on 0-7 popular objects whether organic or slow.
// No rule over single meetings alone separated them; nothing was added to the detector.
// - --identity (s7 / s2 / s31 / s43 / s67 / s71, the last held out too): chains with a creation week
//   beyond chance: 1 / 1 / 4 / 2 / 7 / 3 communities, logp -12 to -51, while no organic community
//   passes -3.4. Their members created in the week: slow 5 / 15 / 25 / 10 / 60 / 24, a missed
//   retweet ring's 9 at s31, and 1 viral-cascade account at s31 (held out); the whole communities
//   also hold 0-31 organic accounts Leiden put with them. Admitting the week's members would move
//   slow recall .694 -> .705, .774 -> .790, .693 -> .731, .765 -> .778, .670 -> .744, .749 -> .773:
//   far from .9, with a viral-cascade account flagged on a held-out seed. And account signals form
//   no cluster today (expand-by-signals recruits around a behavioural core, into recruited.csv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioArchiveInputs, readIoArchive } from '../src/cli/detect/io-direct.js';
import { buildCsr, leiden } from '../src/detect/cluster/index.js';
import { GROUP_TRACES } from '../src/detect/pipeline.js';
import { logPoissonUpperTail } from '../src/detect/significance/poisson.js';
import type { TraceData } from '../src/detect/traces/trace-names.js';
import { flag, has } from './archive-args.js';

const dir = flag('dir', '');
const out = flag('out', '');
const maxKeyActors = Number(flag('max-key-actors', '100'));
const windowMs = Number(flag('window-min', '15')) * 60_000;
const minSize = Number(flag('min-size', '3'));
const minGroup = Number(flag('min-group', '5'));
const DAY_MS = 86_400_000;

interface Row { campaign: string; style: string; confounder: string }
const truth = new Map<string, Row>();
for (const line of readFileSync(join(dir, 'truth.csv'), 'utf8').split('\n').slice(1)) {
  const [user, campaign, style, confounder] = line.split(',');
  if (user !== undefined && user !== '') truth.set(user, { campaign: campaign ?? '', style: style ?? '', confounder: (confounder ?? '').trim() });
}
const flaggedIds = new Set<string>();
for (const line of readFileSync(join(out, 'accounts.csv'), 'utf8').split(/\r?\n/).slice(1)) {
  const [user] = line.split(',');
  if (user !== undefined && user !== '') flaggedIds.add(user);
}
const options = { rejects: '/dev/null' };
const inputs = await ioArchiveInputs([join(dir, 'tweets.csv'), join(dir, 'users.csv')], options);
if (inputs === null) throw new Error(`${dir}: not an Information Operations archive`);
const { source } = await readIoArchive(inputs, options);
const loaded = await source.loadTraces([...GROUP_TRACES], { fastRepostMs: 10_000, platforms: [] }, () => {});
const ids = loaded.actorIds;
const n = ids.length;
const flagged = new Uint8Array(n);
ids.forEach((id, a) => { if (flaggedIds.has(id)) flagged[a] = 1; });

/** 'slow:c017', 'camp:copypasta' or 'organic:live-event'. */
function labelOf(actor: number): string {
  const row = truth.get(ids[actor] ?? '');
  if (row === undefined) return 'organic:none';
  if (row.campaign !== '') return row.style === 'slow-low-participation' ? `slow:${row.campaign}` : `camp:${row.style}`;
  return `organic:${row.confounder || 'none'}`;
}
const kindOf = (actor: number): string => labelOf(actor).replace(/^slow:.*/, 'slow');

function countBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) { const key = keyOf(item); counts.set(key, (counts.get(key) ?? 0) + 1); }
  return counts;
}
const show = (counts: Map<string, number>): string => [...counts].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k}:${v}`).join(' ');
const majority = (actors: readonly number[]): string => [...countBy(actors, kindOf)].sort((x, y) => y[1] - x[1])[0]?.[0] ?? '';

/** Event indexes sorted by (key, time), and the runs of one key in that order. */
function keyRuns(data: TraceData): { order: number[]; runs: [number, number][] } {
  const order = Array.from(data.key.keys()).sort((x, y) => (data.key[x]! - data.key[y]!) || (data.time[x]! - data.time[y]!));
  const runs: [number, number][] = [];
  for (let s = 0; s < order.length;) {
    let e = s + 1;
    while (e < order.length && data.key[order[e]!] === data.key[order[s]!]) e++;
    runs.push([s, e]);
    s = e;
  }
  return { order, runs };
}

interface Burst { trace: string; actors: number[]; exclusive: boolean; flaggedCount: number; start: number }
const bursts: Burst[] = [];
for (const [trace, data] of loaded.traces) {
  const { order, runs } = keyRuns(data);
  for (const [s, e] of runs) {
    const all = new Set<number>();
    for (let i = s; i < e; i++) all.add(data.actor[order[i]!]!);
    if (all.size > maxKeyActors || all.size < minSize) continue;
    for (let b = s; b < e;) {
      let c = b + 1;
      while (c < e && data.time[order[c]!]! - data.time[order[c - 1]!]! <= windowMs) c++;
      const actors = new Set<number>();
      for (let i = b; i < c; i++) actors.add(data.actor[order[i]!]!);
      if (actors.size >= minSize) {
        const list = [...actors];
        bursts.push({ trace, actors: list, exclusive: b === s && c === e, flaggedCount: list.filter((a) => flagged[a] === 1).length, start: data.time[order[b]!]! });
      }
      b = c;
    }
  }
}
const own = bursts.filter((b) => b.exclusive && b.flaggedCount === 0);
console.log(`${dir}: ${bursts.length} bursts of >= ${minSize} accounts on rare objects, ${own.length} exclusive with no flagged account`);
for (const [k, v] of [...countBy(own, (b) => `${majority(b.actors)} ${b.trace}`)].sort()) console.log(`  ${k}\t${v}`);
console.log(`  by majority: ${show(countBy(own, (b) => majority(b.actors)))}`);

// Missed slow members in exclusive bursts (their campaign's own pushes, as far as behaviour shows).
const burstsOf = new Map<number, number>();
for (const b of own) for (const a of b.actors) burstsOf.set(a, (burstsOf.get(a) ?? 0) + 1);
const slowCampaigns = new Map<string, number[]>();
ids.forEach((_, a) => { const l = labelOf(a); if (l.startsWith('slow:')) slowCampaigns.set(l, [...(slowCampaigns.get(l) ?? []), a]); });
const inBursts = (members: readonly number[], k: number): number => members.filter((a) => (burstsOf.get(a) ?? 0) >= k).length;
const missed = [...slowCampaigns.values()].flat().filter((a) => flagged[a] === 0);
console.log(`  slow members missed ${missed.length}: in >= 1 exclusive burst ${inBursts(missed, 1)}, >= 2 ${inBursts(missed, 2)}`);
const never = [...slowCampaigns].filter(([, members]) => members.every((a) => flagged[a] === 0));
const neverMembers = never.flatMap(([, members]) => members);
console.log(`  campaigns with no member flagged: ${never.map(([c, m]) => `${c.slice(5)}:${m.length}`).join(' ')}; members ${neverMembers.length}, in >= 1 exclusive burst ${inBursts(neverMembers, 1)}, >= 2 ${inBursts(neverMembers, 2)}`);
const organic = [...burstsOf].filter(([a]) => labelOf(a).startsWith('organic')).map(([a]) => a);
console.log(`  organic accounts in >= 1 exclusive burst ${organic.length}, >= 2 ${inBursts(organic, 2)}, >= 3 ${inBursts(organic, 3)}`);

// Chains: one occasion per distinct account set (one push on a post and its tags counts once).
const occasions: { actors: number[]; start: number }[] = [];
const sets = new Set<string>();
for (const b of own) {
  const key = [...b.actors].sort((x, y) => x - y).join(' ');
  if (!sets.has(key)) { sets.add(key); occasions.push({ actors: b.actors, start: b.start }); }
}
const slots = new Int32Array(n);
let allSlots = 0;
let allPairs = 0;
const pairWeight = new Map<number, number>();
for (const { actors } of occasions) {
  allPairs += (actors.length * (actors.length - 1)) / 2;
  for (const a of actors) { slots[a]!++; allSlots++; }
  for (let i = 0; i < actors.length; i++) {
    for (let j = i + 1; j < actors.length; j++) {
      const key = Math.min(actors[i]!, actors[j]!) * n + Math.max(actors[i]!, actors[j]!);
      pairWeight.set(key, (pairWeight.get(key) ?? 0) + 1 / (actors.length - 1));
    }
  }
}
const keys = [...pairWeight.keys()];
const graph = buildCsr(n, Int32Array.from(keys, (k) => Math.floor(k / n)), Int32Array.from(keys, (k) => k % n), Float64Array.from(keys, (k) => pairWeight.get(k)!));
const { membership } = leiden(graph);
const communities = new Map<number, number[]>();
for (let a = 0; a < n; a++) if (slots[a]! > 0) communities.set(membership[a]!, [...(communities.get(membership[a]!) ?? []), a]);

interface Chain { members: number[]; occasions: number; days: number; observed: number; expected: number; logP: number }
const chains: Chain[] = [];
for (const members of communities.values()) {
  if (members.length < minGroup) continue;
  const inside = new Set(members);
  let share = 0;
  for (const a of members) share += slots[a]! / allSlots;
  let observed = 0;
  const starts: number[] = [];
  for (const { actors, start } of occasions) {
    const m = actors.filter((a) => inside.has(a)).length;
    if (m >= 2) { observed += m - 1; starts.push(start); }
  }
  starts.sort((x, y) => x - y);
  const days = starts.filter((t, i) => i === 0 || t - starts[i - 1]! > DAY_MS).length;
  const expected = allPairs * share * share;
  chains.push({ members, occasions: starts.length, days, observed, expected, logP: logPoissonUpperTail(observed, expected) });
}
chains.sort((x, y) => x.logP - y.logP);
console.log(`  chains: ${occasions.length} occasions, ${communities.size} communities, ${chains.length} of >= ${minGroup} accounts`);
for (const d of [2, 3, 4]) {
  const kept = chains.filter((c) => c.days >= d);
  const mostlySlow = kept.filter((c) => c.members.filter((a) => kindOf(a) === 'slow').length > c.members.length / 2).length;
  console.log(`  meeting on >= ${d} days: communities mostly slow ${mostlySlow}, other ${kept.length - mostlySlow}; accounts ${show(countBy(kept.flatMap((c) => c.members), kindOf))}`);
}
for (const c of chains.slice(0, Number(flag('top', '0')))) {
  console.log(`    size ${c.members.length} occasions ${c.occasions} days ${c.days} O ${c.observed} E ${c.expected.toFixed(3)} logp ${c.logP.toFixed(1)} | ${show(countBy(c.members, labelOf))}`);
}

if (has('audience')) {
  const multiDay = chains.filter((c) => c.days >= 2);
  const chainOf = new Int32Array(n).fill(-1);
  multiDay.forEach((c, i) => { for (const a of c.members) chainOf[a] = i; });
  const popular = new Int32Array(multiDay.length);
  for (const data of loaded.traces.values()) {
    const { order, runs } = keyRuns(data);
    for (const [s, e] of runs) {
      if (new Set(order.slice(s, e).map((i) => data.actor[i]!)).size <= maxKeyActors) continue;
      const last = new Map<number, { time: number; actor: number }>();
      const met = new Set<number>();
      for (let i = s; i < e; i++) {
        const actor = data.actor[order[i]!]!;
        const c = chainOf[actor]!;
        if (c < 0 || met.has(c)) continue;
        const time = data.time[order[i]!]!;
        const previous = last.get(c);
        if (previous !== undefined && previous.actor !== actor && time - previous.time <= windowMs) met.add(c);
        last.set(c, { time, actor });
      }
      for (const c of met) popular[c]!++;
    }
  }
  multiDay.forEach((c, i) => console.log(`    audience ${majority(c.members)} size ${c.members.length} occasions ${c.occasions} popular ${popular[i]}`));
}

if (has('campaigns')) {
  for (const [campaign, members] of never) {
    console.log(`  ${campaign}: ${members.length} members`);
    const mine = new Set(members);
    for (const [trace, data] of loaded.traces) {
      const { order, runs } = keyRuns(data);
      for (const [s, e] of runs) {
        const events = order.slice(s, e);
        const inside = events.filter((i) => mine.has(data.actor[i]!));
        const accounts = new Set(inside.map((i) => data.actor[i]!));
        if (accounts.size < 2) continue;
        const span = (data.time[inside[inside.length - 1]!]! - data.time[inside[0]!]!) / 60_000;
        const others = new Set(events.map((i) => data.actor[i]!).filter((a) => !mine.has(a)));
        console.log(`    ${trace}: members ${accounts.size} within ${span.toFixed(0)} min, other accounts on the object ${others.size}`);
      }
    }
  }
}
if (has('identity') && source.accountFacts !== undefined) {
  // Chains among accounts of one registration batch: k members created within one week. Null: the
  // members' creation days drawn from all accounts'; P(some member has k - 1 others in the 7 days
  // from its own) <= g E_x[P(Binomial(g - 1, q_x) >= k - 1)], q_x the share of accounts created in
  // [x, x + 7 days], x over every account's creation day (a union bound over the anchors).
  const facts = await source.accountFacts(ids);
  if (facts === null) throw new Error(`${dir}: no account facts (users.csv) to read creation days from`);
  const created = ids.map((_, a) => facts.createdDay[a]!).filter((d) => Number.isFinite(d)).sort((x, y) => x - y);
  const weekShare = created.filter((_, i) => i % 10 === 0).map((x) => (upperBound(created, x + 7) - upperBound(created, x - 1e-9)) / created.length);
  const multiDay = chains.filter((c) => c.days >= 2);
  const kept: Chain[] = [];
  const inWeek: number[] = [];
  for (const c of multiDay) {
    const days = c.members.map((a) => facts.createdDay[a]!).filter((d) => Number.isFinite(d)).sort((x, y) => x - y);
    let best = 0;
    let from = 0;
    for (let i = 0, j = 0; i < days.length; i++) {
      while (days[i]! - days[j]! > 7) j++;
      if (i - j + 1 > best) { best = i - j + 1; from = days[j]!; }
    }
    const g = c.members.length;
    const mean = weekShare.reduce((sum, q) => sum + Math.exp(logBinomialUpperTail(best - 1, g - 1, q)), 0) / weekShare.length;
    const logP = Math.min(0, Math.log(g * mean));
    const clients = countBy(c.members.filter((a) => facts.client[a]! >= 0), (a) => String(facts.client[a]));
    if (logP <= Math.log(0.01 / Math.max(1, multiDay.length))) {
      kept.push(c);
      for (const a of c.members) { const d = facts.createdDay[a]!; if (d >= from && d <= from + 7) inWeek.push(a); }
    }
    console.log(`    identity ${majority(c.members)} size ${c.members.length} created in one week ${best} logp ${logP.toFixed(1)} top client ${Math.max(0, ...clients.values())}`);
  }
  console.log(`  chains on >= 2 days with a creation week beyond chance (Bonferroni 1%): ${kept.length}; accounts ${show(countBy(kept.flatMap((c) => c.members), kindOf))}; those created in the week ${show(countBy(inWeek, kindOf))}`);
}
await source.close();

function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid]! <= value) lo = mid + 1; else hi = mid; }
  return lo;
}

/** log P(Binomial(n, p) >= k), summed in log space. */
function logBinomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  let logTerm = 0;
  for (let i = 0; i < k; i++) logTerm += Math.log((n - i) / (i + 1));
  logTerm += k * Math.log(p) + (n - k) * Math.log1p(-p);
  let sum = 0;
  let term = 1;
  for (let i = k; i <= n; i++) {
    sum += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return logTerm + Math.log(sum);
}
