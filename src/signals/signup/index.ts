/** Sign-up prevention: scoring new registrations against a network's infrastructure and patterns. */
export type { KnownInfra, KnownAddress, KnownNetwork, LearnInput } from './known-infra.js';
export { emptyKnownInfra, learnInfra, LEARN_DEFAULTS } from './known-infra.js';
export type { ScorerOptions, ScorerState, ScorerStateParts, SignupDecision, SignupInput, SignupScore, SignupScorer } from './scorer.js';
export { createSignupScorer, SCORER_DEFAULTS } from './scorer.js';
export type { VelocityCounter, VelocitySnapshot } from './velocity.js';
export { velocityCounter } from './velocity.js';
export type { SaverOptions, StateSaver } from './state-file.js';
export { knownOf, loadState, SAVER_DEFAULTS, saveState, saveStateInParts, statePathFor, stateSaver } from './state-file.js';
export type { BatchResult } from './batch.js';
export { scoreSignupFile, SIGNUP_COLUMNS } from './batch.js';
export { answerSignup, parseSignupRequest, SIGNUP_REQUEST_DEFAULTS, signupRequestSchema, signupScoreRoutes } from './http.js';
export type { JsonAnswer } from './http.js';
export type { LoadedIpTable } from './ip-table-file.js';
export { loadIpTableFile, loadIpTableFromStore } from './ip-table-file.js';
export type { Member } from './learn.js';
export { learnFromStore, membersFromAccountsCsv, membersFromClustersJson } from './learn.js';
export type { OpenScorer } from './open-scorer.js';
export { openSignupScorer } from './open-scorer.js';
