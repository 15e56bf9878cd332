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
import { sharedFloat64, sharedInt32 } from '../../worker-thread.js';
import type { ActionRef, ClusterInput, DetectSource } from './detect-source.js';
import { finishKeyTimeOrder, startKeyTimeOrder } from './key-time-order.js';
import type { KeyTimeHelper, StartedKeyTimeOrder } from './key-time-order.js';
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

// Times, actors of actions and event keys are the key-time ordering's inputs: shared with the
// detect thread (sharedInt32, sharedFloat64), not copied (key-time-order.ts).

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
    const time = sharedFloat64(columns.size);
    for (let r = 0; r < columns.size; r++) { rows[r] = r; time[r] = unixMs(timestamp[r]!); }
    return { row: rows, time, counts };
  }
  const keep = new Uint8Array(columns.size);
  for (let c = 0; c < chosen.length; c++) if (chosen[c]! > 0) keep[chosen[c]! - 1] = 1;
  let n = 0;
  for (let r = 0; r < columns.size; r++) n += keep[r]!;
  const rows = new Int32Array(n);
  const time = sharedFloat64(n);
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
  let actionActor: Int32Array = new Int32Array(0);

  /**
   * Starts ordering co-repost (every action) or fast-repost (reshares at most fastRepostMs after
   * the original), `carried[a]` in the actor column: the first trace carries the actions' accounts,
   * as it is ordered while the actors are numbered (withActors maps them in after), the later ones
   * their actors. Only while the platform is included, so every action is an event. Null: no such
   * trace or no events.
   */
  const startTrace = (name: TraceName, carried: Int32Array, options: ExportOptions, helper: KeyTimeHelper | undefined): StartedKeyTimeOrder | null => {
    if (name !== 'co-repost' && name !== 'fast-repost') return null;
    if (name === 'fast-repost' && originals === 0) return null;
    if (name === 'co-repost' && n === columns.size && n > 0) {
      // Every row an action (no duplicates: actions are the rows in order): keys numbered by first
      // appearance are the object ids themselves (the interner numbers objects by first appearance
      // in the rows), so no key table is needed.
      const start = sharedInt32(objects.size + 1);
      const object = columns.object;
      for (let a = 0; a < n; a++) start[object[a]! + 1]!++;
      const identity = new Int32Array(objects.size);
      for (let o = 0; o < identity.length; o++) identity[o] = o;
      keyObjects.set(name, identity);
      // The detect thread reads the keys too: the reader's object column is shared memory; any
      // other column is copied to shared memory (40 MB at 10M rows).
      const keys = helper === undefined || object.buffer instanceof SharedArrayBuffer ? object : sharedInt32(n);
      if (keys !== object) keys.set(object);
      return startKeyTimeOrder(keys, start, n, carried, actions.time, helper);
    }
    // Keys numbered by first appearance in action order; -1: the action is not an event.
    const eventKey = sharedInt32(n);
    const keyOf = new Int32Array(objects.size).fill(-1);
    const keyObject = new Int32Array(objects.size);
    // Events per key, at key + 1 (the counting sort's counts, taken in this pass).
    const start = sharedInt32(objects.size + 1);
    let keyCount = 0;
    let events = 0;
    for (let a = 0; a < n; a++) {
      if (name === 'fast-repost') {
        const delay = originalDelay(a);
        if (!(delay >= 0 && delay <= options.fastRepostMs)) { eventKey[a] = -1; continue; }
      }
      const object = columns.object[actions.row[a]!]!;
      let key = keyOf[object]!;
      if (key < 0) { key = keyOf[object] = keyCount; keyObject[keyCount++] = object; }
      eventKey[a] = key;
      start[key + 1]!++;
      events++;
    }
    if (events === 0) return null;
    keyObjects.set(name, keyObject.slice(0, keyCount));
    return startKeyTimeOrder(eventKey, start.subarray(0, keyCount + 1), events, carried, actions.time, helper);
  };

  /** The ordered trace with its events' accounts replaced by their actors (`actorOf`: account -> actor). */
  const withActors = (data: TraceData, actorOf: Int32Array): TraceData => {
    const { actor } = data;
    for (let p = 0; p < actor.length; p++) actor[p] = actorOf[actor[p]!]!;
    return data;
  };

  return {
    async loadTraces(names, options, onStage, helper): Promise<LoadedTraces> {
      onStage('accounts');
      const included = options.platforms.length === 0 || options.platforms.includes(PLATFORM);
      const { account } = columns;
      const rows = actions.row;
      // Each action's account: the traces are ordered carrying it, so the first one's ordering
      // starts now, the detect thread ordering its chunks while this thread numbers the actors.
      const actionAccount = sharedInt32(n);
      for (let a = 0; a < n; a++) actionAccount[a] = account[rows[a]!]!;
      const first = included && names.length > 0 ? startTrace(names[0]!, actionAccount, options, helper) : null;
      // Actions per account (0: no action); the same random access a presence flag would cost.
      const actionsOf = new Int32Array(columns.accounts.size);
      if (included) for (let a = 0; a < n; a++) actionsOf[actionAccount[a]!]!++;
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
      const perActor = new Int32Array(accounts.length);
      for (let ix = 0; ix < accounts.length; ix++) perActor[ix] = actionsOf[accounts[ix]!]!;
      actorActions = perActor;
      // Once no thread reads the accounts (the first trace ordered), they become the actions' actors
      // in place: no second 40 MB column.
      const numberActors = (): void => {
        for (let a = 0; a < n; a++) actionAccount[a] = actorOf[actionAccount[a]!]!;
        actionActor = actionAccount;
      };
      const traces = new Map<TraceName, TraceData>();
      const missing: TraceName[] = [];
      for (const [i, name] of names.entries()) {
        onStage(`${name}: reading`);
        let data: TraceData | null = null;
        if (i === 0) {
          if (first !== null) data = withActors(finishKeyTimeOrder(first, accounts.length), actorOf);
          numberActors();
        } else if (included) {
          const started = startTrace(name, actionActor, options, helper);
          if (started !== null) data = finishKeyTimeOrder(started, accounts.length);
        }
        if (data === null || data.actor.length < 2) missing.push(name);
        else traces.set(name, data);
      }
      if (names.length === 0) numberActors();
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
