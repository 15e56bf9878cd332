import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { coortweetNetwork, detectGroups, generateCoordinatedNetwork, quantileType7 } from './coortweet-compat.js';
import type { CoShareInput, CoShareRows } from './coortweet-compat.js';
import { coActionPairs } from './kernel/index.js';

const DATA = '/work/shared/data/coortweet';

function readCsv(name: string): Record<string, string>[] {
  return parse(readFileSync(`${DATA}/${name}`, 'utf8'), { columns: true }) as Record<string, string>[];
}

/** Input rows interned the way an ingest would: objects and contents in one id space. */
interface Interned {
  input: CoShareInput;
  ids: string[];
  accounts: string[];
  /** Rank of each account id in sorted-name order (what R's pmin/pmax compare). */
  accountRank: Int32Array;
}

function intern(rows: ReadonlyArray<{ object_id: string; account_id: string; content_id: string; timestamp_share: string }>): Interned {
  const idOf = new Map<string, number>();
  const accountOf = new Map<string, number>();
  const id = (s: string): number => idOf.get(s) ?? (idOf.set(s, idOf.size), idOf.size - 1);
  const account = (s: string): number => accountOf.get(s) ?? (accountOf.set(s, accountOf.size), accountOf.size - 1);
  const input: CoShareInput = {
    objectId: Int32Array.from(rows, (r) => id(r.object_id)),
    accountId: Int32Array.from(rows, (r) => account(r.account_id)),
    contentId: Int32Array.from(rows, (r) => id(r.content_id)),
    time: Float64Array.from(rows, (r) => Number(r.timestamp_share)),
    accountCount: 0,
    idCount: 0,
  };
  input.accountCount = accountOf.size;
  input.idCount = idOf.size;
  const accounts = [...accountOf.keys()];
  const accountRank = new Int32Array(accounts.length);
  [...accounts.keys()].sort((x, y) => (accounts[x]! < accounts[y]! ? -1 : 1)).forEach((account, rank) => (accountRank[account] = rank));
  return { input, ids: [...idOf.keys()], accounts, accountRank };
}

function rowStrings(rows: CoShareRows, { ids, accounts }: Interned): string[] {
  const out: string[] = [];
  for (let s = 0; s < rows.size; s++) {
    out.push([ids[rows.objectId[s]!], ids[rows.contentId[s]!], ids[rows.contentIdY[s]!], rows.timeDelta[s], accounts[rows.accountId[s]!], accounts[rows.accountIdY[s]!]].join(','));
  }
  return out;
}

function tiny(rows: Array<[object: string, account: string, content: string, time: number]>): Interned {
  return intern(rows.map(([object_id, account_id, content_id, t]) => ({ object_id, account_id, content_id, timestamp_share: String(t) })));
}

const russian = intern(readCsv('russian_coord_tweets.csv') as never);

