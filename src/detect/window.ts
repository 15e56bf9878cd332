/**
 * The co-action time window: the data's time precision, CooRnet's estimate of the window, and the
 * widening of a requested window the data cannot honour.
 * Method: `estimate_coord_interval(q = 0.1, p = 0.5)` of the CooRnet R package (Giglietto,
 * Righetti, Rossi & Marino 2020, "It takes a village to manipulate the media: coordinated link
 * sharing behavior during 2018 and 2019 Italian elections", Information, Communication & Society;
 * github.com/fabiogiglietto/CooRnet, R/estimate_coord_interval.R), replicated step for step:
 * 1. keep objects (keys) with at least 2 shares (events);
 * 2. per object, rank shares by time; the time from the first share to the second is how quick
 *    the object is; keep the objects whose time to the second share is at most the q-quantile
 *    of those times (ties included, so a little more than a share q may be kept);
 * 3. for each kept object, the time from its first share to its first share of rank r with
 *    r / shares > p (strictly: with 2 shares and p = 0.5, the second share);
 * 4. the window is the p-quantile (R's default type-7 quantile; the median when p = 0.5) of
 *    those times; CooRnet replaces an estimate of exactly 0 with 1 s.
 * lockstep adds one rule: the window is never below the data's time precision (a minute for the
 * Twitter Information Operations archive), since differences finer than that do not exist.
 */
import { LockstepError } from '../model/index.js';

/** The units `detectTimePrecision` can report, coarsest first. */
const UNITS: ReadonlyArray<{ ms: number; label: string }> = [
  { ms: 86_400_000, label: 'day' },
  { ms: 3_600_000, label: 'hour' },
  { ms: 60_000, label: 'minute' },
  { ms: 1_000, label: 'second' },
  { ms: 1, label: 'millisecond' },
];

/** Share of times that may be off-unit and still count as that unit's precision. */
const PRECISION_TOLERANCE = 0.001;

export interface TimePrecision {
  precisionMs: number;
  /** 'day', 'hour', 'minute', 'second' or 'millisecond'. */
  label: string;
}

/**
 * The coarsest of day, hour, minute, second and millisecond that at least 99.9% of the times
 * (ms since the epoch, UTC) are whole multiples of. Empty input, or times finer than a
 * millisecond, report a millisecond: the finest unit, which widens no window.
 * A handful of times can be whole minutes by chance (one in 60 per time for second-precision
 * data), so the answer is only as sure as the sample is large.
 * @example
 * detectTimePrecision(Float64Array.of(Date.UTC(2019, 7, 1, 12, 5), Date.UTC(2019, 7, 1, 12, 7)))
 * // { precisionMs: 60000, label: 'minute' }
 */
export function detectTimePrecision(times: Float64Array): TimePrecision {
  const n = times.length;
  // `t - t` is NaN for NaN and ±Infinity, 0 for every finite t.
  for (let i = 0; i < n; i++) if (times[i]! - times[i]! !== 0) throw badWindowInput(`time ${i} is ${times[i]}, not a finite number of ms`);
  const allowed = PRECISION_TOLERANCE * n;
  // Coarsest first, each unit counted only until it has more off-unit times than allowed (a unit
  // too coarse fails within a few thousand times), so one full pass is usually all it takes. The
  // millisecond is the answer whether or not it holds, so it is never counted.
  for (let u = 0; n > 0 && u < UNITS.length - 1; u++) {
    const unit = UNITS[u]!.ms;
    let off = 0;
    for (let i = 0; i < n && off <= allowed; i++) if (offUnit(times[i]!, unit)) off++;
    if (off <= allowed) return { precisionMs: unit, label: UNITS[u]!.label };
  }
  return { precisionMs: 1, label: 'millisecond' };
}

/** Times below this in magnitude take the quotient test: every product q × unit in it is exact. */
const EXACT_BOUND = 2 ** 52;

