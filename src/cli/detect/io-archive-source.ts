/**
 * Information Operations archive files (tweets and users CSV) as a detect source without the
 * store: the columns read straight from the files become the actions the store path would hold,
 * with its rules (one action per tweet id: within a file the earliest, across files the first
 * file's; platform `twitter`), and the traces, member facts, labels and posts are computed on
 * typed arrays. Accounts are numbered in byte order of their ids, as the store numbers them.
 * Attribution is the store's account signals over the files' profiles (io-attribution.ts). Call
 * `loadTraces` once: the posts' texts, the hashtag and mention lists are freed once the traces are built.
 */
import type { ClusterFacts, MemberPosting, RepostAuthor } from '../../detect/organic.js';
import { nearDuplicateTrace } from '../../detect/traces/near-duplicate.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import type { IoTweetsColumns } from '../../ingest/columnar/index.js';
import { ByteInterner, IO_KINDS, KIND_POST, KIND_REPOST } from '../../ingest/columnar/index.js';
import { normalizeAll, normalizeUrl, parseListField } from '../../model/index.js';
import type { ActionRef, ClusterInput, DetectSource } from './detect-source.js';
import { ioAccountFacts, ioAttribution } from './io-attribution.js';
import { codePointOrder, compareCodePoints, ioTrace, urlDomain } from './io-traces.js';
import type { IoActionView } from './io-traces.js';
import type { LoadedTraces } from './load-traces.js';
import { collectGarbage } from './release-memory.js';

const PLATFORM = 'twitter';

/** What a released list column's interner is replaced by. */
const released = new ByteInterner(0);
released.seal();

/** Per tweets file: actions kept and duplicates. */
export interface IoLoadCounts { ingested: number; duplicates: number }

/** The actions of the columns (one per tweet id): row per action, in row order. */
export interface IoActions { row: Int32Array; counts: IoLoadCounts[] }

/** One action per tweet id, as the store's loader keeps them (see csv-loader.ts). */
export function ioActions(columns: IoTweetsColumns): IoActions {
  const { tweet, time } = columns;
  const chosen = new Int32Array(columns.tweets.size).fill(-1);
  const chosenFile = new Int32Array(columns.tweets.size).fill(-1);
  const counts: IoLoadCounts[] = [];
  let row = 0;
  columns.files.forEach((file, f) => {
    if (file.format !== 'twitter-io-tweets') return;
    const end = row + file.read - file.rejected;
    let duplicates = 0;
    for (; row < end; row++) {
      const id = tweet[row]!;
      const previous = chosen[id]!;
      if (previous < 0) { chosen[id] = row; chosenFile[id] = f; continue; }
      duplicates++;
      if (chosenFile[id] === f && time[row]! < time[previous]!) chosen[id] = row;
    }
    counts.push({ ingested: file.read - file.rejected - duplicates, duplicates });
  });
  const keep = new Uint8Array(columns.size);
  for (const r of chosen) if (r >= 0) keep[r] = 1;
  let n = 0;
  for (let r = 0; r < columns.size; r++) n += keep[r]!;
  const rows = new Int32Array(n);
  for (let r = 0, a = 0; r < columns.size; r++) if (keep[r] === 1) rows[a++] = r;
  return { row: rows, counts };
}

/** Actions sorted by (time, actor, action): stable counting sorts by actor, then by time rank. */
function actionOrder(time: Float64Array, actor: Int32Array, actorCount: number): Int32Array {
  const n = time.length;
  const byActor = countingSort(n, actorCount + 1, (a) => actor[a]! + 1, null);
  const distinct = Float64Array.from(time).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || distinct[i] !== distinct[m - 1]) distinct[m++] = distinct[i]!;
  const times = distinct.subarray(0, m);
  const rank = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    let lo = 0, hi = m - 1;
    const t = time[a]!;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid]! < t) lo = mid + 1; else hi = mid; }
    rank[a] = lo;
  }
  return countingSort(n, m, (a) => rank[a]!, byActor);
}

/** Stable counting sort of `input` (or 0..n-1) by an integer bucket below `buckets`. */
function countingSort(n: number, buckets: number, bucket: (a: number) => number, input: Int32Array | null): Int32Array {
  const starts = new Int32Array(buckets + 1);
  for (let a = 0; a < n; a++) starts[bucket(a) + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = input === null ? i : input[i]!;
    out[starts[bucket(a)]!++] = a;
  }
  return out;
}

