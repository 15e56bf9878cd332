import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { FIXTURES } from '../test-support/fixtures.js';
import { detectTimePrecision, effectiveWindow, estimateWindow, formatDuration, offUnit } from './window.js';

const MINUTE = 60_000;
const at = (iso: string): number => Date.parse(`${iso}Z`);

function events(rows: ReadonlyArray<readonly [key: number, timeMs: number]>): { key: Int32Array; time: Float64Array } {
  return { key: Int32Array.from(rows.map((r) => r[0])), time: Float64Array.from(rows.map((r) => r[1])) };
}

/**
 * CooRnet's estimate_coord_interval written out as the R code reads (dplyr steps on rows), for
 * checking the typed-array version. Times and the result are in ms.
 */
function coornetReference(rows: ReadonlyArray<readonly [number, number]>, q: number, p: number): number | null {
  const byKey = new Map<number, number[]>();
  for (const [key, time] of rows) byKey.set(key, [...(byKey.get(key) ?? []), time]);
  const ranked = [...byKey].filter(([, times]) => times.length > 1).flatMap(([key, times]) => {
    const sortedTimes = [...times].sort((a, b) => a - b);
    const first = sortedTimes[0]!;
    return sortedTimes.map((t, i) => ({ key, rank: i + 1, sec: t - first, perc: (i + 1) / times.length }));
  });
  if (ranked.length === 0) return null;
  const rank2 = ranked.filter((r) => r.rank === 2);
  const threshold = rQuantile7(rank2.map((r) => r.sec), q);
  const quick = new Set(rank2.filter((r) => r.sec <= threshold).map((r) => r.key));
  const minSec = new Map<number, number>();
  for (const r of ranked) {
    if (!quick.has(r.key) || !(r.perc > p)) continue;
    minSec.set(r.key, Math.min(minSec.get(r.key) ?? Infinity, r.sec));
  }
  const estimate = rQuantile7([...minSec.values()], p);
  return estimate === 0 ? 1_000 : estimate;
}

/**
 * R's `quantile(type = 7)` as R's own code writes it: (1 - h) x[lo] + h x[hi] at index 1 + (n - 1) p.
 * The textbook form x[j] + h (x[j+1] - x[j]) rounds differently when p is within an ulp of 1, and a
 * share exactly at the threshold then falls on the other side of it (fast-check found one).
 */
function rQuantile7(values: number[], prob: number): number {
  const x = [...values].sort((a, b) => a - b);
  const index = 1 + (x.length - 1) * prob;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const low = x[lo - 1]!;
  const high = x[hi - 1]!;
  if (!(index > lo) || high === low) return low;
  const h = index - lo;
  return (1 - h) * low + h * high;
}

const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));