/**
 * `t % unit !== 0`, without the remainder's library call for times as they come (|t| < 2^52):
 * t - ⌊t / unit⌋ × unit is 0 exactly when t is a multiple of unit. A multiple's quotient is an
 * integer the division gets exactly; otherwise t is no multiple of any integer q (a fractional t
 * is no integer, and integer products are exact here), so the exact difference is nonzero, and a
 * nonzero difference of two doubles never rounds to 0.
 */
export function offUnit(t: number, unit: number): boolean {
  if (t < EXACT_BOUND && t > -EXACT_BOUND) return t - Math.floor(t / unit) * unit !== 0;
  return t % unit !== 0;
}

export interface WindowOptions {
  /** CooRnet's q: the quantile of time-to-second-share below which an object counts as quick. */
  q: number;
  /** CooRnet's p: the share of an object's shares to be exceeded, and the quantile taken of the times. */
  p: number;
  /** The data's time precision in ms; `null` detects it from the times (`detectTimePrecision`). */
  precisionMs: number | null;
  /** What an estimate of exactly 0 becomes (CooRnet: 1 s). */
  zeroEstimateMs: number;
}

export const WINDOW_DEFAULTS: Readonly<WindowOptions> = Object.freeze({
  q: 0.1,
  p: 0.5,
  precisionMs: null,
  zeroEstimateMs: 1_000,
});

export interface WindowEstimate {
  /** The window to use, in ms: the estimate, raised to the data's precision if below it. */
  windowMs: number;
  /** The method and its parameters, e.g. `coornet(q=0.1,p=0.5)`. */
  method: string;
  /** Objects the estimate is taken over: the quick ones (CooRnet's `ranked_shares_sub`). */
  keysUsed: number;
  /** Objects with at least 2 events, among which the quick ones were chosen. */
  keysEligible: number;
  /** Time to the second share at or below which an object counted as quick (the q-quantile), ms. */
  quickThresholdMs: number;
  /** CooRnet's estimate before the zero rule and the precision floor, ms (NaN when nothing to estimate from). */
  rawEstimateMs: number;
  precision: TimePrecision;
  /** One sentence: the value and how it was found. */
  explanation: string;
}

/**
 * Estimates the co-action window from the data, as CooRnet's `estimate_coord_interval` does (see
 * the file comment for the exact steps). Keys are any non-negative integers (dense ids are
 * fastest); times are ms. With no key shared twice there is nothing to estimate from: the window
 * is then the larger of `zeroEstimateMs` and the precision, `keysUsed` is 0 and the explanation
 * says so.
 * @example
 * const { windowMs, explanation } = estimateWindow({ key, time });
 * // explanation: '42 s: median time from an object's first share to more than 50% of its
 * //   shares, over the 123 objects whose second share came quickest (within 3 s, the 10%
 * //   quantile) of 1,234 objects shared at least twice'
 */
