/**
 * CooRTweet compatibility: `detect_groups(x, time_window, min_participation)` followed by
 * `generate_coordinated_network(edge_weight, subgraph = 0 | 1)` of the CooRTweet R package 2.1.3
 * (Righetti & Balluff; R/detect_groups.R, R/calc_group_combinations.R,
 * R/generate_coordinated_network.R), reproduced row for row, so results can be checked against
 * the R tool. Verified on CooRTweet's own outputs in shared/data/coortweet (3,791 co-share rows
 * in the same order; 60 edges with identical columns and from/to orientation).
 *
 * CooRTweet's semantics, as its code and outputs show:
 * 1. Accounts with fewer than `minParticipation` input rows are dropped first; the remaining rows
 *    are regrouped by account, accounts in order of their first row (data.table `by = account_id`).
 * 2. Objects are taken in order of first appearance in that regrouped table; every two rows of an
 *    object at most `timeWindow` seconds apart are a co-share row (no cap: quadratic per object).
 * 3. Loops are removed: both rows by one account, one content id twice, or an object id equal to
 *    either content id (a post listed as sharing itself).
 * 4. Participation, again: an account counts its rows whose content appears in any co-share row;
 *    a co-share row survives when either side's content belongs to an account reaching the minimum.
 * 5. Each row reads older -> newer (`contentId`/`accountId` older); at equal times the row earlier
 *    in the regrouped table is the older. Rows are ordered by object, then by the position of the
 *    pair's later row in the regrouped table, then of its earlier row (the data.table self-join).
 * 6. The network has one edge per unordered account pair: `weight` = co-share rows of the pair
 *    (NOT distinct objects: a pair that co-shares one object twice weighs 2; this equals the
 *    kernel's `coActions`, not its `shared`), `avgTimeDelta` = their mean |Δt|, `nContentId` and
 *    `nContentIdY` = distinct older / newer content ids, `edgeSymmetryScore` = min / max of those.
 *    The threshold is R's `quantile(weights, edge_weight)` (type 7, over every edge); an edge is
 *    marked when weight > threshold; subgraph 1 keeps marked edges and the accounts they touch.
 *    Edges come in order of the pair's first co-share row; `from` is the endpoint igraph numbers
 *    first (vertex order = unique(c(pmin column, pmax column)) over all pairs).
 */
import { bad, checkInput, grown, inObjectOrder, INSERTION_RUN, rowsWhere } from './coortweet-rows.js';
import { identityOrder, PairIndex, sortByKeyTime } from './kernel/index.js';

/** CooRTweet input rows as interned ids (one row per share). */
export interface CoShareInput {
  /** `object_id`: what was shared (a retweeted post, a URL), in the id space shared with contentId. */
  objectId: Int32Array;
  /** `account_id`, in `[0, accountCount)`. */
  accountId: Int32Array;
  /** `content_id`: the share itself, in `[0, idCount)` like objectId (CooRTweet compares the two). */
  contentId: Int32Array;
  /** `timestamp_share`, seconds. */
  time: Float64Array;
  accountCount: number;
  /** Size of the id space of objectId and contentId. */
  idCount: number;
}

/** `detect_groups` output, one row per co-share, `size` rows in CooRTweet's order. */
export interface CoShareRows {
  objectId: Int32Array;
  contentId: Int32Array;
  contentIdY: Int32Array;
  /** |Δt| in seconds. */
  timeDelta: Float64Array;
  accountId: Int32Array;
  accountIdY: Int32Array;
  size: number;
}

/** `generate_coordinated_network` edges, `size` rows in igraph's edge order. */
export interface CoordinatedEdges {
  from: Int32Array;
  to: Int32Array;
  weight: Int32Array;
  avgTimeDelta: Float64Array;
  nContentId: Int32Array;
  nContentIdY: Int32Array;
  edgeSymmetryScore: Float64Array;
  /** 1 when weight > threshold (always 1 with subgraph 1). */
  weightThreshold: Uint8Array;
  size: number;
  /** The weight quantile (NaN when there are no edges). */
  threshold: number;
  /** The graph's accounts, in igraph's vertex order. */
  vertices: Int32Array;
}

