import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../model/index.js';
import { EXPAND_DEFAULTS, expandBySignals, poissonUpperTail } from './expand-by-signals.js';
import type { AccountFacts, ExpansionInput } from './expand-by-signals.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/** Small seeded generator, so every world is the same on every run. */
const rng = mulberry32;

interface World {
  input: ExpansionInput;
  core: number[];
  dormant: number[];
  /** Organic accounts created in the burst with the core's client and a tie, but another handle template. */
  sameWeek: number[];
  /** Organic accounts matching exactly one part of the signature. */
  oneSignal: number[];
}

const BURST_DAY = 17_500;
const CLIENT = 2;
const TEMPLATE = 7;

/**
 * 3,000 accounts created over ten years with one of six clients and one of twenty handle templates,
 * acting on popular and rare objects at random; a campaign whose 12-account core (found by
 * behaviour) was registered in two days with one client and one handle template, and pushes on
 * its own rare objects; `dormant` more of its accounts that joined one push each.
 */
function world(seed: number, options: { dormant?: number; sameWeek?: number; oneSignal?: boolean; crowd?: boolean } = {}): World {
  const random = rng(seed);
  const n = 3000;
  const facts: AccountFacts = { createdDay: new Float64Array(n), client: new Int32Array(n), template: new Int32Array(n) };
  for (let a = 0; a < n; a++) {
    facts.createdDay[a] = BURST_DAY - 3650 + Math.floor(random() * 3650 + 30);
    facts.client[a] = Math.floor(random() * 6);
    facts.template[a] = random() < 0.5 ? -1 : 8 + Math.floor(random() * 20);
  }
  const actor: number[] = [], key: number[] = [], time: number[] = [];
  const act = (a: number, k: number, t: number): void => { actor.push(a); key.push(k); time.push(t); };
  const start = Date.UTC(2019, 5, 1);
  // Organic activity: popular keys 0-19, rare keys 1000-2999 (about 5 accounts each).
  for (let a = 0; a < n; a++) {
    for (let i = 0; i < 6; i++) act(a, random() < 0.5 ? Math.floor(random() * 20) : 1000 + Math.floor(random() * 2000), start + random() * 60 * 24 * HOUR);
  }
  const core = Array.from({ length: 12 }, (_, i) => i);
  const dormant = Array.from({ length: options.dormant ?? 6 }, (_, i) => 12 + i);
  for (const a of [...core, ...dormant]) {
    facts.createdDay[a] = BURST_DAY + (a % 2);
    facts.client[a] = CLIENT;
    facts.template[a] = TEMPLATE;
  }
  // Campaign pushes on keys 500-519: the core joins most, each dormant account one.
  const pushes = Array.from({ length: 20 }, (_, p) => start + p * 2 * 24 * HOUR);
  pushes.forEach((at, p) => { for (const a of core) if (random() < 0.7) act(a, 500 + p, at + random() * 10 * MIN); });
  dormant.forEach((a, i) => act(a, 500 + (i % 20), (pushes[i % 20] as number) + random() * 10 * MIN));
  // Organic accounts that share the burst, the client and a push, but not the template.
  const sameWeek = Array.from({ length: options.sameWeek ?? 0 }, (_, i) => 100 + i);
  sameWeek.forEach((a, i) => {
    facts.createdDay[a] = BURST_DAY + (i % 2);
    facts.client[a] = CLIENT;
    facts.template[a] = TEMPLATE + 1;
    act(a, 500 + (i % 20), (pushes[i % 20] as number) + 5 * MIN);
  });
  // Organic accounts matching one part each: the burst, the client, the template, or a tie.
  const oneSignal = options.oneSignal === true ? [200, 201, 202, 203] : [];
  if (options.oneSignal === true) {
    facts.createdDay[200] = BURST_DAY; facts.client[200] = CLIENT + 1; facts.template[200] = -1;
    facts.createdDay[201] = BURST_DAY - 400; facts.client[201] = CLIENT; facts.template[201] = -1;
    facts.createdDay[202] = BURST_DAY - 400; facts.client[202] = CLIENT + 1; facts.template[202] = TEMPLATE;
    facts.createdDay[203] = BURST_DAY - 400; facts.client[203] = CLIENT + 1; facts.template[203] = -1;
    act(203, 503, (pushes[3] as number) + 2 * MIN);
  }
  if (options.crowd === true) {
    facts.template.fill(-1);
    for (let a = 300; a < 900; a++) { facts.createdDay[a] = BURST_DAY + (a % 2); facts.client[a] = CLIENT; }
    for (let a = 300; a < 3000; a += 10) act(a, 500 + (a % 20), (pushes[a % 20] as number) + random() * 30 * MIN);
  }
  const trace = { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), actorCount: n, keyCount: 3000 };
  return { input: { actorCount: n, facts, clusters: [{ members: core }], traces: [trace] }, core, dormant, sameWeek, oneSignal };
}