describe('CooRTweet compatibility on CooRTweet 2.1.3 outputs', () => {
  it('detect_groups(time_window = 60, min_participation = 2): the 3,791 expected rows, in the same order', () => {
    const rows = detectGroups(russian.input, { timeWindow: 60, minParticipation: 2 });
    const expected = readCsv('expected_russian_detect_groups_tw60.csv').map((r) =>
      [r.object_id, r.content_id, r.content_id_y, r.time_delta, r.account_id, r.account_id_y].join(','),
    );
    assert.equal(rows.size, 3_791);
    assert.deepEqual(rowStrings(rows, russian), expected);
  });

  it('generate_coordinated_network(edge_weight = 0.5, subgraph = 1): exactly the 60 expected edges and columns', () => {
    const { network } = coortweetNetwork(russian.input, { timeWindow: 60, minParticipation: 2, edgeWeight: 0.5, subgraph: 1, accountRank: russian.accountRank });
    const expected = readCsv('expected_russian_tw60_ew05_sg1_edges.csv');
    assert.equal(network.size, 60);
    assert.equal(network.threshold, 1);
    assert.equal(network.vertices.length, 94);
    for (let e = 0; e < network.size; e++) {
      const want = expected[e]!;
      const where = `edge ${e} (${want.from} - ${want.to})`;
      assert.equal(russian.accounts[network.from[e]!], want.from, where);
      assert.equal(russian.accounts[network.to[e]!], want.to, where);
      assert.equal(network.weight[e], Number(want.weight), where);
      assert.ok(Math.abs(network.avgTimeDelta[e]! - Number(want.avg_time_delta)) < 1e-9, where);
      assert.equal(network.nContentId[e], Number(want.n_content_id), where);
      assert.equal(network.nContentIdY[e], Number(want.n_content_id_y), where);
      assert.ok(Math.abs(network.edgeSymmetryScore[e]! - Number(want.edge_symmetry_score)) < 1e-12, where);
      assert.equal(network.weightThreshold[e], Number(want.weight_threshold), where);
    }
  });

  it('subgraph = 0 keeps every pair and marks only those above the threshold', () => {
    const { network } = coortweetNetwork(russian.input, { timeWindow: 60, minParticipation: 2, edgeWeight: 0.5, subgraph: 0 });
    assert.equal(network.size, 3_721);
    let marked = 0;
    for (let e = 0; e < network.size; e++) marked += network.weightThreshold[e]!;
    assert.equal(marked, 60);
  });

  it('CooRTweet weight and mean delay are the kernel coActions and sumDelta of the same pairs (uncapped)', () => {
    const { network } = coortweetNetwork(russian.input, { timeWindow: 60, minParticipation: 2, edgeWeight: 0.5, subgraph: 1 });
    const rowsOf = new Int32Array(russian.input.accountCount);
    for (const a of russian.input.accountId) rowsOf[a]!++;
    const keep = [...russian.input.accountId.keys()].filter((r) => rowsOf[russian.input.accountId[r]!]! >= 2);
    const { pairs } = coActionPairs(
      {
        actor: Int32Array.from(keep, (r) => russian.input.accountId[r]!),
        key: Int32Array.from(keep, (r) => russian.input.objectId[r]!),
        time: Float64Array.from(keep, (r) => russian.input.time[r]! * 1_000),
        actorCount: russian.input.accountCount,
        keyCount: russian.input.idCount,
      },
      { window: 60_000, maxPartnersPerEvent: Infinity },
    );
    const kernel = new Map<string, number>();
    for (let i = 0; i < pairs.size; i++) kernel.set(`${pairs.a[i]},${pairs.b[i]}`, i);
    for (let e = 0; e < network.size; e++) {
      const [a, b] = [Math.min(network.from[e]!, network.to[e]!), Math.max(network.from[e]!, network.to[e]!)];
      const i = kernel.get(`${a},${b}`);
      assert.ok(i !== undefined, `edge ${a},${b} missing from the kernel`);
      assert.equal(pairs.coActions[i], network.weight[e]);
      assert.ok(Math.abs(pairs.sumDelta[i]! / 1_000 / pairs.coActions[i]! - network.avgTimeDelta[e]!) < 1e-9);
      assert.ok(pairs.shared[i]! <= network.weight[e]!, 'distinct objects never exceed co-share rows');
    }
  });

  it('simulate_data (seed 123, time_window = 10, min_participation = 2): every true coordinated pair and no other', () => {
    const sim = intern(readCsv('simulated_seed123.csv') as never);
    const { groups, network } = coortweetNetwork(sim.input, { timeWindow: 10, minParticipation: 2, subgraph: 0 });
    const found = new Set(rowStrings(groups, sim));
    const truth = readCsv('simulated_seed123_truth_pairs.csv');
    const coordinated = truth.filter((r) => r.coordinated === 'TRUE');
    assert.equal(coordinated.length, 14_897);
    for (const r of truth) {
      const row = [r.object_id, r.content_id, r.content_id_y, r.time_delta, r.account_id, r.account_id_y].join(',');
      assert.equal(found.has(row), r.coordinated === 'TRUE', row);
    }
    const pairs = new Set<string>();
    for (let e = 0; e < network.size; e++) pairs.add([sim.accounts[network.from[e]!], sim.accounts[network.to[e]!]].sort().join(' '));
    for (const r of coordinated) assert.ok(pairs.has([r.account_id, r.account_id_y].sort().join(' ')));
    assert.equal(pairs.size, new Set(coordinated.map((r) => [r.account_id, r.account_id_y].sort().join(' '))).size);
  });
});

