/** Poisson upper tails in log space, exact enough for p-values down to 1e-300 and beyond. */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < 9; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ln P(X ≥ k) for X ~ Poisson(mean). For k above the mean the tail is summed from its first term
 * (e^-λ λ^k / k!) outwards, so tiny p-values keep their digits; below it, 1 − P(X < k) is fine.
 */
export function logPoissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return -Infinity;
  if (k <= mean) {
    let term = Math.exp(-mean);
    let below = term;
    for (let i = 1; i < k; i++) {
      term *= mean / i;
      below += term;
    }
    return Math.log(Math.max(1e-300, Math.min(1, 1 - below)));
  }
  const logFirst = -mean + k * Math.log(mean) - logGamma(k + 1);
  let ratio = 1;
  let sum = 1;
  for (let j = 1; j < 1000; j++) {
    ratio *= mean / (k + j);
    sum += ratio;
    if (ratio < 1e-16 * sum) break;
  }
  return Math.min(0, logFirst + Math.log(sum));
}