const recruited = (w: World, options = {}): number[] => expandBySignals(w.input, options).recruits.map((r) => r.account).sort((x, y) => x - y);

describe('expandBySignals', () => {
  it('recruits the campaign\'s dormant accounts that share the core\'s burst, client, template and one push', () => {
    for (const seed of [1, 2, 3]) {
      const w = world(seed);
      const result = expandBySignals(w.input);
      assert.deepEqual(result.recruits.map((r) => r.account).sort((x, y) => x - y), w.dormant, `seed ${seed}`);
      for (const recruit of result.recruits) {
        assert.equal(recruit.cluster, 0);
        assert.deepEqual(recruit.signals, ['creation_burst', 'client', 'handle_template', 'behaviour_tie']);
        assert.ok(recruit.chance > 0 && recruit.chance < 1e-4, `chance ${recruit.chance}`);
      }
      const expansion = result.clusters[0];
      assert.ok(expansion !== undefined && expansion.accepted && expansion.pValue < EXPAND_DEFAULTS.alpha);
      assert.ok(expansion.expected < 0.1 * expansion.matched, `expected ${expansion.expected} of ${expansion.matched}`);
      assert.deepEqual(expansion.parts.map((part) => part.name), ['creation_burst', 'client', 'handle_template', 'behaviour_tie']);
      // The burst is the two days the core was registered in, and rare among all accounts.
      assert.deepEqual(expansion.parts[0]?.detail, { from: '2017-11-30', to: '2017-12-01' });
      assert.ok((expansion.parts[0]?.baseRate ?? 1) < 0.02);
    }
  });

  it('does not recruit organic accounts created the same week with another handle template', () => {
    const w = world(4, { sameWeek: 8 });
    const got = recruited(w);
    assert.deepEqual(got, w.dormant);
    for (const a of w.sameWeek) assert.ok(!got.includes(a), `account ${a}`);
  });

  it('does not recruit an account matching on one signal only', () => {
    const w = world(5, { oneSignal: true });
    const got = recruited(w);
    assert.deepEqual(got, w.dormant);
    for (const a of w.oneSignal) assert.ok(!got.includes(a), `account ${a}`);
  });

  it('recruits nobody when organic accounts share the signature as often as chance says', () => {
    // A fifth of all accounts registered in the core's two days with its client, handles hidden,
    // and a tenth acting on the campaign's objects within the hour: a match says nothing.
    const w = world(6, { crowd: true });
    const result = expandBySignals(w.input);
    assert.deepEqual(result.recruits, []);
    const expansion = result.clusters[0];
    assert.ok(expansion !== undefined && expansion.matched > 0 && !expansion.accepted, JSON.stringify(expansion?.matched));
    assert.ok(expansion.expected > 0.1 * expansion.matched, `expected ${expansion.expected} of ${expansion.matched}`);
  });

  it('without a shared client or burst in the core there is no signature to expand by', () => {
    const w = world(7);
    w.input.facts.createdDay.fill(NaN);
    assert.deepEqual(recruited(w), []);
    assert.equal(expandBySignals(w.input).clusters[0]?.skipped, 'the core has no creation burst');
  });

  it('leaves small clusters alone and never recruits another cluster\'s member', () => {
    const w = world(8);
    const small = { ...w.input, clusters: [{ members: w.core.slice(0, 4) }] };
    assert.deepEqual(expandBySignals(small).recruits, []);
    const both = { ...w.input, clusters: [{ members: w.core }, { members: w.dormant.slice(0, 3) }] };
    const got = expandBySignals(both).recruits.map((r) => r.account);
    for (const a of w.dormant.slice(0, 3)) assert.ok(!got.includes(a));
  });
});

describe('poissonUpperTail', () => {
  it('matches direct sums', () => {
    const direct = (k: number, mean: number): number => {
      let below = 0, term = Math.exp(-mean);
      for (let i = 0; i < k; i++) { below += term; term *= mean / (i + 1); }
      return 1 - below;
    };
    for (const [k, mean] of [[1, 0.5], [3, 2], [5, 1], [10, 9.5]] as const) assert.ok(Math.abs(poissonUpperTail(k, mean) - direct(k, mean)) < 1e-12);
    assert.equal(poissonUpperTail(0, 3), 1);
    assert.ok(poissonUpperTail(12, 0.1) > 0 && poissonUpperTail(12, 0.1) < 1e-20);
  });
});
