import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { evaluate, formatEvaluation, parseTruth, type TruthRow } from './evaluate.js';
import { generateSynthetic } from './generate.js';

const row = (userid: string, campaign: string, style: string, confounder: string): TruthRow => ({ userid, campaign, style, confounder });

const TRUTH: TruthRow[] = [
  row('a1', 'c01', 'retweet-ring', ''),
  row('a2', 'c01', 'retweet-ring', ''),
  row('a3', 'c01', 'retweet-ring', ''),
  row('b1', 'c02', 'copypasta', ''),
  row('b2', 'c02', 'copypasta', ''),
  row('fan1', '', '', 'fan-community'),
  row('fan2', '', '', 'fan-community'),
  row('feed1', '', '', 'syndicated-feed'),
  row('u1', '', '', 'none'),
  row('u2', '', '', 'viral-cascade'),
];

describe('evaluate', () => {
  it('perfect detection scores precision = recall = F1 = 1', () => {
    const e = evaluate(TRUTH, new Set(['a1', 'a2', 'a3', 'b1', 'b2']));
    assert.equal(e.precision, 1);
    assert.equal(e.recall, 1);
    assert.equal(e.f1, 1);
    assert.deepEqual([e.truePositives, e.falsePositives, e.falseNegatives], [5, 0, 0]);
    assert.deepEqual(e.campaigns.map((c) => [c.campaign, c.style, c.size, c.recalled, c.recall]), [
      ['c01', 'retweet-ring', 3, 3, 1],
      ['c02', 'copypasta', 2, 2, 1],
    ]);
    assert.ok(e.confounders.every((c) => c.flagged === 0));
  });

  it('counts a flagged fan under fan-community and lowers precision', () => {
    const e = evaluate(TRUTH, new Set(['a1', 'a2', 'a3', 'b1', 'b2', 'fan2']));
    const fans = e.confounders.find((c) => c.confounder === 'fan-community');
    assert.deepEqual(fans, { confounder: 'fan-community', accounts: 2, flagged: 1, rate: 0.5 });
    assert.equal(e.falsePositives, 1);
    assert.equal(e.precision, 5 / 6);
    assert.equal(e.recall, 1);
    assert.ok(Math.abs(e.f1 - (2 * (5 / 6)) / (5 / 6 + 1)) < 1e-12);
  });

  it('empty detection: recall 0, precision 0 by convention (nothing flagged earns nothing), F1 0', () => {
    const e = evaluate(TRUTH, new Set());
    assert.deepEqual([e.precision, e.recall, e.f1, e.flagged], [0, 0, 0, 0]);
    assert.equal(e.falseNegatives, 5);
    assert.ok(e.campaigns.every((c) => c.recall === 0));
  });

  it('partial recall per campaign and per style', () => {
    const e = evaluate(TRUTH, new Set(['a1', 'b1', 'b2', 'u1']));
    assert.deepEqual(e.campaigns.map((c) => c.recalled), [1, 2]);
    assert.equal(e.campaigns[0]?.recall, 1 / 3);
    assert.deepEqual(e.styles.map((s) => [s.style, s.accounts, s.recalled]), [['copypasta', 2, 2], ['retweet-ring', 3, 1]]);
    assert.equal(e.recall, 3 / 5);
    assert.equal(e.confounders.find((c) => c.confounder === 'none')?.flagged, 1);
  });

  it('flagged ids absent from the truth are false positives, reported apart', () => {
    const e = evaluate(TRUTH, new Set(['a1', 'a2', 'a3', 'b1', 'b2', 'nobody']));
    assert.equal(e.unknownFlagged, 1);
    assert.equal(e.falsePositives, 1);
    assert.equal(e.precision, 5 / 6);
    assert.match(formatEvaluation(e), /1 flagged ids not in the truth/);
  });

  it('rejects a truth with a userid twice', () => {
    assert.throws(() => evaluate([...TRUTH, row('a1', '', '', 'none')], new Set()), (error: unknown) =>
      error instanceof LockstepError && error.code === 'ingest/bad-row' && /a1 appears twice/.test(error.message));
  });

  it('counts always add up and scores stay within [0, 1] (property)', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `u${i}`);
    const truthArb = fc.array(fc.tuple(fc.constantFrom('', 'c01', 'c02'), fc.constantFrom('none', 'fan-community', 'live-event')), { minLength: 30, maxLength: 30 })
      .map((labels) => labels.map(([campaign, confounder], i) => row(ids[i] ?? '', campaign, campaign === '' ? '' : 'copypasta', campaign === '' ? confounder : '')));
    fc.assert(fc.property(truthArb, fc.subarray([...ids, 'x1', 'x2']), (truth, flagged) => {
      const e = evaluate(truth, new Set(flagged));
      assert.equal(e.truePositives + e.falsePositives, flagged.length);
      assert.equal(e.truePositives + e.falseNegatives, e.coordinated);
      assert.equal(e.coordinated + e.organic, truth.length);
      assert.equal(e.confounders.reduce((sum, c) => sum + c.flagged, 0) + e.unknownFlagged, e.falsePositives);
      assert.equal(e.campaigns.reduce((sum, c) => sum + c.recalled, 0), e.truePositives);
      for (const x of [e.precision, e.recall, e.f1]) assert.ok(x >= 0 && x <= 1);
      assert.ok(e.f1 <= Math.max(e.precision, e.recall) + 1e-12 && e.f1 >= Math.min(e.precision, e.recall) - 1e-12);
    }));
  });

  it('formats a readable table with the scores, each campaign and each confounder', () => {
    const text = formatEvaluation(evaluate(TRUTH, new Set(['a1', 'a2', 'b1', 'fan1', 'feed1'])));
    assert.match(text, /precision 0\.600 {2}recall 0\.600 {2}F1 0\.600/);
    assert.match(text, /^c01 +retweet-ring +3 +2 +0\.667$/m);
    assert.match(text, /^syndicated-feed +1 +1 +1\.000$/m);
    assert.match(text, /^fan-community +2 +1 +0\.500$/m);
  });

  it('scores the generator against its own truth: flagging exactly the campaigns is perfect', () => {
    const synth = generateSynthetic({ seed: 5, scale: 0.3 });
    const truth = parseTruth(synth.truthColumns, synth.truth);
    const e = evaluate(truth, new Set(truth.filter((r) => r.campaign !== '').map((r) => r.userid)));
    assert.equal(e.f1, 1);
    assert.equal(e.accounts, synth.summary.accounts);
    assert.equal(e.coordinated, synth.summary.coordinatedAccounts);
    assert.deepEqual(e.campaigns.map((c) => c.size), synth.summary.campaigns.map((c) => c.size));
    assert.ok(e.confounders.every((c) => c.accounts > 0), 'every confounder has accounts');
  });
});

describe('parseTruth', () => {
  it('reads rows by header name, in any column order', () => {
    const rows = parseTruth(['confounder', 'userid', 'style', 'campaign'], [['', 'x', 'copypasta', 'c03'], ['none', 'y', '', '']]);
    assert.deepEqual(rows, [row('x', 'c03', 'copypasta', ''), row('y', '', '', 'none')]);
  });

  it('says which line is bad and which column is missing', () => {
    const header = ['userid', 'campaign', 'style', 'confounder'];
    assert.throws(() => parseTruth(header, [['a', '', '', 'none'], ['b', '']]), /truth\.csv:3: 2 fields, expected 4/);
    assert.throws(() => parseTruth(header, [['', '', '', 'none']]), /truth\.csv:2: empty userid/);
    assert.throws(() => parseTruth(['userid', 'campaign'], []), /no 'style' column/);
  });
});