describe('CooRTweet compatibility: rules on small inputs', () => {
  it('gives no rows and no edges for empty input or a single account', () => {
    const empty = tiny([]);
    assert.equal(coortweetNetwork(empty.input).network.size, 0);
    const alone = tiny([['o', 'a', 'c1', 0], ['o', 'a', 'c2', 1], ['p', 'a', 'c3', 1]]);
    const { groups, network } = coortweetNetwork(alone.input);
    assert.equal(groups.size, 0);
    assert.equal(network.size, 0);
    assert.ok(Number.isNaN(network.threshold));
  });

  it('drops accounts below min_participation before pairing, counting rows (not objects)', () => {
    // c co-shares o with a and b but has a single row.
    const t = tiny([['o', 'a', 'c1', 0], ['o', 'b', 'c2', 5], ['p', 'a', 'c3', 100], ['p', 'b', 'c4', 104], ['o', 'c', 'c5', 3]]);
    assert.deepEqual(rowStrings(detectGroups(t.input, { minParticipation: 2 }), t), ['o,c1,c2,5,a,b', 'p,c3,c4,4,a,b']);
    assert.equal(detectGroups(t.input, { minParticipation: 1 }).size, 4);
    assert.equal(detectGroups(t.input, { minParticipation: 3 }).size, 0);
  });

  it('then keeps a row only if one side has min_participation co-shared contents', () => {
    // a and b have two rows each but co-share only once: CooRTweet drops the row.
    const t = tiny([['o', 'a', 'c1', 0], ['o', 'b', 'c2', 5], ['o', 'b', 'c3', 500], ['o', 'a', 'c4', 900]]);
    assert.equal(detectGroups(t.input, { minParticipation: 2 }).size, 0);
    assert.equal(detectGroups(t.input, { minParticipation: 1 }).size, 1);
  });

  it('weighs a pair by co-share rows: two co-shares of one object weigh 2', () => {
    const t = tiny([['o', 'a', 'c1', 0], ['o', 'b', 'c2', 3], ['o', 'a', 'c3', 100], ['o', 'b', 'c4', 104]]);
    const { network } = coortweetNetwork(t.input, { subgraph: 0 });
    assert.equal(network.size, 1);
    assert.equal(network.weight[0], 2);
    assert.equal(network.avgTimeDelta[0], 3.5);
  });

  it('orients rows older -> newer, and at equal times the earlier row of the account-regrouped table first', () => {
    // Regrouped by account: a's rows (c1, c3), then b's (c2, c4). c3 and c4 are simultaneous.
    const t = tiny([['o', 'a', 'c1', 50], ['o', 'b', 'c2', 45], ['p', 'a', 'c3', 7], ['p', 'b', 'c4', 7]]);
    const rows = rowStrings(detectGroups(t.input), t);
    assert.deepEqual(rows, ['o,c2,c1,5,b,a', 'p,c3,c4,0,a,b']);
  });

  it('removes loops: the same content twice, and an object listed as its own share', () => {
    const t = tiny([['o', 'a', 'c1', 0], ['o', 'b', 'c1', 1], ['o', 'c', 'o', 2], ['x', 'a', 'x1', 0], ['x', 'b', 'x2', 0], ['x', 'c', 'x3', 0]]);
    const rows = rowStrings(detectGroups(t.input, { minParticipation: 1 }), t);
    assert.deepEqual(rows, ['x,x1,x2,0,a,b', 'x,x1,x3,0,a,c', 'x,x2,x3,0,b,c']);
  });

  it('uses R quantile type 7 and keeps only weights strictly above it', () => {
    assert.equal(quantileType7([1, 1, 2, 3], 0.5), 1.5);
    assert.equal(quantileType7([4, 1, 1], 0.5), 1);
    assert.equal(quantileType7([1, 2], 1), 2);
    assert.ok(Number.isNaN(quantileType7([], 0.5)));
  });

  it('rejects malformed input and options with detect/bad-input', () => {
    const t = tiny([['o', 'a', 'c1', 0], ['o', 'b', 'c2', 1]]);
    const isBad = (error: unknown): boolean => error instanceof LockstepError && error.code === 'detect/bad-input';
    assert.throws(() => detectGroups({ ...t.input, time: Float64Array.of(0, NaN) }), isBad);
    assert.throws(() => detectGroups({ ...t.input, accountCount: 1 }), isBad);
    assert.throws(() => detectGroups(t.input, { timeWindow: -1 }), isBad);
    assert.throws(() => generateCoordinatedNetwork(detectGroups(t.input), { edgeWeight: 2 }), isBad);
  });
});

