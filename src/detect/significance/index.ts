export type { SignificanceOptions, SignificanceResult } from './significance.js';
export { SIGNIFICANCE_DEFAULTS, actorStrengths, distinctKeysPerActor, significantPairs } from './significance.js';
export { logGamma, logPoissonUpperTail } from './poisson.js';
