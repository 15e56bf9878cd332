/**
 * CooRTweet 4-column files as a detect source without the store: the columns read straight from
 * the files (src/ingest/columnar) become the actions the store path would hold, with the same
 * rules (one action per content id: within a file the earliest, across files the first file's;
 * kind `share`, platform `coortweet`, target post = object id), and the traces, member facts,
 * labels and posts are computed on typed arrays. Accounts are numbered in byte order of their
 * ids, as the store's dictionary numbers them.
 */
import type { ClusterFacts, MemberPosting } from '../../detect/organic.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import type { CoortweetColumns } from '../../ingest/columnar/index.js';
import { unixMs } from '../../ingest/columnar/index.js';
import type { ExportOptions } from '../../store/duckdb/trace-export.js';
import type { ActionRef, ClusterInput, DetectSource } from './detect-source.js';
import type { LoadedTraces } from './load-traces.js';

const PLATFORM = 'coortweet';

/** Per file: rows read, kept as new actions, duplicates, and accounts first seen in it. */
export interface CoortweetLoadCounts { ingested: number; duplicates: number; actorsAdded: number }

/** The actions of the columns: row index per action, in row order. */
export interface CoortweetActions {
  /** Row (in the columns) of each action. */
  row: Int32Array;
  /** Time of each action, ms. */
  time: Float64Array;
  /** Per file, in order. */
  counts: CoortweetLoadCounts[];
}

/** One action per content id, as the store's loader keeps them (see csv-loader.ts). */
export function coortweetActions(columns: CoortweetColumns): CoortweetActions {
  const { content, timestamp, files } = columns;
  // Per content id: row + 1 of the action kept (0: none yet; zeroed memory needs no fill pass).
  const chosen = new Int32Array(columns.contents.size);
  const counts: CoortweetLoadCounts[] = [];
  const accountSeen = new Uint8Array(columns.accounts.size);
  let row = 0;
  let allDuplicates = 0;
  for (let f = 0; f < files.length; f++) {
    const good = files[f]!.read - files[f]!.rejected;
    const fileStart = row;
    const end = row + good;
    let duplicates = 0, actorsAdded = 0;
    for (; row < end; row++) {
      const c = content[row]!;
      const account = columns.account[row]!;
      if (accountSeen[account] === 0) { accountSeen[account] = 1; actorsAdded++; }
      const previous = chosen[c]! - 1;
      if (previous < 0) { chosen[c] = row + 1; continue; }
      duplicates++;
      // Within a file the earliest is kept; across files the first file's (rows are in file order).
      if (previous >= fileStart && unixMs(timestamp[row]!) < unixMs(timestamp[previous]!)) chosen[c] = row + 1;
    }
    allDuplicates += duplicates;
    counts.push({ ingested: good - duplicates, duplicates, actorsAdded });
  }
  if (allDuplicates === 0) {
    // Every row is an action: no row selection to make.
    const rows = new Int32Array(columns.size);
    const time = new Float64Array(columns.size);
    for (let r = 0; r < columns.size; r++) { rows[r] = r; time[r] = unixMs(timestamp[r]!); }
    return { row: rows, time, counts };
  }
  const keep = new Uint8Array(columns.size);
  for (let c = 0; c < chosen.length; c++) if (chosen[c]! > 0) keep[chosen[c]! - 1] = 1;
  let n = 0;
  for (let r = 0; r < columns.size; r++) n += keep[r]!;
  const rows = new Int32Array(n);
  const time = new Float64Array(n);
  for (let r = 0, a = 0; r < columns.size; r++) {
    if (keep[r] === 0) continue;
    rows[a] = r;
    time[a++] = unixMs(timestamp[r]!);
  }
  return { row: rows, time, counts };
}