/**
 * detect_groups spelled out as CooRTweet's steps, row lists and plain sorts (no positions trick,
 * no counting sorts): the oracle of the property test below.
 */
function referenceDetectGroups(input: CoShareInput, timeWindow: number, minParticipation: number): string[] {
  const n = input.objectId.length;
  const rowsOf = new Map<number, number>();
  for (let r = 0; r < n; r++) rowsOf.set(input.accountId[r]!, (rowsOf.get(input.accountId[r]!) ?? 0) + 1);
  const accountOrder: number[] = [];
  for (let r = 0; r < n; r++) if ((rowsOf.get(input.accountId[r]!) ?? 0) >= minParticipation && !accountOrder.includes(input.accountId[r]!)) accountOrder.push(input.accountId[r]!);
  const x = accountOrder.flatMap((account) => Array.from({ length: n }, (_, r) => r).filter((r) => input.accountId[r] === account));
  const objects = [...new Set(x.map((r) => input.objectId[r]!))];
  const pairs: { older: number; newer: number; lo: number; hi: number; object: number }[] = [];
  for (const object of objects) {
    const rows = x.map((r, p) => ({ r, p })).filter(({ r }) => input.objectId[r] === object).sort((u, v) => input.time[u.r]! - input.time[v.r]! || u.p - v.p);
    for (let j = 0; j < rows.length; j++) {
      for (let i = 0; i < j; i++) {
        const ri = rows[i]!.r, rj = rows[j]!.r;
        if (input.time[rj]! - input.time[ri]! > timeWindow) continue;
        const ci = input.contentId[ri]!, cj = input.contentId[rj]!;
        if (input.accountId[ri] === input.accountId[rj] || ci === cj || object === ci || object === cj) continue;
        pairs.push({ older: ri, newer: rj, lo: Math.min(rows[i]!.p, rows[j]!.p), hi: Math.max(rows[i]!.p, rows[j]!.p), object: objects.indexOf(object) });
      }
    }
  }
  const coShared = new Set(pairs.flatMap(({ older, newer }) => [input.contentId[older]!, input.contentId[newer]!]));
  const participation = new Map<number, number>();
  for (const r of x) if (coShared.has(input.contentId[r]!)) participation.set(input.accountId[r]!, (participation.get(input.accountId[r]!) ?? 0) + 1);
  const passing = new Set(x.filter((r) => coShared.has(input.contentId[r]!) && (participation.get(input.accountId[r]!) ?? 0) >= minParticipation).map((r) => input.contentId[r]!));
  return pairs
    .filter(({ older, newer }) => minParticipation < 1 || passing.has(input.contentId[older]!) || passing.has(input.contentId[newer]!))
    .map((pair, index) => ({ ...pair, index }))
    .sort((u, v) => u.object - v.object || u.hi - v.hi || u.lo - v.lo || u.index - v.index)
    .map(({ older, newer }) => [input.objectId[older], input.contentId[older], input.contentId[newer], input.time[newer]! - input.time[older]!, input.accountId[older], input.accountId[newer]].join(','));
}

