/**
 * Joiners of a flagged cluster's pushes: accounts in no cluster that took part in a push of the
 * cluster on an object nobody else ever touched.
 *
 * Slow, low-participation campaigns (1-3 pushes a week, each joined by a fifth to two fifths of
 * the members, minutes late) leave many members with one or two pushes in the whole period: no
 * pair test or group test can admit them, because a member meets any other member once at most.
 * What such a member does is still telling when the push it joined is the cluster's own: a
 * rare object (at most `maxKeyActors` accounts) that at least `minMembers` members of one flagged
 * cluster acted on, that no member of another cluster touched, and on which every other account
 * acted within `windowMs` of a member's action (an exclusive push). Such accounts are its joiners.
 * Organic crowds do not pass this: a fan, a live event's crowd or a viral cascade acts on objects
 * that others also use at other times, so the object is not exclusive (synthetic scale 10, seeds
 * 7, 1, 2, before the test and the joiners-at-most-members rule: 79 slow-campaign members and 2
 * organic accounts join exclusive pushes; without the exclusivity condition, 15-52 slow members
 * against 540-2,000 organic accounts). With the test, 28 joiners were recruited over 13 archives
 * (scales 1 and 10), all campaign members; Benjamini-Hochberg over ~46,000 accounts is what keeps
 * most candidates out (scale 10 seed 2: 21 candidates, 3 kept). Session 8: λ over the union of the
 * member windows (not first-to-last member action) and no timing credit on co-reply: scale 10 seeds
 * 2, 1, 21, 22: 15, 5, 7, 9 joiners, all campaign members (bench/push-candidates.ts).
 * Session 13: no cap on outsiders per member (it was 1): a slow push is joined by a fifth to two
 * fifths of the campaign, most of them unflagged, so the cap dropped the campaign's own pushes
 * (scale 10 seed 7: 9 more slow members are candidates without it, 7 kept); the test, not the cap,
 * keeps organic accounts out (none kept in 6 archives either way). Joiners at scale 10, seeds
 * 7 / 2 / 11 (development) and 31 / 43 / 59 (held out): 4 / 21 / 6 / 12 / 13 / 6 -> 11 / 21 / 6 /
 * 12 / 13 / 10, all campaign members. What does not work, measured on seeds 7 and 2: pushes that
 * are not exclusive (other clusters or outsiders anywhere on the object) under this λ keep 702
 * accounts at seed 7, 689 organic (live events, cascades: their objects' actions crowd in time,
 * which the uniform-time chance does not know); minMembers 2 adds 2 / 1 members and an organic
 * account; a second round, with the first round's joiners as members, adds 0 / 1. Most missed slow
 * members never act within 15 minutes of a flagged member on a rare object (seed 7: 43 of the 63
 * in campaigns with a cluster; 85 more are in campaigns with none; bench/push-candidates.ts --why).
 *
 * The test, per account x outside every cluster, against its cluster c (the one whose pushes it
 * joined most): under chance, x's events fall on objects in proportion to their events and at
 * uniform times over the trace's span, so the expected number of its events landing in one of c's
 * pushes is λ = Σ_trace e_x · Σ_push (n_o / N) · W_o / T (e_x its events, n_o the object's, N and T
 * the trace's events and span, W_o the time within windowMs of a member's action on the object: the
 * union of those windows, which is where a joining action must fall; 1 on `untimedTraces`, co-reply,
 * whose actions crowd right after the post answered whoever acts). P(Poisson(λ) ≥ joined) is its p-value;
 * joiners are kept by Benjamini-Hochberg at `fdr` over every account outside the clusters that
 * has an event (accounts that joined nothing count as tests with p = 1).
 */
import { isMember, memberBits } from './member-bits.js';
import { logPoissonUpperTail } from './significance/poisson.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