/** Median of `values` (the mean of the two middle ones for an even count), as SQL's median. */
function median(values: number[]): number {
  values.sort((x, y) => x - y);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Events `eventKey[a] >= 0` of the actions (`start[k + 1]`: key k's count, turned into key starts
 * here), in (key, time) order with ties in action order: what
 * the kernel, the null model and the group test would each sort them into (stably), so their
 * sorts find them sorted and only copy. A stable counting sort by key in two scatter passes (as
 * the kernel's sort.ts): by the key's top bits into at most 256 buckets, written as 256 sequential
 * streams, then each bucket by key into its own region of the result, which stays in cache; a
 * one-pass scatter over hundreds of thousands of keys misses cache on every event. Then each
 * key's events by time.
 */
export function keyTimeOrdered(eventKey: Int32Array, start: Int32Array, events: number, actionActor: Int32Array, actionTime: Float64Array, actorCount: number): TraceData {
  const n = eventKey.length;
  const keyCount = start.length - 1;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  // Shared, not copied, with the detect command's second thread (group test, push joiners: detect-thread.ts).
  const data: TraceData = {
    actor: new Int32Array(new SharedArrayBuffer(events * 4)), key: new Int32Array(new SharedArrayBuffer(events * 4)),
    time: new Float64Array(new SharedArrayBuffer(events * 8)), action: new Int32Array(new SharedArrayBuffer(events * 4)), actorCount, keyCount,
  };
  const { actor, key, time, action } = data;
  let bits = 0;
  while (2 ** bits < keyCount) bits++;
  const low = Math.max(0, bits - TOP_BITS);
  if (low < MIN_LOW_BITS) {
    // Few keys: their write positions stay in cache, one pass does.
    const fill = start.slice(0, keyCount);
    for (let a = 0; a < n; a++) {
      const k = eventKey[a]!;
      if (k < 0) continue;
      const p = fill[k]!++;
      actor[p] = actionActor[a]!;
      time[p] = actionTime[a]!;
      action[p] = a;
    }
  } else {
    // Pass 1: events into buckets of keys sharing their top bits, in action order, laid out as the
    // result (a bucket's first position is its first key's start: keys of a bucket are consecutive).
    // `key` holds the bucketed keys until it is filled below.
    const topCount = ((keyCount - 1) >>> low) + 1;
    const next = new Int32Array(topCount);
    for (let t = 0; t < topCount; t++) next[t] = start[t << low]!;
    const bucketActor = new Int32Array(events);
    const bucketTime = new Float64Array(events);
    const bucketAction = new Int32Array(events);
    for (let a = 0; a < n; a++) {
      const k = eventKey[a]!;
      if (k < 0) continue;
      const q = next[k >>> low]!++;
      key[q] = k;
      bucketActor[q] = actionActor[a]!;
      bucketTime[q] = actionTime[a]!;
      bucketAction[q] = a;
    }
    // Pass 2: read in order, each event scattered stably by key within its bucket's region.
    const fill = start.slice(0, keyCount);
    for (let q = 0; q < events; q++) {
      const p = fill[key[q]!]!++;
      actor[p] = bucketActor[q]!;
      time[p] = bucketTime[q]!;
      action[p] = bucketAction[q]!;
    }
  }
  for (let k = 0; k < keyCount; k++) {
    const from = start[k]!, to = start[k + 1]!;
    // Most keys hold a handful of events: a loop, not a fill call, and insertion sort in place.
    let sorted = true;
    key[from] = k;
    for (let p = from + 1; p < to; p++) {
      key[p] = k;
      if (time[p - 1]! > time[p]!) sorted = false;
    }
    if (sorted) continue;
    if (to - from > INSERTION_MAX) {
      sortSegmentByTime(data, from, to);
      continue;
    }
    for (let p = from + 1; p < to; p++) {
      const t = time[p]!;
      if (time[p - 1]! <= t) continue;
      const who = actor[p]!, row = action[p]!;
      let q = p - 1;
      while (q >= from && time[q]! > t) {
        time[q + 1] = time[q]!; actor[q + 1] = actor[q]!; action[q + 1] = action[q]!;
        q--;
      }
      time[q + 1] = t; actor[q + 1] = who; action[q + 1] = row;
    }
  }
  return data;
}

/** Segments up to this long are sorted by insertion. */
const INSERTION_MAX = 24;
/** Buckets of the first pass: keys sharing their top bits. */
const TOP_BITS = 8;
/** Below this many key bits under the top ones (few keys), one pass is used. */
const MIN_LOW_BITS = 4;

/** Stable sort of events [from, to) by time (ties keep their order), actor and action carried. */
function sortSegmentByTime(data: TraceData, from: number, to: number): void {
  const { actor, time, action } = data;
  if (to - from <= INSERTION_MAX) {
    for (let p = from + 1; p < to; p++) {
      const t = time[p]!, who = actor[p]!, row = action[p]!;
      let q = p - 1;
      while (q >= from && time[q]! > t) {
        time[q + 1] = time[q]!; actor[q + 1] = actor[q]!; action[q + 1] = action[q]!;
        q--;
      }
      time[q + 1] = t; actor[q + 1] = who; action[q + 1] = row;
    }
    return;
  }
  // Loops, not TypedArray.from(source, fn): that calls back through the generic path (about 10x slower).
  const m = to - from;
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = from + i;
  order.sort((x, y) => time[x]! - time[y]! || x - y);
  const times = new Float64Array(m), actors = new Int32Array(m), actions = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const p = order[i]!;
    times[i] = time[p]!; actors[i] = actor[p]!; actions[i] = action[p]!;
  }
  time.set(times, from); actor.set(actors, from); action.set(actions, from);
}

/** The columns and their actions as a detect source. */
export function coortweetSource(columns: CoortweetColumns, actions: CoortweetActions): DetectSource {
  const n = actions.row.length;
  const { objects, contents } = columns;
  let actorActions = new Int32Array(0);
  /** Per object: time of the action whose content id it is (NaN when none), the original of a reshare. */
  const originalTime = new Float64Array(objects.size).fill(NaN);
  // Per object, the content id with its text (-1: none). Only when some object is a content id are
  // the actions' times per content needed (a table of every content, 8 bytes each).
  const contentOf = new Int32Array(objects.size);
  let matched = 0;
  for (let o = 0; o < objects.size; o++) if ((contentOf[o] = objects.findIn(contents, o)) >= 0) matched++;
  // Objects whose original is among the actions: without any, no action is a fast repost.
  let originals = 0;
  if (matched > 0) {
    const contentTime = new Float64Array(contents.size).fill(NaN);
    for (let a = 0; a < n; a++) contentTime[columns.content[actions.row[a]!]!] = actions.time[a]!;
    for (let o = 0; o < objects.size; o++) {
      const content = contentOf[o]!;
      if (content >= 0) originalTime[o] = contentTime[content]!;
      if (originalTime[o] === originalTime[o]) originals++;
    }
  }
  const keyObjects = new Map<TraceName, Int32Array>();

  const originalDelay = (a: number): number => actions.time[a]! - originalTime[columns.object[actions.row[a]!]!]!;

  /** Per action: its actor (-1 when its platform is left out), set by loadTraces. */
  let actionActor = new Int32Array(0);

  /** co-repost (every action) or fast-repost (reshares at most fastRepostMs after the original). */
  const trace = (name: 'co-repost' | 'fast-repost', actorCount: number, options: ExportOptions): TraceData | null => {
    if (name === 'fast-repost' && originals === 0) return null;
    // A local: the closure's reassigned variable would be reloaded (and checked) per action.
    const actorOfAction = actionActor;
    if (name === 'co-repost' && n === columns.size && n > 0) {
      // Every row an action (no duplicates: actions are the rows in order) and every actor kept:
      // keys numbered by first appearance are the object ids themselves (the interner numbers
      // objects by first appearance in the rows), so no key table is needed.
      let everyActor = true;
      for (let a = 0; a < n && everyActor; a++) everyActor = actorOfAction[a]! >= 0;
      if (everyActor) {
        const start = new Int32Array(objects.size + 1);
        const object = columns.object;
        for (let a = 0; a < n; a++) start[object[a]! + 1]!++;
        const identity = new Int32Array(objects.size);
        for (let o = 0; o < identity.length; o++) identity[o] = o;
        keyObjects.set(name, identity);
        return keyTimeOrdered(object, start, n, actorOfAction, actions.time, actorCount);
      }
    }
    // Keys numbered by first appearance in action order; -1: the action is not an event.
    const eventKey = new Int32Array(n);
    const keyOf = new Int32Array(objects.size).fill(-1);
    const keyObject = new Int32Array(objects.size);
    // Events per key, at key + 1 (the counting sort's counts, taken in this pass).
    const start = new Int32Array(objects.size + 1);
    let keyCount = 0;
    let events = 0;
    for (let a = 0; a < n; a++) {
      let include = actorOfAction[a]! >= 0;
      if (include && name === 'fast-repost') {
        const delay = originalDelay(a);
        include = delay >= 0 && delay <= options.fastRepostMs;
      }
      if (!include) { eventKey[a] = -1; continue; }
      const object = columns.object[actions.row[a]!]!;
      let key = keyOf[object]!;
      if (key < 0) { key = keyOf[object] = keyCount; keyObject[keyCount++] = object; }
      eventKey[a] = key;
      start[key + 1]!++;
      events++;
    }
    if (events === 0) return null;
    keyObjects.set(name, keyObject.slice(0, keyCount));
    return keyTimeOrdered(eventKey, start.subarray(0, keyCount + 1), events, actorOfAction, actions.time, actorCount);
  };

  return {
    async loadTraces(names, options, onStage): Promise<LoadedTraces> {
      onStage('accounts');
      const included = options.platforms.length === 0 || options.platforms.includes(PLATFORM);
      // Actions per account (0: no action); the same random access a presence flag would cost.
      const actionsOf = new Int32Array(columns.accounts.size);
      const { account } = columns;
      const rows = actions.row;
      if (included) for (let a = 0; a < n; a++) actionsOf[account[rows[a]!]!]!++;
      let presentCount = 0;
      for (let id = 0; id < actionsOf.length; id++) if (actionsOf[id] !== 0) presentCount++;
      const accounts = new Int32Array(presentCount);
      for (let id = 0, ix = 0; id < actionsOf.length; id++) if (actionsOf[id] !== 0) accounts[ix++] = id;
      // Byte order of the ids (the store's order; a JS string sort would differ from U+D800 on).
      columns.accounts.sortByBytes(accounts);
      const texts = columns.accounts.texts();
      const ids = Array.from(accounts, (account) => texts[account]!);
      // Account -> actor ix (byte order of ids), for accounts with actions.
      const actorOf = new Int32Array(columns.accounts.size).fill(-1);
      for (let ix = 0; ix < accounts.length; ix++) actorOf[accounts[ix]!] = ix;
      // Locals in the loop: the closure's reassigned variables would be reloaded (and checked) per action.
      const perActor = new Int32Array(accounts.length);
      for (let ix = 0; ix < accounts.length; ix++) perActor[ix] = actionsOf[accounts[ix]!]!;
      const actorOfAction = new Int32Array(n);
      for (let a = 0; a < n; a++) actorOfAction[a] = actorOf[account[rows[a]!]!]!;
      actorActions = perActor;
      actionActor = actorOfAction;
      const traces = new Map<TraceName, TraceData>();
      const missing: TraceName[] = [];
      for (const name of names) {
        onStage(`${name}: reading`);
        const data = name === 'co-repost' || name === 'fast-repost' ? trace(name, accounts.length, options) : null;
        if (data === null || data.actor.length < 2) missing.push(name);
        else traces.set(name, data);
      }
      return {
        actorIds: ids, actorPlatforms: ids.map(() => PLATFORM),
        traces, missing, textSamples: new Map(),
      };
    },

    async clustersFacts(clusters: readonly ClusterInput[]): Promise<ClusterFacts[]> {
      const clusterOf = new Int32Array(actorActions.length).fill(-1);
      const delays: number[][] = clusters.map(() => []);
      // An account is in at most one cluster (Leiden partitions), so one owner per actor.
      clusters.forEach((cluster, id) => { for (const member of cluster.members) clusterOf[member] = id; });
      // Repost delays exist only for reshares of originals among the actions.
      const actorOfAction = actionActor;
      for (let a = 0; a < (originals === 0 ? 0 : n); a++) {
        const cluster = clusterOf[actorOfAction[a]!] ?? -1;
        if (cluster < 0) continue;
        const delay = originalDelay(a);
        if (delay >= 0) delays[cluster]!.push(delay);
      }
      return clusters.map((cluster, id) => ({
        members: cluster.members.map((member): MemberPosting => ({ actions: actorActions[member] ?? 0, topDomain: null, topDomainPosts: 0 })),
        repostAuthors: [],
        medianRepostDelayMs: delays[id]!.length === 0 ? null : median(delays[id]!),
        traces: cluster.traces,
        exclusivity: cluster.exclusivity,
      }));
    },

    async keyLabels(name, keys): Promise<Map<number, string>> {
      const keyObject = keyObjects.get(name);
      const labels = new Map<number, string>();
      if (keyObject === undefined) return labels;
      for (const key of keys) {
        const object = keyObject[key];
        if (object !== undefined) labels.set(key, `${PLATFORM}:${objects.text(object)}`);
      }
      return labels;
    },

    async actionRefs(rows): Promise<Map<number, ActionRef>> {
      const refs = new Map<number, ActionRef>();
      for (const a of rows) {
        if (a < 0 || a >= n) continue;
        refs.set(a, { id: contents.text(columns.content[actions.row[a]!]!), time: actions.time[a]!, kind: 'share' });
      }
      return refs;
    },

    actionCount: async () => n,
    close: async () => undefined,
  };
}
