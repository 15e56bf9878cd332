/**
 * One piece of attribution evidence: a share among a cluster's accounts against the same share
 * on the platform (the baseline), its strength as a smoothed likelihood ratio and a binomial z,
 * a direction (supports or weakens the attribution) and a confidence label. No single signal
 * decides; the labels say how much one is worth on its own.
 */

export type Confidence = 'low' | 'medium' | 'high';
export type Direction = 'supports' | 'weakens' | 'neutral';

export interface Signal {
  /** Stable name, e.g. `creation_burst`. */
  name: string;
  /** What the numbers are, for an analyst. */
  description: string;
  /** The cluster's share (or rate) and the platform's. */
  value: number;
  baseline: number;
  /** Accounts (or logins) the share counts, of `of`. */
  count: number;
  of: number;
  /** value / baseline, each smoothed by half a count (finite when the baseline is 0). */
  ratio: number;
  /** (count − of·baseline) / √(of·baseline·(1 − baseline)): how unlikely the count is by chance. */
  z: number;
  direction: Direction;
  confidence: Confidence;
  /** Signal-specific facts (dates, templates, addresses). */
  detail: Record<string, unknown>;
}

export const EVIDENCE_DEFAULTS = {
  high: { count: 10, ratio: 3, z: 4 },
  medium: { count: 5, ratio: 1.5, z: 2.5 },
};

const round = (value: number, digits = 4): number => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

/**
 * A signal from a count among the cluster and a baseline probability. `tests` is how many
 * windows or categories were searched to find this one (the z is Bonferroni-corrected for it,
 * so picking the best of many days does not look like a rare event).
 * @example proportionSignal('empty_profile', 'members with no bio and no location', 40, 50, 0.2, {})
 */
export function proportionSignal(name: string, description: string, count: number, of: number, baselineP: number, detail: Record<string, unknown>, tests = 1): Signal {
  const value = of === 0 ? 0 : count / of;
  const p = Math.min(Math.max(baselineP, 0), 1);
  // Half a count of smoothing on both sides keeps the ratio finite for a baseline of zero.
  const smoothedBaseline = Math.max(p, 0.5 / Math.max(of, 1));
  const ratio = of === 0 ? 1 : ((count + 0.5) / (of + 1)) / smoothedBaseline;
  const sd = Math.sqrt(of * smoothedBaseline * (1 - Math.min(smoothedBaseline, 0.999)));
  const rawZ = sd === 0 ? 0 : (count - of * p) / sd;
  // Bonferroni for the search: subtract the z of the corrected one-sided threshold beyond p = 0.05.
  const z = tests > 1 && rawZ > 0 ? Math.max(0, rawZ - zShift(tests)) : rawZ;
  let direction: Direction = 'neutral';
  if (ratio >= EVIDENCE_DEFAULTS.medium.ratio && z >= 2) direction = 'supports';
  else if (ratio <= 1 / EVIDENCE_DEFAULTS.medium.ratio && z <= -2) direction = 'weakens';
  return {
    name, description, value: round(value), baseline: round(p, 6), count, of, ratio: round(ratio, 2), z: round(z, 2), direction,
    confidence: confidenceOf(count, of, ratio, z, direction), detail,
  };
}

/** How far the one-sided 5% threshold moves when `tests` windows were searched (z units). */
function zShift(tests: number): number {
  // Inverse normal tail by bisection: small and exact enough for a correction.
  const tail = (z: number): number => 0.5 * erfc(z / Math.SQRT2);
  const target = 0.05 / tests;
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > target) lo = mid; else hi = mid;
  }
  return lo - 1.645;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

function confidenceOf(count: number, of: number, ratio: number, z: number, direction: Direction): Confidence {
  const { high, medium } = EVIDENCE_DEFAULTS;
  // Absence of a mark is weaker evidence than its presence: at most medium.
  if (direction === 'weakens') return of >= high.count && z <= -high.z ? 'medium' : 'low';
  if (count >= high.count && ratio >= high.ratio && z >= high.z) return 'high';
  if (count >= medium.count && ratio >= medium.ratio && z >= medium.z) return 'medium';
  return 'low';
}