export interface PushJoinerOptions {
  /** An outsider's action counts as joining a push within this many ms of a member's action on the object. */
  windowMs: number;
  /** Objects touched by more accounts than this are not pushes. */
  maxKeyActors: number;
  /** Members of one flagged cluster an object needs to be the cluster's push. */
  minMembers: number;
  /** Benjamini-Hochberg false discovery rate over the accounts tested. */
  fdr: number;
  /**
   * Traces whose actions are anchored in time to their object (a reply comes minutes after the post it
   * answers, whoever writes it): joining a push there earns no credit for its timing, only for the
   * object (λ's time factor is 1).
   */
  untimedTraces: readonly TraceName[];
  /**
   * Outsiders on a push may be at most this many times its members. Infinity by default: a push is
   * the cluster's by exclusivity and timing (no other cluster on it, every outsider action within
   * windowMs of a member's), and a slow campaign's push is often joined by more of its unflagged
   * members than by flagged ones (a fifth to two fifths of the campaign joins, few of them flagged).
   */
  outsidersPerMember: number;
}

/** A quarter of an hour (a slow campaign's members act up to 10 minutes after the order); 1% FDR; no cap on outsiders per member. */
export const PUSH_JOINER_DEFAULTS: Readonly<PushJoinerOptions> = Object.freeze({
  windowMs: 15 * 60_000,
  maxKeyActors: 100,
  minMembers: 3,
  fdr: 0.01,
  untimedTraces: ['co-reply'] as readonly TraceName[],
  outsidersPerMember: Infinity,
});

/** One exclusive push an outsider joined. */
export interface JoinedPush {
  trace: TraceName;
  key: number;
  /** Members of the cluster on the object, and outsiders who joined them. */
  members: number;
  joiners: number;
  /** First and last action of a member on the object, ms. */
  start: number;
  end: number;
}

export interface PushJoiner {
  account: number;
  /** Index into the input clusters. */
  cluster: number;
  pushes: JoinedPush[];
  /** Pushes of the cluster chance would put the account in (λ), and P(Poisson(λ) ≥ pushes). */
  expected: number;
  pValue: number;
}

export interface PushJoinerResult {
  joiners: PushJoiner[];
  /** Accounts tested (outside every cluster, with an event), and those that joined a push. */
  tested: number;
  candidates: number;
  /** Exclusive pushes per input cluster. */
  pushes: number[];
  /** Every candidate's test (kept or not), by ascending p-value: the evidence for a reviewer or a bench. */
  tests: PushJoiner[];
}

interface Candidate { cluster: number; pushes: JoinedPush[] }

/**
 * Joiners of the flagged clusters' exclusive pushes (see the file comment). `exclude` marks
 * accounts not to test (already recruited elsewhere).
 * @example const { joiners } = pushJoiners({ actorCount, clusters: [{ members: [0, 1, 2, 3] }], traces });
 */
