/** The synthetic benchmark: a generator of Information Operations archives with planted campaigns, and its scoring. */
export type { SynthOptions, Confounder } from './world.js';
export { SYNTH_DEFAULTS, CONFOUNDERS } from './world.js';
export type { CampaignStyle } from './campaign-plan.js';
export { CAMPAIGN_STYLES } from './campaign-plan.js';
export type { CampaignSummary, SynthSummary, SynthTables } from './generate.js';
export { generateSynthetic } from './generate.js';
export type { CampaignScore, ConfounderScore, Evaluation, StyleScore, TruthRow } from './evaluate.js';
export { evaluate, formatEvaluation, parseTruth } from './evaluate.js';
export type { Rng, RngFactory } from './rng.js';
export { mulberry32 } from './rng.js';
export type { TimePrecision } from './format.js';
export { TRUTH_COLUMNS, TWEET_COLUMNS, USER_COLUMNS } from './format.js';