describe('detectTimePrecision', () => {
  it('tells off-unit times as the remainder does, without it (property: any double, multiples, ±2^52, fractions)', () => {
    const units = fc.constantFrom(86_400_000, 3_600_000, 60_000, 1_000, 7);
    const times = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), units).map(([q, unit]) => q * unit),
      fc.integer({ min: -1000, max: 1000 }).map((d) => 2 ** 52 + d), fc.integer({ min: -1000, max: 1000 }).map((d) => -(2 ** 52) + d),
      fc.tuple(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: 1, max: 1023 })).map(([t, f]) => t + f / 1024),
      fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** 53, 2 ** 60 + 4096),
    );
    fc.assert(fc.property(times, units, (t, unit) => assert.equal(offUnit(t, unit), t % unit !== 0, `${t} % ${unit}`)), { numRuns: 5000 });
  });

  it('reports a millisecond for empty input (it must not widen any window)', () => {
    assert.deepEqual(detectTimePrecision(new Float64Array(0)), { precisionMs: 1, label: 'millisecond' });
  });

  it('finds minute, second, hour, day and millisecond precision', () => {
    assert.deepEqual(detectTimePrecision(Float64Array.of(at('2019-08-01T12:05:00'), at('2019-08-01T12:07:00'))), { precisionMs: MINUTE, label: 'minute' });
    assert.deepEqual(detectTimePrecision(Float64Array.of(at('2021-06-16T21:24:51'), at('2021-06-16T21:25:00'))), { precisionMs: 1_000, label: 'second' });
    assert.deepEqual(detectTimePrecision(Float64Array.of(at('2021-06-16T21:00:00'), at('2021-06-16T03:00:00'))), { precisionMs: 3_600_000, label: 'hour' });
    assert.deepEqual(detectTimePrecision(Float64Array.of(at('2021-06-16T00:00:00'), at('2020-01-01T00:00:00'))), { precisionMs: 86_400_000, label: 'day' });
    assert.deepEqual(detectTimePrecision(Float64Array.of(at('2021-06-16T21:24:51.123'), at('2021-06-16T21:25:00'))), { precisionMs: 1, label: 'millisecond' });
  });

  it('handles times before 1970 and sub-millisecond times', () => {
    assert.equal(detectTimePrecision(Float64Array.of(-MINUTE * 3, -MINUTE)).label, 'minute');
    assert.equal(detectTimePrecision(Float64Array.of(0.5, 1_000)).label, 'millisecond');
  });

  it('tolerates 0.1% of times off the unit and no more', () => {
    const times = new Float64Array(2_000);
    for (let i = 0; i < times.length; i++) times[i] = at('2019-08-01T00:00:00') + i * MINUTE;
    times[7] = times[7]! + 13_000;
    times[900] = times[900]! + 1_000;
    assert.equal(detectTimePrecision(times).label, 'minute', '2 of 2,000 off the minute is 0.1%');
    times[1_500] = times[1_500]! + 5_000;
    assert.equal(detectTimePrecision(times).label, 'second', '3 of 2,000 is more than 0.1%');
  });

  it('rejects a time that is not a finite number', () => {
    assert.throws(() => detectTimePrecision(Float64Array.of(0, NaN)), (e: unknown) => e instanceof LockstepError && e.code === 'detect/bad-input' && /time 1/.test(e.message));
  });

  it('rejects a non-finite time even where the units were already decided (Infinity late in the input)', () => {
    const times = new Float64Array(5_000).map((_, i) => i * 1_000 + 7);
    times[4_999] = Infinity;
    assert.throws(() => detectTimePrecision(times), (e: unknown) => e instanceof LockstepError && /time 4999 is Infinity/.test(e.message));
  });

  it('agrees with counting every time against every unit (the obvious rule) on mixed precisions', () => {
    const units = [86_400_000, 3_600_000, 60_000, 1_000, 1];
    const obvious = (times: Float64Array): number => {
      const off = units.map((unit) => times.filter((t) => t % unit !== 0).length);
      const u = off.findIndex((count) => times.length > 0 && count <= 0.001 * times.length);
      return u < 0 ? 1 : units[u]!;
    };
    const time = fc.tuple(fc.integer({ min: -2_000_000, max: 2_000_000 }), fc.constantFrom(...units), fc.constantFrom(0, 0, 0, 0.5, 17))
      .map(([k, unit, jitter]) => k * unit + jitter);
    fc.assert(fc.property(fc.array(time, { maxLength: 3_000 }), (list) => {
      const times = Float64Array.from(list);
      assert.equal(detectTimePrecision(times).precisionMs, obvious(times));
    }), { numRuns: 300 });
  });

  it('finds minute precision in the real Information Operations archive sample', () => {
    const rows = parse(readFileSync(FIXTURES.ioTweets, 'utf8'), { columns: true, relax_column_count: true, skip_records_with_error: true }) as Record<string, string>[];
    const times = Float64Array.from(rows.map((r) => at(`${r['tweet_time']}`.replace(' ', 'T'))).filter(Number.isFinite));
    assert.ok(times.length > 300, `read ${times.length} tweet times`);
    assert.deepEqual(detectTimePrecision(times), { precisionMs: MINUTE, label: 'minute' });
  });
});