export function pushJoiners(
  input: { actorCount: number; clusters: readonly { members: readonly number[] }[]; traces: ReadonlyMap<TraceName, TraceData>; exclude?: Uint8Array },
  options?: Partial<PushJoinerOptions>,
): PushJoinerResult {
  const opts = { ...PUSH_JOINER_DEFAULTS, ...options };
  const n = input.actorCount;
  const clusterOf = new Int32Array(n).fill(-1);
  input.clusters.forEach((cluster, index) => { for (const member of cluster.members) clusterOf[member] = index; });
  const clusterCount = input.clusters.length;
  const pushCount = new Array<number>(clusterCount).fill(0);
  const candidates = new Map<number, Candidate[]>();
  const active = new Uint8Array(n);
  // Per trace: each actor's events and each cluster's chance rate Σ (n_o / N) W_o / T.
  const rates: { events: Int32Array; rate: Float64Array }[] = [];
  const seen = new Int32Array(n).fill(-1);
  const onKey = new Int32Array(n);
  for (const [trace, data] of input.traces) {
    const count = data.actor.length;
    if (count === 0) continue;
    const events = new Int32Array(n);
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < count; i++) {
      events[data.actor[i] ?? 0]!++;
      const time = data.time[i] ?? 0;
      if (time < first) first = time;
      if (time > last) last = time;
    }
    // Active: an event in some trace (marked per actor, not per event: one random access less each).
    for (let actor = 0; actor < n; actor++) if (events[actor] !== 0) active[actor] = 1;
    const span = Math.max(last - first, opts.windowMs);
    seen.fill(-1);
    onKey.fill(0);
    const rate = new Float64Array(clusterCount);
    const timed = !opts.untimedTraces.includes(trace);
    for (const run of keyRuns(data, clusterOf, opts.minMembers)) {
      const push = exclusivePush(data, run, clusterOf, opts, seen, onKey);
      if (push !== null) {
        pushCount[push.cluster]!++;
        rate[push.cluster]! += (run.length / count) * (timed ? Math.min(1, push.coveredMs / span) : 1);
        for (const joiner of push.joiners) {
          const joined: JoinedPush = { trace, key: data.key[run[0] ?? 0] ?? 0, members: push.members, joiners: push.joiners.length, start: push.start, end: push.end };
          const list = candidates.get(joiner) ?? [];
          const entry = list.find((candidate) => candidate.cluster === push.cluster);
          if (entry === undefined) list.push({ cluster: push.cluster, pushes: [joined] });
          else entry.pushes.push(joined);
          candidates.set(joiner, list);
        }
      }
    }
    rates.push({ events, rate });
  }
  let tested = 0;
  for (let actor = 0; actor < n; actor++) if (active[actor] === 1 && clusterOf[actor] === -1 && input.exclude?.[actor] !== 1) tested++;
  const tests: PushJoiner[] = [];
  for (const [account, list] of candidates) {
    if (input.exclude?.[account] === 1) continue;
    let best: PushJoiner | null = null;
    for (const candidate of list) {
      let expected = 0;
      for (const { events, rate } of rates) expected += (events[account] ?? 0) * (rate[candidate.cluster] ?? 0);
      const pValue = Math.exp(logPoissonUpperTail(candidate.pushes.length, expected));
      if (best === null || candidate.pushes.length > best.pushes.length || (candidate.pushes.length === best.pushes.length && pValue < best.pValue)) {
        best = { account, cluster: candidate.cluster, pushes: candidate.pushes, expected, pValue };
      }
    }
    if (best !== null) tests.push(best);
  }
  tests.sort((a, b) => a.pValue - b.pValue || a.account - b.account);
  let keep = 0;
  tests.forEach((test, rank) => { if (test.pValue <= (opts.fdr * (rank + 1)) / Math.max(1, tested)) keep = rank + 1; });
  return { joiners: tests.slice(0, keep), tested, candidates: tests.length, pushes: pushCount, tests };
}

/**
 * The event indexes of each key with at least two events, `minMembers` of them by members of a
 * cluster, in input order (a counting sort by key).
 * Runs are views into one array: `exclusivePush` sorts a run by time only once the run has passed
 * the membership checks, which almost no key does (sorting every run cost 0.4 s at 2.2M rows).
 */
function keyRuns(data: TraceData, clusterOf: Int32Array, minMembers: number): Int32Array[] {
  // Only keys with at least minMembers events by cluster members can be pushes: most keys have none.
  const memberEvents = new Int32Array(data.keyCount);
  const members = memberBits(clusterOf);
  for (let i = 0; i < data.key.length; i++) if (isMember(members, data.actor[i] ?? 0)) memberEvents[data.key[i] ?? 0]!++;
  const candidate = (key: number): boolean => (memberEvents[key] ?? 0) >= minMembers;
  if (keyOrdered(data.key)) {
    // The direct readers' traces arrive in (key, time) order: runs are the stretches of one key.
    // Only candidate runs get an array of their event indexes (few keys; no index of every event).
    const runs: Int32Array[] = [];
    const n = data.key.length;
    for (let start = 0, i = 1; i <= n; i++) {
      if (i < n && data.key[i] === data.key[start]) continue;
      if (i - start >= 2 && candidate(data.key[start] ?? 0)) {
        const run = new Int32Array(i - start);
        for (let j = 0; j < run.length; j++) run[j] = start + j;
        runs.push(run);
      }
      start = i;
    }
    return runs;
  }
  const starts = new Int32Array(data.keyCount + 1);
  for (let i = 0; i < data.key.length; i++) starts[(data.key[i] ?? 0) + 1]!++;
  for (let k = 0; k < data.keyCount; k++) starts[k + 1]! += starts[k]!;
  const order = new Int32Array(data.key.length);
  const fill = starts.slice(0, data.keyCount);
  for (let i = 0; i < data.key.length; i++) order[fill[data.key[i] ?? 0]!++] = i;
  const runs: Int32Array[] = [];
  for (let k = 0; k < data.keyCount; k++) {
    if ((starts[k + 1] ?? 0) - (starts[k] ?? 0) >= 2 && candidate(k)) runs.push(order.subarray(starts[k], starts[k + 1]));
  }
  return runs;
}

