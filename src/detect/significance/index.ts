export type { SignificanceOptions, SignificanceResult } from './significance.js';
export { SIGNIFICANCE_DEFAULTS, actorStrengths, distinctKeysPerActor, significantPairs } from './significance.js';
export { logGamma, logPoissonUpperTail } from './poisson.js';
export type { GroupOptions, GroupReport, GroupResult } from './group.js';
export { GROUP_DEFAULTS, rareKeyEvents, rowsWithinGroups, significantGroups, unionEvents } from './group.js';
export type { RecruitInput, RecruitOptions } from './recruit.js';
export { RECRUIT_DEFAULTS, recruitMembers } from './recruit.js';
export type { MemberTestOptions, TieTable } from './member-test.js';
export { MEMBER_TEST_DEFAULTS, tiedMembers } from './member-test.js';