describe('estimateWindow: CooRnet steps', () => {
  it('takes the time to more than p of the shares, strictly (2 shares: the second; 4 shares: the third)', () => {
    // One key each, so every key is "quick" and the window is that key's time.
    assert.equal(estimateWindow(events([[0, 0], [0, 7_000]]), { precisionMs: 1 }).windowMs, 7_000);
    assert.equal(estimateWindow(events([[0, 0], [0, 2_000], [0, 5_000], [0, 9_000]]), { precisionMs: 1 }).windowMs, 5_000);
    assert.equal(estimateWindow(events([[0, 0], [0, 2_000], [0, 5_000]]), { precisionMs: 1 }).windowMs, 2_000);
  });

  it('keeps only objects whose second share is among the quickest q, ties included, and takes the median', () => {
    const rows: [number, number][] = [];
    // 10 keys; second-share delays 1..10 s; time to > 50% of 4 shares (third share) = 100 s × key.
    for (let k = 0; k < 10; k++) rows.push([k, 0], [k, (k + 1) * 1_000], [k, (k + 1) * 100_000], [k, 2_000_000]);
    const estimate = estimateWindow(events(rows), { precisionMs: 1 });
    // q-quantile of 1..10 s at 0.1 = 1 + 0.9 × 1 s = 1.9 s: only key 0 (1 s) is quick.
    assert.ok(close(estimate.quickThresholdMs, 1_900), `${estimate.quickThresholdMs}`);
    assert.equal(estimate.keysUsed, 1);
    assert.equal(estimate.keysEligible, 10);
    assert.equal(estimate.windowMs, 100_000);
    const wider = estimateWindow(events(rows), { precisionMs: 1, q: 0.5 });
    // 0.5-quantile of 1..10 s = 5.5 s: keys 0..4 with times 100..500 s; median 300 s.
    assert.equal(wider.keysUsed, 5);
    assert.equal(wider.windowMs, 300_000);
  });

  it('interpolates between order statistics as R does, and uses p as the final quantile', () => {
    const rows: [number, number][] = [[0, 0], [0, 10_000], [0, 30_000], [0, 40_000], [1, 0], [1, 20_000], [1, 50_000], [1, 60_000]];
    // p = 0.5: third of 4 shares (30 s, 50 s), median 40 s. p = 0.25: second share (10 s, 20 s), 0.25-quantile 12.5 s.
    assert.equal(estimateWindow(events(rows), { precisionMs: 1, q: 1 }).windowMs, 40_000);
    assert.equal(estimateWindow(events(rows), { precisionMs: 1, q: 1, p: 0.25 }).windowMs, 12_500);
    // With 2 shares, p = 0.25 is already exceeded by the first share: time 0, hence CooRnet's 1 s.
    assert.equal(estimateWindow(events([[0, 0], [0, 10_000]]), { precisionMs: 1, p: 0.25 }).windowMs, 1_000);
  });

  it('replaces an estimate of 0 with 1 s, as CooRnet does', () => {
    const estimate = estimateWindow(events([[0, 5_000], [0, 5_000], [1, 9_000], [1, 9_000]]), { precisionMs: 1 });
    assert.equal(estimate.rawEstimateMs, 0);
    assert.equal(estimate.windowMs, 1_000);
    assert.match(estimate.explanation, /^1 s: .*estimate was 0, replaced by 1 s as CooRnet does/);
  });

  it('never goes below the data precision, detected or given', () => {
    const rows: [number, number][] = [[0, 0], [0, 0], [0, MINUTE], [1, 5 * MINUTE], [1, 6 * MINUTE]];
    const detected = estimateWindow(events(rows));
    assert.equal(detected.precision.label, 'minute');
    assert.equal(detected.rawEstimateMs, 0);
    assert.equal(detected.windowMs, MINUTE);
    assert.match(detected.explanation, /^60 s: .*raised from 1 s to the data's minute precision$/);
    const given = estimateWindow(events([[0, 0], [0, 3_000]]), { precisionMs: 10_000 });
    assert.equal(given.windowMs, 10_000);
  });

  it('says there is nothing to estimate from when no object is shared twice', () => {
    const none = estimateWindow(events([[0, 0], [1, 5_000], [2, 9_000]]), { precisionMs: 1 });
    assert.deepEqual([none.windowMs, none.keysUsed, none.keysEligible], [1_000, 0, 0]);
    assert.match(none.explanation, /no object was shared twice/);
    const empty = estimateWindow(events([]));
    assert.equal(empty.windowMs, 1_000);
    assert.equal(estimateWindow(events([[4, MINUTE]])).windowMs, MINUTE, 'one minute-precision event: the precision wins');
  });

  it('gives the same answer for sparse key ids as for dense ones', () => {
    const dense = events([[0, 0], [0, 4_000], [1, 0], [1, 9_000], [2, 0], [2, 1_000], [2, 30_000]]);
    const sparse = { key: Int32Array.from(dense.key, (k) => [5, 2 ** 30, 77_777_777][k]!), time: dense.time };
    assert.deepEqual(estimateWindow(sparse, { precisionMs: 1, q: 0.8 }), estimateWindow(dense, { precisionMs: 1, q: 0.8 }));
  });

  it('explains the value, the quick objects and how many objects there were', () => {
    const rows: [number, number][] = [];
    for (let k = 0; k < 1_234; k++) rows.push([k, 0], [k, 1_000 * (1 + (k % 50))]);
    const { explanation, windowMs, keysUsed } = estimateWindow(events(rows));
    assert.equal(explanation.split(':')[0], formatDuration(windowMs));
    assert.match(explanation, new RegExp(`median time from an object's first share to more than 50% of its shares, over the ${keysUsed} objects`));
    assert.match(explanation, /the 10% quantile\) of 1,234 objects shared at least twice$/);
  });

  it('rejects bad options and bad events with a detect/bad-input error', () => {
    const ok = events([[0, 0], [0, 1]]);
    const bad = (e: unknown): boolean => e instanceof LockstepError && e.code === 'detect/bad-input';
    assert.throws(() => estimateWindow(ok, { p: 1 }), bad);
    assert.throws(() => estimateWindow(ok, { q: -0.1 }), bad);
    assert.throws(() => estimateWindow(ok, { precisionMs: 0 }), bad);
    assert.throws(() => estimateWindow({ key: Int32Array.of(0), time: new Float64Array(2) }), bad);
    assert.throws(() => estimateWindow(events([[-1, 0]])), bad);
    assert.throws(() => estimateWindow(events([[0, Infinity]]), { precisionMs: 1 }), bad);
  });

  it('matches a row-by-row translation of the R code on random data', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 }).map((s) => s * 1_000));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (rows, q, p) => {
        const expected = coornetReference(rows, q, p) ?? 1_000;
        const actual = estimateWindow(events(rows), { q, p, precisionMs: 1 }).windowMs;
        return close(actual, expected);
      }),
      // A q within an ulp of 1, where the quantile's rounding decides whether a share is quick.
      { numRuns: 400, examples: [[[[1, 0], [4, 24_000], [4, 0], [1, 29_000]], 0.9999999999999996, 0.5]] },
    );
  });

  it('matches the R translation on CooRTweet\'s real Russian retweets and returns a usable window', () => {
    const rows = parse(readFileSync(FIXTURES.coortweetRussian, 'utf8'), { columns: true }) as Record<string, string>[];
    const ids = new Map<string, number>();
    const pairs = rows.map((r): [number, number] => {
      const object = r['object_id'] ?? '';
      if (!ids.has(object)) ids.set(object, ids.size);
      return [ids.get(object)!, Number(r['timestamp_share']) * 1_000];
    });
    const estimate = estimateWindow(events(pairs));
    assert.equal(estimate.precision.label, 'second');
    assert.ok(close(estimate.windowMs, Math.max(1_000, coornetReference(pairs, 0.1, 0.5)!)), `${estimate.windowMs} ms`);
    assert.ok(estimate.keysUsed > 0 && estimate.keysUsed < estimate.keysEligible);
    assert.ok(estimate.windowMs >= 1_000 && estimate.windowMs < 86_400_000);
  });
});