export function estimateWindow(events: { key: Int32Array; time: Float64Array }, options?: Partial<WindowOptions>): WindowEstimate {
  const opts: WindowOptions = { ...WINDOW_DEFAULTS, ...options };
  checkWindowOptions(opts);
  const { key, time } = events;
  if (key.length !== time.length) throw badWindowInput(`key and time must have the same length (got ${key.length} and ${time.length})`);
  const precision = opts.precisionMs === null ? detectTimePrecision(time) : precisionOf(opts.precisionMs);
  const method = `coornet(q=${opts.q},p=${opts.p})`;

  const { start, sorted } = groupTimesByKey(key, time);
  const keyCount = start.length - 1;
  const secondDelay: number[] = [];
  const keyOfDelay: number[] = [];
  for (let k = 0; k < keyCount; k++) {
    if (start[k + 1]! - start[k]! < 2) continue;
    secondDelay.push(sorted[start[k]! + 1]! - sorted[start[k]!]!);
    keyOfDelay.push(k);
  }
  const keysEligible = secondDelay.length;
  if (keysEligible === 0) {
    const windowMs = Math.max(opts.zeroEstimateMs, precision.precisionMs);
    return {
      windowMs, method, keysUsed: 0, keysEligible: 0, quickThresholdMs: NaN, rawEstimateMs: NaN, precision,
      explanation: `${formatDuration(windowMs)}: no object was shared twice, so there is nothing to estimate from; using the smallest window allowed (${precisionClause(precision, opts.zeroEstimateMs)})`,
    };
  }

  const quickThresholdMs = quantileType7(Float64Array.from(secondDelay), opts.q);
  const toShare: number[] = [];
  for (let i = 0; i < keysEligible; i++) {
    if (!(secondDelay[i]! <= quickThresholdMs)) continue;
    const k = keyOfDelay[i]!;
    const first = start[k]!;
    const count = start[k + 1]! - first;
    toShare.push(sorted[first + firstRankAbove(opts.p, count) - 1]! - sorted[first]!);
  }
  const rawEstimateMs = quantileType7(Float64Array.from(toShare), opts.p);
  const afterZeroRule = rawEstimateMs === 0 ? opts.zeroEstimateMs : rawEstimateMs;
  const windowMs = Math.max(afterZeroRule, precision.precisionMs);

  const statistic = opts.p === 0.5 ? 'median' : `${formatNumber(opts.p)}-quantile`;
  let explanation =
    `${formatDuration(windowMs)}: ${statistic} time from an object's first share to more than ${formatNumber(opts.p * 100)}% of its shares, ` +
    `over the ${formatNumber(toShare.length)} objects whose second share came quickest (within ${formatDuration(quickThresholdMs)}, ` +
    `the ${formatNumber(opts.q * 100)}% quantile) of ${formatNumber(keysEligible)} objects shared at least twice`;
  if (rawEstimateMs === 0) explanation += `; the estimate was 0, replaced by ${formatDuration(opts.zeroEstimateMs)} as CooRnet does`;
  if (windowMs > afterZeroRule) {
    explanation += `; raised from ${formatDuration(afterZeroRule)} to the data's ${precision.label} precision`;
  }
  return { windowMs, method, keysUsed: toShare.length, keysEligible, quickThresholdMs, rawEstimateMs, precision, explanation };
}

/**
 * The window to use when a user asked for `requestedMs`: a window below the data's precision
 * cannot be honoured (two events a second apart may both read 12:05), so it is widened to the
 * precision, with a warning that says so.
 * @example
 * effectiveWindow(10_000, 60_000)
 * // { windowMs: 60000, warning: 'the data has minute precision; a 10 s window cannot be honoured; using 60 s' }
 */
export function effectiveWindow(requestedMs: number, precisionMs: number): { windowMs: number; warning: string | null } {
  if (!(requestedMs >= 0) || !Number.isFinite(requestedMs)) throw badWindowInput(`the requested window must be a finite number of ms >= 0, got ${requestedMs}`);
  const precision = precisionOf(precisionMs);
  if (requestedMs >= precisionMs) return { windowMs: requestedMs, warning: null };
  return {
    windowMs: precisionMs,
    warning: `the data has ${precision.label} precision; a ${formatDuration(requestedMs)} window cannot be honoured; using ${formatDuration(precisionMs)}`,
  };
}

/**
 * A duration for people: below a second in ms, else in seconds, with at most 3 decimals and
 * thousands separators (`60 s`, `1.5 s`, `86,400 s`, `250 ms`).
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${formatNumber(ms)} ms`;
  return `${formatNumber(ms / 1_000)} s`;
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

function formatNumber(value: number): string {
  return NUMBER_FORMAT.format(value);
}

function precisionOf(precisionMs: number): TimePrecision {
  if (!(precisionMs > 0) || !Number.isFinite(precisionMs)) throw badWindowInput(`precisionMs must be a finite number of ms > 0, got ${precisionMs}`);
  const unit = UNITS.find((u) => u.ms === precisionMs);
  return { precisionMs, label: unit?.label ?? formatDuration(precisionMs) };
}

function precisionClause(precision: TimePrecision, zeroEstimateMs: number): string {
  return precision.precisionMs >= zeroEstimateMs
    ? `the data's ${precision.label} precision`
    : `CooRnet's ${formatDuration(zeroEstimateMs)} for an estimate of 0`;
}

/**
 * The smallest 1-based rank r with r / count > p, computed with the same floating-point
 * comparison as CooRnet's `filter(perc_of_shares > p)` (so p * count landing exactly on an
 * integer behaves as in R). Requires 0 <= p < 1 and count >= 1; the answer is at most count.
 */