export interface DetectGroupsOptions {
  /** Seconds (CooRTweet `time_window`, inclusive). */
  timeWindow: number;
  /** CooRTweet `min_participation`. */
  minParticipation: number;
}

export interface NetworkOptions {
  /** Quantile of the edge weights that an edge must exceed, in [0, 1] (CooRTweet `edge_weight`). */
  edgeWeight: number;
  /** 0: every edge, marked; 1: only edges above the threshold (CooRTweet `subgraph`). */
  subgraph: 0 | 1;
  /**
   * Rank of each account id in the string collation R's pmin/pmax used (e.g. the index of the
   * account's name in the sorted names). Only from/to orientation and edge order depend on it;
   * `null` uses the ids themselves.
   */
  accountRank: Int32Array | null;
}

export type CoortweetOptions = DetectGroupsOptions & NetworkOptions;

/** CooRTweet's own defaults. */
export const COORTWEET_DEFAULTS: Readonly<CoortweetOptions> = Object.freeze({
  timeWindow: 10,
  minParticipation: 2,
  edgeWeight: 0.5,
  subgraph: 0,
  accountRank: null,
});

/**
 * CooRTweet's `detect_groups`: co-share rows, oriented older -> newer, in CooRTweet's order.
 * @example detectGroups(input, { timeWindow: 60, minParticipation: 2 }).size
 */