describe('effectiveWindow', () => {
  it('widens a window below the precision, and says so', () => {
    assert.deepEqual(effectiveWindow(10_000, MINUTE), { windowMs: MINUTE, warning: 'the data has minute precision; a 10 s window cannot be honoured; using 60 s' });
    assert.deepEqual(effectiveWindow(0, 1_000), { windowMs: 1_000, warning: 'the data has second precision; a 0 ms window cannot be honoured; using 1 s' });
  });

  it('keeps a window at or above the precision, without a warning', () => {
    assert.deepEqual(effectiveWindow(MINUTE, MINUTE), { windowMs: MINUTE, warning: null });
    assert.deepEqual(effectiveWindow(90_000, MINUTE), { windowMs: 90_000, warning: null });
    assert.deepEqual(effectiveWindow(250, 1), { windowMs: 250, warning: null });
  });

  it('names an unusual precision by its length', () => {
    assert.equal(effectiveWindow(1_000, 5_000).warning, 'the data has 5 s precision; a 1 s window cannot be honoured; using 5 s');
  });

  it('rejects a negative or non-finite window and a non-positive precision', () => {
    assert.throws(() => effectiveWindow(-1, 1_000), LockstepError);
    assert.throws(() => effectiveWindow(Infinity, 1_000), LockstepError);
    assert.throws(() => effectiveWindow(1_000, 0), LockstepError);
  });
});