function keyOrdered(key: Int32Array): boolean {
  for (let i = 1; i < key.length; i++) if ((key[i] ?? 0) < (key[i - 1] ?? 0)) return false;
  return true;
}

/**
 * The object of `run` as one cluster's exclusive push, or null: at most maxKeyActors accounts, at
 * least minMembers of one cluster, none of another, outsiders at most outsidersPerMember times the
 * members, and every outsider's every action within windowMs of a member's action. `seen` and
 * `onKey` are scratch arrays of actorCount. A run that passes the membership checks is sorted by
 * time in place.
 */
function exclusivePush(
  data: TraceData, run: Int32Array, clusterOf: Int32Array, opts: PushJoinerOptions, seen: Int32Array, onKey: Int32Array,
): Push | null {
  const stamp = run[0] ?? 0;
  let distinct = 0;
  let cluster = -1;
  let members = 0;
  let outsiders = 0;
  for (const event of run) {
    const actor = data.actor[event] ?? 0;
    if (seen[actor] === stamp) continue;
    seen[actor] = stamp;
    if (++distinct > opts.maxKeyActors) return null;
    const own = clusterOf[actor] ?? -1;
    if (own === -1) outsiders++;
    else if (cluster === -1 || cluster === own) { cluster = own; members++; } else return null;
  }
  if (cluster === -1 || members < opts.minMembers || outsiders > opts.outsidersPerMember * members) return null;
  run.sort((a, b) => (data.time[a] ?? 0) - (data.time[b] ?? 0) || a - b);
  return pushOf(data, run, cluster, clusterOf, opts, onKey, -1 - stamp);
}

interface Push { cluster: number; members: number; joiners: number[]; start: number; end: number; coveredMs: number }

/**
 * An object's time-sorted events as a push of `cluster` (the only cluster on the object), or null
 * when an outsider action is more than windowMs from every member action. `mark` is a value no
 * other call uses (marks in `onKey`).
 */
function pushOf(
  data: TraceData, events: Int32Array, cluster: number, clusterOf: Int32Array, opts: PushJoinerOptions, onKey: Int32Array, mark: number,
): Push | null {
  const memberTimes: number[] = [];
  const outsiders: number[] = [];
  let members = 0;
  for (const event of events) {
    const actor = data.actor[event] ?? 0;
    const member = clusterOf[actor] === cluster;
    if (member) memberTimes.push(data.time[event] ?? 0);
    if (onKey[actor] === mark) continue;
    onKey[actor] = mark;
    if (member) members++;
    else outsiders.push(actor);
  }
  // Every outsider action must fall within the window of some member action (times are sorted).
  let at = 0;
  for (const event of events) {
    const actor = data.actor[event] ?? 0;
    if (clusterOf[actor] !== -1) continue;
    const time = data.time[event] ?? 0;
    while (at + 1 < memberTimes.length && (memberTimes[at + 1] ?? 0) <= time) at++;
    const near = Math.min(Math.abs(time - (memberTimes[at] ?? 0)), Math.abs((memberTimes[at + 1] ?? Infinity) - time));
    if (near > opts.windowMs) return null;
  }
  const start = memberTimes[0] ?? 0;
  const end = memberTimes[memberTimes.length - 1] ?? 0;
  return { cluster, members, joiners: outsiders, start, end, coveredMs: coveredTime(memberTimes, opts.windowMs) };
}

/** The length of the union of [t - windowMs, t + windowMs] over sorted times t. */
function coveredTime(sorted: readonly number[], windowMs: number): number {
  let covered = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const t of sorted) {
    if (t - windowMs > to) {
      if (to > from) covered += to - from;
      from = t - windowMs;
    }
    to = t + windowMs;
  }
  return to > from ? covered + (to - from) : covered;
}