export function detectGroups(input: CoShareInput, options?: Partial<DetectGroupsOptions>): CoShareRows {
  const { timeWindow, minParticipation } = { ...COORTWEET_DEFAULTS, ...options };
  // Object ids are below objectBound (often far fewer than the ids of contents too).
  const objectBound = checkInput(input);
  if (!(timeWindow >= 0) || !Number.isFinite(timeWindow)) throw bad(`timeWindow must be a finite number of seconds >= 0, got ${timeWindow}`);
  const { objectId, accountId, contentId, time, accountCount, idCount } = input;
  const n = objectId.length;

  // 1. Pre-filter by rows per account; x: the kept rows regrouped by account rank (stable). x is
  // not built: each kept row's position in it (`pos`) is what CooRTweet's order depends on, and
  // the columns are read in row order (scattering five columns into x order missed cache on
  // every row: 110,000 accounts are 110,000 write streams).
  // Accounts are listed in order of their first row while the rows are counted, so the ranks are
  // given from that list rather than by a second pass over the rows.
  const rowsOf = new Int32Array(accountCount);
  const byFirstRow = new Int32Array(accountCount);
  let listed = 0;
  for (let r = 0; r < n; r++) {
    const a = accountId[r]!;
    if (rowsOf[a]!++ === 0) byFirstRow[listed++] = a;
  }
  const rankOf = new Int32Array(accountCount).fill(-1);
  /** By rank: the account's first position in x (after the prefix sum), then its next free one. */
  const start = new Int32Array(accountCount + 1);
  let ranks = 0;
  for (let k = 0; k < listed; k++) {
    const a = byFirstRow[k]!;
    if (rowsOf[a]! >= minParticipation) {
      rankOf[a] = ranks;
      start[++ranks] = rowsOf[a]!;
    }
  }
  for (let k = 0; k < ranks; k++) start[k + 1] = start[k]! + start[k + 1]!;
  const m = start[ranks]!;
  /** Per row: its position in x, or -1 when its account was dropped. */
  const pos = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const rank = rankOf[accountId[r]!]!;
    pos[r] = rank < 0 ? -1 : start[rank]!++;
  }

  // 2. Rows sorted by (object id, time, position in x). Objects are taken in id order here, and
  // only the co-share rows found are put in CooRTweet's object order (first appearance in x) in
  // step 5: ranking all objects cost a random read per row.
  let keptRow: Int32Array, keptKey: Int32Array, keptTime: Float64Array;
  if (m === n) {
    keptRow = identityOrder(n);
    keptKey = objectId;
    keptTime = time;
  } else {
    keptRow = new Int32Array(m);
    keptKey = new Int32Array(m);
    keptTime = new Float64Array(m);
    for (let r = 0, w = 0; r < n; r++) {
      if (pos[r]! < 0) continue;
      keptRow[w] = r;
      keptKey[w] = objectId[r]!;
      keptTime[w++] = time[r]!;
    }
  }
  // Sorted stably by (object, time) in row order; rows of equal (object, time) are then put in x order.
  const sorted = sortByKeyTime(keptKey, keptTime, objectBound, keptRow);
  const row = sorted.payload;
  for (let j = 1; j < m; j++) {
    if (sorted.time[j] !== sorted.time[j - 1]) continue;
    // Insertion by position, within the key's run of equal times (runs never span keys).
    const r = row[j]!;
    const t = sorted.time[j]!;
    const keyFrom = sorted.keyStart[objectId[r]!]!;
    let i = j - 1;
    while (i >= keyFrom && sorted.time[i] === t && pos[row[i]!]! > pos[r]!) { row[i + 1] = row[i]!; i--; }
    row[i + 1] = r;
  }

  // 3. Every in-window pair of an object's rows, minus loops. `older`/`newer` are rows.
  let older = new Int32Array(1024);
  let newer = new Int32Array(1024);
  let delta = new Float64Array(1024);
  let count = 0;
  for (let k = 0; k < objectBound; k++) {
    const end = sorted.keyStart[k + 1]!;
    let lo = sorted.keyStart[k]!;
    for (let j = lo + 1; j < end; j++) {
      const tj = sorted.time[j]!;
      while (tj - sorted.time[lo]! > timeWindow) lo++;
      // Most rows have no partner in the window: their columns (random reads) are not looked up.
      if (lo === j) continue;
      const rj = row[j]!;
      const cj = contentId[rj]!;
      const aj = accountId[rj]!;
      for (let i = lo; i < j; i++) {
        const ri = row[i]!;
        const ci = contentId[ri]!;
        const o = objectId[ri]!;
        if (accountId[ri] === aj || ci === cj || o === ci || o === cj) continue;
        if (count === older.length) {
          older = grown(older);
          newer = grown(newer);
          delta = grown(delta);
        }
        older[count] = ri;
        newer[count] = rj;
        delta[count++] = tj - sorted.time[i]!;
      }
    }
  }

  // 4. Participation among the co-shared contents (over the kept rows).
  const keep = new Uint8Array(count).fill(1);
  if (minParticipation >= 1) {
    const coShared = new Uint8Array(idCount);
    for (let q = 0; q < count; q++) {
      coShared[contentId[older[q]!]!] = 1;
      coShared[contentId[newer[q]!]!] = 1;
    }
    const participation = new Int32Array(accountCount);
    for (let r = 0; r < n; r++) if (pos[r]! >= 0 && coShared[contentId[r]!] === 1) participation[accountId[r]!]!++;
    const passing = new Uint8Array(idCount);
    for (let r = 0; r < n; r++) {
      if (pos[r]! >= 0 && coShared[contentId[r]!] === 1 && participation[accountId[r]!]! >= minParticipation) passing[contentId[r]!] = 1;
    }
    for (let q = 0; q < count; q++) {
      keep[q] = passing[contentId[older[q]!]!]! | passing[contentId[newer[q]!]!]!;
    }
  }

  // 5. CooRTweet's row order: object, then the later-positioned row, then the earlier one. Step 3
  // made the rows object by object, so each object's rows are one run already in object order;
  // only a run's rows are sorted, by (later position, earlier position), unique per row pair.
  // Each co-shared object's first position in x, the least over its sorted rows (objects are
  // ranked by it); only these objects are ranked, so no other object's is found.
  const firstPos = new Int32Array(objectBound);
  for (let q = 0, last = -1; q < count; q++) {
    const o = objectId[older[q]!]!;
    if (o === last) continue;
    last = o;
    let first = m;
    for (let j = sorted.keyStart[o]!; j < sorted.keyStart[o + 1]!; j++) first = Math.min(first, pos[row[j]!]!);
    firstPos[o] = first;
  }
  const order = inObjectOrder(rowsWhere(keep), older, objectId, firstPos);
  const loPos = new Int32Array(count);
  const hiPos = new Int32Array(count);
  for (const q of order) {
    const po = pos[older[q]!]!, pn = pos[newer[q]!]!;
    loPos[q] = Math.min(po, pn);
    hiPos[q] = Math.max(po, pn);
  }
  for (let from = 0; from < order.length;) {
    const object = objectId[older[order[from]!]!]!;
    let to = from + 1;
    while (to < order.length && objectId[older[order[to]!]!] === object) to++;
    if (to - from <= INSERTION_RUN) {
      for (let i = from + 1; i < to; i++) {
        const q = order[i]!, hi = hiPos[q]!, lo = loPos[q]!;
        let j = i - 1;
        while (j >= from && (hiPos[order[j]!]! > hi || (hiPos[order[j]!] === hi && loPos[order[j]!]! > lo))) { order[j + 1] = order[j]!; j--; }
        order[j + 1] = q;
      }
    } else {
      order.subarray(from, to).sort((x, y) => hiPos[x]! - hiPos[y]! || loPos[x]! - loPos[y]!);
    }
    from = to;
  }

  const size = order.length;
  const rows: CoShareRows = {
    objectId: new Int32Array(size), contentId: new Int32Array(size), contentIdY: new Int32Array(size),
    timeDelta: new Float64Array(size), accountId: new Int32Array(size), accountIdY: new Int32Array(size), size,
  };
  for (let s = 0; s < size; s++) {
    const q = order[s]!;
    const ro = older[q]!;
    const rn = newer[q]!;
    rows.objectId[s] = objectId[ro]!;
    rows.contentId[s] = contentId[ro]!;
    rows.contentIdY[s] = contentId[rn]!;
    rows.timeDelta[s] = delta[q]!;
    rows.accountId[s] = accountId[ro]!;
    rows.accountIdY[s] = accountId[rn]!;
  }
  return rows;
}