function firstRankAbove(p: number, count: number): number {
  let r = Math.max(1, Math.floor(p * count));
  while (r > 1 && (r - 1) / count > p) r--;
  while (!(r / count > p)) r++;
  return r;
}

/**
 * R's default quantile (type 7), computed as R's `quantile.default` computes it: index =
 * 1 + (n - 1) * prob, linear interpolation (1 - h) * x[lo] + h * x[hi] between the order
 * statistics at floor(index) and ceiling(index), only where they differ. Sorts `values` in
 * place. `values` must not be empty.
 */
export function quantileType7(values: Float64Array, prob: number): number {
  values.sort();
  const index = 1 + (values.length - 1) * prob;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const low = values[lo - 1]!;
  const high = values[hi - 1]!;
  if (!(index > lo && high !== low)) return low;
  const h = index - lo;
  return (1 - h) * low + h * high;
}

/**
 * Times grouped by key and sorted within each key: key k's times are `sorted[start[k] ..
 * start[k + 1] - 1]`, ascending. Keys are first mapped to dense ids when they are sparse, so the
 * cost is O(n log n) in events whatever the key values.
 */
function groupTimesByKey(key: Int32Array, time: Float64Array): { start: Int32Array; sorted: Float64Array } {
  const n = key.length;
  let maxKey = -1;
  for (let i = 0; i < n; i++) {
    const k = key[i]!;
    if (k < 0) throw badWindowInput(`event ${i}: key ${k} is negative; keys are ids >= 0`);
    if (!Number.isFinite(time[i]!)) throw badWindowInput(`event ${i}: time ${time[i]} is not a finite number of ms`);
    if (k > maxKey) maxKey = k;
  }
  const dense = maxKey + 1 <= 2 * n + 1_024 ? null : denseIds(key);
  const keyCount = dense === null ? maxKey + 1 : dense.count;
  const id = dense === null ? key : dense.id;
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) start[id[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) start[k + 1] = start[k]! + start[k + 1]!;
  const next = start.slice(0, keyCount);
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[next[id[i]!]!++] = time[i]!;
  for (let k = 0; k < keyCount; k++) {
    if (start[k + 1]! - start[k]! > 1) sorted.subarray(start[k]!, start[k + 1]!).sort();
  }
  return { start, sorted };
}

function denseIds(key: Int32Array): { id: Int32Array; count: number } {
  const distinct = key.slice().sort();
  let count = 0;
  for (let i = 0; i < distinct.length; i++) if (i === 0 || distinct[i] !== distinct[i - 1]) distinct[count++] = distinct[i]!;
  const id = new Int32Array(key.length);
  for (let i = 0; i < key.length; i++) {
    let lo = 0;
    let hi = count - 1;
    const k = key[i]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    id[i] = lo;
  }
  return { id, count };
}

function checkWindowOptions(opts: WindowOptions): void {
  if (!(opts.q >= 0 && opts.q <= 1)) throw badWindowInput(`q must be in [0, 1], got ${opts.q}`);
  // p = 1 leaves no share with rank / shares > p, and CooRnet returns NA.
  if (!(opts.p >= 0 && opts.p < 1)) throw badWindowInput(`p must be in [0, 1), got ${opts.p}`);
  if (!(opts.zeroEstimateMs >= 0) || !Number.isFinite(opts.zeroEstimateMs)) {
    throw badWindowInput(`zeroEstimateMs must be a finite number of ms >= 0, got ${opts.zeroEstimateMs}`);
  }
}

function badWindowInput(reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `window: ${reason}`);
}
