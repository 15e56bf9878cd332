/** Account and infrastructure signals, and the attribution evidence built from them. */
export type { Confidence, Direction, Signal } from './evidence.js';
export { EVIDENCE_DEFAULTS, proportionSignal } from './evidence.js';
export type { AccountBaseline, ActivitySummary } from './account-signals.js';
export { ACCOUNT_SIGNAL_DEFAULTS, accountBaseline, accountSignals } from './account-signals.js';
export { accountProfileSignals } from './account-profile.js';
export type { AccountActivity, AccountProfileSignals } from './account-profile.js';
export type { InfraBaseline } from './infra-signals.js';
export { INFRA_SIGNAL_DEFAULTS, infraBaseline, infraSignals } from './infra-signals.js';
export type { AttributionData, AttributionEvidence, Attributor } from './attribution.js';
export { ATTRIBUTION_NOTE, attributor } from './attribution.js';
export type { IpLookup, IpTable, NetworkInfo } from './ip-table.js';
export { ANONYMISING_KINDS, buildIpTable, lookupText } from './ip-table.js';
export { mmdbLookup } from './mmdb-table.js';
export type { HandlePattern } from './handle-pattern.js';
export { characterEntropy, groupingTemplate, handlePattern, handleTemplate, isSpecificTemplate, longestDigitRun } from './handle-pattern.js';
export { formatIpv4, formatSlash24, looksLikeIpv6, parseCidr4, parseIpv4, slash24 } from './ipv4.js';