function median(values: number[]): number {
  values.sort((x, y) => x - y);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The columns and their actions as a detect source. */
export function ioArchiveSource(columns: IoTweetsColumns, actions: IoActions): DetectSource {
  const n = actions.row.length;
  const { row } = actions;
  const time = new Float64Array(n);
  for (let a = 0; a < n; a++) time[a] = columns.time[row[a]!]!;
  const postTime = new Float64Array(columns.tweets.size).fill(NaN);
  for (let a = 0; a < n; a++) postTime[columns.tweet[row[a]!]!] = time[a]!;
  let actorOfUser = new Int32Array(0);
  let actorActions = new Int32Array(0);
  const labels = new Map<TraceName, (key: number) => string>();
  let tweetOrderCache: Int32Array | null = null;
  const tweetOrder = (): Int32Array => (tweetOrderCache ??= codePointOrder({ length: columns.tweets.size, at: (i) => columns.tweets.text(i) }));

  return {
    async loadTraces(names, options, onStage): Promise<LoadedTraces> {
      onStage('accounts');
      const included = options.platforms.length === 0 || options.platforms.includes(PLATFORM);
      const present = new Uint8Array(columns.users.size);
      if (included) for (let a = 0; a < n; a++) present[columns.user[row[a]!]!] = 1;
      const users: number[] = [];
      for (let user = 0; user < present.length; user++) if (present[user] === 1) users.push(user);
      users.sort((x, y) => columns.users.compare(x, y));
      actorOfUser = new Int32Array(columns.users.size).fill(-1);
      users.forEach((user, ix) => { actorOfUser[user] = ix; });
      const actor = new Int32Array(n);
      actorActions = new Int32Array(users.length);
      for (let a = 0; a < n; a++) {
        actor[a] = actorOfUser[columns.user[row[a]!]!]!;
        if (actor[a]! >= 0) actorActions[actor[a]!]!++;
      }
      const view: IoActionView = { columns, row, actor, order: actionOrder(time, actor, users.length), actorCount: users.length, postTime, tweetOrder };
      const traces = new Map<TraceName, TraceData>();
      const missing: TraceName[] = [];
      let textSamples = new Map<number, string>();
      for (const name of names) {
        onStage(`${name}: reading`);
        let data: TraceData | null = null;
        if (name === 'near-duplicate') {
          const text = textTrace(columns, actions, actor, users.length, tweetOrder());
          data = text?.data ?? null;
          textSamples = text?.samples ?? textSamples;
          // Nothing reads the texts after this (the groups keep their samples).
          columns.text.length = 0;
        } else {
          const built = ioTrace(view, name, options.fastRepostMs, PLATFORM);
          if (built !== null) { data = built.data; labels.set(name, built.label); }
        }
        if (data === null || data.actor.length < 2) missing.push(name);
        else traces.set(name, data);
      }
      // Nothing reads the texts, the hashtag and mention lists or the tweet id order after this: they
      // are released before detection.
      columns.text.length = 0;
      columns.hashtags = columns.mentions = new Int32Array(0);
      columns.hashtagLists = columns.mentionLists = released;
      tweetOrderCache = null;
      collectGarbage();
      return { actorIds: users.map((user) => columns.users.text(user)), actorPlatforms: users.map(() => PLATFORM), traces, missing, textSamples };
    },

    async clustersFacts(clusters: readonly ClusterInput[]): Promise<ClusterFacts[]> {
      // Detection's garbage (pair stores, per-trace tables) goes before the reports are built.
      collectGarbage();
      const clusterOf = new Int32Array(actorActions.length).fill(-1);
      clusters.forEach((cluster, id) => { for (const member of cluster.members) clusterOf[member] = id; });
      const delays: number[][] = clusters.map(() => []);
      const authors = clusters.map(() => new Map<number, number>());
      const domains = new Map<number, Map<string, number>>();
      const domainsOfList = new Map<number, string[]>();
      for (let a = 0; a < n; a++) {
        const r = row[a]!;
        const member = actorOfUser[columns.user[r]!]!;
        const cluster = member < 0 ? -1 : clusterOf[member]!;
        if (cluster < 0) continue;
        const kind = columns.kind[r]!;
        const target = columns.targetPost[r]!;
        if (kind === KIND_REPOST) {
          const author = columns.targetActor[r]!;
          if (author >= 0) authors[cluster]!.set(author, (authors[cluster]!.get(author) ?? 0) + 1);
          const delay = target < 0 ? NaN : time[a]! - postTime[target]!;
          if (delay >= 0) delays[cluster]!.push(delay);
        } else if (kind === KIND_POST && columns.urls[r]! >= 0) {
          const list = columns.urls[r]!;
          let listDomains = domainsOfList.get(list);
          if (listDomains === undefined) {
            listDomains = [...new Set(normalizeAll(parseListField(columns.urlLists.text(list)), normalizeUrl).map(urlDomain))];
            domainsOfList.set(list, listDomains);
          }
          let counts = domains.get(member);
          if (counts === undefined) domains.set(member, (counts = new Map()));
          for (const domain of listDomains) counts.set(domain, (counts.get(domain) ?? 0) + 1);
        }
      }
      return clusters.map((cluster, id) => {
        const members = cluster.members.map((member): MemberPosting => {
          let topDomain: string | null = null, topDomainPosts = 0;
          for (const [domain, posts] of domains.get(member) ?? []) {
            if (posts > topDomainPosts || (posts === topDomainPosts && topDomain !== null && compareCodePoints(domain, topDomain) < 0)) { topDomain = domain; topDomainPosts = posts; }
          }
          return { actions: actorActions[member] ?? 0, topDomain, topDomainPosts };
        });
        const repostAuthors: RepostAuthor[] = [...authors[id]!].map(([author, reposts]) => {
          const actor = actorOfUser[author] ?? -1;
          return { author: columns.users.text(author), reposts, inCluster: actor >= 0 && clusterOf[actor] === id };
        });
        repostAuthors.sort((x, y) => y.reposts - x.reposts || compareCodePoints(x.author, y.author));
        return { members, repostAuthors, medianRepostDelayMs: delays[id]!.length === 0 ? null : median(delays[id]!), traces: cluster.traces, exclusivity: cluster.exclusivity };
      });
    },

    async keyLabels(name, keys): Promise<Map<number, string>> {
      const label = labels.get(name);
      const out = new Map<number, string>();
      if (label !== undefined) for (const key of keys) out.set(key, label(key));
      return out;
    },

    async actionRefs(rows): Promise<Map<number, ActionRef>> {
      const refs = new Map<number, ActionRef>();
      for (const a of rows) {
        if (a < 0 || a >= n) continue;
        const r = row[a]!;
        refs.set(a, { id: columns.tweets.text(columns.tweet[r]!), time: time[a]!, kind: IO_KINDS[columns.kind[r]!]! });
      }
      return refs;
    },

    attribution: (groups) => ioAttribution(columns, row, groups),
    accountFacts: async (actorIds) => ioAccountFacts(columns, row, actorIds),

    actionCount: async () => n,
    close: async () => undefined,
  };
}

/** The near-duplicate trace over texts of posts, replies and quotes, in tweet id order (as the store exports them). */
function textTrace(columns: IoTweetsColumns, actions: IoActions, actor: Int32Array, actorCount: number, tweetOrder: Int32Array): { data: TraceData; samples: Map<number, string> } | null {
  const actionOf = new Int32Array(columns.tweets.size).fill(-1);
  for (let a = 0; a < actions.row.length; a++) {
    const r = actions.row[a]!;
    if (actor[a]! >= 0 && columns.kind[r] !== KIND_REPOST && columns.text[r] !== null) actionOf[columns.tweet[r]!] = a;
  }
  const chosen: number[] = [];
  for (const tweet of tweetOrder) if (actionOf[tweet]! >= 0) chosen.push(actionOf[tweet]!);
  if (chosen.length < 2) return null;
  const texts = {
    actor: Int32Array.from(chosen, (a) => actor[a]!),
    time: Float64Array.from(chosen, (a) => columns.time[actions.row[a]!]!),
    text: chosen.map((a) => columns.text[actions.row[a]!] ?? null),
  };
  const result = nearDuplicateTrace({ ...texts, actorCount });
  const events = result.events;
  const action = new Int32Array(events.actor.length);
  for (let i = 0; i < action.length; i++) action[i] = chosen[result.source[i] ?? 0] ?? 0;
  return { data: { ...events, action }, samples: new Map(result.groups.map((group) => [group.key, group.sample])) };
}