describe('CooRTweet compatibility: detect_groups against its steps spelled out', () => {
  it('gives the same rows in the same order on random inputs full of simultaneous shares (property)', () => {
    const row = fc.record({ object: fc.nat(5), account: fc.nat(6), content: fc.nat(30), time: fc.nat(12) });
    fc.assert(fc.property(fc.array(row, { maxLength: 40 }), fc.nat(6), fc.nat(3), (rows, timeWindow, minParticipation) => {
      const input: CoShareInput = {
        objectId: Int32Array.from(rows, (r) => r.object), accountId: Int32Array.from(rows, (r) => r.account),
        contentId: Int32Array.from(rows, (r) => r.content), time: Float64Array.from(rows, (r) => r.time), accountCount: 7, idCount: 31,
      };
      const got = detectGroups(input, { timeWindow, minParticipation });
      const lines = Array.from({ length: got.size }, (_, s) => [got.objectId[s], got.contentId[s], got.contentIdY[s], got.timeDelta[s], got.accountId[s], got.accountIdY[s]].join(','));
      assert.deepEqual(lines, referenceDetectGroups(input, timeWindow, minParticipation));
    }), { numRuns: 400 });
  });
});

describe('CooRTweet compatibility: generate_coordinated_network against its definition', () => {
  it('weighs each account pair by its rows and counts its distinct older and newer contents, pairs in order of first row (property)', () => {
    const row = fc.record({ account: fc.nat(5), accountY: fc.nat(5), content: fc.nat(8), contentY: fc.nat(8), delta: fc.nat(10) });
    fc.assert(fc.property(fc.array(row, { maxLength: 60 }), (list) => {
      const rows: CoShareRows = {
        objectId: new Int32Array(list.length), contentId: Int32Array.from(list, (r) => r.content), contentIdY: Int32Array.from(list, (r) => r.contentY),
        timeDelta: Float64Array.from(list, (r) => r.delta), accountId: Int32Array.from(list, (r) => r.account), accountIdY: Int32Array.from(list, (r) => r.accountY), size: list.length,
      };
      const got = generateCoordinatedNetwork(rows, { edgeWeight: 0.5, subgraph: 0, accountRank: null });
      // Reference: a map from the unordered pair to its rows, in order of first row.
      const pairs = new Map<string, { weight: number; sum: number; older: Set<number>; newer: Set<number> }>();
      for (const r of list) {
        const key = `${Math.min(r.account, r.accountY)}-${Math.max(r.account, r.accountY)}`;
        const pair = pairs.get(key) ?? { weight: 0, sum: 0, older: new Set<number>(), newer: new Set<number>() };
        pair.weight++;
        pair.sum += r.delta;
        pair.older.add(r.content);
        pair.newer.add(r.contentY);
        pairs.set(key, pair);
      }
      assert.equal(got.size, pairs.size);
      [...pairs].forEach(([key, pair], e) => {
        assert.equal(`${Math.min(got.from[e]!, got.to[e]!)}-${Math.max(got.from[e]!, got.to[e]!)}`, key);
        assert.equal(got.weight[e], pair.weight);
        assert.ok(Math.abs(got.avgTimeDelta[e]! - pair.sum / pair.weight) < 1e-9);
        assert.equal(got.nContentId[e], pair.older.size);
        assert.equal(got.nContentIdY[e], pair.newer.size);
      });
    }), { numRuns: 300 });
  });
});