/**
 * CooRTweet's `generate_coordinated_network` (without `fast_net`), as an edge list.
 * @example generateCoordinatedNetwork(rows, { edgeWeight: 0.5, subgraph: 1 }).size
 */
export function generateCoordinatedNetwork(rows: CoShareRows, options?: Partial<NetworkOptions>): CoordinatedEdges {
  const { edgeWeight, subgraph, accountRank } = { ...COORTWEET_DEFAULTS, ...options };
  if (!(edgeWeight >= 0 && edgeWeight <= 1)) throw bad(`edgeWeight must be between 0 and 1, got ${edgeWeight}`);
  if (subgraph !== 0 && subgraph !== 1) throw bad(`subgraph must be 0 or 1 (2 and 3 need flag_speed_share), got ${String(subgraph)}`);
  const rank = (account: number): number => (accountRank === null ? account : accountRank[account]!);

  // Pairs numbered in order of their first row (PairIndex entries are in insertion order).
  const pairs = new PairIndex(1024);
  let weight = new Int32Array(1024);
  let sumDelta = new Float64Array(1024);
  const edgeOf = new Int32Array(rows.size);
  let contentBound = 0;
  for (let s = 0; s < rows.size; s++) {
    const a = rows.accountId[s]!;
    const b = rows.accountIdY[s]!;
    const e = edgeOf[s] = rank(a) <= rank(b) ? pairs.entryOf(a, b) : pairs.entryOf(b, a);
    if (e === weight.length) {
      weight = grown(weight);
      sumDelta = grown(sumDelta);
    }
    weight[e]!++;
    sumDelta[e] = sumDelta[e]! + rows.timeDelta[s]!;
    contentBound = Math.max(contentBound, rows.contentId[s]! + 1, rows.contentIdY[s]! + 1);
  }
  const edges = pairs.size;
  // Distinct older / newer contents per edge: the rows grouped by edge (counting sort), each
  // content stamped with the last edge that counted it (instead of two hash sets of (edge, content)).
  const edgeStart = new Int32Array(edges + 1);
  for (let e = 0; e < edges; e++) edgeStart[e + 1] = edgeStart[e]! + weight[e]!;
  const next = edgeStart.slice(0, edges);
  const byEdge = new Int32Array(rows.size);
  for (let s = 0; s < rows.size; s++) byEdge[next[edgeOf[s]!]!++] = s;
  const nOlder = new Int32Array(edges);
  const nNewer = new Int32Array(edges);
  const olderStamp = new Int32Array(contentBound).fill(-1);
  const newerStamp = new Int32Array(contentBound).fill(-1);
  for (let e = 0; e < edges; e++) {
    for (let i = edgeStart[e]!; i < edgeStart[e + 1]!; i++) {
      const s = byEdge[i]!;
      const c = rows.contentId[s]!, cy = rows.contentIdY[s]!;
      if (olderStamp[c] !== e) { olderStamp[c] = e; nOlder[e]!++; }
      if (newerStamp[cy] !== e) { newerStamp[cy] = e; nNewer[e]!++; }
    }
  }
  const threshold = quantileType7(weight.subarray(0, edges), edgeWeight);

  // igraph's vertex numbering: first every pmin account, then every pmax account, each once.
  let accountBound = 0;
  for (let e = 0; e < 2 * edges; e++) accountBound = Math.max(accountBound, pairs.keys[e]! + 1);
  const vertexOf = new Int32Array(accountBound).fill(-1);
  const vertexOrder: number[] = [];
  for (let half = 0; half < 2; half++) {
    for (let e = 0; e < edges; e++) {
      const account = pairs.keys[2 * e + half]!;
      if (vertexOf[account] === -1) {
        vertexOf[account] = vertexOrder.length;
        vertexOrder.push(account);
      }
    }
  }

  const kept: number[] = [];
  for (let e = 0; e < edges; e++) if (subgraph === 0 || weight[e]! > threshold) kept.push(e);
  const out: CoordinatedEdges = {
    from: new Int32Array(kept.length), to: new Int32Array(kept.length), weight: new Int32Array(kept.length),
    avgTimeDelta: new Float64Array(kept.length), nContentId: new Int32Array(kept.length), nContentIdY: new Int32Array(kept.length),
    edgeSymmetryScore: new Float64Array(kept.length), weightThreshold: new Uint8Array(kept.length), size: kept.length, threshold,
    vertices: new Int32Array(0),
  };
  const touched = new Uint8Array(vertexOrder.length);
  kept.forEach((e, row) => {
    const a = pairs.keys[2 * e]!;
    const b = pairs.keys[2 * e + 1]!;
    const [from, to] = vertexOf[a]! < vertexOf[b]! ? [a, b] : [b, a];
    out.from[row] = from;
    out.to[row] = to;
    out.weight[row] = weight[e]!;
    out.avgTimeDelta[row] = sumDelta[e]! / weight[e]!;
    out.nContentId[row] = nOlder[e]!;
    out.nContentIdY[row] = nNewer[e]!;
    out.edgeSymmetryScore[row] = Math.min(nOlder[e]!, nNewer[e]!) / Math.max(nOlder[e]!, nNewer[e]!);
    out.weightThreshold[row] = weight[e]! > threshold ? 1 : 0;
    touched[vertexOf[a]!] = 1;
    touched[vertexOf[b]!] = 1;
  });
  out.vertices = Int32Array.from(vertexOrder.filter((_, v) => subgraph === 0 || touched[v] === 1));
  return out;
}

/** Both steps: `detect_groups` then `generate_coordinated_network`. */
export function coortweetNetwork(input: CoShareInput, options?: Partial<CoortweetOptions>): { groups: CoShareRows; network: CoordinatedEdges } {
  const groups = detectGroups(input, options);
  return { groups, network: generateCoordinatedNetwork(groups, options) };
}

/** R's `quantile(x, p)` with its default type 7; NaN for no values. */
export function quantileType7(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const index = (n - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const h = index - lo;
  const low = sorted[lo]!;
  const high = sorted[hi]!;
  return h > 0 && high !== low ? (1 - h) * low + h * high : low;
}
